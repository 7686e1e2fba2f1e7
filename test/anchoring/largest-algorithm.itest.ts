// The largest signatures through the anchor tracker: a backlog of SLH-DSA-SHA2-128f batches (18 messages each)
// is anchored in aggregates that never exceed Symbol's 100 embedded transactions, each batch finalized once.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { MAX_EMBEDDED_TRANSACTIONS } from '../../src/anchor/transaction-builder.ts';
import { Status } from '../../src/gen/spark/v1/bundle_pb.js';
import { parseAggregate } from '../../src/proof/anchor/aggregate-layout.ts';
import { type AlgorithmSpec, allAlgorithms } from '../../src/proof/crypto/algorithms.ts';
import { startSymbolTestNode } from '../fakes/symbol-node/symbol-test-node.ts';
import { tempDir } from '../support/spawn-server.ts';
import { assertAllFinalizedOnce, startTestApp, waitFor } from './support.ts';

const largest = allAlgorithms().reduce((a: AlgorithmSpec, b) =>
  b.signatureLength > a.signatureLength ? b : a,
);

test(`${largest.name}: 12 batches sealed while the node is away share aggregates of at most 100 embedded transactions`, async (t) => {
  const dir = tempDir('spark-largest-');
  const node = await startSymbolTestNode({ blockIntervalMs: 250, finalizationLagBlocks: 2 });
  const { app, client, admin } = await startTestApp(node, dir.path, {
    PQC_ALGORITHM: largest.name,
    SPARK_ANCHOR_BATCHES_PER_TX: '20',
  }).catch(async (e: unknown) => {
    await node.close();
    dir.cleanup();
    throw e;
  });
  t.after(async () => {
    await app.close();
    await node.close();
    dir.cleanup();
  });
  // A backlog: with the node away the tracker queues every batch, then offers them all in one round.
  await node.faults.down();
  const leaves: Uint8Array[] = [];
  for (let i = 0; i < 12; i++) {
    const r = await client.submit({ payload: { case: 'digest', value: randomBytes(32) } });
    assert.ok(r.receipt);
    leaves.push(r.receipt.leafHash);
    await admin.sealNow({});
  }
  await node.faults.up();
  await waitFor(
    'every leaf FINALIZED',
    async () => {
      for (const leaf of leaves) {
        if ((await client.prove({ leafHash: leaf })).status !== Status.FINALIZED) return false;
      }
      return true;
    },
    60_000,
    250,
  );
  const txs = await assertAllFinalizedOnce(client, node, leaves);
  const embedded = node.confirmedTransactions().map((tx) => {
    const parsed = parseAggregate(tx.payload);
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.reason);
    return parsed.value.embedded.length;
  });
  for (const n of embedded) assert.ok(n <= MAX_EMBEDDED_TRANSACTIONS, `${n} embedded transactions`);
  // 12 batches of 18 messages need at least ⌈216 / 100⌉ aggregates, and some aggregate carries several batches.
  assert.ok(txs.size >= 3 && txs.size < 12, `${txs.size} anchor transactions for 12 batches`);
  t.diagnostic(`${txs.size} anchors; embedded transactions per aggregate: ${embedded.join(', ')}`);
});
