// TEST DOUBLE of a Symbol node — catapult block `transactionsHash` Merkle tree and REST audit paths
// (catapult MerkleHashBuilder: odd level duplicates its last node, one leaf is the root, no leaf → 32 zero bytes).
import { sha3_256 } from '@noble/hashes/sha3.js';

export interface RestMerklePathItem {
  readonly position: 'left' | 'right';
  /** Sibling hash, 64 upper-case hex digits. */
  readonly hash: string;
}

function pair(left: Uint8Array, right: Uint8Array): Uint8Array {
  const joined = new Uint8Array(64);
  joined.set(left, 0);
  joined.set(right, 32);
  return sha3_256(joined);
}

function nextLevel(level: Uint8Array[]): Uint8Array[] {
  const next: Uint8Array[] = [];
  for (let i = 0; i < level.length; i += 2) {
    const left = level[i] as Uint8Array;
    next.push(pair(left, level[i + 1] ?? left));
  }
  return next;
}

/** Root over `leaves` (each 32 bytes), in block order. */
export function blockMerkleRoot(leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return new Uint8Array(32);
  let level = [...leaves];
  while (level.length > 1) level = nextLevel(level);
  return level[0] as Uint8Array;
}

/** The path REST returns from `/blocks/{h}/transactions/{hash}/merkle` for the leaf at `index`. */
export function blockMerklePath(leaves: readonly Uint8Array[], index: number): RestMerklePathItem[] {
  if (!Number.isInteger(index) || index < 0 || index >= leaves.length)
    throw new RangeError('index out of range');
  const path: RestMerklePathItem[] = [];
  let level = [...leaves];
  let at = index;
  while (level.length > 1) {
    const isRight = at % 2 === 1;
    const sibling = isRight ? (level[at - 1] as Uint8Array) : (level[at + 1] ?? (level[at] as Uint8Array));
    path.push({
      position: isRight ? 'left' : 'right',
      hash: Buffer.from(sibling).toString('hex').toUpperCase(),
    });
    level = nextLevel(level);
    at = Math.floor(at / 2);
  }
  return path;
}

/** Leaf of a transaction in its block: the hash, or SHA3-256(hash ‖ cosigner public keys…) when cosigned. */
export function merkleComponentHash(
  transactionHash: Uint8Array,
  cosignerPublicKeys: readonly Uint8Array[],
): Uint8Array {
  if (cosignerPublicKeys.length === 0) return transactionHash;
  const joined = new Uint8Array(32 * (1 + cosignerPublicKeys.length));
  joined.set(transactionHash, 0);
  cosignerPublicKeys.forEach((key, i) => {
    joined.set(key, 32 * (i + 1));
  });
  return sha3_256(joined);
}
