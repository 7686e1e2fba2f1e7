// Forks above finality, end to end through `spark serve` (docs/anchoring.md §8): an anchor re-included at another
// height gets its evidence replaced and is re-issued with the new height; one that vanished is announced again with
// the same bytes, or, past its deadline, replaced by a fresh transaction that carries its key history and publication
// record again. Each batch ends in exactly one anchor on the chain and no FINALIZED bundle fails verification.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Status } from '../../src/gen/spark/v1/bundle_pb.js';
import type { SymbolTestNode } from '../fakes/symbol-node/symbol-test-node.ts';
import {
  announcedTx,
  assertProvenAndVerified,
  logged,
  startChainScenario,
  statusJson,
  submitImmediate,
  waitStatus,
} from './chain-support.ts';
import { confirmedAnchorsByHeader, hex, traceStatuses, waitFor } from './support.ts';

test('fork with re-inclusion: the anchor moves to a new height, the move is logged and shown, the bundle is re-issued and verifies against the node', async (t) => {
  const s = await startChainScenario(t, { lagBlocks: 4 });
  const leaf = await submitImmediate(s.client);
  const trace = traceStatuses(s.client, leaf, 60_000);
  const tx = await announcedTx(s, leaf);
  await s.net.nodes[0]?.whenIdle();
  // One block takes the anchor; finality (lag 4) stays below it.
  const first = s.net.produceBlock().height;
  const confirmed = await waitStatus(s.client, leaf, Status.CONFIRMED);
  assert.equal(confirmed.anchor?.height, first);
  const fork = s.net.fork({ depth: 1, mode: 'reinclude' });
  assert.deepEqual(fork.reincluded, [tx.toUpperCase()]);
  s.pump.resume();
  const final = await waitStatus(s.client, leaf, Status.FINALIZED, 30_000);
  const moved = final.anchor?.height;
  assert.ok(
    moved !== undefined && moved !== first,
    `re-included at another height (was ${first}, now ${moved})`,
  );
  assert.equal(hex(final.anchor?.transactionHash ?? new Uint8Array()), tx, 'the same transaction');
  const lines = logged(s, { txHash: tx }, new RegExp(`^reorganized: height ${first} → `));
  assert.ok(lines.length >= 1, 'the move is logged');
  assert.equal(lines[0]?.['level'], 40, 'as a warning');
  const status = await statusJson(s);
  assert.ok(
    status.reorganizations.some((r) => r.fromHeight === Number(first) && r.transactionHash === tx),
    `spark status lists the move: ${JSON.stringify(status.reorganizations)}`,
  );
  const written = await assertProvenAndVerified(s, leaf, s.net.nodes[0]?.url ?? '');
  assert.equal(written.anchor?.height, moved, 'spark prove --wait wrote the bundle of the new block');
  await trace.done;
  assert.equal(trace.statuses.at(-1), Status.FINALIZED);
  assert.equal(trace.statuses.filter((x) => x === Status.FINALIZED).length, 1);
  const carriers = confirmedAnchorsByHeader(s.net.nodes[0] as SymbolTestNode).get(hex(final.header));
  assert.deepEqual(carriers, [tx], 'exactly one anchor of the batch on the chain');
});

test('fork that drops the anchor: the same signed bytes are announced again and finalize; the key history travels with them', async (t) => {
  const s = await startChainScenario(t, { lagBlocks: 4 });
  const leaf = await submitImmediate(s.client);
  const tx = await announcedTx(s, leaf);
  await s.net.nodes[0]?.whenIdle();
  const first = s.net.produceBlock().height;
  await waitStatus(s.client, leaf, Status.CONFIRMED);
  const fork = s.net.fork({ depth: 1, mode: 'drop' });
  assert.deepEqual(fork.dropped, [tx.toUpperCase()]);
  await waitFor(
    'announced again',
    () => logged(s, { txHash: tx }, /reorganized: height \d+ → gone/).length > 0,
    10_000,
  );
  s.pump.resume();
  const final = await waitStatus(s.client, leaf, Status.FINALIZED, 30_000);
  assert.equal(
    hex(final.anchor?.transactionHash ?? new Uint8Array()),
    tx,
    'the same bytes, so the same transaction',
  );
  assert.notEqual(final.anchor?.height, first);
  const sends = logged(s, { txHash: tx }, /^anchor announced$/).map((l) => l['sends']);
  assert.ok(sends.includes(2), `sent again after it vanished: ${JSON.stringify(sends)}`);
  // --symbol includes chain-key-history: the key's metadata entry, carried by this first anchor, is on chain.
  await assertProvenAndVerified(s, leaf, s.net.nodes[0]?.url ?? '');
  assert.deepEqual(confirmedAnchorsByHeader(s.net.nodes[0] as SymbolTestNode).get(hex(final.header)), [tx]);
});

test('fork that drops the anchor after its deadline: a fresh transaction carries the key history and the publication record again', async (t) => {
  const s = await startChainScenario(t, { lagBlocks: 4, env: { SYMBOL_DEADLINE_SECONDS: '10' } });
  const leaf = await submitImmediate(s.client);
  const tx = await announcedTx(s, leaf);
  await s.net.nodes[0]?.whenIdle();
  s.net.produceBlock();
  await waitStatus(s.client, leaf, Status.CONFIRMED);
  // The chain moves on past the deadline while the block holding the anchor is orphaned.
  s.shiftClock(11_000);
  s.net.fork({ depth: 1, mode: 'drop' });
  await waitFor('released', () => logged(s, { txHash: tx }, /^anchor expired/).length > 0, 10_000);
  s.pump.resume();
  const final = await waitStatus(s.client, leaf, Status.FINALIZED, 30_000);
  const fresh = hex(final.anchor?.transactionHash ?? new Uint8Array());
  assert.notEqual(fresh, tx, 'a fresh transaction');
  assert.ok(final.publication?.ipfsCid, 'the immediate anchor names the sealed bundle again');
  // Offline: the publication is bound to the fresh anchor's record; online: the key history is on chain.
  await assertProvenAndVerified(s, leaf, s.net.nodes[0]?.url ?? '');
  const carriers = confirmedAnchorsByHeader(s.net.nodes[0] as SymbolTestNode).get(hex(final.header));
  assert.deepEqual(carriers, [fresh], 'exactly one anchor of the batch on the chain');
  const status = await statusJson(s);
  assert.ok(status.reorganizations.some((r) => r.transactionHash === tx && r.toHeight === null));
});
