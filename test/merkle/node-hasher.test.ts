// The WebAssembly SIMD node hasher (src/proof/merkle/wasm/) against node:crypto and the tree reference: every pair count
// across its lane and call boundaries, every tree size up to 3,000 and 100 random sizes up to 300,000 level by
// level, every tree size up to 100,001 by root, the RFC 6962 vectors, and the committed module being what its
// source compiles to.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { buildNodeHasherModule, NODE_HASHER_MODULE_PATH } from '../../src/build/node-hasher-wasm.ts';
import { nativeSha256 } from '../../src/crypto/native-sha256.ts';
import { concatBytes, toHex } from '../../src/proof/encoding/bytes.ts';
import { hashChildren, hashLeaf } from '../../src/proof/merkle/hash.ts';
import { buildLevels, buildLevelsWith, levelSizes, rootOf } from '../../src/proof/merkle/tree.ts';
import { createNodeHasher } from '../../src/proof/merkle/wasm/node-hasher.ts';
import { createPrng } from './prng.ts';
import { loadMerkleVectors } from './vectors.ts';

const hasher = createNodeHasher();
const wasmLevels = (leaves: Uint8Array): Uint8Array[] => buildLevelsWith(leaves, hasher.hashPairs);

/**
 * MTH of leaves [start, end) from the full nodes of built `levels` (node i of level l covers leaves
 * [i·2^l, (i+1)·2^l)): the subtrees of the range's binary decomposition, largest first (RFC 9162 §2.1.1 splits at
 * the largest power of two below the size), folded right to left. `start` must be aligned to the range's largest
 * power of two, as every node's range is.
 */
function rangeRoot(levels: readonly Uint8Array[], start: number, end: number): Uint8Array {
  const parts: Uint8Array[] = [];
  let at = start;
  for (let l = 31; l >= 0; l--) {
    if (((end - start) & (2 ** l)) === 0) continue;
    const i = at / 2 ** l;
    parts.push((levels[l] as Uint8Array).subarray(i * 32, i * 32 + 32));
    at += 2 ** l;
  }
  let root = parts[parts.length - 1] as Uint8Array;
  for (let k = parts.length - 2; k >= 0; k--) root = hashChildren(parts[k] as Uint8Array, root, nativeSha256);
  return root;
}

function nodeHash(input: Uint8Array): string {
  return createHash('sha256').update(Buffer.of(1)).update(input).digest('hex');
}

test('hashPairs equals SHA-256(0x01 ‖ left ‖ right) for every count 0..600 and across the per-call chunk', () => {
  const counts = [...Array.from({ length: 601 }, (_, i) => i), 16_383, 16_384, 16_385, 40_001];
  for (const n of counts) {
    const input = randomBytes(n * 64);
    const out = hasher.hashPairs(input, n);
    assert.equal(out.length, n * 32);
    // Every node for small counts; for the large ones the ends of each lane group and chunk and a sample.
    const check =
      n <= 600 ? Array.from({ length: n }, (_, i) => i) : [0, 1, 2, 3, 4, 16_383, 16_384, n - 1, 9_999];
    for (const i of check.filter((i) => i < n))
      assert.equal(
        toHex(out.subarray(i * 32, i * 32 + 32)),
        nodeHash(input.subarray(i * 64, i * 64 + 64)),
        `node ${i} of ${n}`,
      );
  }
  // The second block comes from a table indexed by a node's last input byte: every byte value in every lane.
  const input = randomBytes(1024 * 64);
  for (let i = 0; i < 1024; i++) input[i * 64 + 63] = i >> 2;
  const out = hasher.hashPairs(input, 1024);
  for (let i = 0; i < 1024; i++)
    assert.equal(
      toHex(out.subarray(i * 32, i * 32 + 32)),
      nodeHash(input.subarray(i * 64, i * 64 + 64)),
      `byte ${i >> 2}`,
    );
  assert.throws(() => hasher.hashPairs(new Uint8Array(63), 1), /must hold 1 node inputs/);
});

test('every level equals the one-call-per-node build for every size 1..3,000', () => {
  const leaves = randomBytes(3000 * 32);
  for (let n = 1; n <= 3000; n++) {
    const flat = leaves.subarray(0, n * 32);
    const got = wasmLevels(flat);
    const want = buildLevels(flat, nativeSha256);
    assert.equal(got.length, want.length, `levels of size ${n}`);
    got.forEach((level, l) => {
      assert.equal(Buffer.compare(level, want[l] as Uint8Array), 0, `level ${l} of size ${n}`);
    });
  }
});

