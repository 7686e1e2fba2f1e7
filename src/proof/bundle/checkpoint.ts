// Checkpoint body v1 and the header log: a signed head of the header chain (docs/proof-format.md §6.1).
// The header log is the RFC 9162 tree whose leaf i is the header hash of batch i; a checkpoint signs its root.
import { portableSha256, SHA256_LENGTH, type Sha256 } from '../crypto/sha256.ts';
import { hashLeaf } from '../merkle/hash.ts';
import { buildLevels, inclusionPath, levelReader, type NodeReader, rootOf } from '../merkle/tree.ts';

/** Four magic bytes "SPKC" opening every checkpoint body. */
export const CHECKPOINT_MAGIC = new Uint8Array([0x53, 0x50, 0x4b, 0x43]);
/** Current checkpoint body version. */
export const CHECKPOINT_VERSION = 1;
/** Length in bytes of a version-1 checkpoint body. */
export const CHECKPOINT_LENGTH = 152;

/** The fields of a checkpoint body. */
export interface CheckpointFields {
  readonly version: number;
  /** The header chain's log id. */
  readonly logId: Uint8Array;
  /** Batches covered: sequences 0..batchCount-1 (≥ 1). */
  readonly batchCount: bigint;
  /** RFC 9162 root of the header log over those batches' header hashes. */
  readonly headerLogRoot: Uint8Array;
  /** Header hash of batch batchCount-1 (the head). */
  readonly headHeaderHash: Uint8Array;
  /** Signing time, ms since the Unix epoch. */
  readonly timeMs: bigint;
  readonly algorithmId: number;
  /** SHA-256 of the signing public key. */
  readonly keyId: Uint8Array;
}

const U64_MAX = (1n << 64n) - 1n;

/** Encodes `c` to the 152 signed bytes. Throws RangeError naming the bad field. */
export function encodeCheckpoint(c: CheckpointFields): Uint8Array {
  if (c.version !== CHECKPOINT_VERSION) throw new RangeError(`version must be ${CHECKPOINT_VERSION}`);
  for (const [name, v] of [
    ['logId', c.logId],
    ['headerLogRoot', c.headerLogRoot],
    ['headHeaderHash', c.headHeaderHash],
    ['keyId', c.keyId],
  ] as const) {
    if (v.length !== SHA256_LENGTH)
      throw new RangeError(`${name} must be ${SHA256_LENGTH} bytes, got ${v.length}`);
  }
  if (c.batchCount < 1n || c.batchCount > U64_MAX) throw new RangeError('batchCount must be in 1..2^64-1');
  if (c.timeMs < 0n || c.timeMs > U64_MAX)
    throw new RangeError('timeMs must fit in an unsigned 64-bit integer');
  if (!Number.isInteger(c.algorithmId) || c.algorithmId < 0 || c.algorithmId > 0xffff) {
    throw new RangeError('algorithmId must fit in an unsigned 16-bit integer');
  }
  const out = new Uint8Array(CHECKPOINT_LENGTH);
  const view = new DataView(out.buffer);
  out.set(CHECKPOINT_MAGIC, 0);
  view.setUint16(4, c.version);
  out.set(c.logId, 6);
  view.setBigUint64(38, c.batchCount);
  out.set(c.headerLogRoot, 46);
  out.set(c.headHeaderHash, 78);
  view.setBigUint64(110, c.timeMs);
  view.setUint16(118, c.algorithmId);
  out.set(c.keyId, 120);
  return out;
}

/** Decodes body bytes; returns a reason string for anything that is not a valid v1 checkpoint body. */
export function decodeCheckpoint(bytes: Uint8Array): CheckpointFields | string {
  if (bytes.length < 6) return `checkpoint body is ${bytes.length} bytes, too short for magic and version`;
  for (let i = 0; i < CHECKPOINT_MAGIC.length; i++) {
    if (bytes[i] !== CHECKPOINT_MAGIC[i]) return 'checkpoint body does not start with the magic "SPKC"';
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint16(4);
  if (version !== CHECKPOINT_VERSION) return `checkpoint version ${version} is not supported (expected 1)`;
  if (bytes.length !== CHECKPOINT_LENGTH) {
    return `checkpoint body is ${bytes.length} bytes, expected ${CHECKPOINT_LENGTH}`;
  }
  const batchCount = view.getBigUint64(38);
  if (batchCount === 0n) return 'checkpoint batch count is 0';
  return {
    version,
    logId: bytes.slice(6, 38),
    batchCount,
    headerLogRoot: bytes.slice(46, 78),
    headHeaderHash: bytes.slice(78, 110),
    timeMs: view.getBigUint64(110),
    algorithmId: view.getUint16(118),
    keyId: bytes.slice(120, 152),
  };
}

/** The header log over `headerHashes` (in sequence order): its root and a path reader. O(n). */
export function headerLog(
  headerHashes: readonly Uint8Array[],
  sha256: Sha256 = portableSha256,
): { root: Uint8Array; path(sequence: number): Uint8Array[]; read: NodeReader } {
  if (headerHashes.length === 0) throw new RangeError('the header log needs at least one header');
  const leaves = new Uint8Array(headerHashes.length * SHA256_LENGTH);
  headerHashes.forEach((h, i) => {
    if (h.length !== SHA256_LENGTH) throw new RangeError(`header hash ${i} is not ${SHA256_LENGTH} bytes`);
    leaves.set(hashLeaf(h, sha256), i * SHA256_LENGTH);
  });
  const levels = buildLevels(leaves, sha256);
  const read = levelReader(levels);
  return {
    root: rootOf(levels),
    path: (sequence) => inclusionPath(headerHashes.length, sequence, read),
    read,
  };
}
