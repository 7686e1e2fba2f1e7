// Nodes that lie, disagree or go away, end to end through `spark serve` (docs/anchoring.md §8, §11). Alone, a lying
// node gets no batch FINALIZED, and each refused answer is logged naming the node, the check and both values; with
// three nodes the two honest ones carry the anchoring and the liar is named in the log and in `spark status`.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Status } from '../../src/gen/spark/v1/bundle_pb.js';
import type { TransactionsHashLieVariant } from '../fakes/symbol-node/rest-lies.ts';
import type { SymbolTestNode } from '../fakes/symbol-node/symbol-test-node.ts';
import { runCli } from '../support/spawn-server.ts';
import {
  announcedTx,
  assertProvenAndVerified,
  type ChainScenario,
  logged,
  moreRounds,
  proof,
  startChainScenario,
  statusJson,
  submitImmediate,
  waitStatus,
} from './chain-support.ts';
import { waitFor } from './support.ts';

/** While the lie holds the leaf never gets CONFIRMED (nor FINALIZED), and the refusal is logged with `check`. */
async function refusedWhileLying(s: ChainScenario, node: SymbolTestNode, leaf: Uint8Array, check: string) {
  const tx = await announcedTx(s, leaf);
  const line = await waitFor(
    `a ${check} refusal`,
    () => logged(s, { check, node: node.url, txHash: tx })[0],
    15_000,
  );
  assert.ok(
    String(line['expected']).length > 0 && String(line['got']).length > 0,
    'both values are in the line',
  );
  assert.match(String(line['msg']), new RegExp(`\\(${check}\\)`));
  // More blocks, more rounds: still not believed.
  await moreRounds(s);
  const { status } = await proof(s.client, leaf);
  assert.equal(status, Status.ANNOUNCED, `${check}: the batch stays where it was`);
  return tx;
}

test('one node with a wrong Merkle path, then wrong transactionsHash three ways: nothing confirmed while it lies, everything finalized and verified after', async (t) => {
  const s = await startChainScenario(t, { lagBlocks: 2 });
  const node = s.net.nodes[0] as SymbolTestNode;
  s.pump.resume();
  const cases: Array<[string, () => void]> = [
    ['merkle-path', () => node.lies.wrongMerklePath()],
    ['block-hash', () => node.lies.wrongTransactionsHash({ variant: 'stale-hash' })],
    ['block-signature', () => node.lies.wrongTransactionsHash({ variant: 'rehash' })],
    [
      'merkle-path',
      () => node.lies.wrongTransactionsHash({ variant: 'resign' as TransactionsHashLieVariant }),
    ],
  ];
  for (const [check, lie] of cases) {
    lie();
    const leaf = await submitImmediate(s.client);
    await refusedWhileLying(s, node, leaf, check);
    node.lies.clear();
    await waitStatus(s.client, leaf, Status.FINALIZED, 20_000);
    await assertProvenAndVerified(s, leaf, node.url);
  }
  const metrics = await (await fetch(`http://127.0.0.1:${s.server.httpPort}/metrics`)).text();
  for (const check of ['merkle-path', 'block-hash', 'block-signature']) {
    assert.match(metrics, new RegExp(`spark_symbol_node_answers_rejected_total\\{check="${check}"\\} [1-9]`));
  }
});

test('a node that claims a block which lacks the transaction holds up that batch only; the others finalize meanwhile', async (t) => {
  const s = await startChainScenario(t, { lagBlocks: 2 });
  const node = s.net.nodes[0] as SymbolTestNode;
  const stuck = await submitImmediate(s.client);
  const tx = await announcedTx(s, stuck);
  node.lies.claimBlockLacksTransaction({ hash: tx.toUpperCase() });
  s.pump.resume();
  await waitFor('the refusal', () => logged(s, { check: 'transaction-in-block', txHash: tx })[0], 15_000);
  const started = Date.now();
  const others = [await submitImmediate(s.client), await submitImmediate(s.client)];
  for (const leaf of others) await waitStatus(s.client, leaf, Status.FINALIZED, 15_000);
  const took = Date.now() - started;
  t.diagnostic(`two other batches FINALIZED in ${took} ms while one answer kept being refused`);
  assert.ok(took < 10_000, `no stall: ${took} ms`);
  assert.equal((await proof(s.client, stuck)).status, Status.ANNOUNCED);
  node.lies.clear();
  await waitStatus(s.client, stuck, Status.FINALIZED, 20_000);
  await assertProvenAndVerified(s, stuck, node.url);
});

