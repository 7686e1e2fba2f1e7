// Leaf entries: the exact bytes hashed into a batch tree for one submission (docs/proof-format.md §Leaf entry).
import { portableSha256, SHA256_LENGTH, type Sha256 } from '../crypto/sha256.ts';
import { hashLeaf } from '../merkle/hash.ts';

/** Leaf entry format version written as the first byte. */
export const LEAF_ENTRY_VERSION = 1;
/** Hash algorithm byte for SHA-256 digests (matches HashAlgorithm.SHA2_256 in the proto). */
export const LEAF_HASH_SHA2_256 = 1;
/** Length of a version-1 entry without a source reference. */
export const LEAF_ENTRY_LENGTH = 2 + SHA256_LENGTH;

/** The decoded fields of a leaf entry. */
export interface LeafEntry {
  readonly hashAlgorithm: number;
  readonly digest: Uint8Array;
}

/** Encodes a version-1 entry: 0x01 ‖ hash algorithm ‖ digest. */
export function encodeLeafEntry(digest: Uint8Array): Uint8Array {
  if (digest.length !== SHA256_LENGTH)
    throw new RangeError(`digest must be ${SHA256_LENGTH} bytes, got ${digest.length}`);
  const entry = new Uint8Array(LEAF_ENTRY_LENGTH);
  entry[0] = LEAF_ENTRY_VERSION;
  entry[1] = LEAF_HASH_SHA2_256;
  entry.set(digest, 2);
  return entry;
}

/** Decodes an entry; returns a reason string when it is not a valid version-1 entry. */
export function decodeLeafEntry(entry: Uint8Array): LeafEntry | string {
  if (entry.length !== LEAF_ENTRY_LENGTH)
    return `leaf entry is ${entry.length} bytes, expected ${LEAF_ENTRY_LENGTH}`;
  if (entry[0] !== LEAF_ENTRY_VERSION) return `leaf entry version ${entry[0]} is not supported (expected 1)`;
  if (entry[1] !== LEAF_HASH_SHA2_256)
    return `leaf hash algorithm ${entry[1]} is not supported (expected 1, SHA-256)`;
  return { hashAlgorithm: LEAF_HASH_SHA2_256, digest: entry.slice(2) };
}

/** The RFC 9162 leaf hash of the entry for `digest`. */
export function leafHashOfDigest(digest: Uint8Array, sha256: Sha256 = portableSha256): Uint8Array {
  return hashLeaf(encodeLeafEntry(digest), sha256);
}
