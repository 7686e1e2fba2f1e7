// Catapult's SHA3-256 Merkle trees: an aggregate's transactionsHash and a block's transactionsHash paths (docs/anchoring.md §6).
import { sha3_256 } from '@noble/hashes/sha3.js';
import { concatBytes } from '../encoding/bytes.ts';

const HASH = 32;
/** Paths longer than this would need more than 2^64 transactions: reject them unread. */
export const MAX_MERKLE_PATH = 64;

/** One step of a block Merkle path as REST returns it: `left` means the sibling is on the left. */
export interface MerklePathStep {
  readonly left: boolean;
  readonly hash: Uint8Array;
}

/** Catapult's root: parent = SHA3-256(left ‖ right), an odd level duplicates its last node, one leaf is the root, none gives zeros. */
export function symbolMerkleRoot(leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return new Uint8Array(HASH);
  let level = leaves.slice();
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const left = level[i] as Uint8Array;
      const right = level[i + 1] ?? left;
      next.push(sha3_256(concatBytes(left, right)));
    }
    level = next;
  }
  return level[0] as Uint8Array;
}

/** True when `path` leads from `leaf` to `root` (acc = leaf; left: H(item ‖ acc), right: H(acc ‖ item)). Never throws. */
export function verifyBlockMerklePath(
  leaf: Uint8Array,
  path: readonly MerklePathStep[],
  transactionsHash: Uint8Array,
): boolean {
  if (!(leaf instanceof Uint8Array) || leaf.length !== HASH) return false;
  if (!(transactionsHash instanceof Uint8Array) || transactionsHash.length !== HASH) return false;
  if (!Array.isArray(path) || path.length > MAX_MERKLE_PATH) return false;
  let acc = leaf;
  for (const step of path) {
    if (typeof step !== 'object' || step === null || typeof step.left !== 'boolean') return false;
    if (!(step.hash instanceof Uint8Array) || step.hash.length !== HASH) return false;
    acc = step.left ? sha3_256(concatBytes(step.hash, acc)) : sha3_256(concatBytes(acc, step.hash));
  }
  let diff = 0;
  for (let i = 0; i < HASH; i++) diff |= (acc[i] ?? 0) ^ (transactionsHash[i] ?? 0);
  return diff === 0;
}