test('a node whose finality goes backwards is not believed: the finalized height never goes down', async (t) => {
  const s = await startChainScenario(t, { lagBlocks: 2 });
  const node = s.net.nodes[0] as SymbolTestNode;
  s.pump.resume();
  const first = await submitImmediate(s.client);
  await waitStatus(s.client, first, Status.FINALIZED, 20_000);
  s.pump.pause();
  const before = (await statusJson(s)).finalizedHeight;
  assert.ok(before > 0);
  node.lies.finalityBackwards(2);
  const line = await waitFor(
    'the refusal',
    () => logged(s, { check: 'finality-regressed', node: node.url })[0],
    10_000,
  );
  assert.match(String(line['msg']), /expected at least \d+, got \d+/);
  const seen: number[] = [];
  for (let i = 0; i < 5; i++) {
    seen.push((await statusJson(s)).finalizedHeight);
    await moreRounds(s, 1, 0n);
  }
  assert.ok(
    seen.every((h) => h >= before),
    `never lower than ${before}: ${seen.join(', ')}`,
  );
  const st = await statusJson(s);
  assert.equal(st.nodes[0]?.state, 'flagged');
  assert.match(st.nodes[0]?.lastProblem ?? '', /finality-regressed/);
  node.lies.clear();
  s.pump.resume();
  const second = await submitImmediate(s.client);
  await waitStatus(s.client, second, Status.FINALIZED, 20_000);
  const bundle = await assertProvenAndVerified(s, second, node.url);
  assert.ok((bundle.anchor?.finalizedHeight ?? 0n) >= (bundle.anchor?.height ?? 1n));
});

test('three nodes, one lying about Merkle paths: the two honest ones finalize; the liar is named in the log and in spark status', async (t) => {
  const s = await startChainScenario(t, { nodes: 3, lagBlocks: 2 });
  const [a, b, liar] = s.net.nodes as [SymbolTestNode, SymbolTestNode, SymbolTestNode];
  liar.lies.wrongMerklePath();
  s.pump.resume();
  const leaves = [await submitImmediate(s.client), await submitImmediate(s.client)];
  for (const leaf of leaves) await waitStatus(s.client, leaf, Status.FINALIZED, 20_000);
  const refusals = logged(s, { check: 'merkle-path', node: liar.url });
  assert.ok(refusals.length >= 1, 'the liar is named in the log');
  assert.equal(logged(s, { node: a.url, check: 'merkle-path' }).length, 0);
  const st = await statusJson(s);
  assert.equal(st.quorum, 2);
  const named = st.nodes.find((n) => n.url === liar.url);
  assert.equal(named?.state, 'flagged');
  assert.ok((named?.answersRejected ?? 0) >= 1);
  assert.match(named?.lastProblem ?? '', /merkle-path/);
  for (const honest of [a, b]) assert.equal(st.nodes.find((n) => n.url === honest.url)?.state, 'ok');
  const text = await runCli(['status', '--server', s.server.address]);
  assert.match(text.stdout, new RegExp(`flagged\\s+${liar.url.replace(/[.]/g, '\\.')}`));
  for (const leaf of leaves) await assertProvenAndVerified(s, leaf, a.url);
});

