// Anchoring under injected Symbol faults: after recovery every batch is FINALIZED in exactly one confirmed anchor
// and no acknowledged leaf is lost (each proves FINALIZED and its bundle verifies offline down to the block). A node
// down for 30 s is in outage.itest.ts, on fake timers.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { Status } from '../../src/gen/spark/v1/bundle_pb.js';
import { type SymbolTestNode, startSymbolTestNode } from '../fakes/symbol-node/symbol-test-node.ts';
import { startServerProcess, tempDir } from '../support/spawn-server.ts';
import {
  assertAllFinalizedOnce,
  clientsFor,
  logsWith,
  moreTrackerRounds,
  names,
  type Processor,
  startTestApp,
  traceStatuses,
  waitFor,
} from './support.ts';

async function submitMany(client: Processor, n: number): Promise<Uint8Array[]> {
  const leaves: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const r = await client.submit({ payload: { case: 'digest', value: randomBytes(32) } });
    assert.ok(r.receipt, 'acknowledged');
    leaves.push(r.receipt.leafHash);
  }
  return leaves;
}

async function statusOf(client: Processor, leaf: Uint8Array): Promise<Status> {
  return (await client.prove({ leafHash: leaf })).status;
}

async function waitAllFinalized(client: Processor, leaves: readonly Uint8Array[], timeoutMs: number) {
  await waitFor(
    'every leaf FINALIZED',
    async () => {
      for (const l of leaves) if ((await statusOf(client, l)) !== Status.FINALIZED) return false;
      return true;
    },
    timeoutMs,
    250,
  );
}

/** A fresh test node and in-process sidecar, both closed (and the data dir removed) after the test. */
async function setup(
  t: { after: (fn: () => Promise<void> | void) => void },
  nodeOptions: Parameters<typeof startSymbolTestNode>[0],
  env: Record<string, string> = {},
) {
  const dir = tempDir('spark-faults-');
  const node = await startSymbolTestNode(nodeOptions);
  const started = await startTestApp(node, dir.path, env).catch(async (e: unknown) => {
    await node.close();
    dir.cleanup();
    throw e;
  });
  t.after(async () => {
    await started.app.close();
    await node.close();
    dir.cleanup();
  });
  return { node, ...started };
}

test('silent drop: the same payload is re-sent and confirmed', async (t) => {
  const { node, client, admin, logs } = await setup(
    t,
    { blockIntervalMs: 250, finalizationLagBlocks: 2 },
    { SYMBOL_RESEND_AFTER_MS: '500' },
  );
  node.faults.dropSilently(1);
  const leaves = await submitMany(client, 5);
  await admin.sealNow({});
  await waitAllFinalized(client, leaves, 30_000);
  const txs = await assertAllFinalizedOnce(client, node, leaves);
  assert.equal(txs.size, 1);
  const [tx] = [...txs];
  const drops = node.dropped().filter((d) => d.reason === 'dropped-by-fault');
  assert.equal(drops.length, 1, 'the node dropped one announcement');
  assert.equal(drops[0]?.hash?.toLowerCase(), tx, 'the dropped announcement is the one later confirmed');
  const sends = logsWith(logs, 'anchor announced').filter((l) => l['txHash'] === tx);
  assert.ok(sends.length >= 2, `announced ${sends.length} times`);
  assert.equal(node.confirmedTransactions().length, 1);
});

test('Failure_Core_Insufficient_Balance: FAILED, then a fresh transaction is FINALIZED; the failed one never confirms', async (t) => {
  const { node, client, admin, logs } = await setup(t, { blockIntervalMs: 250, finalizationLagBlocks: 2 });
  node.faults.rejectWith('Failure_Core_Insufficient_Balance');
  const leaves = await submitMany(client, 5);
  const trace = traceStatuses(client, leaves[0] as Uint8Array, 40_000);
  await admin.sealNow({});
  await trace.done;
  assert.equal(trace.statuses.at(-1), Status.FINALIZED, names(trace.statuses));
  const failedAt = trace.statuses.indexOf(Status.FAILED);
  assert.ok(failedAt >= 0, `FAILED was seen: ${names(trace.statuses)}`);
  assert.ok(trace.statuses.slice(failedAt).includes(Status.ANNOUNCED), 'announced again after the failure');
  const failed = logsWith(logs, /anchor failed/);
  assert.equal(failed.length, 1);
  assert.equal(failed[0]?.['code'], 'Failure_Core_Insufficient_Balance');
  const failedTx = String(failed[0]?.['txHash']);
  const res = await fetch(`${node.url}/transactionStatus/${failedTx}`);
  const status = (await res.json()) as { group?: string; code?: string };
  assert.equal(status.group, 'failed');
  assert.equal(status.code, 'Failure_Core_Insufficient_Balance');
  assert.ok(!node.confirmedTransactions().some((c) => c.hash.toLowerCase() === failedTx));
  const txs = await assertAllFinalizedOnce(client, node, leaves);
  assert.ok(!txs.has(failedTx), 'the bundle names the fresh transaction');
  assert.equal(node.confirmedTransactions().length, 1);
});

