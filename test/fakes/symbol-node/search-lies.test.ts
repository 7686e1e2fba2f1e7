// Search-route lies of one Symbol TEST DOUBLE front: inflated transfer amounts (the rebuilt transaction no longer
// hashes to meta.hash), hidden transfers, and an invented transfer consistent on the liar (search, by-hash, status)
// but in no block (Merkle 404) and unknown to the other fronts.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { PublicKey } from 'symbol-sdk';
import { Address, models } from 'symbol-sdk/symbol';
import {
  announce,
  type BuiltTransaction,
  buildTransfer,
  type KeyPair,
  nodeTime,
  rest,
  testKeyPair,
  testnet,
} from './fixture.ts';
import type { RestStatus } from './rest-checks.ts';
import { disguiseAggregate, inflateTransferAmounts } from './rest-search-lies.ts';
import { type SymbolTestNetwork, startSymbolTestNetwork } from './symbol-test-network.ts';
import type { SymbolTestNode } from './symbol-test-node.ts';

interface TransferJson {
  signerPublicKey: string;
  signature: string;
  maxFee: string;
  deadline: string;
  type: number;
  recipientAddress: string;
  mosaics: { id: string; amount: string }[];
  message: string;
}
interface SearchItem {
  meta: {
    height: string;
    hash: string;
    merkleComponentHash: string;
    index: number;
    timestamp: string;
    feeMultiplier: number;
  };
  transaction: TransferJson;
  id: string;
}
interface SearchPage {
  data: SearchItem[];
  pagination: { pageNumber: number; pageSize: number };
}

const addressOf = (keyPair: KeyPair): string =>
  testnet.network.publicKeyToAddress(keyPair.publicKey).toString();
const unhex = (text: string): Uint8Array<ArrayBuffer> => Uint8Array.from(Buffer.from(text, 'hex'));
const [carol, dave] = [testKeyPair('C1'), testKeyPair('C2')];
const recipientA = addressOf(testKeyPair('D1'));
const recipientB = addressOf(testKeyPair('D2'));

const search = async (node: SymbolTestNode, query: string): Promise<SearchPage> =>
  (await rest<SearchPage>(node.url, `/transactions/confirmed?${query}`)).body;

/** What a client checking a search item does: rebuild the transfer from its JSON and hash it. */
function rebuiltHash(json: TransferJson): string {
  const tx = testnet.transactionFactory.create({
    type: 'transfer_transaction_v1',
    signerPublicKey: new PublicKey(json.signerPublicKey),
    deadline: BigInt(json.deadline),
    recipientAddress: new Address(unhex(json.recipientAddress)),
    mosaics: json.mosaics.map((m) => ({ mosaicId: BigInt(`0x${m.id}`), amount: BigInt(m.amount) })),
    message: unhex(json.message),
  }) as InstanceType<typeof models.TransferTransactionV1>;
  tx.fee = new models.Amount(BigInt(json.maxFee));
  tx.signature = new models.Signature(unhex(json.signature));
  return testnet.hashTransaction(tx).toString();
}

