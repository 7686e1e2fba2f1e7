// An aggregate holding top-ups is rebuilt from the node's JSON and believed only whole: its header must hash to the
// hash asked for, its embedded transfers to its transactionsHash, its signature and cosignatures must verify and
// its Merkle component hash must include its cosigners; each top-up inside is keyed by aggregate and index.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sha3_256 } from '@noble/hashes/sha3.js';
import { models } from 'symbol-sdk/symbol';
import { facadeFor } from '../../src/anchor/transaction-builder.ts';
import { checkListedAggregate, embeddedTopUpId } from '../../src/credit/incoming-aggregate.ts';
import { createNobleEd25519Verifier } from '../../src/proof/anchor/noble-ed25519-verifier.ts';
import { symbolAddress } from '../../src/proof/anchor/symbol-address.ts';
import { addressOf } from '../../src/proof/trust/trust-root.ts';
import {
  buildAggregateTransfers,
  type EmbeddedTransferSpec,
  TESTNET_CURRENCY_MOSAIC_ID,
  testKeyPair,
  testnet,
} from '../fakes/symbol-node/fixture.ts';
import { confirmedTransactionJson, type Json } from '../fakes/symbol-node/rest-json.ts';
import type { ConfirmedTransaction } from '../fakes/symbol-node/test-chain.ts';

const facade = facadeFor({ identifier: 0x98, generationHashSeed: testnet.network.generationHashSeed.bytes });
const operatorKey = testKeyPair('0A').publicKey.bytes;
const operator = addressOf(operatorKey, 0x98);
const context = {
  facade,
  recipient: symbolAddress(operatorKey, 0x98),
  currencyMosaicId: TESTNET_CURRENCY_MOSAIC_ID,
  ed25519: createNobleEd25519Verifier(),
};
const alice = testKeyPair('C1');
const bob = testKeyPair('C2');
const carol = testKeyPair('C3');

/** The aggregate and the JSON a node gives for it, confirmed at height 42 with its cosigners in its Merkle leaf. */
function listed(
  transfers: readonly EmbeddedTransferSpec[],
  options: { version?: 2 | 3; metadataValue?: Uint8Array } = {},
) {
  const built = buildAggregateTransfers({ nowMs: 1_000_000n, signer: carol, transfers, ...options });
  const tx = models.TransactionFactory.deserialize(built.bytes) as models.AggregateCompleteTransactionV3;
  const hash = Uint8Array.from(Buffer.from(built.hash, 'hex'));
  const cosigners = tx.cosignatures.map((c) => c.signerPublicKey.bytes);
  const leaf = cosigners.length === 0 ? hash : sha3_256(Buffer.concat([hash, ...cosigners]));
  const confirmed = {
    hash: built.hash,
    transaction: tx,
    merkleComponentHash: Buffer.from(leaf).toString('hex').toUpperCase(),
    height: 42n,
    index: 0,
    timestamp: 123n,
    feeMultiplier: 100,
    id: '5F5E10000000000000000003',
  } as unknown as ConfirmedTransaction;
  return { hash, leaf, json: structuredClone(confirmedTransactionJson(confirmed)) as JsonTree };
}

type JsonTree = { [key: string]: Json } & {
  meta: Record<string, Json>;
  transaction: Record<string, Json> & {
    transactions: Array<{ transaction: Record<string, Json> }>;
    cosignatures: Array<Record<string, Json>>;
  };
};

const topUps: EmbeddedTransferSpec[] = [
  { sender: alice, recipient: operator, amount: 2_000_000n, text: 'spark-credit:alice' },
  { sender: bob, recipient: operator, amount: 3_000_000n, text: 'hello' },
  { sender: bob, recipient: operator, amount: 4_000_000n, text: 'spark-credit:bob' },
  {
    sender: bob,
    recipient: addressOf(carol.publicKey.bytes, 0x98),
    amount: 5_000_000n,
    text: 'spark-credit:bob',
  },
];

