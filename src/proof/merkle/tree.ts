// RFC 9162 §2.1 Merkle tree over leaf hashes, kept as one contiguous buffer per level.
// Pairing level by level and promoting an unpaired last node gives exactly the RFC's
// split-at-largest-power-of-two tree, and makes inclusion paths simple index arithmetic.
import { portableSha256, SHA256_LENGTH, type Sha256 } from '../crypto/sha256.ts';
import { emptyRoot } from './hash.ts';

const H = SHA256_LENGTH;

/** Number of nodes on each level, leaves first, root last. */
export function levelSizes(size: number): number[] {
  if (!Number.isSafeInteger(size) || size < 1)
    throw new RangeError(`tree size must be a positive integer, got ${size}`);
  const sizes = [size];
  let n = size;
  while (n > 1) {
    n = Math.ceil(n / 2);
    sizes.push(n);
  }
  return sizes;
}

/** Hashes `pairs` node inputs (left ‖ right, 64 bytes each, consecutive in `input`) to pairs × 32 bytes. */
export type PairHasher = (input: Uint8Array, pairs: number) => Uint8Array;

/** A PairHasher making one SHA-256 call per node. */
export function pairHasherOf(sha256: Sha256 = portableSha256): PairHasher {
  const message = new Uint8Array(1 + 2 * H);
  message[0] = 0x01;
  return (input, pairs) => {
    const out = new Uint8Array(pairs * H);
    for (let i = 0; i < pairs; i++) {
      message.set(input.subarray(i * 2 * H, (i + 1) * 2 * H), 1);
      out.set(sha256(message), i * H);
    }
    return out;
  };
}

/**
 * Builds every level from `leafHashes` (n × 32 bytes, in leaf order).
 * levels[0] is the leaf level, the last level holds the 32-byte root.
 */
export function buildLevels(leafHashes: Uint8Array, sha256: Sha256 = portableSha256): Uint8Array[] {
  return buildLevelsWith(leafHashes, pairHasherOf(sha256));
}

/** buildLevels with a PairHasher: a whole level's pairs are adjacent in memory, so they go in one call. */
export function buildLevelsWith(leafHashes: Uint8Array, hashPairs: PairHasher): Uint8Array[] {
  if (leafHashes.length === 0 || leafHashes.length % H !== 0) {
    throw new RangeError(`leaf hashes must be a non-empty multiple of ${H} bytes, got ${leafHashes.length}`);
  }
  const levels = [leafHashes];
  let current = leafHashes;
  while (current.length > H) {
    const n = current.length / H;
    const pairs = Math.floor(n / 2);
    const hashed = hashPairs(current.subarray(0, pairs * 2 * H), pairs);
    if (hashed.length !== pairs * H)
      throw new RangeError(`pair hasher returned ${hashed.length} bytes for ${pairs} pairs`);
    // An unpaired last node is promoted unchanged.
    const next = n % 2 === 1 ? new Uint8Array((pairs + 1) * H) : hashed;
    if (n % 2 === 1) {
      next.set(hashed, 0);
      next.set(current.subarray((n - 1) * H, n * H), pairs * H);
    }
    levels.push(next);
    current = next;
  }
  return levels;
}

/** The tree head of built levels. */
export function rootOf(levels: readonly Uint8Array[]): Uint8Array {
  const top = levels[levels.length - 1];
  if (top === undefined || top.length !== H) throw new RangeError('levels do not end in a single root');
  return top.slice();
}

/** MTH of a list of leaf hashes (empty list: SHA-256 of nothing). */
export function merkleRoot(leafHashes: Uint8Array, sha256: Sha256 = portableSha256): Uint8Array {
  if (leafHashes.length === 0) return emptyRoot(sha256);
  return rootOf(buildLevels(leafHashes, sha256));
}

/** Reads node `index` of `level` (32 bytes). */
export type NodeReader = (level: number, index: number) => Uint8Array;

/** Positions of the nodes an inclusion path needs, bottom-up, as [level, index] pairs. */
export function inclusionPathNodes(size: number, index: number): Array<[number, number]> {
  const sizes = levelSizes(size);
  if (!Number.isSafeInteger(index) || index < 0 || index >= size) {
    throw new RangeError(`leaf index ${index} is outside a tree of size ${size}`);
  }
  const nodes: Array<[number, number]> = [];
  let i = index;
  for (let level = 0; level < sizes.length - 1; level++) {
    const sibling = i ^ 1;
    // A node without a sibling is promoted unchanged: no path element at this level.
    if (sibling < (sizes[level] ?? 0)) nodes.push([level, sibling]);
    i >>= 1;
  }
  return nodes;
}

/** RFC 9162 §2.1.3.1 inclusion path of leaf `index`, reading nodes through `read`. */
export function inclusionPath(size: number, index: number, read: NodeReader): Uint8Array[] {
  return inclusionPathNodes(size, index).map(([level, i]) => read(level, i));
}

/** A NodeReader over levels built in memory. */
export function levelReader(levels: readonly Uint8Array[]): NodeReader {
  return (level, index) => {
    const buf = levels[level];
    if (buf === undefined || (index + 1) * H > buf.length)
      throw new RangeError(`no node ${index} on level ${level}`);
    return buf.slice(index * H, (index + 1) * H);
  };
}
