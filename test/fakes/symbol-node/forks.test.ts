// Forks of the Symbol TEST DOUBLE's chain: only above finality, blocks replaced by others (new hashes), transactions
// re-included at another height (re-validated) or forgotten (404), ledger state rolled back, finality never ahead.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aliceAddress, announce, type BuiltTransaction, buildAggregate, nodeTime, rest } from './fixture.ts';
import { checkRestBlock, type RestBlock, type RestChainInfo, type RestStatus } from './rest-checks.ts';
import { type SymbolTestNetwork, startSymbolTestNetwork } from './symbol-test-network.ts';
import type { SymbolTestNodeOptions } from './symbol-test-node.ts';

async function startNetwork(
  t: { after: (fn: () => Promise<void>) => void },
  options: Omit<SymbolTestNodeOptions, 'port'> = {},
): Promise<SymbolTestNetwork> {
  const network = await startSymbolTestNetwork({
    nodes: 2,
    blockIntervalMs: 0,
    finalizationLagBlocks: 2,
    ...options,
  });
  t.after(() => network.close());
  return network;
}

function url(network: SymbolTestNetwork, index = 0): string {
  const node = network.nodes[index];
  assert.ok(node);
  return node.url;
}

/** Announces through the first front and harvests them into one block. */
async function confirm(network: SymbolTestNetwork, txs: readonly BuiltTransaction[]): Promise<bigint> {
  for (const tx of txs) assert.equal((await announce(url(network), tx)).status, 202);
  await network.whenIdle();
  const block = network.produceBlock();
  assert.equal(block.transactions.length, txs.length);
  return block.height;
}

const status = (network: SymbolTestNetwork, hash: string, index = 0) =>
  rest<RestStatus>(url(network, index), `/transactionStatus/${hash}`);

const message = (n: number): Uint8Array[] => [new Uint8Array([0xa7, 0xf0, n])];

test("fork 'reinclude': new blocks with other hashes, the transactions confirmed again at another height", async (t) => {
  const network = await startNetwork(t);
  const now = await nodeTime(url(network));
  const lower = buildAggregate({ nowMs: now, messages: message(1) });
  const upper = buildAggregate({ nowMs: now, messages: message(2) });
  const lowerHeight = await confirm(network, [lower]);
  const upperHeight = await confirm(network, [upper]);
  assert.deepEqual([lowerHeight, upperHeight], [2n, 3n]);
  assert.equal(network.finalizedHeight(), 1n);

  const fork = network.fork({ depth: 2, mode: 'reinclude' });
  assert.equal(fork.forkPoint, 1n);
  assert.deepEqual(
    fork.rolledBack.map((b) => b.height),
    [2n, 3n],
  );
  assert.deepEqual(fork.reincluded, [lower.hash, upper.hash]);
  assert.equal(fork.replacements.length, 3, 'default: depth + 1 replacement blocks');
  assert.equal(network.height(), 4n);
  for (const [i, old] of fork.rolledBack.entries()) {
    const now = (await rest<RestBlock>(url(network, 1), `/blocks/${old.height}`)).body;
    assert.notEqual(now.meta.hash, old.hash, `block ${old.height} was replaced`);
    assert.equal(now.meta.hash, fork.replacements[i]?.hash);
    assert.deepEqual(Object.values(checkRestBlock(now)).slice(1), [true, true]);
  }
  const firstNew = (await rest<RestBlock>(url(network), '/blocks/2')).body;
  assert.equal(firstNew.block.previousBlockHash, network.block(1)?.hash);

  for (const [tx, oldHeight] of [
    [lower, lowerHeight],
    [upper, upperHeight],
  ] as const) {
    const s = (await status(network, tx.hash, 1)).body;
    assert.equal(s.group, 'confirmed');
    assert.ok(BigInt(s.height) > oldHeight, `${tx.hash} moved from ${oldHeight} to ${s.height}`);
    const confirmed = await rest<{ meta: { height: string } }>(
      url(network),
      `/transactions/confirmed/${tx.hash}`,
    );
    assert.equal(confirmed.body.meta.height, s.height);
    // The block now at the old height does not hold it: REST answers 404 for its Merkle path there.
    assert.equal(
      (await rest(url(network), `/blocks/${oldHeight}/transactions/${tx.hash}/merkle`)).status,
      404,
    );
    assert.equal(
      (await rest(url(network), `/blocks/${s.height}/transactions/${tx.hash}/merkle`)).status,
      200,
    );
  }
  // A re-included transaction is still known: re-announcing it is a silent duplicate drop.
  await announce(url(network, 1), lower);
  await network.whenIdle();
  assert.equal(network.nodes[1]?.dropped().at(-1)?.reason, 'duplicate');
});

