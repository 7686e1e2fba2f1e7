// The tree and the inclusion verifier agree with the published RFC 6962 reference values.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { concatBytes, toHex } from '../../src/proof/encoding/bytes.ts';
import { emptyRoot, hashLeaf } from '../../src/proof/merkle/hash.ts';
import { verifyInclusion } from '../../src/proof/merkle/inclusion.ts';
import { buildLevels, inclusionPath, levelReader, merkleRoot, rootOf } from '../../src/proof/merkle/tree.ts';
import { referenceTree } from './reference.ts';
import { loadMerkleVectors } from './vectors.ts';

const all = loadMerkleVectors();

test('the vector loader finds vectors', () => {
  assert.ok(all.length > 0);
  assert.ok(all.every((v) => v.roots.length > 0 && v.inclusion.length > 0));
});

for (const v of all) {
  describe(`RFC 6962 vectors: ${v.file}`, () => {
    const leafHashes = v.leaves.map((e) => hashLeaf(e));

    test('empty tree root is SHA-256 of nothing', () => {
      assert.equal(toHex(emptyRoot()), toHex(v.emptyRoot));
      assert.equal(toHex(merkleRoot(new Uint8Array(0))), toHex(v.emptyRoot));
    });

    test('leaf hashes', () => {
      assert.deepEqual(leafHashes.map(toHex), v.leafHashes.map(toHex));
    });

    for (const { treeSize, root } of v.roots) {
      test(`root of size ${treeSize}`, () => {
        const flat = concatBytes(...leafHashes.slice(0, treeSize));
        assert.equal(toHex(rootOf(buildLevels(flat))), toHex(root));
        assert.equal(toHex(referenceTree(v.leaves.slice(0, treeSize)).root()), toHex(root));
      });
    }

    for (const { leafIndex, treeSize, path } of v.inclusion) {
      test(`inclusion of leaf ${leafIndex} in size ${treeSize}`, () => {
        const levels = buildLevels(concatBytes(...leafHashes.slice(0, treeSize)));
        const got = inclusionPath(treeSize, leafIndex, levelReader(levels));
        assert.deepEqual(got.map(toHex), path.map(toHex));
        assert.deepEqual(
          referenceTree(v.leaves.slice(0, treeSize)).path(leafIndex).map(toHex),
          path.map(toHex),
        );
        const root = v.roots.find((r) => r.treeSize === treeSize)?.root;
        assert.ok(root, `no published root for size ${treeSize}`);
        const leaf = leafHashes[leafIndex] as Uint8Array;
        assert.equal(verifyInclusion(BigInt(leafIndex), BigInt(treeSize), leaf, path, root).ok, true);
      });
    }
  });
}
