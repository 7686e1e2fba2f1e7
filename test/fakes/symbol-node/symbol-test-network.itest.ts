// The Symbol TEST DOUBLE as a network: several REST fronts over one chain (one block timer) agree on every answer,
// share announcements and duplicates, close alone or together, and serve headers that hash and verify as catapult's.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { announce, buildAggregate, nodeTime, rest } from './fixture.ts';
import { checkRestBlock, type RestBlock } from './rest-checks.ts';
import { startSymbolTestNetwork } from './symbol-test-network.ts';
import { startSymbolTestNode } from './symbol-test-node.ts';

const HARVESTER_PUBLIC_KEY_LENGTH = 64;

test('three fronts over one chain answer alike; an announcement to any front reaches the chain', async (t) => {
  const network = await startSymbolTestNetwork({ nodes: 3, blockIntervalMs: 0, finalizationLagBlocks: 1 });
  t.after(() => network.close());
  const [a, b, c] = network.nodes;
  assert.ok(a && b && c);
  assert.equal(new Set(network.nodes.map((n) => n.port)).size, 3);
  for (const node of network.nodes) assert.match(node.url, /^http:\/\/127\.0\.0\.1:\d+$/);

  const now = await nodeTime(a.url);
  const first = buildAggregate({ nowMs: now, messages: [new Uint8Array([0xa7, 0x01])] });
  const second = buildAggregate({ nowMs: now, messages: [new Uint8Array([0xa7, 0x02])] });
  assert.equal((await announce(b.url, first)).status, 202);
  assert.equal((await announce(c.url, second)).status, 202);
  await network.whenIdle();
  for (const node of network.nodes)
    assert.equal((await rest(node.url, `/transactionStatus/${second.hash}`)).body['group'], 'unconfirmed');

  // Re-announcing a hash the chain knows, to another front, is still a silent duplicate drop.
  await announce(a.url, first);
  await network.whenIdle();
  assert.match(a.dropped().at(-1)?.detail ?? '', /Failure_Hash_Already_Exists \(already unconfirmed\)/);

  const block = network.produceBlock();
  assert.equal(block.transactions.length, 2);
  assert.equal(network.height(), block.height);
  for (const node of network.nodes) assert.equal(node.height(), block.height);
  const answers = await Promise.all(
    network.nodes.map(async (node) => [
      (await rest(node.url, `/blocks/${block.height}`)).body,
      (await rest(node.url, `/transactions/confirmed/${first.hash}`)).body,
      (await rest(node.url, '/chain/info')).body,
    ]),
  );
  assert.deepEqual(answers[1], answers[0]);
  assert.deepEqual(answers[2], answers[0]);
});

test('an honest front serves headers that rebuild to meta.hash and verify; size counts the transactions', async (t) => {
  const network = await startSymbolTestNetwork({ nodes: 2, blockIntervalMs: 0 });
  t.after(() => network.close());
  const [node] = network.nodes;
  assert.ok(node);
  const now = await nodeTime(node.url);
  const txs = [1, 2, 3].map((i) =>
    buildAggregate({ nowMs: now, messages: [new Uint8Array([0xa7, 0x10, i])] }),
  );
  for (const tx of txs) await announce(node.url, tx);
  await network.whenIdle();
  network.produceBlock();
  network.produceBlock();
  for (let height = 1n; height <= network.height(); height++) {
    for (const front of network.nodes) {
      const json = (await rest<RestBlock>(front.url, `/blocks/${height}`)).body;
      const check = checkRestBlock(json);
      assert.deepEqual([check.hashMatches, check.signatureVerifies], [true, true], `block ${height}`);
      assert.equal(json.block.signerPublicKey.length, HARVESTER_PUBLIC_KEY_LENGTH);
      assert.deepEqual(
        [json.block.proofGamma, json.block.proofVerificationHash, json.block.proofScalar],
        ['0'.repeat(64), '0'.repeat(32), '0'.repeat(64)],
      );
    }
  }
  // catapult's block size is the header (376) plus every transaction padded to 8 bytes.
  const withTxs = (await rest<RestBlock>(node.url, '/blocks/2')).body;
  assert.equal(withTxs.block.size, 376 + txs.reduce((n, tx) => n + Math.ceil(tx.size / 8) * 8, 0));
  assert.equal((await rest<RestBlock>(node.url, '/blocks/3')).body.block.size, 376);
});

test('one block timer per chain, not per front', async (t) => {
  const intervalMs = 50;
  const network = await startSymbolTestNetwork({ nodes: 3, blockIntervalMs: intervalMs });
  t.after(() => network.close());
  const started = performance.now();
  const from = network.height();
  await new Promise((resolve) => setTimeout(resolve, 500));
  const elapsed = performance.now() - started;
  const produced = Number(network.height() - from);
  assert.ok(produced >= 1, 'the timer harvests');
  // Three timers would harvest about three times as many blocks as the elapsed time allows one timer.
  assert.ok(produced <= Math.ceil(elapsed / intervalMs) + 1, `${produced} blocks in ${elapsed} ms`);
});

test('a front closes alone: the others and the chain go on; close() stops everything', async (t) => {
  const network = await startSymbolTestNetwork({ nodes: 3, blockIntervalMs: 0 });
  t.after(() => network.close());
  const [a, b, c] = network.nodes;
  assert.ok(a && b && c);
  await b.close();
  const refused = await rest(b.url, '/chain/info').then(
    () => 'answered',
    (error: Error) => (error.cause as { code?: string } | undefined)?.code,
  );
  assert.equal(refused, 'ECONNREFUSED');
  network.produceBlock();
  assert.equal((await rest(a.url, '/chain/info')).body['height'], '2');
  assert.equal((await rest(c.url, '/chain/info')).body['height'], '2');
  // A front that is down is only that front.
  await a.faults.down();
  assert.equal((await rest(c.url, '/blocks/2')).status, 200);
  await network.close();
  for (const node of [a, c])
    await assert.rejects(rest(node.url, '/chain/info'), (error: Error) => error.name === 'TypeError');
  await network.close();
});

test('network options are checked together', async () => {
  await assert.rejects(
    startSymbolTestNetwork({ nodes: 0, ports: [70_000], blockIntervalMs: -1 }),
    /invalid Symbol test network options: nodes.*ports must name one port per node.*ports\[0\].*blockIntervalMs/,
  );
});

test('a lone node still works as before and forks its own chain', async (t) => {
  const node = await startSymbolTestNode({ blockIntervalMs: 0, finalizationLagBlocks: 1 });
  t.after(() => node.close());
  node.produceBlock();
  node.produceBlock();
  const result = node.fork({ depth: 1, mode: 'drop', replacementBlocks: 1 });
  assert.equal(result.forkPoint, 2n);
  assert.equal(node.height(), 3n);
  assert.notEqual(node.block(3)?.hash, result.rolledBack[0]?.hash);
  assert.deepEqual(node.forks(), [result]);
});