test("fork 'reinclude' without replacement blocks: unconfirmed again, heights above the fork point gone", async (t) => {
  const network = await startNetwork(t);
  const tx = buildAggregate({ nowMs: await nodeTime(url(network)), messages: message(3) });
  const height = await confirm(network, [tx]);
  network.produceBlock();
  const fork = network.fork({ depth: 2, mode: 'reinclude', replacementBlocks: 0 });
  assert.equal(fork.forkPoint, height - 1n);
  assert.equal(network.height(), fork.forkPoint);
  assert.deepEqual((await status(network, tx.hash)).body.group, 'unconfirmed');
  assert.equal((await rest(url(network), `/transactions/confirmed/${tx.hash}`)).status, 404);
  assert.equal((await rest(url(network), `/blocks/${height}`)).status, 404);
  assert.equal(
    (await rest<RestChainInfo>(url(network), '/chain/info')).body.height,
    fork.forkPoint.toString(),
  );
  // The next block (at the old height) leaves it out; the one after takes it.
  assert.equal(network.produceBlock().transactions.length, 0);
  assert.deepEqual(
    network.produceBlock().transactions.map((c) => c.hash),
    [tx.hash],
  );
});

test("fork 'drop': the transactions are forgotten (404) and can be announced anew", async (t) => {
  const network = await startNetwork(t);
  const tx = buildAggregate({ nowMs: await nodeTime(url(network)), messages: message(4) });
  const height = await confirm(network, [tx]);
  const fork = network.fork({ depth: 1, mode: 'drop' });
  assert.deepEqual(fork.dropped, [tx.hash]);
  assert.deepEqual(fork.reincluded, []);
  assert.equal(network.height(), height + 1n);
  for (const index of [0, 1]) {
    assert.equal((await status(network, tx.hash, index)).status, 404);
    assert.equal((await rest(url(network, index), `/transactions/confirmed/${tx.hash}`)).status, 404);
    assert.equal(
      (await rest(url(network, index), `/blocks/${height}/transactions/${tx.hash}/merkle`)).status,
      404,
    );
  }
  assert.notEqual(network.block(height)?.hash, fork.rolledBack[0]?.hash);
  assert.ok(network.nodes[0]?.dropped().some((d) => d.hash === tx.hash && d.reason === 'dropped-by-fork'));
  await announce(url(network), tx);
  await network.whenIdle();
  assert.equal((await status(network, tx.hash)).body.group, 'unconfirmed');
});

test('a fork at or below the finalized height is a RangeError; finality never passes a fork point early', async (t) => {
  const network = await startNetwork(t);
  for (let i = 0; i < 5; i++) network.produceBlock();
  assert.deepEqual([network.height(), network.finalizedHeight()], [6n, 4n]);
  assert.throws(() => network.fork({ depth: 3, mode: 'drop' }), RangeError);
  assert.throws(() => network.fork({ depth: 0, mode: 'drop' }), RangeError);
  assert.throws(() => network.fork({ depth: 1, mode: 'sideways' as 'drop' }), RangeError);
  assert.equal(network.height(), 6n, 'a refused fork changes nothing');

  const fork = network.fork({ depth: 2, mode: 'drop', replacementBlocks: 0 });
  assert.equal(fork.forkPoint, 4n);
  const finalizedHash = network.block(4)?.hash;
  for (let i = 0; i < 3; i++) {
    const info = (await rest<RestChainInfo>(url(network, 1), '/chain/info')).body;
    // Finality stays at the fork point until new blocks exist above it with the lag, and never goes back.
    assert.equal(info.latestFinalizedBlock.height, '4');
    assert.equal(info.latestFinalizedBlock.hash, finalizedHash);
    if (i < 2) network.produceBlock();
  }
  network.produceBlock(); // height 7: finality reaches 5, a block of the new fork
  const info = (await rest<RestChainInfo>(url(network), '/chain/info')).body;
  assert.equal(info.latestFinalizedBlock.height, '5');
  assert.equal(info.latestFinalizedBlock.hash, network.block(5)?.hash);
  assert.notEqual(info.latestFinalizedBlock.hash, fork.rolledBack[0]?.hash);
  assert.throws(() => network.fork({ depth: 3, mode: 'reinclude' }), /finalized height 5/);
});

