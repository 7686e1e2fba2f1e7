// The anchoring state machine, without nodes, timers or storage: what each observation does to an announcement and
// the batches it carries (docs/anchoring.md §7–§8). FINALIZED only ever follows a re-read of the recorded block.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BatchAnchor, ConfirmedEvidence, OutboxEntry } from '../../src/anchor/anchor-state.ts';
import {
  type Carried,
  MAX_HISTORY,
  type ProgressContext,
  progress,
} from '../../src/anchor/symbol/anchor-progress.ts';
import type { CheckedEvidence } from '../../src/anchor/symbol/evidence-checks.ts';
import type { Observation } from '../../src/anchor/symbol/transaction-observer.ts';

const h = (n: number) => new Uint8Array(32).fill(n);
const txHash = h(0xaa);

const entry = (over: Partial<OutboxEntry> = {}): OutboxEntry => ({
  txHash,
  payload: new Uint8Array(10),
  generationHashSeed: h(1),
  sequences: [3n, 4n],
  deadline: 10_000n,
  fee: 10_000n,
  feeMultiplier: 100,
  size: 100,
  createdAtMs: 0,
  lastSentAtMs: 1_000,
  sends: 1,
  keyIds: ['k1'],
  checkpoints: [],
  state: 'live',
  ...over,
});

const checked = (height: bigint, block: number): CheckedEvidence => ({
  height,
  blockTimestamp: height * 1000n,
  merkleComponentHash: txHash,
  path: [{ left: true, hash: h(3) }],
  transactionsHash: h(4),
  feeMultiplier: 50,
  blockHeader: new Uint8Array(376).fill(block),
  blockHash: h(block),
});

const stored = (height: bigint, block: number): ConfirmedEvidence => ({
  ...checked(height, block),
  txHash,
  feePaid: 2_500n,
});

const item = (sequence: bigint, over: Partial<BatchAnchor> = {}): BatchAnchor => ({
  sequence,
  status: 'ANNOUNCED',
  immediate: false,
  txHash,
  attempts: 1,
  lastFailure: undefined,
  confirmed: undefined,
  finalizedHeight: undefined,
  history: [],
  ...over,
});

const carried = (over: Partial<BatchAnchor> = {}): Carried => ({
  batches: [item(3n, over), item(4n, over)],
  checkpoints: [],
});
const confirmedAt = (height: bigint, block: number) =>
  carried({ status: 'CONFIRMED', confirmed: stored(height, block) });

const ctx: ProgressContext = { now: 50_000, nodeTime: 5_000n, finalizedHeight: 20n, resendAfterMs: 30_000 };
const inBlock = (height: bigint, block: number, final: boolean): Observation => ({
  kind: 'in-block',
  evidence: checked(height, block),
  nodes: ['http://a'],
  final,
});

test('a first sighting in a block confirms, never finalizes, whatever finality says', () => {
  const p = progress(entry(), carried(), inBlock(10n, 7, true), ctx);
  assert.ok(p);
  assert.equal(p.entry.state, 'confirmed');
  assert.deepEqual(
    p.batches.map((b) => b.status),
    ['CONFIRMED', 'CONFIRMED'],
  );
  const ev = p.batches[0]?.confirmed;
  assert.equal(ev?.height, 10n);
  assert.deepEqual(ev?.blockHash, h(7));
  assert.equal(ev?.feePaid, 2_500n, 'size 100 × the block multiplier 50, split over two batches');
  assert.deepEqual(p.anchoredKeys, [], 'key history is not final yet');
  assert.equal(p.log[0]?.msg, 'anchor confirmed');
});

test('finalized only when the block read again at finality is the recorded one', () => {
  const final = progress(entry({ state: 'confirmed' }), confirmedAt(10n, 7), inBlock(10n, 7, true), ctx);
  assert.ok(final);
  assert.equal(final.entry.state, 'final');
  assert.deepEqual(
    final.batches.map((b) => [b.status, b.finalizedHeight]),
    [
      ['FINALIZED', 20n],
      ['FINALIZED', 20n],
    ],
  );
  assert.deepEqual(final.anchoredKeys, ['k1']);
  // Not final by the quorum yet, or not shown on the finalized chain: nothing changes.
  assert.equal(
    progress(entry({ state: 'confirmed' }), confirmedAt(10n, 7), inBlock(10n, 7, false), ctx),
    undefined,
  );
  assert.equal(
    progress(entry({ state: 'confirmed' }), confirmedAt(10n, 7), inBlock(10n, 7, true), {
      ...ctx,
      finalizedHeight: 9n,
    }),
    undefined,
  );
});

test('re-included at another height or in another block: evidence replaced, move kept, not final this round', () => {
  for (const [height, block] of [
    [12n, 8],
    [10n, 9],
  ] as const) {
    const p = progress(entry({ state: 'confirmed' }), confirmedAt(10n, 7), inBlock(height, block, true), ctx);
    assert.ok(p);
    assert.equal(p.entry.state, 'confirmed');
    for (const b of p.batches) {
      assert.equal(b.status, 'CONFIRMED', 'the new block is read again before it can be final');
      assert.equal(b.confirmed?.height, height);
      assert.deepEqual(b.confirmed?.blockHash, h(block));
      assert.deepEqual(
        b.history.map((m) => [m.fromHeight, m.toHeight]),
        [[10n, height]],
      );
    }
    assert.equal(p.log[0]?.msg, `reorganized: height 10 → ${height}`);
    assert.equal(p.log[0]?.level, 'warn');
  }
});