test('stalled finality: batches stay CONFIRMED while stalled, then reach FINALIZED', async (t) => {
  const { node, client, admin } = await setup(t, { blockIntervalMs: 250, finalizationLagBlocks: 2 });
  node.faults.stallFinality(true);
  const leaves = await submitMany(client, 5);
  const trace = traceStatuses(client, leaves[0] as Uint8Array, 40_000);
  await admin.sealNow({});
  const confirmedHeight = await waitFor(
    'CONFIRMED',
    async () => {
      const p = await client.prove({ leafHash: leaves[0] as Uint8Array });
      return p.status === Status.CONFIRMED ? p.bundle?.anchor?.height : undefined;
    },
    20_000,
  );
  // Well past the finalization lag: still not final.
  await waitFor('blocks past the lag', () => node.height() >= confirmedHeight + 6n, 20_000);
  // A few tracker rounds on the newer chain info (each reads /chain/info once).
  await moreTrackerRounds([node], 5);
  for (const l of leaves) assert.equal(await statusOf(client, l), Status.CONFIRMED);
  assert.ok(!trace.statuses.includes(Status.FINALIZED));
  node.faults.stallFinality(false);
  await trace.done;
  assert.equal(trace.statuses.at(-1), Status.FINALIZED, names(trace.statuses));
  await waitAllFinalized(client, leaves, 20_000);
  await assertAllFinalizedOnce(client, node, leaves);
});

test('expired announcement: deadline passes, the tx is not on chain, a fresh transaction is FINALIZED once', async (t) => {
  const { node, client, admin, logs } = await setup(
    t,
    { blockIntervalMs: 250, finalizationLagBlocks: 2 },
    { SYMBOL_DEADLINE_SECONDS: '10', SYMBOL_RESEND_AFTER_MS: '500' },
  );
  node.faults.dropSilently(100_000);
  const leaves = await submitMany(client, 5);
  const trace = traceStatuses(client, leaves[0] as Uint8Array, 60_000);
  await admin.sealNow({});
  await waitFor(
    'expiry (ANNOUNCED → SEALED)',
    () => {
      const a = trace.statuses.indexOf(Status.ANNOUNCED);
      return a >= 0 && trace.statuses.slice(a).includes(Status.SEALED);
    },
    30_000,
  );
  await node.faults.clear();
  await trace.done;
  assert.equal(trace.statuses.at(-1), Status.FINALIZED, names(trace.statuses));
  const expired = logsWith(logs, /anchor expired/);
  assert.equal(expired.length, 1);
  assert.equal(expired[0]?.['code'], 'DEADLINE_EXPIRED_NOT_ON_CHAIN');
  const expiredTx = String(expired[0]?.['txHash']);
  assert.ok(
    node.dropped().filter((d) => d.hash?.toLowerCase() === expiredTx).length >= 2,
    'the expired announcement was re-sent (and dropped) before its deadline',
  );
  assert.ok(!node.confirmedTransactions().some((c) => c.hash.toLowerCase() === expiredTx));
  const txs = await assertAllFinalizedOnce(client, node, leaves);
  assert.ok(!txs.has(expiredTx));
  assert.equal(node.confirmedTransactions().length, 1);
});

test('kill -9 between announce and confirm: the restarted sidecar tracks the same transaction to FINALIZED', async (t) => {
  const dir = tempDir('spark-kill9-');
  let node: SymbolTestNode | undefined;
  const servers: Array<{ kill(): Promise<void>; stop(): Promise<unknown> }> = [];
  t.after(async () => {
    for (const s of servers) await s.kill();
    await node?.close();
    dir.cleanup();
  });
  node = await startSymbolTestNode({ blockIntervalMs: 0, finalizationLagBlocks: 2 });
  const n = node;
  const env = {
    SYMBOL_NODE_URL: n.url,
    SYMBOL_POLL_INTERVAL_MS: '100',
    PQC_AGGREGATION_THRESHOLD: '1000',
    PQC_AGGREGATION_TIMEOUT: '3600',
  };
  const first = await startServerProcess({ dataDir: dir.path, env });
  servers.push(first);
  const c1 = clientsFor(first.port);
  const leaves = await submitMany(c1.client, 5);
  await c1.admin.sealNow({});
  await waitFor(
    'ANNOUNCED',
    async () => (await statusOf(c1.client, leaves[0] as Uint8Array)) === Status.ANNOUNCED,
    20_000,
  );
  const txHash = await waitFor(
    'the announcement log line',
    () => {
      for (const line of first.logs) {
        try {
          const j = JSON.parse(line) as { msg?: string; txHash?: string };
          if (j.msg === 'anchor announced' && j.txHash) return j.txHash;
        } catch {
          // not JSON
        }
      }
      return undefined;
    },
    10_000,
  );
  await waitFor('the node holds the announcement', () => n.payloadOf(txHash) !== undefined, 10_000);
  await first.kill();
  assert.equal(first.child.signalCode, 'SIGKILL');
  n.produceBlock(); // confirmed while the sidecar is dead
  assert.equal(n.confirmedTransactions().length, 1);

  const second = await startServerProcess({ dataDir: dir.path, env });
  servers.push(second);
  const c2 = clientsFor(second.port);
  for (let i = 0; i < 40; i++) {
    if ((await statusOf(c2.client, leaves[0] as Uint8Array)) === Status.FINALIZED) break;
    n.produceBlock();
    await new Promise((r) => setTimeout(r, 300));
  }
  await waitAllFinalized(c2.client, leaves, 10_000);
  const txs = await assertAllFinalizedOnce(c2.client, n, leaves);
  assert.deepEqual([...txs], [txHash], 'the transaction announced before the crash is the anchor');
  assert.equal(n.confirmedTransactions().length, 1, 'no second transaction after the restart');
  assert.equal(
    second.logs.filter((l) => l.includes('"anchor announced"')).length,
    0,
    'nothing re-announced after the restart',
  );
  await second.stop();
});
