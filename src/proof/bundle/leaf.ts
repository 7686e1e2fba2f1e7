// Leaf entries: the exact bytes hashed into a batch tree for one submission (docs/proof-format.md §Leaf entry).
import { portableSha256, SHA256_LENGTH, type Sha256 } from '../crypto/sha256.ts';
import { hashLeaf } from '../merkle/hash.ts';
import { decodeSource, SOURCE_LENGTH, type SourceReference } from './source-reference.ts';

/** Leaf entry format version written as the first byte (2 when a source reference follows the digest). */
export const LEAF_ENTRY_VERSION = 1;
export const LEAF_ENTRY_VERSION_WITH_SOURCE = 2;
/** Hash algorithm byte for SHA-256 digests (matches HashAlgorithm.SHA2_256 in the proto). */
export const LEAF_HASH_SHA2_256 = 1;
/** Length of a version-1 entry without a source reference. */
export const LEAF_ENTRY_LENGTH = 2 + SHA256_LENGTH;

/** The decoded fields of a leaf entry. */
export interface LeafEntry {
  readonly hashAlgorithm: number;
  readonly digest: Uint8Array;
  /** The other-chain reference of a version-2 entry. */
  readonly source?: SourceReference | undefined;
}

/**
 * Encodes an entry: version 1 (0x01 ‖ hash algorithm ‖ digest) without a source, version 2 (0x02 ‖ hash
 * algorithm ‖ digest ‖ the 79-byte encoded source reference) with one.
 */
export function encodeLeafEntry(digest: Uint8Array, source?: Uint8Array): Uint8Array {
  if (digest.length !== SHA256_LENGTH)
    throw new RangeError(`digest must be ${SHA256_LENGTH} bytes, got ${digest.length}`);
  if (source !== undefined && source.length !== SOURCE_LENGTH)
    throw new RangeError(`source must be ${SOURCE_LENGTH} bytes, got ${source.length}`);
  const entry = new Uint8Array(LEAF_ENTRY_LENGTH + (source?.length ?? 0));
  entry[0] = source === undefined ? LEAF_ENTRY_VERSION : LEAF_ENTRY_VERSION_WITH_SOURCE;
  entry[1] = LEAF_HASH_SHA2_256;
  entry.set(digest, 2);
  if (source !== undefined) entry.set(source, LEAF_ENTRY_LENGTH);
  return entry;
}

/** Decodes an entry; returns a reason string when it is not a valid version-1 or version-2 entry. */
export function decodeLeafEntry(entry: Uint8Array): LeafEntry | string {
  if (entry.length === 0)
    return `leaf entry is 0 bytes, expected ${LEAF_ENTRY_LENGTH} (version 1) or ${LEAF_ENTRY_LENGTH + SOURCE_LENGTH} (version 2)`;
  if (entry.length < 2) return `leaf entry is ${entry.length} bytes, expected ${LEAF_ENTRY_LENGTH}`;
  const version = entry[0];
  if (version !== LEAF_ENTRY_VERSION && version !== LEAF_ENTRY_VERSION_WITH_SOURCE)
    return `leaf entry version ${version} is not supported (expected 1 or 2)`;
  const expected = LEAF_ENTRY_LENGTH + (version === LEAF_ENTRY_VERSION ? 0 : SOURCE_LENGTH);
  if (entry.length !== expected)
    return `leaf entry is ${entry.length} bytes, expected ${expected} for version ${version}`;
  if (entry[1] !== LEAF_HASH_SHA2_256)
    return `leaf hash algorithm ${entry[1]} is not supported (expected 1, SHA-256)`;
  const digest = entry.slice(2, LEAF_ENTRY_LENGTH);
  if (version === LEAF_ENTRY_VERSION) return { hashAlgorithm: LEAF_HASH_SHA2_256, digest };
  const source = decodeSource(entry.subarray(LEAF_ENTRY_LENGTH));
  if (typeof source === 'string') return `leaf entry: ${source}`;
  return { hashAlgorithm: LEAF_HASH_SHA2_256, digest, source };
}

/** The RFC 9162 leaf hash of the entry for `digest` (and its encoded source reference, if any). */
export function leafHashOfDigest(
  digest: Uint8Array,
  sha256: Sha256 = portableSha256,
  source?: Uint8Array,
): Uint8Array {
  return hashLeaf(encodeLeafEntry(digest, source), sha256);
}
