// Cross-checks the level-buffer tree (src/proof/merkle/tree.ts) against the recursive RFC 9162 reference.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nativeSha256 } from '../../src/crypto/native-sha256.ts';
import { concatBytes, toHex } from '../../src/proof/encoding/bytes.ts';
import { buildLevels, inclusionPath, levelReader, levelSizes, rootOf } from '../../src/proof/merkle/tree.ts';
import { createPrng } from './prng.ts';
import { referenceLeafHash, referenceTree } from './reference.ts';

function entries(n: number, seed: number): Uint8Array[] {
  const prng = createPrng(seed);
  // Varied lengths, including empty entries.
  return Array.from({ length: n }, () => prng.bytes(prng.below(40)));
}

function fast(es: readonly Uint8Array[]) {
  const levels = buildLevels(concatBytes(...es.map(referenceLeafHash)), nativeSha256);
  return { root: rootOf(levels), path: (m: number) => inclusionPath(es.length, m, levelReader(levels)) };
}

test('every size 1..300: same root and every inclusion path as the reference', () => {
  const all = entries(300, 1);
  for (let n = 1; n <= 300; n++) {
    const es = all.slice(0, n);
    const ref = referenceTree(es);
    const got = fast(es);
    assert.equal(toHex(got.root), toHex(ref.root()), `root of size ${n}`);
    for (let m = 0; m < n; m++) {
      assert.deepEqual(got.path(m).map(toHex), ref.path(m).map(toHex), `path of leaf ${m} in size ${n}`);
    }
  }
});

test('random sizes up to 5000: same root and sampled inclusion paths', () => {
  const prng = createPrng(0x5eed);
  const all = entries(5000, 2);
  for (let round = 0; round < 25; round++) {
    const n = 1 + prng.below(5000);
    const es = all.slice(0, n);
    const ref = referenceTree(es);
    const got = fast(es);
    assert.equal(toHex(got.root), toHex(ref.root()), `root of size ${n}`);
    const sample = [0, n - 1, ...Array.from({ length: 20 }, () => prng.below(n))];
    for (const m of sample) {
      assert.deepEqual(got.path(m).map(toHex), ref.path(m).map(toHex), `path of leaf ${m} in size ${n}`);
    }
  }
});

test('levelSizes halves rounding up and rejects non-positive sizes', () => {
  assert.deepEqual(levelSizes(1), [1]);
  assert.deepEqual(levelSizes(7), [7, 4, 2, 1]);
  assert.deepEqual(levelSizes(8), [8, 4, 2, 1]);
  assert.throws(() => levelSizes(0), RangeError);
  assert.throws(() => levelSizes(1.5), RangeError);
});

test('inclusionPath rejects an index outside the tree', () => {
  const levels = buildLevels(concatBytes(...entries(5, 3).map(referenceLeafHash)));
  assert.throws(() => inclusionPath(5, 5, levelReader(levels)), RangeError);
  assert.throws(() => inclusionPath(5, -1, levelReader(levels)), RangeError);
});
