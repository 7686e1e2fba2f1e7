// The search route of the Symbol TEST DOUBLE (GET /transactions/confirmed): transfers from any account are
// confirmed and move currency balances; filters, order, pagination and 409s follow catapult-rest; items are the
// by-hash route's JSON; forks take transfers out of (and back into) the results, with their balances.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Address } from 'symbol-sdk/symbol';
import {
  aliceAddress,
  announce,
  type BuiltTransaction,
  bobAddress,
  buildAggregate,
  buildTransfer,
  nodeTime,
  rest,
  testKeyPair,
  testnet,
} from './fixture.ts';
import type { RestStatus } from './rest-checks.ts';
import { type SymbolTestNetwork, startSymbolTestNetwork } from './symbol-test-network.ts';
import { type SymbolTestNode, startSymbolTestNode } from './symbol-test-node.ts';

interface SearchItem {
  meta: { height: string; hash?: string; index: number; aggregateHash?: string };
  transaction: { type: number; recipientAddress?: string; mosaics?: { id: string; amount: string }[] };
  id: string;
}
interface SearchPage {
  data: SearchItem[];
  pagination: { pageNumber: number; pageSize: number };
}

const TRANSFER = 16724;
const AGGREGATE_COMPLETE = 16705;
const senders = ['C1', 'C2', 'C3'].map(testKeyPair);
const addressOf = (keyPair: (typeof senders)[number]): string =>
  testnet.network.publicKeyToAddress(keyPair.publicKey).toString();
const recipientA = bobAddress.toString();
const recipientB = addressOf(testKeyPair('D1'));
const recipientC = addressOf(testKeyPair('D2'));
const decoded = (base32: string): string =>
  Buffer.from(new Address(base32).bytes).toString('hex').toUpperCase();

const search = (node: SymbolTestNode, query: string) =>
  rest<SearchPage>(node.url, `/transactions/confirmed?${query}`);
const hashes = (page: SearchPage): (string | undefined)[] => page.data.map((item) => item.meta.hash);

/** Announces through `node` and harvests one block holding exactly `txs`. */
async function confirm(node: SymbolTestNode, txs: readonly BuiltTransaction[]): Promise<bigint> {
  for (const tx of txs) assert.equal((await announce(node.url, tx)).status, 202);
  await node.whenIdle();
  const block = node.produceBlock();
  assert.deepEqual(
    block.transactions.map((t) => t.hash),
    txs.map((t) => t.hash),
  );
  return block.height;
}

