// SPARK_MERKLE_HASHER: both pair hashers give the same tree as the portable reference, inline and in the tree
// worker; a value that is neither is refused naming the setting.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { pairHasherFor } from '../../src/batch/pair-hasher.ts';
import { createTreeBuilder, INLINE_TREE_LEAVES } from '../../src/batch/tree-builder.ts';
import { loadConfig } from '../../src/config/config.ts';
import { ConfigError } from '../../src/config/config-error.ts';
import { nativeSha256 } from '../../src/crypto/native-sha256.ts';
import { buildLevels, buildLevelsWith } from '../../src/proof/merkle/tree.ts';

const leaves = (n: number) => Uint8Array.from(randomBytes(32 * n));

test('wasm and node pair hashers build the reference levels', () => {
  for (const n of [1, 2, 3, 255, 1_000]) {
    const input = leaves(n);
    const reference = buildLevels(input, nativeSha256).map((l) => Buffer.from(l).toString('hex'));
    for (const kind of ['wasm', 'node'] as const) {
      const levels = buildLevelsWith(input, pairHasherFor(kind)).map((l) => Buffer.from(l).toString('hex'));
      assert.deepEqual(levels, reference, `${kind}, ${n} leaves`);
    }
  }
});

test('the tree builder with either hasher: inline and in its worker, the same levels', async () => {
  const big = INLINE_TREE_LEAVES + 3;
  for (const kind of ['wasm', 'node'] as const) {
    const builder = createTreeBuilder(kind);
    try {
      for (const n of [7, big]) {
        const input = leaves(n);
        const expected = buildLevels(input, nativeSha256);
        const built = await builder.build(input.slice());
        assert.equal(built.length, expected.length);
        assert.deepEqual(built.at(-1), expected.at(-1), `${kind}, ${n} leaves: the same root`);
      }
    } finally {
      await builder.close();
    }
  }
});

test('SPARK_MERKLE_HASHER takes wasm (default) or node, and refuses anything else by name', () => {
  assert.equal(loadConfig({}).merkleHasher, 'wasm');
  assert.equal(loadConfig({ SPARK_MERKLE_HASHER: 'node' }).merkleHasher, 'node');
  assert.throws(
    () => loadConfig({ SPARK_MERKLE_HASHER: 'gpu' }),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.issues.some(
        (i) => i.setting === 'SPARK_MERKLE_HASHER' && /"gpu" is not one of wasm, node/.test(i.problem),
      ),
  );
});
