// The node pool: a node that is down backs off alone, a refused answer is logged with the node, the check and both
// values and counted, finality is never believed lower, and a node on another network is never asked again.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createNodePool } from '../../src/anchor/symbol/node-pool.ts';
import { SymbolNodeError, type SymbolRestClient } from '../../src/anchor/symbol/rest-client.ts';
import { capturedLog } from '../support/captured-log.ts';

function fakeNode(url: string): SymbolRestClient {
  return { url } as unknown as SymbolRestClient;
}

function setup(quorum = 2) {
  const { log, lines } = capturedLog();
  let clock = 1_000_000;
  const rejected: string[] = [];
  const nodes = [fakeNode('http://a'), fakeNode('http://b'), fakeNode('http://c')];
  const pool = createNodePool({
    clients: nodes,
    quorum,
    now: () => clock,
    log,
    onRejected: (check) => rejected.push(check),
  });
  return {
    pool,
    nodes: nodes as [SymbolRestClient, SymbolRestClient, SymbolRestClient],
    lines,
    rejected,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

test('an unreachable node backs off alone (0.5 s doubling), logs once per outage, and comes back', async () => {
  const { pool, nodes, lines, advance } = setup();
  const down = () => Promise.reject(new SymbolNodeError('UNAVAILABLE', 'GET /chain/info: node unreachable'));
  assert.deepEqual(await pool.ask(nodes[0], down), { ok: false });
  assert.deepEqual(
    pool.usable().map((n) => n.url),
    ['http://b', 'http://c'],
  );
  advance(501);
  assert.equal(pool.usable().length, 3);
  await pool.ask(nodes[0], down);
  advance(501);
  assert.equal(pool.usable().length, 2, 'the second back-off is 1 s');
  advance(500);
  assert.equal(pool.usable().length, 3);
  assert.equal(lines.filter((l) => /unreachable/.test(String(l['msg']))).length, 1, 'one warning per outage');
  assert.equal(pool.health()[0]?.state, 'down');
  assert.deepEqual(await pool.ask(nodes[0], async () => 42), { ok: true, value: 42 });
  assert.equal(pool.health()[0]?.state, 'ok');
  assert.equal(lines.filter((l) => /reachable again/.test(String(l['msg']))).length, 1);
});

test('a refused answer names the node, the check and both values; the node is flagged until it answers well', () => {
  const { pool, nodes, lines, rejected } = setup();
  pool.reject(
    nodes[1],
    { check: 'merkle-path', expected: 'a path to ab', got: '3 steps leading elsewhere' },
    {
      txHash: 'ff',
    },
  );
  const line = lines.find((l) => l['check'] === 'merkle-path');
  assert.ok(line);
  assert.equal(line['node'], 'http://b');
  assert.equal(line['expected'], 'a path to ab');
  assert.equal(line['got'], '3 steps leading elsewhere');
  assert.equal(line['txHash'], 'ff');
  assert.deepEqual(rejected, ['merkle-path']);
  const health = pool.health()[1];
  assert.equal(health?.state, 'flagged');
  assert.equal(health?.answersRejected, 1);
  assert.match(health?.lastProblem ?? '', /merkle-path/);
  pool.believed(nodes[1]);
  assert.equal(pool.health()[1]?.state, 'ok');
  pool.reject(nodes[2], { check: 'disagreement', expected: 'block 5 aa', got: 'block 5 bb' }, {});
  assert.equal(pool.health()[2]?.disagreements, 1);
  assert.equal(pool.health()[2]?.answersRejected, 0);
});

test('finality never goes down: a lower report is refused and not believed', () => {
  const { pool, nodes, rejected } = setup();
  assert.equal(pool.finality(nodes[0], 100n, {}), true);
  assert.equal(pool.finality(nodes[0], 100n, {}), true);
  assert.equal(pool.finality(nodes[0], 99n, {}), false);
  assert.equal(pool.finalizedOf(nodes[0]), 100n);
  assert.deepEqual(rejected, ['finality-regressed']);
  assert.equal(pool.finality(nodes[0], 120n, {}), true);
  assert.equal(pool.finalizedOf(nodes[0]), 120n);
});

test('a malformed answer is refused as such; other errors propagate', async () => {
  const { pool, nodes, rejected } = setup();
  const r = await pool.ask(nodes[0], () =>
    Promise.reject(new SymbolNodeError('BAD_RESPONSE', 'block: missing meta.hash')),
  );
  assert.deepEqual(r, { ok: false });
  assert.deepEqual(rejected, ['malformed']);
  assert.equal(pool.usable().length, 3, 'a node that answers badly is not backed off: it answered');
  await assert.rejects(
    pool.ask(nodes[0], () => Promise.reject(new Error('bug'))),
    /bug/,
  );
});

test('a node on another network is excluded for good; quorum and size are checked', () => {
  const { pool, nodes } = setup();
  pool.exclude(nodes[2], 'on network X');
  assert.deepEqual(
    pool.usable().map((n) => n.url),
    ['http://a', 'http://b'],
  );
  assert.equal(pool.health()[2]?.state, 'flagged');
  assert.throws(() => setup(4), /quorum/);
  assert.throws(() => setup(0), /quorum/);
});
