// A deliberately simple RFC 9162 reference (§2.1.1 MTH, §2.1.3.1 PATH), recursive as the RFC writes it,
// used only to cross-check the level-buffer tree in src/merkle/tree.ts.
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

/** Builds the reference for `entries` (the raw leaf inputs, not their hashes). */
export function referenceTree(entries: readonly Uint8Array[]): ReferenceTree {
  const memo = new Map<string, Uint8Array>();
  // MTH(D[lo:hi]): empty → SHA-256(""), one → leaf hash, else split at k = largest power of two < n.
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