describe('GET /transactions/confirmed (search)', () => {
  let node: SymbolTestNode;
  let toA: BuiltTransaction[];
  let toB: BuiltTransaction;
  let aggregate: BuiltTransaction;
  let laterToA: BuiltTransaction;
  let toC: BuiltTransaction[];
  let h1: bigint;
  let h2: bigint;

  before(async () => {
    const balances = Object.fromEntries(
      [...senders.map(addressOf), aliceAddress.toString()].map((a) => [a, 100_000_000n]),
    );
    node = await startSymbolTestNode({ blockIntervalMs: 0, balances });
    const nowMs = await nodeTime(node.url);
    const [carol, dave, erin] = senders as [(typeof senders)[0], (typeof senders)[0], (typeof senders)[0]];
    toA = [
      buildTransfer({ nowMs, signer: carol, recipient: recipientA, amount: 1_000_000n, text: 'one' }),
      buildTransfer({ nowMs, signer: dave, recipient: recipientA, amount: 2_000_000n, text: 'two' }),
    ];
    toB = buildTransfer({ nowMs, signer: erin, recipient: recipientB, amount: 3_000_000n, text: 'three' });
    // Alice's aggregate embeds a transfer to herself (no mosaics).
    aggregate = buildAggregate({ nowMs, messages: [new Uint8Array([0, 0x61])] });
    h1 = await confirm(node, [...toA, toB, aggregate]);
    laterToA = buildTransfer({
      nowMs,
      signer: erin,
      recipient: recipientA,
      amount: 4_000_000n,
      text: 'four',
    });
    h2 = await confirm(node, [laterToA]);
    toC = Array.from({ length: 12 }, (_, i) =>
      buildTransfer({
        nowMs,
        signer: senders[i % 3] as (typeof senders)[0],
        recipient: recipientC,
        amount: BigInt(i + 1),
        text: `c${i}`,
      }),
    );
    await confirm(node, toC.slice(0, 5));
    await confirm(node, toC.slice(5));
  });
  after(() => node.close());

  test('recipientAddress: exactly the transfers to it, ascending by (height, index); items = by-hash JSON', async () => {
    const page = (await search(node, `recipientAddress=${recipientA}`)).body;
    assert.deepEqual(hashes(page), [...toA.map((t) => t.hash), laterToA.hash]);
    assert.deepEqual(page.pagination, { pageNumber: 1, pageSize: 10 });
    for (const item of page.data)
      assert.deepEqual(item, (await rest(node.url, `/transactions/confirmed/${item.meta.hash}`)).body);
    assert.deepEqual(hashes((await search(node, `recipientAddress=${recipientB}`)).body), [toB.hash]);
    assert.deepEqual((await search(node, `recipientAddress=${addressOf(testKeyPair('D9'))}`)).body.data, []);
    assert.equal(page.data[0]?.transaction.recipientAddress, decoded(recipientA));
  });

  test('order: asc by default (as catapult-rest), desc reverses', async () => {
    const asc = hashes((await search(node, `recipientAddress=${recipientA}&order=asc`)).body);
    const desc = hashes((await search(node, `recipientAddress=${recipientA}&order=desc`)).body);
    assert.deepEqual(desc, [...asc].reverse());
    assert.deepEqual(hashes((await search(node, `recipientAddress=${recipientA}`)).body), asc);
  });

  test('type (repeatable) filters by entity type; without filters everything top-level', async () => {
    const transfers = (await search(node, `type=${TRANSFER}&pageSize=100`)).body;
    assert.equal(transfers.data.length, 2 + 1 + 1 + 12);
    assert.ok(transfers.data.every((item) => item.transaction.type === TRANSFER));
    assert.deepEqual(hashes((await search(node, `type=${AGGREGATE_COMPLETE}`)).body), [aggregate.hash]);
    const both = (await search(node, `type=${TRANSFER}&type=${AGGREGATE_COMPLETE}&toHeight=${h1}`)).body;
    assert.deepEqual(
      hashes(both),
      [...toA, toB, aggregate].map((t) => t.hash),
    );
    assert.deepEqual(hashes((await search(node, `toHeight=${h1}`)).body), hashes(both));
    assert.deepEqual((await search(node, `type=16961`)).body.data, []);
  });

  test('fromHeight/toHeight are inclusive', async () => {
    const q = `recipientAddress=${recipientA}`;
    assert.deepEqual(hashes((await search(node, `${q}&fromHeight=${h2}`)).body), [laterToA.hash]);
    assert.deepEqual(
      hashes((await search(node, `${q}&toHeight=${h1}`)).body),
      toA.map((t) => t.hash),
    );
    assert.equal((await search(node, `${q}&fromHeight=${h1}&toHeight=${h2}`)).body.data.length, 3);
    assert.deepEqual((await search(node, `${q}&fromHeight=${h2}&toHeight=${h1}`)).body.data, []);
  });

  test('embedded=true adds embedded transactions in the by-hash route’s embedded shape', async () => {
    const q = `recipientAddress=${aliceAddress}`;
    assert.deepEqual((await search(node, q)).body.data, []);
    assert.deepEqual((await search(node, `${q}&embedded=false`)).body.data, []);
    const page = (await search(node, `${q}&embedded=true`)).body;
    const byHash = await rest<{ transaction: { transactions: unknown[] } }>(
      node.url,
      `/transactions/confirmed/${aggregate.hash}`,
    );
    assert.deepEqual(page.data, byHash.body.transaction.transactions);
    assert.equal(page.data[0]?.meta.aggregateHash, aggregate.hash);
    // Top-level ones come too: the aggregate, then its embedded transfer.
    const all = (await search(node, `embedded=true&toHeight=${h1}&fromHeight=${h1}`)).body.data;
    assert.deepEqual(
      all.map((i) => i.meta.hash ?? `in ${i.meta.aggregateHash}`),
      [...[...toA, toB, aggregate].map((t) => t.hash), `in ${aggregate.hash}`],
    );
  });

  test('pagination: 12 transfers at pageSize 10 make two pages; out-of-range sizes are clamped', async () => {
    const q = `recipientAddress=${recipientC}`;
    const first = (await search(node, `${q}&pageSize=10`)).body;
    const second = (await search(node, `${q}&pageSize=10&pageNumber=2`)).body;
    const third = (await search(node, `${q}&pageNumber=3`)).body;
    assert.deepEqual([first.data.length, second.data.length, third.data.length], [10, 2, 0]);
    assert.deepEqual(
      [...hashes(first), ...hashes(second)],
      toC.map((t) => t.hash),
    );
    assert.deepEqual(second.pagination, { pageNumber: 2, pageSize: 10 });
    const lastFirst = (await search(node, `${q}&order=desc`)).body;
    assert.deepEqual(
      hashes(lastFirst),
      toC
        .map((t) => t.hash)
        .reverse()
        .slice(0, 10),
    );
    // catapult-rest bounds pageSize to [10, 100]; 0 means the default; pageNumber 0 means 1.
    assert.equal((await search(node, `${q}&pageSize=5`)).body.pagination.pageSize, 10);
    assert.equal((await search(node, `pageSize=1000`)).body.pagination.pageSize, 100);
    assert.equal((await search(node, `${q}&pageSize=0`)).body.pagination.pageSize, 10);
    assert.deepEqual((await search(node, `${q}&pageNumber=0`)).body, first);
  });

  test('malformed or unsupported parameters: 409 InvalidArgument naming the parameter', async () => {
    const cases: [string, RegExp][] = [
      ['recipientAddress=nope', /^recipientAddress /],
      [`recipientAddress=${recipientA.slice(0, 38)}`, /^recipientAddress /],
      [`recipientAddress=${recipientA}&recipientAddress=${recipientB}`, /^recipientAddress /],
      ['type=transfer', /array type/],
      [`type=${TRANSFER}&type=-1`, /array type/],
      ['fromHeight=-1', /^fromHeight /],
      ['toHeight=1e3', /^toHeight /],
      ['fromHeight=18446744073709551616', /^fromHeight /],
      ['embedded=yes', /^embedded /],
      ['order=up', /^order /],
      ['pageSize=ten', /^pageSize /],
      ['pageNumber=-2', /^pageNumber /],
      [`signerPublicKey=${'00'.repeat(32)}`, /^signerPublicKey .*not supported/],
      ['address=x', /^address .*not supported/],
    ];
    for (const [query, message] of cases) {
      const answer = await rest<{ code: string; message: string }>(
        node.url,
        `/transactions/confirmed?${query}`,
      );
      assert.equal(answer.status, 409, query);
      assert.equal(answer.body.code, 'InvalidArgument', query);
      assert.match(answer.body.message, message, query);
    }
    // Empty values are skipped, as catapult-rest skips them.
    assert.equal((await search(node, 'recipientAddress=&type=&embedded=')).status, 200);
    const post = await rest(node.url, '/transactions/confirmed', { method: 'POST', body: '{}' });
    assert.equal(post.status, 405);
  });

  test('balances: senders pay fee and amount, recipients gain the amount (also via the symbol.xym alias)', async () => {
    assert.equal(node.balanceOf(recipientA), 1_000_000n + 2_000_000n + 4_000_000n);
    assert.equal(node.balanceOf(recipientB), 3_000_000n);
    const carol = addressOf(senders[0] as (typeof senders)[0]);
    const carolSent = [toA[0], ...toC.filter((_, i) => i % 3 === 0)] as BuiltTransaction[];
    const carolAmounts = 1_000_000n + [1n, 4n, 7n, 10n].reduce((a, b) => a + b, 0n);
    const fees = carolSent.reduce((sum, t) => sum + BigInt(t.size) * 100n, 0n);
    assert.equal(node.balanceOf(carol), 100_000_000n - carolAmounts - fees);
    const account = await rest<{ account: { mosaics: { id: string; amount: string }[] } }>(
      node.url,
      `/accounts/${recipientB}`,
    );
    assert.deepEqual(account.body.account.mosaics, [{ id: '72C0212E67A08BCE', amount: '3000000' }]);

    const nowMs = await nodeTime(node.url);
    const viaAlias = buildTransfer({
      nowMs,
      signer: testKeyPair('C2'),
      recipient: recipientB,
      amount: 5n,
      mosaicId: 0xe74b_99ba_41f4_afeen,
    });
    const otherMosaic = buildTransfer({
      nowMs,
      signer: testKeyPair('C2'),
      recipient: recipientB,
      mosaicId: 7n,
    });
    await confirm(node, [viaAlias, otherMosaic]);
    assert.equal(node.balanceOf(recipientB), 3_000_005n, 'only the currency (or its alias) moves balances');

    const tooMuch = buildTransfer({
      nowMs,
      signer: testKeyPair('C3'),
      recipient: recipientB,
      amount: 10n ** 9n,
    });
    const poor = buildTransfer({ nowMs, signer: testKeyPair('E1'), recipient: recipientB, amount: 1n });
    for (const tx of [tooMuch, poor]) {
      await announce(node.url, tx);
      await node.whenIdle();
      const status = (await rest<RestStatus>(node.url, `/transactionStatus/${tx.hash}`)).body;
      assert.deepEqual([status.group, status.code], ['failed', 'Failure_Core_Insufficient_Balance']);
    }
  });

  test('the route honours the front’s faults', async () => {
    node.faults.slow(60);
    const started = performance.now();
    assert.equal((await search(node, `recipientAddress=${recipientA}`)).status, 200);
    assert.ok(performance.now() - started >= 50);
    node.faults.slow(0);
    await node.faults.down();
    await assert.rejects(search(node, `recipientAddress=${recipientA}`));
    await node.faults.up();
    assert.equal((await search(node, `recipientAddress=${recipientA}`)).status, 200);
  });
});

