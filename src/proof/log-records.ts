// The log's records as the store keeps them and bundles are built from: a sealed batch with its signed header, and
// a key-history entry (public data only). Pure: shared by the store contract and the bundle builder.
import type { HeaderFields } from './bundle/header.ts';

/** One signature over a header. */
export interface SignatureRecord {
  readonly algorithmId: number;
  readonly keyId: Uint8Array;
  readonly signature: Uint8Array;
}

/** A sealed batch: its signed header and evidence. */
export interface BatchRecord {
  readonly sequence: bigint;
  /** The exact signed header bytes. */
  readonly header: Uint8Array;
  /** `header` decoded (decoded once, where the record is made or read: never again by its users). */
  readonly fields: HeaderFields;
  /** SHA-256 of `header`. */
  readonly headerHash: Uint8Array;
  readonly signatures: readonly SignatureRecord[];
  readonly treeSize: number;
}

/** A key-history entry (public data only). */
export interface KeyHistoryEntry {
  readonly algorithmId: number;
  readonly keyId: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly validFromMs: number;
  /** 0 while current. */
  readonly validUntilMs: number;
  /** Empty for the first key. */
  readonly previousKeyId: Uint8Array;
  /** Empty when the previous key could not sign. */
  readonly endorsement: Uint8Array;
  readonly protection: string;
  /** The key's signature over its key statement (src/proof/bundle/key-statement.ts). */
  readonly selfSignature: Uint8Array;
  /** Which generation the key provider opens to get this key back (0 for the first). */
  readonly generation: number;
}
