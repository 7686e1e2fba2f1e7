// The tree builder: the same levels as buildLevels inline and in its worker thread, concurrent builds, a bad
// input refused without losing the worker, and close.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { createTreeBuilder, INLINE_TREE_LEAVES } from '../../src/batch/tree-builder.ts';
import { nativeSha256 } from '../../src/crypto/native-sha256.ts';
import { buildLevels } from '../../src/proof/merkle/tree.ts';

const same = (got: Uint8Array[], want: Uint8Array[], what: string): void => {
  assert.equal(got.length, want.length, `${what}: level count`);
  got.forEach((level, l) => {
    assert.equal(Buffer.compare(level, want[l] as Uint8Array), 0, `${what}: level ${l}`);
  });
};

test('inline and worker builds equal buildLevels; concurrent builds each get their own tree', async () => {
  const trees = createTreeBuilder();
  await trees.warm();
  try {
    for (const n of [1, 2, 3, INLINE_TREE_LEAVES, INLINE_TREE_LEAVES + 1, 100_003]) {
      const leaves = new Uint8Array(randomBytes(n * 32));
      const want = buildLevels(leaves, nativeSha256);
      same(await trees.build(leaves.slice()), want, `${n} leaves`);
    }
    const inputs = [200_001, 50_000, 123_457].map((n) => new Uint8Array(randomBytes(n * 32)));
    const wants = inputs.map((l) => buildLevels(l, nativeSha256));
    const got = await Promise.all(inputs.map((l) => trees.build(l.slice())));
    got.forEach((levels, i) => {
      same(levels, wants[i] as Uint8Array[], `concurrent build ${i}`);
    });
    // A view into a larger buffer is copied, not transferred: the caller's buffer stays usable.
    const big = new Uint8Array(randomBytes((INLINE_TREE_LEAVES + 10) * 32 + 64));
    const view = big.subarray(64);
    same(await trees.build(view), buildLevels(view, nativeSha256), 'a view');
    assert.equal(big.length, (INLINE_TREE_LEAVES + 10) * 32 + 64);
  } finally {
    await trees.close();
  }
});

test('a malformed input is refused with a RangeError, in the worker too, and the builder goes on', async () => {
  const trees = createTreeBuilder();
  try {
    await assert.rejects(trees.build(new Uint8Array(33)), RangeError);
    await assert.rejects(trees.build(new Uint8Array(0)), RangeError);
    await assert.rejects(trees.build(new Uint8Array((INLINE_TREE_LEAVES + 1) * 32 + 5)), RangeError);
    const leaves = new Uint8Array(randomBytes((INLINE_TREE_LEAVES + 1) * 32));
    same(await trees.build(leaves.slice()), buildLevels(leaves, nativeSha256), 'after a refusal');
  } finally {
    await trees.close();
  }
  await assert.rejects(trees.build(new Uint8Array(32)), /closed/);
});