test('three nodes, one on another fork: the quorum finalizes, the odd one is reported, and verify --symbol over all three names it', async (t) => {
  const s = await startChainScenario(t, { nodes: 3, lagBlocks: 2 });
  const [a, b, other] = s.net.nodes as [SymbolTestNode, SymbolTestNode, SymbolTestNode];
  other.lies.disagreeFrom(s.net.height() + 1n);
  s.pump.resume();
  const leaf = await submitImmediate(s.client);
  await waitStatus(s.client, leaf, Status.FINALIZED, 20_000);
  const disagreement = logged(s, { check: 'disagreement', node: other.url });
  assert.ok(disagreement.length >= 1, 'the node on another fork is reported');
  const st = await statusJson(s);
  assert.ok((st.nodes.find((n) => n.url === other.url)?.disagreements ?? 0) >= 1);
  const bundle = await assertProvenAndVerified(s, leaf, `${a.url},${b.url}`);
  assert.ok(bundle.anchor);
  const out = `${s.dir}/all-three.spark`;
  const saved = await runCli([
    'prove',
    '--server',
    s.server.address,
    '--leaf',
    Buffer.from(leaf).toString('hex'),
    '--out',
    out,
  ]);
  assert.equal(saved.code, 0, saved.stderr);
  // The Verify RPC checks against the server's three nodes the same way.
  const rpc = await s.client.verify({ bundle: readFileSync(out), checkOnChain: true });
  assert.equal(rpc.valid, false);
  const agreement = rpc.checks.find((c) => c.name === 'chain-agreement');
  assert.equal(agreement?.ok, false);
  assert.ok(agreement?.detail.includes(other.url), agreement?.detail);
  const all = await runCli(['verify', out, '--symbol', `${a.url},${b.url},${other.url}`]);
  assert.equal(all.code, 1, all.stdout);
  assert.match(all.stdout, /FAIL chain-agreement\s+the nodes disagree/);
  assert.match(all.stdout, new RegExp(`FAIL chain-block\\s+\\[${other.url.replace(/[.]/g, '\\.')}\\]`));
});

test('two nodes that disagree about the block, quorum two: nothing is confirmed, and the log names both blocks', async (t) => {
  const s = await startChainScenario(t, { nodes: 2, lagBlocks: 2 });
  const [, other] = s.net.nodes as [SymbolTestNode, SymbolTestNode];
  other.lies.disagreeFrom(s.net.height() + 1n);
  s.pump.resume();
  const leaf = await submitImmediate(s.client);
  const tx = await announcedTx(s, leaf);
  const line = await waitFor('undecided', () => logged(s, { txHash: tx }, /^anchor undecided/)[0], 15_000);
  assert.match(
    String(line['reason']),
    new RegExp(`no block is agreed by 2 nodes.*${other.url.replace(/[.]/g, '\\.')}`),
  );
  await moreRounds(s);
  assert.equal((await proof(s.client, leaf)).status, Status.ANNOUNCED);
  other.lies.clear();
  await waitStatus(s.client, leaf, Status.FINALIZED, 20_000);
  await assertProvenAndVerified(s, leaf, other.url);
});

test('three nodes, one down: the other two carry on; the node is shown down, then ok once back', async (t) => {
  const s = await startChainScenario(t, { nodes: 3, lagBlocks: 2 });
  const [a, , gone] = s.net.nodes as [SymbolTestNode, SymbolTestNode, SymbolTestNode];
  await gone.faults.down();
  s.pump.resume();
  const leaf = await submitImmediate(s.client);
  await waitStatus(s.client, leaf, Status.FINALIZED, 20_000);
  assert.ok(
    logged(s, { node: gone.url }, /unreachable/).length >= 1,
    'the outage is logged, naming the node',
  );
  const st = await statusJson(s);
  assert.equal(st.nodes.find((n) => n.url === gone.url)?.state, 'down');
  await assertProvenAndVerified(s, leaf, a.url);
  await gone.faults.up();
  await waitFor(
    'back',
    async () => (await statusJson(s)).nodes.find((n) => n.url === gone.url)?.state === 'ok',
    15_000,
    200,
  );
});
