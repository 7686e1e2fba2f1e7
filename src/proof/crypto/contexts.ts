// FIPS 204 context strings: domain separation so a signature over one kind of bytes never verifies as another.
import { utf8 } from '../encoding/bytes.ts';

/** Context for signatures over batch header bytes. */
export const HEADER_SIGNATURE_CONTEXT: Uint8Array = utf8('spark/v1/batch-header');

/** Context for a key's endorsement of its successor. */
export const KEY_ENDORSEMENT_CONTEXT: Uint8Array = utf8('spark/v1/key-endorsement');

/** Context for a key's signature over its own statement (proof of possession, binds its window start). */
export const KEY_STATEMENT_CONTEXT: Uint8Array = utf8('spark/v1/key-statement');

/** Context for signatures over checkpoint bodies (a signed head of the header chain). */
export const CHECKPOINT_SIGNATURE_CONTEXT: Uint8Array = utf8('spark/v1/checkpoint');
