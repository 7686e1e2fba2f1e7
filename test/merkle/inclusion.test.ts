// verifyInclusion (RFC 9162 §2.1.3.2) accepts every genuine path and rejects every tampered one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nativeSha256 } from '../../src/crypto/native-sha256.ts';
import { concatBytes } from '../../src/proof/encoding/bytes.ts';
import { rootFromInclusionProof, verifyInclusion } from '../../src/proof/merkle/inclusion.ts';
import { buildLevels, inclusionPath, levelReader, rootOf } from '../../src/proof/merkle/tree.ts';
import { createPrng } from './prng.ts';
import { largestPowerOfTwoBelow } from './reference.ts';

const sha = nativeSha256;

function flip(b: Uint8Array, at: number, mask: number): void {
  b[at] = (b[at] as number) ^ mask;
}

function tree(n: number) {
  const prng = createPrng(n);
  const leaves = Array.from({ length: n }, () => prng.bytes(32));
  const levels = buildLevels(concatBytes(...leaves), sha);
  return { leaves, root: rootOf(levels), path: (m: number) => inclusionPath(n, m, levelReader(levels)) };
}

const ok = (m: number, n: number, leaf: Uint8Array, path: Uint8Array[], root: Uint8Array): boolean =>
  verifyInclusion(BigInt(m), BigInt(n), leaf, path, root, sha).ok;

test('accepts every generated path for sizes 1..70', () => {
  for (let n = 1; n <= 70; n++) {
    const t = tree(n);
    for (let m = 0; m < n; m++) assert.equal(ok(m, n, t.leaves[m] as Uint8Array, t.path(m), t.root), true);
  }
});

test('rejects a wrong index, for every leaf where another index gives a different root', () => {
  for (const n of [2, 3, 5, 8, 13, 33]) {
    const t = tree(n);
    for (let m = 0; m < n; m++) {
      const leaf = t.leaves[m] as Uint8Array;
      for (let w = 0; w < n; w++)
        if (w !== m) assert.equal(ok(w, n, leaf, t.path(m), t.root), false, `${m}→${w}/${n}`);
    }
  }
});

test('rejects index >= size and a size of 0', () => {
  const t = tree(6);
  const leaf = t.leaves[5] as Uint8Array;
  assert.equal(ok(6, 6, leaf, t.path(5), t.root), false);
  assert.equal(ok(7, 6, leaf, t.path(5), t.root), false);
  const r = rootFromInclusionProof(0n, 0n, leaf, [], sha);
  assert.equal(r.ok, false);
  assert.match(r.ok ? '' : r.reason, /not positive/);
  const big = rootFromInclusionProof(6n, 6n, leaf, t.path(5), sha);
  assert.match(big.ok ? '' : big.reason, /not below tree size/);
});

/** Bottom-up sides of the siblings on PATH(m, D[n]) (true = sibling on the left), after RFC 9162 §2.1.3.1. */
function sides(m: number, n: number): boolean[] {
  if (n <= 1) return [];
  const k = largestPowerOfTwoBelow(n);
  return m < k ? [...sides(m, k), false] : [...sides(m - k, n - k), true];
}

test('rejects a wrong size whenever it changes the shape of the path', () => {
  // The proof alone binds the size only through the path's shape (leaf 0 of 5 and of 6 hash alike);
  // the bundle binds it by checking inclusion.tree_size against the signed header.
  let rejected = 0;
  for (const n of [2, 3, 5, 7, 8, 9, 100]) {
    const t = tree(n);
    for (let m = 0; m < n; m++) {
      const leaf = t.leaves[m] as Uint8Array;
      for (const size of [n - 1, n + 1, n + 2, n * 2]) {
        if (size <= m) continue;
        const same = sides(m, size).join() === sides(m, n).join();
        assert.equal(ok(m, size, leaf, t.path(m), t.root), same, `${m}/${n} as size ${size}`);
        if (!same) rejected++;
      }
    }
  }
  assert.ok(rejected > 150, `only ${rejected} wrong sizes changed the shape`);
});

test('rejects truncated and extended paths', () => {
  const t = tree(37);
  for (const m of [0, 5, 32, 36]) {
    const leaf = t.leaves[m] as Uint8Array;
    const p = t.path(m);
    assert.equal(ok(m, 37, leaf, p.slice(0, -1), t.root), false);
    assert.equal(ok(m, 37, leaf, p.slice(1), t.root), false);
    assert.equal(ok(m, 37, leaf, [...p, new Uint8Array(32)], t.root), false);
    assert.equal(ok(m, 37, leaf, [...p, t.root], t.root), false);
  }
});

test('rejects a flipped byte in any path element, and a flipped leaf', () => {
  const t = tree(21);
  for (let m = 0; m < 21; m++) {
    const leaf = t.leaves[m] as Uint8Array;
    const p = t.path(m);
    for (let e = 0; e < p.length; e++) {
      for (const at of [0, 17, 31]) {
        const bad = p.map((x) => x.slice());
        flip(bad[e] as Uint8Array, at, 0x01);
        assert.equal(ok(m, 21, leaf, bad, t.root), false);
      }
    }
    const badLeaf = leaf.slice();
    flip(badLeaf, 0, 0x80);
    assert.equal(ok(m, 21, badLeaf, p, t.root), false);
  }
});

test('rejects a wrong root', () => {
  const t = tree(10);
  const other = tree(11);
  const root = t.root.slice();
  flip(root, 31, 0x01);
  assert.equal(ok(3, 10, t.leaves[3] as Uint8Array, t.path(3), root), false);
  assert.equal(ok(3, 10, t.leaves[3] as Uint8Array, t.path(3), other.root), false);
  const r = verifyInclusion(3n, 10n, t.leaves[3] as Uint8Array, t.path(3), root, sha);
  assert.match(r.ok ? '' : r.reason, /differs from the header root/);
});

test('rejects 31-byte (and 33-byte) path elements and leaf hashes', () => {
  const t = tree(9);
  const leaf = t.leaves[4] as Uint8Array;
  const p = t.path(4);
  const short = p.map((x, i) => (i === 1 ? x.slice(0, 31) : x));
  const r = verifyInclusion(4n, 9n, leaf, short, t.root, sha);
  assert.equal(r.ok, false);
  assert.match(r.ok ? '' : r.reason, /element 1 is 31 bytes/);
  assert.equal(
    ok(
      4,
      9,
      leaf,
      p.map((x, i) => (i === 0 ? concatBytes(x, Uint8Array.of(0)) : x)),
      t.root,
    ),
    false,
  );
  assert.equal(ok(4, 9, leaf.slice(0, 31), p, t.root), false);
});

test('rejects paths longer than 64 elements without hashing them', () => {
  const r = rootFromInclusionProof(
    0n,
    1n << 62n,
    new Uint8Array(32),
    Array.from({ length: 65 }, () => new Uint8Array(32)),
  );
  assert.equal(r.ok, false);
});

test('works with indices and sizes beyond 2^53 (bigint arithmetic)', () => {
  // A size-2^60 tree whose last leaf is alone at every level except the top: path of 1 element.
  const size = (1n << 60n) + 1n;
  const leaf = new Uint8Array(32).fill(7);
  const left = new Uint8Array(32).fill(9);
  const r = rootFromInclusionProof(size - 1n, size, leaf, [left], sha);
  assert.equal(r.ok, true);
});
