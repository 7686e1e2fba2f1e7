// A node's answers about an anchor are checked against each other before they are believed: every lie a node can
// tell about one transaction is caught by a named check (docs/anchoring.md §8).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sha3_256 } from '@noble/hashes/sha3.js';
import {
  checkTransactionAnswers,
  type ExpectedTransaction,
  type TransactionAnswers,
} from '../../src/anchor/symbol/evidence-checks.ts';
import { parseBlockHeader } from '../../src/proof/anchor/block-header.ts';
import { createNobleEd25519Verifier } from '../../src/proof/anchor/noble-ed25519-verifier.ts';
import { symbolMerkleRoot } from '../../src/proof/anchor/symbol-merkle.ts';
import { concatBytes } from '../../src/proof/encoding/bytes.ts';
import { b, LIAR_KEY, signedBlock } from './block-fixture.ts';

const ed25519 = createNobleEd25519Verifier();
const txHash = sha3_256(Uint8Array.of(1));
const other = sha3_256(Uint8Array.of(2));
const expect: ExpectedTransaction = { txHash, merkleComponentHash: txHash, network: 0x98 };
const block = signedBlock(7n, [other, txHash]);
const honest: TransactionAnswers = {
  statusHeight: 7n,
  meta: {
    hash: txHash,
    height: 7n,
    merkleComponentHash: txHash,
    index: 1,
    timestamp: 7_000n,
    feeMultiplier: 100,
  },
  block,
  path: [{ left: true, hash: other }],
};

test('honest answers give evidence carrying the checked header and its recomputed hash', () => {
  const r = checkTransactionAnswers(expect, honest, ed25519);
  assert.ok(r.ok);
  assert.equal(r.value.height, 7n);
  assert.deepEqual(r.value.blockHash, block.hash);
  assert.deepEqual(r.value.blockHeader, block.header);
  assert.deepEqual(r.value.transactionsHash, symbolMerkleRoot([other, txHash]));
});

test('each lie is caught by its named check, with both values for the log line', () => {
  const flipped = (x: Uint8Array) => {
    const c = x.slice();
    c[0] = (c[0] as number) ^ 1;
    return c;
  };
  const lies: Array<[string, TransactionAnswers]> = [
    ['transaction-hash', { ...honest, meta: { ...honest.meta, hash: other } }],
    ['merkle-component-hash', { ...honest, meta: { ...honest.meta, merkleComponentHash: other } }],
    ['height', { ...honest, statusHeight: 8n }],
    ['height', { ...honest, meta: { ...honest.meta, height: 6n } }],
    ['timestamp', { ...honest, meta: { ...honest.meta, timestamp: 1n } }],
    ['block-header', { ...honest, block: { ...block, header: block.header.slice(0, 300) } }],
    ['block-hash', { ...honest, block: { ...block, hash: flipped(block.hash) } }],
    // A wrong transactionsHash with the hash recomputed over it: the harvester's signature no longer holds.
    [
      'block-signature',
      (() => {
        const h = block.header.slice();
        h[250] = (h[250] as number) ^ 1; // inside transactionsHash (bytes 248..280)
        const parsed = parseBlockHeader(h);
        assert.ok(parsed.ok);
        return { ...honest, block: { ...block, header: h, hash: parsed.value.hash } };
      })(),
    ],
    // Re-signed by another key over a wrong transactionsHash: hash and signature hold, the path does not.
    [
      'merkle-path',
      {
        ...honest,
        block: signedBlock(7n, [], { key: LIAR_KEY, transactionsHash: b(32, 9), timestamp: 7_000n }),
      },
    ],
    ['merkle-path', { ...honest, path: [{ left: false, hash: other }] }],
    ['merkle-path', { ...honest, path: [{ left: true, hash: flipped(other) }] }],
    ['transaction-in-block', { ...honest, path: undefined }],
    ['network', { ...honest, block: signedBlock(7n, [other, txHash], { network: 0x68, timestamp: 7_000n }) }],
  ];
  for (const [check, answers] of lies) {
    const r = checkTransactionAnswers(expect, answers, ed25519);
    assert.equal(r.ok, false, check);
    if (!r.ok) {
      assert.equal(r.rejection.check, check);
      assert.ok(r.rejection.expected.length > 0 && r.rejection.got.length > 0);
    }
  }
});

test('a block re-signed by any key is still a block: its hash is what later comparisons (quorum, re-read) use', () => {
  const forged = signedBlock(7n, [other, txHash], { key: LIAR_KEY, timestamp: 7_000n });
  const r = checkTransactionAnswers(expect, { ...honest, block: forged }, ed25519);
  assert.ok(r.ok, 'one node alone can show a consistent block of its own making');
  assert.notDeepEqual(r.value.blockHash, block.hash, 'but its hash differs from the real block');
  assert.deepEqual(
    r.value.blockHash,
    sha3_256(concatBytes(forged.header.slice(8, 104), forged.header.slice(108, 372))),
  );
});