test('a fork rolls account metadata and balances back, and re-inclusion applies them again', async (t) => {
  const address = aliceAddress.toString();
  const network = await startNetwork(t, { finalizationLagBlocks: 3, balances: { [address]: 10_000_000n } });
  const now = await nodeTime(url(network));
  const scopedKey = 0x5350_4b00_0000_0001n;
  const query = `/metadata?sourceAddress=${address}&targetAddress=${address}&scopedMetadataKey=${scopedKey.toString(16).toUpperCase()}&metadataType=0`;
  const readValue = async (): Promise<string | undefined> =>
    (await rest<{ data: { metadataEntry: { value: string } }[] }>(url(network, 1), query)).body.data[0]
      ?.metadataEntry.value;
  const first = new TextEncoder().encode('first value');
  const second = new TextEncoder().encode('second');
  const set = buildAggregate({ nowMs: now, metadata: [{ scopedKey, oldValue: undefined, newValue: first }] });
  const change = buildAggregate({ nowMs: now, metadata: [{ scopedKey, oldValue: first, newValue: second }] });
  const balance = (): bigint | undefined => network.nodes[0]?.balanceOf(address);

  const start = balance();
  await confirm(network, [set]);
  const afterSet = balance();
  await confirm(network, [change]);
  assert.equal(await readValue(), Buffer.from(second).toString('hex').toUpperCase());

  network.fork({ depth: 1, mode: 'drop', replacementBlocks: 0 });
  assert.equal(await readValue(), Buffer.from(first).toString('hex').toUpperCase());
  assert.equal(balance(), afterSet);

  network.fork({ depth: 1, mode: 'reinclude', replacementBlocks: 0 });
  assert.equal(await readValue(), undefined);
  assert.equal(balance(), start);

  // Re-included, the first update is validated against the rolled-back state and applies again.
  network.produceBlock();
  network.produceBlock();
  assert.equal((await status(network, set.hash)).body.group, 'confirmed');
  assert.equal(await readValue(), Buffer.from(first).toString('hex').toUpperCase());
  assert.equal(balance(), afterSet);
});

test('a re-included transaction whose deadline passed meanwhile fails when harvested again', async (t) => {
  let clockMs = Date.now();
  const network = await startNetwork(t, { clock: () => clockMs });
  const now = await nodeTime(url(network));
  const shortLived = buildAggregate({ nowMs: now, deadlineOffsetMs: 60_000n, messages: message(5) });
  const longLived = buildAggregate({ nowMs: now, messages: message(6) });
  await confirm(network, [shortLived, longLived]);
  clockMs += 120_000;
  const fork = network.fork({ depth: 1, mode: 'reinclude' });
  assert.deepEqual(fork.reincluded, [shortLived.hash, longLived.hash]);
  const failed = (await status(network, shortLived.hash)).body;
  assert.deepEqual([failed.group, failed.code], ['failed', 'Failure_Core_Past_Deadline']);
  assert.equal((await status(network, longLived.hash)).body.group, 'confirmed');
});

test('forks work while the block timer runs', async (t) => {
  const network = await startNetwork(t, { blockIntervalMs: 20, finalizationLagBlocks: 3 });
  const deadline = Date.now() + 5000;
  while (network.height() < 6n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  const fork = network.fork({ depth: 2, mode: 'reinclude' });
  const heights = fork.replacements.map((b) => b.height);
  assert.deepEqual(heights, [fork.forkPoint + 1n, fork.forkPoint + 2n, fork.forkPoint + 3n]);
  const info = (await rest<RestChainInfo>(url(network), '/chain/info')).body;
  const finalized = BigInt(info.latestFinalizedBlock.height);
  assert.equal(info.latestFinalizedBlock.hash, network.block(finalized)?.hash);
});