test('gone from the chain before its deadline: announced again with the same bytes, at once', () => {
  const p = progress(entry({ state: 'confirmed' }), confirmedAt(10n, 7), { kind: 'absent' }, ctx);
  assert.ok(p);
  assert.equal(p.entry.state, 'live');
  assert.equal(p.resend, true);
  assert.equal(p.released, false);
  for (const b of p.batches) {
    assert.equal(b.status, 'ANNOUNCED');
    assert.equal(b.confirmed, undefined);
    assert.deepEqual(b.history[0]?.toHeight, undefined);
  }
  assert.equal(p.log[0]?.msg, 'reorganized: height 10 → gone');
});

test('back in a pool after a rollback: announced, waiting, nothing re-sent', () => {
  const p = progress(entry({ state: 'confirmed' }), confirmedAt(10n, 7), { kind: 'pending' }, ctx);
  assert.ok(p);
  assert.equal(p.entry.state, 'live');
  assert.equal(p.resend, false);
  assert.equal(p.log[0]?.msg, 'reorganized: height 10 → back in the pool');
});

test('gone after its deadline: the items get a fresh transaction, the move is kept', () => {
  const p = progress(
    entry({ state: 'confirmed' }),
    confirmedAt(10n, 7),
    { kind: 'absent' },
    { ...ctx, nodeTime: 10_001n },
  );
  assert.ok(p);
  assert.equal(p.entry.state, 'expired');
  assert.equal(p.released, true);
  for (const b of p.batches) {
    assert.equal(b.status, 'SEALED');
    assert.equal(b.txHash, undefined);
    assert.equal(b.lastFailure?.code, 'DEADLINE_EXPIRED_NOT_ON_CHAIN');
    assert.equal(b.history.length, 1);
  }
});

test('a live announcement: re-sent when unknown for long enough, released when failed or expired', () => {
  assert.equal(progress(entry(), carried(), { kind: 'absent' }, { ...ctx, now: 20_000 }), undefined);
  const resend = progress(entry(), carried(), { kind: 'absent' }, ctx);
  assert.equal(resend?.resend, true);
  assert.deepEqual(resend?.batches, []);
  const failed = progress(
    entry(),
    carried(),
    { kind: 'failed', code: 'Failure_Core_Insufficient_Balance' },
    ctx,
  );
  assert.equal(failed?.entry.state, 'failed');
  assert.deepEqual(
    failed?.batches.map((b) => b.status),
    ['FAILED', 'FAILED'],
  );
  const expired = progress(entry(), carried(), { kind: 'absent' }, { ...ctx, nodeTime: 10_001n });
  assert.equal(expired?.entry.state, 'expired');
  assert.equal(progress(entry(), carried(), { kind: 'pending' }, ctx), undefined);
  assert.equal(
    progress(entry(), carried(), { kind: 'absent' }, { ...ctx, nodeTime: undefined, now: 20_000 }),
    undefined,
  );
});

test('undecided changes nothing, confirmed or not', () => {
  const undecided: Observation = { kind: 'undecided', reason: 'two nodes disagree' };
  assert.equal(progress(entry(), carried(), undecided, ctx), undefined);
  assert.equal(progress(entry({ state: 'confirmed' }), confirmedAt(10n, 7), undecided, ctx), undefined);
});

test('evidence stored before block headers were kept is completed, then finalized on the same block', () => {
  const old = carried({
    status: 'CONFIRMED',
    confirmed: { ...stored(10n, 7), blockHeader: new Uint8Array(0), blockHash: new Uint8Array(0) },
  });
  const completed = progress(entry({ state: 'confirmed' }), old, inBlock(10n, 7, false), ctx);
  assert.deepEqual(completed?.batches[0]?.confirmed?.blockHash, h(7));
  const final = progress(entry({ state: 'confirmed' }), old, inBlock(10n, 7, true), ctx);
  assert.equal(final?.entry.state, 'final');
  assert.deepEqual(final?.batches[0]?.confirmed?.blockHeader, new Uint8Array(376).fill(7));
  // Another transactionsHash at that height is another block: a reorganization, not a completion.
  const moved = progress(
    entry({ state: 'confirmed' }),
    old,
    {
      ...inBlock(10n, 7, true),
      evidence: { ...checked(10n, 7), transactionsHash: h(5) },
    } as Observation,
    ctx,
  );
  assert.match(moved?.log[0]?.msg ?? '', /reorganized/);
});

test('the history of moves is bounded', () => {
  const long = Array.from({ length: MAX_HISTORY }, (_, i) => ({
    txHash,
    fromHeight: BigInt(i),
    toHeight: BigInt(i + 1),
    atMs: i,
  }));
  const p = progress(
    entry({ state: 'confirmed' }),
    carried({ status: 'CONFIRMED', confirmed: stored(10n, 7), history: long }),
    inBlock(11n, 8, false),
    ctx,
  );
  assert.equal(p?.batches[0]?.history.length, MAX_HISTORY);
  assert.equal(p?.batches[0]?.history.at(-1)?.toHeight, 11n);
});

test('checkpoints carried by an announcement move exactly like batches', () => {
  const c: Carried = { batches: [], checkpoints: [item(5n)] };
  const p = progress(entry({ sequences: [], checkpoints: [5n] }), c, inBlock(10n, 7, false), ctx);
  assert.equal(p?.checkpoints[0]?.status, 'CONFIRMED');
  assert.equal(p?.checkpoints[0]?.confirmed?.feePaid, 5_000n, 'one item: the whole fee');
});