test('an honest aggregate: its top-ups to the account, each keyed by aggregate and index, cosigners in its leaf', () => {
  for (const version of [2, 3] as const) {
    const { hash, leaf, json } = listed(topUps, { version });
    const r = checkListedAggregate(json, hash, context);
    assert.equal(r.kind, 'aggregate', r.kind === 'refused' ? `${r.check}: ${r.expected} / ${r.got}` : r.kind);
    if (r.kind !== 'aggregate') return;
    assert.deepEqual(r.merkleComponentHash, leaf);
    assert.notDeepEqual(leaf, hash, 'cosigned: the leaf is not the hash');
    assert.equal(r.height, 42n);
    assert.deepEqual(
      r.topUps.map((t) => [Buffer.from(t.hash).toString('hex'), t.client, t.amount]),
      [
        [Buffer.from(embeddedTopUpId(hash, 0)).toString('hex'), 'alice', 2_000_000n],
        [Buffer.from(embeddedTopUpId(hash, 2)).toString('hex'), 'bob', 4_000_000n],
      ],
    );
    assert.deepEqual(r.topUps[0]?.sender, Uint8Array.from(alice.publicKey.bytes));
  }
});

test('what a node could change is refused, naming the check', () => {
  const embedded = (j: JsonTree, i: number) => j.transaction.transactions[i]?.transaction ?? {};
  const cases: Array<[string, (j: JsonTree) => void, string, RegExp?]> = [
    [
      'an embedded amount',
      (j) => {
        embedded(j, 0)['mosaics'] = [
          { id: TESTNET_CURRENCY_MOSAIC_ID.toString(16).toUpperCase(), amount: '2000001' },
        ];
      },
      'transaction-hash',
    ],
    [
      'an embedded recipient',
      (j) => {
        embedded(j, 1)['recipientAddress'] = Buffer.from(symbolAddress(bob.publicKey.bytes, 0x98)).toString(
          'hex',
        );
      },
      'transaction-hash',
    ],
    ['an embedded transfer dropped', (j) => j.transaction.transactions.splice(1, 1), 'transaction-hash'],
    [
      'transactionsHash',
      (j) => {
        j.transaction['transactionsHash'] = '00'.repeat(32);
      },
      'transaction-hash',
    ],
    [
      'the signature',
      (j) => {
        j.transaction['signature'] = `${String(j.transaction['signature']).slice(0, 126)}00`;
      },
      'transaction-hash',
    ],
    ['a cosignature removed', (j) => j.transaction.cosignatures.pop(), 'merkle-component-hash'],
    [
      'a cosignature forged',
      (j) => {
        j.transaction.cosignatures[0] = { ...j.transaction.cosignatures[0], signature: '11'.repeat(64) };
      },
      'transaction-hash',
    ],
    [
      'meta.merkleComponentHash',
      (j) => {
        j.meta['merkleComponentHash'] = j.meta['hash'] ?? '';
      },
      'merkle-component-hash',
    ],
    [
      'meta.hash',
      (j) => {
        j.meta['hash'] = '22'.repeat(32);
      },
      'transaction-hash',
    ],
    [
      'the embedded list missing',
      (j) => {
        delete (j.transaction as Record<string, Json>)['transactions'];
      },
      'malformed',
    ],
    [
      'no embedded transaction',
      (j) => j.transaction.transactions.splice(0),
      'malformed',
      /^transaction\.transactions: 0 entries, not 1\.\.1000$/,
    ],
    [
      "an embedded transfer's amount spelled wrong",
      (j) => {
        embedded(j, 1)['mosaics'] = [
          { id: TESTNET_CURRENCY_MOSAIC_ID.toString(16).toUpperCase(), amount: '-1' },
        ];
      },
      'malformed',
      /embedded 1 .*mosaic 0 amount/,
    ],
  ];
  for (const [what, alter, check, got] of cases) {
    const { hash, json } = listed(topUps);
    alter(json);
    const r = checkListedAggregate(json, hash, context);
    assert.equal(r.kind, 'refused', what);
    assert.equal(r.kind === 'refused' ? r.check : '', check, what);
    if (got !== undefined) assert.match(r.kind === 'refused' ? r.got : '', got, what);
  }
});

test('an aggregate asked for by another hash is refused, and one with other types is told apart, unchecked', () => {
  const { json } = listed(topUps);
  const r = checkListedAggregate(json, new Uint8Array(32), context);
  assert.equal(r.kind === 'refused' ? r.check : r.kind, 'transaction-hash');
  const mixed = listed(topUps.slice(0, 1), { metadataValue: new TextEncoder().encode('note') });
  const m = checkListedAggregate(mixed.json, mixed.hash, context);
  assert.equal(m.kind, 'other');
  assert.match(
    m.kind === 'other' ? m.reason : '',
    /embedded 1 is type 16708 version 1: only aggregates of transfers are rebuilt/,
  );
});