describe('search across forks', () => {
  let network: SymbolTestNetwork;
  let front: SymbolTestNode;
  const carol = senders[0] as (typeof senders)[0];

  before(async () => {
    network = await startSymbolTestNetwork({
      nodes: 2,
      blockIntervalMs: 0,
      finalizationLagBlocks: 5,
      balances: { [addressOf(carol)]: 100_000_000n },
    });
    front = network.nodes[1] as SymbolTestNode;
  });
  after(() => network.close());

  test("fork 'drop': the transfer leaves the results and its amount goes back", async () => {
    const tx = buildTransfer({
      nowMs: await nodeTime(front.url),
      signer: carol,
      recipient: recipientB,
      text: 'drop',
    });
    const height = await confirm(network.nodes[0] as SymbolTestNode, [tx]);
    const q = `recipientAddress=${recipientB}`;
    assert.deepEqual(hashes((await search(front, q)).body), [tx.hash]);
    assert.equal(front.balanceOf(recipientB), 1_000_000n);
    const fork = network.fork({ depth: 1, mode: 'drop' });
    assert.deepEqual(fork.dropped, [tx.hash]);
    assert.deepEqual((await search(front, q)).body.data, []);
    assert.equal(front.balanceOf(recipientB), undefined, 'the account was never credited on this fork');
    assert.equal((await search(front, `fromHeight=${height}`)).body.data.length, 0);
  });

  test("fork 'reinclude': the transfer is gone until re-harvested, then found at its new height", async () => {
    const tx = buildTransfer({
      nowMs: await nodeTime(front.url),
      signer: carol,
      recipient: recipientC,
      text: 'again',
    });
    const height = await confirm(network.nodes[0] as SymbolTestNode, [tx]);
    const q = `recipientAddress=${recipientC}`;
    assert.deepEqual(
      (await search(front, q)).body.data.map((i) => i.meta.height),
      [height.toString()],
    );
    network.fork({ depth: 1, mode: 'reinclude', replacementBlocks: 0 });
    assert.deepEqual((await search(front, q)).body.data, []);
    assert.equal(front.balanceOf(recipientC), undefined);
    network.produceBlock(); // the old height again: not before it
    assert.deepEqual((await search(front, q)).body.data, []);
    network.produceBlock();
    const found = (await search(front, q)).body.data;
    assert.deepEqual(
      found.map((i) => [i.meta.hash, i.meta.height]),
      [[tx.hash, (height + 1n).toString()]],
    );
    assert.deepEqual(found[0], (await rest(front.url, `/transactions/confirmed/${tx.hash}`)).body);
    assert.equal(front.balanceOf(recipientC), 1_000_000n);
  });
});