describe('search lies of one front', () => {
  let network: SymbolTestNetwork;
  let liar: SymbolTestNode;
  let honest: SymbolTestNode;
  let toA: BuiltTransaction[];
  let h1: bigint;
  let nowMs: bigint;
  const q = `recipientAddress=${recipientA}`;

  before(async () => {
    network = await startSymbolTestNetwork({
      nodes: 2,
      blockIntervalMs: 0,
      balances: { [addressOf(carol)]: 100_000_000n, [addressOf(dave)]: 100_000_000n },
    });
    [liar, honest] = network.nodes as [SymbolTestNode, SymbolTestNode];
    nowMs = await nodeTime(liar.url);
    toA = [
      buildTransfer({ nowMs, signer: carol, recipient: recipientA, amount: 1_500_000n, text: 'a1' }),
      buildTransfer({ nowMs, signer: dave, recipient: recipientA, amount: 2_500_000n, text: 'a2' }),
    ];
    for (const tx of toA) await announce(liar.url, tx);
    await network.whenIdle();
    h1 = network.produceBlock().height;
    network.produceBlock();
  });
  after(() => network.close());
  afterEach(async () => {
    liar.lies.clear();
    assert.deepEqual(liar.lies.active(), []);
    assert.deepEqual(await search(liar, q), await search(honest, q), 'clearing restores honest answers');
  });

  test('inflateTransferAmounts: amounts ×1000, hash and signature kept; the rebuilt transfer hashes elsewhere', async () => {
    const truth = await search(honest, q);
    liar.lies.inflateTransferAmounts();
    assert.deepEqual(liar.lies.active(), ['inflateTransferAmounts']);
    const lied = await search(liar, q);
    assert.equal(lied.data.length, 2);
    for (const [i, item] of lied.data.entries()) {
      const real = truth.data[i] as SearchItem;
      assert.deepEqual(item.meta, real.meta);
      assert.equal(item.transaction.signature, real.transaction.signature);
      assert.deepEqual(
        item.transaction.mosaics.map((m) => BigInt(m.amount)),
        real.transaction.mosaics.map((m) => BigInt(m.amount) * 1000n),
      );
      assert.equal(rebuiltHash(real.transaction), real.meta.hash, 'the honest item rebuilds to its hash');
      assert.notEqual(rebuiltHash(item.transaction), item.meta.hash, 'the inflated one does not');
      // The by-hash route of the liar inflates the same way, meta kept.
      const byHash = (await rest<SearchItem>(liar.url, `/transactions/confirmed/${item.meta.hash}`)).body;
      const honestByHash = (await rest<SearchItem>(honest.url, `/transactions/confirmed/${item.meta.hash}`))
        .body;
      assert.deepEqual(byHash.meta, honestByHash.meta);
      assert.deepEqual(
        byHash.transaction.mosaics.map((m) => BigInt(m.amount)),
        honestByHash.transaction.mosaics.map((m) => BigInt(m.amount) * 1000n),
      );
    }
  });

  test('inflateTransferAmounts({ count }): only answers with an amount count', async () => {
    liar.lies.inflateTransferAmounts({ count: 1 });
    assert.deepEqual((await search(liar, `recipientAddress=${recipientB}`)).data, [], 'nothing to inflate');
    const lied = await search(liar, q);
    assert.equal(lied.data[0]?.transaction.mosaics[0]?.amount, '1500000000');
    assert.deepEqual(liar.lies.active(), []);
    assert.deepEqual(await search(liar, q), await search(honest, q));
  });

  test('inflateTransferAmounts reaches embedded transfers too and leaves zero amounts alone', () => {
    const mosaic = (amount: string) => [{ id: '72C0212E67A08BCE', amount }];
    const aggregate = {
      meta: { hash: 'H' },
      transaction: {
        type: 16705,
        transactions: [
          { meta: {}, transaction: { type: 16724, mosaics: mosaic('7') } },
          { meta: {}, transaction: { type: 16724, mosaics: mosaic('0') } },
        ],
      },
    };
    const zero = { meta: {}, transaction: { type: 16724, mosaics: mosaic('0') } };
    const result = inflateTransferAmounts([aggregate, zero]);
    assert.equal(result.changed, true);
    assert.deepEqual(result.data[0], {
      ...aggregate,
      transaction: {
        type: 16705,
        transactions: [
          { meta: {}, transaction: { type: 16724, mosaics: mosaic('7000') } },
          { meta: {}, transaction: { type: 16724, mosaics: mosaic('0') } },
        ],
      },
    });
    assert.deepEqual(result.data[1], zero);
    assert.equal(inflateTransferAmounts([zero]).changed, false);
  });

  test('disguiseAggregate: the first embedded transaction of an aggregate claims type 16708; others untouched', () => {
    const aggregate = {
      meta: { hash: 'H' },
      transaction: {
        type: 16705,
        transactions: [
          { meta: { index: 0 }, transaction: { type: 16724, message: '00' } },
          { meta: { index: 1 }, transaction: { type: 16724 } },
        ],
      },
    };
    assert.deepEqual(disguiseAggregate(aggregate), {
      ...aggregate,
      transaction: {
        type: 16705,
        transactions: [
          { meta: { index: 0 }, transaction: { type: 16708, message: '00' } },
          { meta: { index: 1 }, transaction: { type: 16724 } },
        ],
      },
    });
    assert.equal(
      disguiseAggregate({ meta: {}, transaction: { type: 16724 } }),
      undefined,
      'not an aggregate',
    );
  });

  test('hideTransfers: data [] on the liar only; with count, only answers that hid something count', async () => {
    liar.lies.hideTransfers({ count: 2 });
    assert.deepEqual((await search(honest, q)).data.length, 2);
    const hidden = await search(liar, q);
    assert.deepEqual(hidden, { data: [], pagination: { pageNumber: 1, pageSize: 10 } });
    await search(liar, `${q}&fromHeight=${h1 + 100n}`); // honestly empty: not counted
    assert.deepEqual((await search(liar, `${q}&order=desc`)).data, []);
    assert.deepEqual(liar.lies.active(), []);
    assert.equal((await search(liar, q)).data.length, 2);
    liar.lies.hideTransfers();
    assert.deepEqual((await search(liar, '')).data, []);
    // Only the search route hides: the by-hash route still answers.
    assert.equal((await rest(liar.url, `/transactions/confirmed/${toA[0]?.hash}`)).status, 200);
  });

  test('inventTransfer: in the liar’s search, by-hash and status at that block; Merkle 404; others know nothing', async () => {
    const stranger = testKeyPair('E1'); // never funded: a real node would never confirm this
    const fake = buildTransfer({
      nowMs,
      signer: stranger,
      recipient: recipientA,
      amount: 9n ** 12n,
      text: 'lie',
    });
    liar.lies.inventTransfer(fake.bytes, h1);
    assert.deepEqual(liar.lies.active(), ['inventTransfer']);
    const block = network.block(h1);
    assert.ok(block);

    const page = await search(liar, q);
    assert.equal(page.data.length, 3);
    const item = page.data.find((i) => i.meta.hash === fake.hash);
    assert.ok(item, 'the invented transfer is in the liar’s results');
    assert.deepEqual(
      { ...item.meta },
      {
        height: h1.toString(),
        hash: fake.hash,
        merkleComponentHash: fake.hash,
        index: 0,
        timestamp: block.timestamp.toString(),
        feeMultiplier: block.feeMultiplier,
      },
    );
    assert.equal(rebuiltHash(item.transaction), fake.hash, 'it is a real signed transaction');
    assert.deepEqual((await rest(liar.url, `/transactions/confirmed/${fake.hash}`)).body, item);
    assert.deepEqual((await rest(liar.url, `/transactions/confirmed/${item.id}`)).body, item);
    const status = (await rest<RestStatus>(liar.url, `/transactionStatus/${fake.hash}`)).body;
    assert.deepEqual([status.group, status.height], ['confirmed', h1.toString()]);
    const batch = await rest<RestStatus[]>(liar.url, '/transactionStatus', {
      method: 'POST',
      body: JSON.stringify({ hashes: [fake.hash] }),
    });
    assert.deepEqual(
      batch.body.map((s) => s.height),
      [h1.toString()],
    );
    const merkle = await rest(liar.url, `/blocks/${h1}/transactions/${fake.hash}/merkle`);
    assert.deepEqual([merkle.status, merkle.body['code']], [404, 'ResourceNotFound']);

    // Only where the search matches it.
    for (const other of [`recipientAddress=${recipientB}`, `${q}&fromHeight=${h1 + 1n}`, `${q}&type=16705`])
      assert.ok(!(await search(liar, other)).data.some((i) => i.meta.hash === fake.hash), other);
    // The other front knows nothing of it.
    assert.ok(!(await search(honest, q)).data.some((i) => i.meta.hash === fake.hash));
    assert.equal((await rest(honest.url, `/transactions/confirmed/${fake.hash}`)).status, 404);
    assert.equal((await rest(honest.url, `/transactionStatus/${fake.hash}`)).status, 404);
  });

  test('inventTransfer at a height not yet harvested shows once that block exists', async () => {
    const fake = buildTransfer({ nowMs, signer: testKeyPair('E2'), recipient: recipientA, text: 'soon' });
    const height = network.height() + 1n;
    liar.lies.inventTransfer(fake.bytes, height);
    assert.equal((await rest(liar.url, `/transactionStatus/${fake.hash}`)).status, 404);
    assert.equal((await search(liar, q)).data.length, 2);
    const block = network.produceBlock();
    const invented = (await search(liar, `${q}&order=desc`)).data[0];
    assert.deepEqual(
      [invented?.meta.hash, invented?.meta.height, invented?.meta.timestamp],
      [fake.hash, height.toString(), block.timestamp.toString()],
    );
    liar.lies.off('inventTransfer');
    assert.equal((await rest(liar.url, `/transactions/confirmed/${fake.hash}`)).status, 404);
  });

  test('search lies are checked when switched on', () => {
    assert.throws(() => liar.lies.inventTransfer(new Uint8Array([1, 2, 3]), 2n), RangeError);
    assert.throws(() => liar.lies.inventTransfer(toA[0]?.bytes ?? new Uint8Array(), 0n), RangeError);
    assert.throws(() => liar.lies.hideTransfers({ count: 0 }), RangeError);
    assert.throws(() => liar.lies.inflateTransferAmounts({ count: 1.5 }), RangeError);
    assert.deepEqual(liar.lies.active(), []);
  });
});
