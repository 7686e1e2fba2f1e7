// A deliberately simple RFC 9162 reference (§2.1.1 MTH, §2.1.3.1 PATH), recursive as the RFC writes it,
// used only to cross-check the level-buffer tree in src/proof/merkle/tree.ts.
import { createHash } from 'node:crypto';

function sha256(...parts: Uint8Array[]): Uint8Array {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

/** SHA-256(0x00 || entry). */
export function referenceLeafHash(entry: Uint8Array): Uint8Array {
  return sha256(Uint8Array.of(0x00), entry);
}

/** The largest power of two strictly smaller than n (n > 1). */
export function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** A reference tree over the entries D[0:n]; subtree heads are memoised so every path stays cheap. */
export interface ReferenceTree {
  /** MTH(D[0:n]). */
  root(): Uint8Array;
  /** PATH(m, D[0:n]), bottom-up. */
  path(m: number): Uint8Array[];
}

/** MTH(D[lo:hi]) of `entries`, memoised: empty → SHA-256(""), one → leaf hash, else split at the largest power of two < n. */
function memoisedMth(entries: readonly Uint8Array[]): (lo: number, hi: number) => Uint8Array {
  const memo = new Map<string, Uint8Array>();
  const mth = (lo: number, hi: number): Uint8Array => {
    const key = `${lo}:${hi}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    const n = hi - lo;
    let out: Uint8Array;
    if (n === 0) out = sha256();
    else if (n === 1) out = referenceLeafHash(entries[lo] as Uint8Array);
    else {
      const k = largestPowerOfTwoBelow(n);
      out = sha256(Uint8Array.of(0x01), mth(lo, lo + k), mth(lo + k, hi));
    }
    memo.set(key, out);
    return out;
  };
  return mth;
}

/** Builds the reference for `entries` (the raw leaf inputs, not their hashes). */
export function referenceTree(entries: readonly Uint8Array[]): ReferenceTree {
  const mth = memoisedMth(entries);
  // PATH(m, D[lo:hi]): for m < k, PATH(m, D[0:k]) : MTH(D[k:n]); else PATH(m - k, D[k:n]) : MTH(D[0:k]).
  const path = (m: number, lo: number, hi: number): Uint8Array[] => {
    const n = hi - lo;
    if (n <= 1) return [];
    const k = largestPowerOfTwoBelow(n);
    if (m < k) return [...path(m, lo, lo + k), mth(lo + k, hi)];
    return [...path(m - k, lo + k, hi), mth(lo, lo + k)];
  };
  return {
    root: () => mth(0, entries.length),
    path: (m) => {
      if (m < 0 || m >= entries.length) throw new RangeError(`no leaf ${m} in ${entries.length}`);
      return path(m, 0, entries.length);
    },
  };
}

// RFC 6962 §2.1.2 consistency proofs, recursive as the RFC writes them: SUBPROOF(m, D[lo:hi], b) and
// PROOF(m, D[n]) = SUBPROOF(m, D[n], true), on bigint sizes so that trees of up to 2^64 - 1 leaves can be described.

/** The largest power of two strictly smaller than n (n > 1), for bigint sizes. */
export function largestPowerOfTwoBelowBigint(n: bigint): bigint {
  let k = 1n;
  while (k * 2n < n) k *= 2n;
  return k;
}

/**
 * PROOF(m, D[n]) for 0 < m <= n, as the slices D[lo:hi] whose MTH it lists, in the RFC's order.
 * (m = n gives the empty proof, as SUBPROOF(m, D[m], true) = {}.)
 */
export function referenceConsistencyRanges(m: bigint, n: bigint): Array<[bigint, bigint]> {
  if (m < 1n || m > n) throw new RangeError(`PROOF(${m}, D[${n}]) needs 0 < m <= n`);
  const subproof = (m: bigint, lo: bigint, hi: bigint, b: boolean): Array<[bigint, bigint]> => {
    const size = hi - lo;
    // SUBPROOF(m, D[m], true) = {}; SUBPROOF(m, D[m], false) = {MTH(D[m])}.
    if (m === size) return b ? [] : [[lo, hi]];
    const k = largestPowerOfTwoBelowBigint(size);
    // m <= k: SUBPROOF(m, D[0:k], b) : MTH(D[k:n]); else SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k]).
    if (m <= k) return [...subproof(m, lo, lo + k, b), [lo + k, hi]];
    return [...subproof(m - k, lo + k, hi, false), [lo, lo + k]];
  };
  return subproof(m, 0n, n, true);
}

/** Every prefix D[0:n] of one list of entries: heads and consistency proofs, subtree heads memoised across sizes. */
export interface ReferenceLog {
  /** MTH(D[0:n]) (n = 0: SHA-256 of nothing). */
  root(n: number): Uint8Array;
  /** PROOF(m, D[0:n]) for 0 < m <= n. */
  consistency(m: number, n: number): Uint8Array[];
}

/** Builds the reference for `entries` (the raw leaf inputs, not their hashes). */
export function referenceLog(entries: readonly Uint8Array[]): ReferenceLog {
  // MTH(D[lo:hi]) does not depend on how long the list goes on after hi, so one memo serves every prefix.
  const mth = memoisedMth(entries);
  const within = (n: number): void => {
    if (!Number.isSafeInteger(n) || n < 0 || n > entries.length)
      throw new RangeError(`no prefix of ${n} in ${entries.length} entries`);
  };
  return {
    root: (n) => {
      within(n);
      return mth(0, n);
    },
    consistency: (m, n) => {
      within(n);
      return referenceConsistencyRanges(BigInt(m), BigInt(n)).map(([lo, hi]) => mth(Number(lo), Number(hi)));
    },
  };
}
