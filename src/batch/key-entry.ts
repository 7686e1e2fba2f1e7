// Makes a key-history entry (docs/keys.md): the new key signs its statement; its predecessor, when at hand, endorses it.
import type { SigningKey } from '../../providers/key-provider.ts';
import { encodeKeyStatement } from '../proof/bundle/key-statement.ts';
import { KEY_ENDORSEMENT_CONTEXT, KEY_STATEMENT_CONTEXT } from '../proof/crypto/contexts.ts';
import type { KeyHistoryEntry } from '../store/store.ts';

/** What a new entry says. */
export interface NewKeyEntry {
  readonly key: SigningKey;
  readonly generation: number;
  readonly validFromMs: number;
  /** Key id of the entry it follows; empty for a log's first key. */
  readonly previousKeyId: Uint8Array;
  /** The previous key, when this process holds it: it endorses the new one. */
  readonly endorser: SigningKey | undefined;
}

/** Signs the statement of `n.key` (and its endorsement) and returns the entry, still open (valid_until 0). */
export async function makeKeyEntry(n: NewKeyEntry): Promise<KeyHistoryEntry> {
  const statement = encodeKeyStatement({
    algorithmId: n.key.algorithmId,
    keyId: n.key.keyId,
    validFromMs: BigInt(n.validFromMs),
    previousKeyId: n.previousKeyId,
    protection: n.key.protection,
  });
  const selfSignature = await n.key.sign(statement, KEY_STATEMENT_CONTEXT);
  const endorsement =
    n.endorser === undefined ? new Uint8Array(0) : await n.endorser.sign(statement, KEY_ENDORSEMENT_CONTEXT);
  return {
    algorithmId: n.key.algorithmId,
    keyId: n.key.keyId,
    publicKey: n.key.publicKey,
    validFromMs: n.validFromMs,
    validUntilMs: 0,
    previousKeyId: n.previousKeyId,
    endorsement,
    protection: n.key.protection,
    selfSignature,
    generation: n.generation,
  };
}
