// RFC 9162 §2.1.4 consistency proofs: which nodes a proof lists (§2.1.4.1), and verifying one (§2.1.4.2).
// The verifier is written for hostile input. Every node PROOF(m, D[n]) lists is a subtree head of the NEW
// tree, aligned the way tree.ts lays levels out, so positions are index arithmetic over the level buffers.

import { portableSha256, SHA256_LENGTH, type Sha256 } from '../crypto/sha256.ts';
import { bytesEqual } from '../encoding/bytes.ts';
import { hashChildren } from './hash.ts';
import type { NodeReader } from './tree.ts';

/** Why a consistency proof was rejected, or that it was not. */
export type ConsistencyResult = { ok: true } | { ok: false; reason: string };

/**
 * The longest proof a tree of at most 2^64 - 1 leaves can need: ceil(log2(n)) + 1 (RFC 9162 §2.1.4.1).
 * PROOF(2^63 - 1, D[2^64 - 1]) has exactly 65 elements, so 64 would reject genuine proofs of such trees.
 */
const MAX_PROOF_ELEMENTS = 65;
const MAX_TREE_SIZE = 2n ** 64n - 1n;

/** The largest power of two strictly smaller than n (n > 1). */
function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * Position of the head of leaves [lo, hi): the smallest level whose nodes span at least hi - lo leaves.
 * The ranges SUBPROOF visits start at a multiple of that span and end at lo + span or at the tree's end,
 * which is exactly what node [level, lo / span] of the level layout covers.
 */
function nodeOf(lo: number, hi: number): [number, number] {
  let level = 0;
  let span = 1;
  while (span < hi - lo) {
    span *= 2;
    level++;
  }
  return [level, lo / span];
}

/**
 * Positions [level, index] of the nodes of PROOF(oldSize, D[newSize]), in the order RFC 9162 §2.1.4.1's SUBPROOF
 * lists them. Empty when oldSize is 0 or equals newSize.
 */
export function consistencyProofNodes(oldSize: number, newSize: number): Array<[number, number]> {
  if (!Number.isSafeInteger(newSize) || newSize < 1)
    throw new RangeError(`new size must be a positive safe integer, got ${newSize}`);
  if (!Number.isSafeInteger(oldSize) || oldSize < 0)
    throw new RangeError(`old size must be a non-negative safe integer, got ${oldSize}`);
  if (oldSize > newSize) throw new RangeError(`old size ${oldSize} is larger than new size ${newSize}`);
  if (oldSize === 0 || oldSize === newSize) return [];
  // SUBPROOF(m, D[lo:hi], b) unrolled: each step narrows [lo, hi) to the side holding the old tree's edge and
  // records the other side's head, which SUBPROOF appends after the deeper subproof. b (haveOldRoot) turns false
  // once the walk goes right: from then on the old tree's head is not the verifier's old root.
  const appended: Array<[number, number]> = [];
  let lo = 0;
  let hi = newSize;
  let haveOldRoot = true;
  while (hi !== oldSize) {
    const k = largestPowerOfTwoBelow(hi - lo);
    if (oldSize - lo <= k) {
      appended.push(nodeOf(lo + k, hi));
      hi = lo + k;
    } else {
      appended.push(nodeOf(lo, lo + k));
      lo += k;
      haveOldRoot = false;
    }
  }
  // SUBPROOF(m, D[m], false) = {MTH(D[m])}; with b true the verifier already holds it.
  const nodes = haveOldRoot ? [] : [nodeOf(lo, hi)];
  return nodes.concat(appended.reverse());
}

/** RFC 9162 §2.1.4.1 consistency proof from `oldSize` to `newSize` leaves, reading nodes through `read`. */
export function consistencyProof(oldSize: number, newSize: number, read: NodeReader): Uint8Array[] {
  return consistencyProofNodes(oldSize, newSize).map(([level, index]) => read(level, index));
}

const OK: ConsistencyResult = { ok: true };
const fail = (reason: string): ConsistencyResult => ({ ok: false, reason });
const elements = (k: number): string => (k === 1 ? '1 element' : `${k} elements`);

/**
 * True when `proof` shows the tree of `newSize` leaves with head `newRoot` extends the tree of `oldSize` leaves
 * with head `oldRoot` (RFC 9162 §2.1.4.2). A size 0 old tree is consistent with any tree, given an empty proof.
 */
export function verifyConsistency(
  oldSize: bigint,
  newSize: bigint,
  oldRoot: Uint8Array,
  newRoot: Uint8Array,
  proof: readonly Uint8Array[],
  sha256: Sha256 = portableSha256,
): ConsistencyResult {
  if (oldSize < 0n) return fail(`old size ${oldSize} is negative`);
  if (newSize > MAX_TREE_SIZE) return fail(`new size ${newSize} does not fit in 64 bits`);
  if (oldSize > newSize) return fail(`old size ${oldSize} is larger than new size ${newSize}`);
  if (oldRoot.length !== SHA256_LENGTH) return fail(`old root is ${oldRoot.length} bytes, not 32`);
  if (newRoot.length !== SHA256_LENGTH) return fail(`new root is ${newRoot.length} bytes, not 32`);
  if (proof.length > MAX_PROOF_ELEMENTS)
    return fail(`proof has ${elements(proof.length)}, more than ${MAX_PROOF_ELEMENTS}`);
  for (const [k, p] of proof.entries()) {
    if (p.length !== SHA256_LENGTH) return fail(`proof element ${k} is ${p.length} bytes, not 32`);
  }
  if (oldSize === newSize) {
    if (proof.length !== 0)
      return fail(`proof between equal sizes must be empty but has ${elements(proof.length)}`);
    if (!bytesEqual(oldRoot, newRoot)) return fail('old and new roots differ although the sizes are equal');
    return OK;
  }
  if (oldSize === 0n) {
    if (proof.length !== 0)
      return fail(`proof from the empty tree must be empty but has ${elements(proof.length)}`);
    return OK;
  }
  // Step 1.
  if (proof.length === 0) return fail('proof is empty although the sizes differ');
  // Step 2: a power-of-two old tree is a subtree of the new one, so its head is the first node; `skip` maps the
  // position in `path` back to the caller's element number.
  const oldIsPowerOfTwo = (oldSize & (oldSize - 1n)) === 0n;
  const path = oldIsPowerOfTwo ? [oldRoot, ...proof] : proof;
  const skip = oldIsPowerOfTwo ? 1 : 0;
  // Steps 3–4.
  let fn = oldSize - 1n;
  let sn = newSize - 1n;
  while ((fn & 1n) === 1n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  // Step 5.
  let fr = path[0] as Uint8Array;
  let sr = fr;
  // Step 6.
  for (let i = 1; i < path.length; i++) {
    const c = path[i] as Uint8Array;
    if (sn === 0n) return fail(`proof is longer than the trees need (element ${i - skip})`);
    if ((fn & 1n) === 1n || fn === sn) {
      fr = hashChildren(c, fr, sha256);
      sr = hashChildren(c, sr, sha256);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      sr = hashChildren(sr, c, sha256);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  // Step 7.
  if (sn !== 0n) return fail('proof is shorter than the trees need');
  if (!bytesEqual(fr, oldRoot)) return fail('computed old root differs from the given old root');
  if (!bytesEqual(sr, newRoot)) return fail('computed new root differs from the given new root');
  return OK;
}
