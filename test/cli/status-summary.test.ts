// The summary behind `spark status` (SparkProcessor.GetStatus): each batch counted once under its anchoring status
// (SEALED when anchoring is off or the batch has no anchoring state yet), leaves by batch size, pending from the
// store's counter; it reads one record per batch and never a leaf or a tree node.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AnchorStatus, BatchAnchor } from '../../src/anchor/anchor-state.ts';
import type { AnchorTracker } from '../../src/anchor/symbol/anchor-tracker.ts';
import { Status } from '../../src/gen/spark/v1/bundle_pb.js';
import { statusSummary } from '../../src/service/status-summary.ts';
import type { BatchRecord, Store } from '../../src/store/store.ts';
import { testBatchRecord } from '../support/batch-record.ts';

/** A store of `sizes.length` batches (undefined: a sequence with no record) that counts the reads it gets. */
function storeOf(pending: number, sizes: readonly (number | undefined)[]): { store: Store; reads: string[] } {
  const reads: string[] = [];
  const record = (sequence: bigint): BatchRecord | undefined => {
    const treeSize = sizes[Number(sequence)];
    return treeSize === undefined ? undefined : testBatchRecord(sequence, treeSize);
  };
  const store = {
    pendingCount: () => pending,
    head: () => (sizes.length === 0 ? undefined : record(BigInt(sizes.length - 1))),
    getBatch: (sequence: bigint) => {
      reads.push(`batch ${sequence}`);
      return record(sequence);
    },
    readNode: () => {
      reads.push('node');
      return new Uint8Array(32);
    },
  };
  return { store: store as unknown as Store, reads };
}

function trackerOf(
  statuses: readonly (AnchorStatus | undefined)[],
  history: ReadonlyMap<number, BatchAnchor['history']> = new Map(),
  checkpoints: readonly BatchAnchor[] = [],
): AnchorTracker {
  return {
    state: (sequence: bigint) => {
      const status = statuses[Number(sequence)];
      return status === undefined
        ? undefined
        : ({ sequence, status, history: history.get(Number(sequence)) ?? [] } as unknown as BatchAnchor);
    },
    checkpointStates: () => checkpoints,
    nodes: () => [
      {
        url: 'http://a',
        state: 'ok',
        lastProblem: '',
        answersRejected: 0,
        disagreements: 0,
        finalizedHeight: 40n,
        lastAnswerAtMs: 1,
      },
      {
        url: 'http://b',
        state: 'flagged',
        lastProblem: 'answer refused (merkle-path)',
        answersRejected: 3,
        disagreements: 1,
        finalizedHeight: 39n,
        lastAnswerAtMs: 2,
      },
    ],
    finalizedHeight: () => 40n,
    quorum: 2,
  } as unknown as AnchorTracker;
}

const rows = (r: ReturnType<typeof statusSummary>): string[] =>
  r.counts.map((c) => `${Status[c.status]} ${c.batches} ${c.leaves}`);

test('status summary: batches by anchoring status, leaves by batch size, one record read per batch', () => {
  const { store, reads } = storeOf(7, [4, 1_000_000, 2, 3, 5, undefined, 6, 9]);
  const tracker = trackerOf([
    'FINALIZED',
    'FINALIZED',
    'CONFIRMED',
    'ANNOUNCED',
    'FAILED',
    undefined,
    'SEALED',
    undefined,
  ]);
  const r = statusSummary(store, tracker, () => 1234);
  assert.deepEqual(rows(r), [
    'PENDING 0 7',
    'SEALED 2 15',
    'ANNOUNCED 1 3',
    'CONFIRMED 1 2',
    'FINALIZED 2 1000004',
    'FAILED 1 5',
  ]);
  assert.equal(r.anchoringEnabled, true);
  assert.equal(r.atMs, 1234n);
  assert.deepEqual(
    reads,
    Array.from({ length: 8 }, (_, i) => `batch ${i}`),
    'each batch record once, no tree node, however large the batch',
  );
});

test('status summary without anchoring: every batch is SEALED; an empty log counts only pending', () => {
  const { store } = storeOf(0, [3, 4]);
  const r = statusSummary(store, undefined, () => 0);
  assert.equal(r.anchoringEnabled, false);
  assert.deepEqual(rows(r), [
    'PENDING 0 0',
    'SEALED 2 7',
    'ANNOUNCED 0 0',
    'CONFIRMED 0 0',
    'FINALIZED 0 0',
    'FAILED 0 0',
  ]);
  assert.deepEqual(rows(statusSummary(storeOf(2, []).store, trackerOf([]), () => 0)).slice(0, 2), [
    'PENDING 0 2',
    'SEALED 0 0',
  ]);
});

test('status summary: the nodes, the quorum, the finalized height, and reorganizations newest first', () => {
  const { store } = storeOf(0, [1, 1, 1]);
  const tx = new Uint8Array(32).fill(7);
  const move = (fromHeight: bigint, toHeight: bigint | undefined, atMs: number) => ({
    txHash: tx,
    fromHeight,
    toHeight,
    atMs,
  });
  const tracker = trackerOf(
    ['FINALIZED', 'CONFIRMED', 'ANNOUNCED'],
    new Map([
      [1, [move(10n, 12n, 100)]],
      [2, [move(11n, undefined, 300)]],
    ]),
    [{ sequence: 3n, status: 'CONFIRMED', history: [move(20n, 21n, 200)] } as unknown as BatchAnchor],
  );
  const r = statusSummary(store, tracker, () => 0);
  assert.equal(r.symbolQuorum, 2);
  assert.equal(r.finalizedHeight, 40n);
  assert.deepEqual(
    r.symbolNodes.map((n) => [n.url, n.state, Number(n.answersRejected), Number(n.disagreements)]),
    [
      ['http://a', 'ok', 0, 0],
      ['http://b', 'flagged', 3, 1],
    ],
  );
  assert.deepEqual(
    r.reorganizations.map((m) => [
      Number(m.sequence),
      m.checkpoint,
      Number(m.fromHeight),
      Number(m.toHeight),
    ]),
    [
      [2, false, 11, 0],
      [3, true, 20, 21],
      [1, false, 10, 12],
    ],
  );
});