test('every level of 100 random sizes up to 300,000 equals the one-call-per-node build of 300,000 leaves', () => {
  const N = 300_000;
  const leaves = randomBytes(N * 32);
  // One native build serves every size: a node whose range is whole is the same node in the bigger tree, and the
  // last node of a level whose range is cut short by n is MTH of that range, folded from the big tree's nodes.
  const reference = buildLevels(leaves, nativeSha256);
  const prng = createPrng(0x7ee5);
  const sizes = [N, N - 1, 2 ** 18, 2 ** 18 + 1, ...Array.from({ length: 96 }, () => 1 + prng.below(N))];
  for (const n of sizes) {
    const got = wasmLevels(leaves.subarray(0, n * 32));
    assert.equal(got.length, levelSizes(n).length, `levels of size ${n}`);
    got.forEach((level, l) => {
      const whole = Math.floor(n / 2 ** l);
      const nodes = Math.ceil(n / 2 ** l);
      assert.equal(level.length, nodes * 32, `level ${l} of size ${n}`);
      const want = (reference[l] as Uint8Array).subarray(0, whole * 32);
      assert.equal(Buffer.compare(level.subarray(0, whole * 32), want), 0, `level ${l} of size ${n}`);
      if (nodes > whole)
        assert.equal(
          toHex(level.subarray(whole * 32)),
          toHex(rangeRoot(reference, whole * 2 ** l, n)),
          `last node of level ${l} of size ${n}`,
        );
    });
  }
});

test('every tree size 1..100,001: roots from the fast build equal an independent incremental RFC 9162 reference', () => {
  const N = 100_001;
  const leaves = randomBytes(N * 32);
  const leaf = (i: number): Uint8Array => leaves.subarray(i * 32, i * 32 + 32);
  const levels = wasmLevels(leaves);
  // Node i of level l covers leaves [i·2^l, (i+1)·2^l): the full nodes of the 100,001-leaf build are the perfect
  // subtrees of every smaller tree. MTH(D[0:n]) folds those of n's binary decomposition, largest first (RFC 9162
  // §2.1.1 splits at the largest power of two below n).
  const fastRoot = (n: number): string => toHex(rangeRoot(levels, 0, n));
  // The reference appends leaves one by one, keeping the roots of the perfect subtrees seen so far (a compact
  // range), and merges equal-sized neighbours with one SHA-256 call each: no level buffers, no pair hasher.
  const stack: Array<{ size: number; hash: Uint8Array }> = [];
  let matched = 0;
  for (let n = 1; n <= N; n++) {
    stack.push({ size: 1, hash: leaf(n - 1) });
    while (
      stack.length > 1 &&
      (stack[stack.length - 1] as { size: number }).size ===
        (stack[stack.length - 2] as { size: number }).size
    ) {
      const right = stack.pop() as { size: number; hash: Uint8Array };
      const left = stack.pop() as { size: number; hash: Uint8Array };
      stack.push({ size: left.size * 2, hash: hashChildren(left.hash, right.hash, nativeSha256) });
    }
    let root = (stack[stack.length - 1] as { hash: Uint8Array }).hash;
    for (let k = stack.length - 2; k >= 0; k--)
      root = hashChildren((stack[k] as { hash: Uint8Array }).hash, root, nativeSha256);
    assert.equal(fastRoot(n), toHex(root), `root of size ${n}`);
    matched++;
  }
  assert.equal(matched, N);
  assert.equal(fastRoot(N), toHex(rootOf(levels)), 'and the build’s own root for the full size');
  console.log(`# node hasher: all ${matched} tree sizes 1..${N} match the incremental reference`);
});

test('the RFC 6962 vectors: roots from the WebAssembly build', () => {
  const all = loadMerkleVectors();
  assert.ok(all.length > 0);
  for (const v of all) {
    const leafHashes = v.leaves.map((e) => hashLeaf(e));
    for (const { treeSize, root } of v.roots)
      assert.equal(
        toHex(rootOf(wasmLevels(concatBytes(...leafHashes.slice(0, treeSize))))),
        toHex(root),
        `${v.file} size ${treeSize}`,
      );
  }
});

test('the committed module is what node-hasher-wat.ts compiles to (npm run build:wasm)', async () => {
  assert.equal(readFileSync(NODE_HASHER_MODULE_PATH, 'utf8'), await buildNodeHasherModule());
});
