// A listed transfer is rebuilt from the node's JSON and believed only when it hashes to the hash given and its sender
// signed it: an altered amount, recipient, message or signature is refused, and transfers that are not top-ups are
// told apart from lies.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { models } from 'symbol-sdk/symbol';
import { facadeFor } from '../../src/anchor/transaction-builder.ts';
import { checkListedTransfer, XYM_NAMESPACE_ID } from '../../src/credit/incoming-transfer.ts';
import { createNobleEd25519Verifier } from '../../src/proof/anchor/noble-ed25519-verifier.ts';
import { symbolAddress } from '../../src/proof/anchor/symbol-address.ts';
import { addressOf } from '../../src/proof/trust/trust-root.ts';
import { buildTransfer, TESTNET_CURRENCY_MOSAIC_ID, testKeyPair } from '../fakes/symbol-node/fixture.ts';

const SEED = Uint8Array.from(
  Buffer.from('49D6E1CE276A85B70EAFE52349AACCA389302E7A9754BCF1221E79494FC665A4', 'hex'),
);
const facade = facadeFor({ identifier: 0x98, generationHashSeed: SEED });
const operatorKey = testKeyPair('0A').publicKey.bytes;
const recipient = symbolAddress(operatorKey, 0x98);
const context = {
  facade,
  recipient,
  currencyMosaicId: TESTNET_CURRENCY_MOSAIC_ID,
  ed25519: createNobleEd25519Verifier(),
};
const alice = testKeyPair('C1');
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex').toUpperCase();

/** The JSON a node gives for `bytes` confirmed at height 42, as catapult-rest shapes it. */
function listed(spec: { text?: string; amount?: bigint; mosaicId?: bigint; toKey?: Uint8Array }) {
  const built = buildTransfer({
    facade,
    nowMs: 1_000_000n,
    signer: alice,
    recipient: addressOf(spec.toKey ?? operatorKey, 0x98),
    amount: spec.amount ?? 2_000_000n,
    ...(spec.mosaicId === undefined ? {} : { mosaicId: spec.mosaicId }),
    text: spec.text ?? 'spark-credit:alice',
  });
  const tx = models.TransactionFactory.deserialize(built.bytes) as models.TransferTransactionV1;
  return {
    meta: {
      height: '42',
      hash: built.hash,
      merkleComponentHash: built.hash,
      index: 0,
      timestamp: '123',
      feeMultiplier: 100,
    },
    transaction: {
      size: tx.size,
      signature: hex(tx.signature.bytes),
      signerPublicKey: hex(tx.signerPublicKey.bytes),
      version: tx.version,
      network: tx.network.value,
      type: tx.type.value,
      maxFee: tx.fee.value.toString(),
      deadline: tx.deadline.value.toString(),
      recipientAddress: hex(tx.recipientAddress.bytes),
      mosaics: tx.mosaics.map((m) => ({
        id: BigInt(m.mosaicId.value).toString(16).toUpperCase().padStart(16, '0'),
        amount: m.amount.value.toString(),
      })),
      message: hex(tx.message),
    },
    id: '0'.repeat(24),
    /** Not part of the node's answer (the checker ignores it): the signed bytes, to forge from. */
    bytes: built.bytes,
  };
}

test('an honest top-up is believed: client, amount, height, hash', () => {
  const entry = listed({});
  const r = checkListedTransfer(entry, context);
  assert.equal(r.kind, 'top-up');
  if (r.kind !== 'top-up') return;
  assert.equal(r.transfer.client, 'alice');
  assert.equal(r.transfer.amount, 2_000_000n);
  assert.equal(r.transfer.height, 42n);
  assert.equal(hex(r.transfer.hash), entry.meta.hash);
  assert.deepEqual(r.transfer.sender, alice.publicKey.bytes);
});

test('the currency by its symbol.xym alias counts; another mosaic does not', () => {
  const alias = checkListedTransfer(listed({ mosaicId: XYM_NAMESPACE_ID }), context);
  assert.equal(alias.kind === 'top-up' ? alias.transfer.amount : alias.kind, 2_000_000n);
  const other = checkListedTransfer(listed({ mosaicId: 0x1234n }), context);
  assert.deepEqual(other.kind === 'other' ? other.reason : other.kind, 'no XYM');
});

test('what a node may change is refused: amount, recipient, message, signature, merkle component hash', () => {
  const cases: Array<[string, (e: ReturnType<typeof listed>) => void, string]> = [
    [
      'an inflated amount',
      (e) => {
        e.transaction.mosaics = [
          { id: TESTNET_CURRENCY_MOSAIC_ID.toString(16).toUpperCase(), amount: '2000000000' },
        ];
      },
      'transaction-hash',
    ],
    [
      'another message',
      (e) => (e.transaction.message = hex(Uint8Array.from([0, ...Buffer.from('spark-credit:mallory')]))),
      'transaction-hash',
    ],
    [
      'another recipient',
      (e) => (e.transaction.recipientAddress = `98${'00'.repeat(23)}`),
      'transaction-hash',
    ],
    [
      'a hash recomputed over a forged signature',
      (e) => (e.transaction.signature = `${'11'.repeat(64)}`),
      'transaction-hash',
    ],
    [
      'a component hash not its hash',
      (e) => (e.meta.merkleComponentHash = '22'.repeat(32)),
      'merkle-component-hash',
    ],
    ['a missing field', (e) => Reflect.deleteProperty(e.transaction, 'deadline'), 'malformed'],
    ['an odd-length message', (e) => (e.transaction.message = '0'), 'malformed'],
  ];
  for (const [why, alter, check] of cases) {
    const entry = listed({});
    alter(entry);
    const r = checkListedTransfer(entry, context);
    assert.equal(r.kind === 'refused' ? r.check : r.kind, check, why);
  }
});

test('a hash recomputed over forged signature bytes still needs the sender to have signed', () => {
  const entry = listed({});
  const forged = models.TransactionFactory.deserialize(entry.bytes) as models.TransferTransactionV1;
  forged.signature = new models.Signature(Uint8Array.from(Buffer.alloc(64, 0x33)));
  entry.transaction.signature = '33'.repeat(64);
  entry.meta.hash = hex(facade.hashTransaction(forged).bytes);
  entry.meta.merkleComponentHash = entry.meta.hash;
  const r = checkListedTransfer(entry, context);
  assert.deepEqual(r.kind === 'refused' ? [r.check, r.expected] : r.kind, [
    'transaction-hash',
    'a signature by the sender',
  ]);
});

test('a real transfer that is not a top-up is told apart from a lie', () => {
  const other = (spec: Parameters<typeof listed>[0]) => {
    const r = checkListedTransfer(listed(spec), context);
    return r.kind === 'other' ? r.reason : r.kind;
  };
  assert.equal(other({ text: 'thanks' }), 'no spark-credit message');
  assert.equal(other({ amount: 0n }), 'no XYM');
  assert.equal(other({ toKey: testKeyPair('0B').publicKey.bytes }), 'another recipient');
});
