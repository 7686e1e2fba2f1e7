// The TEST DOUBLE's block Merkle tree matches catapult: symbol-sdk vectors, and every path proves with the SDK.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sha3_256 } from '@noble/hashes/sha3.js';
import { Hash256 } from 'symbol-sdk';
import { proveMerkle } from 'symbol-sdk/symbol';
import { blockMerklePath, blockMerkleRoot } from './block-merkle.ts';

// symbol/symbol sdk/javascript/test/symbol/merkle_spec.js (also in /work/shared/examples/symbol-sdk-anchor.mjs).
const LEAVES = [
  '36C8213162CDBC78767CF43D4E06DDBE0D3367B6CEAEAEB577A50E2052441BC8',
  '8A316E48F35CDADD3F827663F7535E840289A16A43E7134B053A86773E474C28',
  '6D80E71F00DFB73B358B772AD453AEB652AE347D3E098AE269005A88DA0B84A7',
  '2AE2CA59B5BB29721BFB79FE113929B6E52891CAA29CBF562EBEDC46903FF681',
  '421D6B68A6DF8BB1D5C9ACF7ED44515E77945D42A491BECE68DA009B551EE6CE',
  '7A1711AF5C402CFEFF87F6DA4B9C738100A7AC3EDAD38D698DF36CA3FE883480',
  '1E6516B2CC617E919FAE0CF8472BEB2BFF598F19C7A7A7DC260BC6715382822C',
  '410330530D04A277A7C96C1E4F34184FDEB0FFDA63563EFD796C404D7A6E5A20',
].map((h) => Uint8Array.from(Buffer.from(h, 'hex')));

const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();

test('roots match the symbol-sdk vectors (8 and 5 leaves)', () => {
  assert.equal(
    toHex(blockMerkleRoot(LEAVES)),
    '7D853079F5F9EE30BDAE49C4956AF20CDF989647AFE971C069AC263DA1FFDF7E',
  );
  assert.equal(
    toHex(blockMerkleRoot(LEAVES.slice(0, 5))),
    'DEFB4BF7ACF2145500087A02C88F8D1FCF27B8DEF4E0FDABE09413D87A3F0D09',
  );
});

test('edge cases: no leaf → zero root, one leaf → the leaf', () => {
  assert.equal(toHex(blockMerkleRoot([])), '0'.repeat(64));
  assert.equal(toHex(blockMerkleRoot([LEAVES[0] as Uint8Array])), toHex(LEAVES[0] as Uint8Array));
  assert.deepEqual(blockMerklePath([LEAVES[0] as Uint8Array], 0), []);
});

test('every path for 1..33 leaves proves with symbol-sdk proveMerkle, and fails for another leaf', () => {
  for (let n = 1; n <= 33; n++) {
    const leaves = Array.from({ length: n }, (_, i) => sha3_256(new Uint8Array([n, i])));
    const root = new Hash256(blockMerkleRoot(leaves));
    for (let i = 0; i < n; i++) {
      const path = blockMerklePath(leaves, i).map((p) => ({
        hash: new Hash256(p.hash),
        isLeft: p.position === 'left',
      }));
      assert.equal(proveMerkle(new Hash256(leaves[i] as Uint8Array), path, root), true, `${i}/${n}`);
      if (n > 1) {
        const other = leaves[(i + 1) % n] as Uint8Array;
        assert.equal(proveMerkle(new Hash256(other), path, root), false, `${i}/${n} with another leaf`);
      }
    }
  }
});
