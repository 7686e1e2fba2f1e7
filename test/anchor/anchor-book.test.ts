// The anchor tracker's working state without nodes, timers or storage (docs/anchoring.md §7–§11): what is followed,
// what waits for a transaction and when, how failures back off, when an undecided anchor is logged, and that the
// finalized height never goes down. Time is a plain number here; the last tests drive the book with the pure step
// (anchor-progress.ts) through whole lives of an announcement, as the tracker does with I/O around them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BatchAnchor, ConfirmedEvidence, OutboxEntry } from '../../src/anchor/anchor-state.ts';
import {
  type AnchorBook,
  createAnchorBook,
  FOLLOW_BACKOFF,
  sealedAnchor,
  UNDECIDED_LOG_EVERY_MS,
} from '../../src/anchor/symbol/anchor-book.ts';
import { progress } from '../../src/anchor/symbol/anchor-progress.ts';
import type { CheckedEvidence } from '../../src/anchor/symbol/evidence-checks.ts';
import { toHex } from '../../src/proof/encoding/bytes.ts';

const h = (n: number) => new Uint8Array(32).fill(n);
/** An aggregate's bytes whose signer (bytes 72..104) is account `a`. */
const payloadOf = (a: number) => {
  const p = new Uint8Array(200);
  p.fill(a, 72, 104);
  return p;
};

const entry = (tx: number, over: Partial<OutboxEntry> = {}): OutboxEntry => ({
  txHash: h(tx),
  payload: payloadOf(7),
  generationHashSeed: h(1),
  sequences: [],
  deadline: 100_000n,
  fee: 10_000n,
  feeMultiplier: 100,
  size: 100,
  createdAtMs: tx,
  lastSentAtMs: 0,
  sends: 1,
  keyIds: [],
  checkpoints: [],
  state: 'live',
  ...over,
});

const item = (sequence: bigint, over: Partial<BatchAnchor> = {}): BatchAnchor => ({
  ...sealedAnchor(sequence, false),
  ...over,
});

const empty = (): AnchorBook => createAnchorBook();

const sequences = (items: readonly BatchAnchor[]) => items.map((i) => i.sequence);

test('a book filled from the outbox: unfinished items wait, open announcements are followed oldest first', () => {
  const book = createAnchorBook();
  book.apply({
    batches: [item(2n), item(1n, { status: 'ANNOUNCED', txHash: h(9) }), item(0n, { status: 'FAILED' })],
    checkpoints: [item(5n)],
    outbox: [entry(9, { createdAtMs: 50 }), entry(8, { createdAtMs: 10, state: 'confirmed' })],
    keys: ['a/k1'],
  });
  assert.deepEqual(sequences(book.waiting(0).batches), [0n, 2n]);
  assert.deepEqual(sequences(book.waiting(0).checkpoints), [5n]);
  assert.deepEqual(
    book.toFollow(0).map((e) => toHex(e.txHash)),
    [toHex(h(8)), toHex(h(9))],
  );
  assert.equal(book.batch(1n)?.status, 'ANNOUNCED');
  assert.deepEqual([...book.anchoredKeys()], ['a/k1']);
});

test('what the outbox took is mirrored: FINALIZED items and settled announcements leave, keys stay anchored', () => {
  const book = empty();
  book.apply({ batches: [item(0n), item(1n)], outbox: [entry(1), entry(2)], keys: ['x/k'] });
  assert.equal(book.toFollow(0).length, 2);
  book.apply({
    batches: [item(0n, { status: 'FINALIZED' })],
    outbox: [entry(1, { state: 'final' }), entry(2, { state: 'confirmed' })],
  });
  assert.equal(book.batch(0n), undefined);
  assert.deepEqual(sequences(book.waiting(0).batches), [1n]);
  assert.deepEqual(
    book.toFollow(0).map((e) => e.state),
    ['confirmed'],
  );
  for (const state of ['failed', 'expired'] as const) book.apply({ outbox: [entry(2, { state })] });
  assert.equal(book.toFollow(0).length, 0);
  assert.ok(book.anchoredKeys().has('x/k'));
});

test('an announcement carries only the items that still name it (an item moved to another transaction is not)', () => {
  const book = empty();
  book.apply({
    batches: [
      item(3n, { status: 'ANNOUNCED', txHash: h(1) }),
      item(4n, { status: 'ANNOUNCED', txHash: h(2) }),
      item(5n),
    ],
    checkpoints: [item(3n, { status: 'ANNOUNCED', txHash: h(1) })],
  });
  const carried = book.carriedBy(entry(1, { sequences: [3n, 4n, 5n, 6n], checkpoints: [3n] }));
  assert.deepEqual(sequences(carried.batches), [3n]);
  assert.deepEqual(sequences(carried.checkpoints), [3n]);
});

test('items given back wait 1 s doubling per attempt to 5 min; checkpoints wait apart from batches of the same number', () => {
  const book = empty();
  book.apply({ batches: [item(1n, { status: 'FAILED', attempts: 1 })], checkpoints: [item(1n)] });
  book.defer({ batches: [item(1n, { status: 'FAILED', attempts: 1 })], checkpoints: [] }, 10_000);
  assert.deepEqual(sequences(book.waiting(11_999).batches), []);
  assert.deepEqual(sequences(book.waiting(11_999).checkpoints), [1n], 'the checkpoint 1 is not held back');
  assert.deepEqual(sequences(book.waiting(12_000).batches), [1n]);
  assert.equal(book.anyWaiting(), true);
  book.defer({ batches: [], checkpoints: [item(1n, { attempts: 40 })] }, 0);
  assert.deepEqual(sequences(book.waiting(299_999).checkpoints), []);
  assert.deepEqual(sequences(book.waiting(300_000).checkpoints), [1n]);
});

test('an announcement whose round threw backs off alone, 1 s doubling to 5 min, reset by a round that goes through', () => {
  const book = empty();
  book.apply({ outbox: [entry(1), entry(2)] });
  const tx = toHex(h(1));
  const waits: number[] = [];
  for (let i = 0; i < 11; i++) waits.push(book.followFailed(tx, 0));
  assert.deepEqual(
    waits,
    [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 256_000, 300_000, 300_000],
  );
  assert.deepEqual(
    book.toFollow(299_999).map((e) => toHex(e.txHash)),
    [toHex(h(2))],
  );
  assert.equal(book.toFollow(300_000).length, 2);
  book.followed(tx);
  assert.equal(book.followFailed(tx, 0), FOLLOW_BACKOFF.minMs);
});

test('an undecided anchor is logged at once, again when its reason changes or a minute later, and at once after a decided round', () => {
  const book = empty();
  const tx = toHex(h(1));
  assert.equal(book.undecided(tx, 'nodes disagree', 0), true);
  assert.equal(book.undecided(tx, 'nodes disagree', UNDECIDED_LOG_EVERY_MS - 1), false);
  assert.equal(book.undecided(tx, 'too few nodes', UNDECIDED_LOG_EVERY_MS - 1), true);
  assert.equal(book.undecided(tx, 'too few nodes', 2 * UNDECIDED_LOG_EVERY_MS - 2), false);
  assert.equal(book.undecided(tx, 'too few nodes', 2 * UNDECIDED_LOG_EVERY_MS - 1), true);
  assert.equal(book.undecided(tx, undefined, 2 * UNDECIDED_LOG_EVERY_MS), false);
  assert.equal(book.undecided(tx, 'too few nodes', 2 * UNDECIDED_LOG_EVERY_MS + 1), true);
});

test('the finalized height only goes up, whatever a later round agrees on', () => {
  const book = empty();
  assert.equal(book.finality(undefined), 0n);
  assert.equal(book.finality(10n), 10n);
  assert.equal(book.finality(8n), 10n);
  assert.equal(book.finality(undefined), 10n);
  assert.equal(book.finalizedHeight(), 10n);
});

test('sealed batches whose first state was refused are handed on until written, except those tracked since', () => {
  const book = empty();
  book.unqueue(4n, true);
  book.unqueue(5n, false);
  assert.deepEqual(
    book.takeUnqueued((s) => s === 4n),
    [{ sequence: 5n, immediate: false }],
  );
  assert.equal(book.takeUnqueued(() => false).length, 2, 'kept until queued()');
  book.queued();
  assert.deepEqual(
    book.takeUnqueued(() => false),
    [],
  );
});

test('key-history markers in flight are those of followed announcements, under the account that signed them', () => {
  const book = empty();
  book.apply({
    outbox: [entry(1, { keyIds: ['k1', 'k2:until'] }), entry(2, { payload: payloadOf(3), keyIds: ['k3'] })],
  });
  const a7 = toHex(new Uint8Array(32).fill(7));
  const a3 = toHex(new Uint8Array(32).fill(3));
  assert.deepEqual([...book.inFlightKeys()].sort(), [`${a3}/k3`, `${a7}/k1`, `${a7}/k2:until`].sort());
  book.apply({ outbox: [entry(1, { keyIds: ['k1', 'k2:until'], state: 'final' })] });
  assert.deepEqual([...book.inFlightKeys()], [`${a3}/k3`]);
});

// --- the book and the pure step together, as the tracker drives them ---

const checked = (height: bigint, block: number): CheckedEvidence => ({
  height,
  blockTimestamp: height * 1000n,
  merkleComponentHash: h(1),
  path: [],
  transactionsHash: h(4),
  feeMultiplier: 50,
  blockHeader: new Uint8Array(376).fill(block),
  blockHash: h(block),
});

const inBlock = (height: bigint, block: number, final: boolean) =>
  ({ kind: 'in-block', evidence: checked(height, block), final, nodes: [] }) as const;

/** One round of one announcement: the step's outcome applied as the tracker stores it. */
function round(
  book: AnchorBook,
  e: OutboxEntry,
  observation: Parameters<typeof progress>[2],
  now: number,
  finalized: bigint,
) {
  const height = book.finality(finalized);
  const step = progress(e, book.carriedBy(e), observation, {
    now,
    nodeTime: BigInt(now),
    finalizedHeight: height,
    resendAfterMs: 30_000,
  });
  if (step === undefined) return undefined;
  book.apply({ batches: step.batches, outbox: [step.entry], checkpoints: step.checkpoints });
  if (step.released) book.defer(step, now);
  return step;
}

test('an announcement lived through: live → confirmed → a fork moves it → final, and the book lets go of it', () => {
  const book = empty();
  const announced = entry(1, { sequences: [0n, 1n] });
  const carried = [0n, 1n].map((s) => item(s, { status: 'ANNOUNCED', txHash: h(1), attempts: 1 }));
  book.apply({ batches: carried, outbox: [announced] });
  assert.equal(book.anyWaiting(), false);

  const first = round(book, announced, inBlock(10n, 0xb1, false), 1_000, 5n);
  assert.equal(first?.entry.state, 'confirmed');
  assert.equal(book.batch(0n)?.confirmed?.height, 10n);
  const [confirmed] = book.toFollow(1_000);
  assert.ok(confirmed !== undefined);

  // A reorganization puts it in block 12: the evidence moves, the history keeps the move.
  round(book, confirmed, inBlock(12n, 0xb2, false), 2_000, 9n);
  assert.equal(book.batch(1n)?.confirmed?.height, 12n);
  assert.equal(book.batch(1n)?.history.length, 1);

  // Final below the quorum's height: not yet. At it, read again and the same block: FINALIZED.
  const still = round(book, confirmed, inBlock(12n, 0xb2, true), 3_000, 11n);
  assert.equal(still, undefined);
  const last = round(book, confirmed, inBlock(12n, 0xb2, true), 4_000, 12n);
  assert.equal(last?.entry.state, 'final');
  assert.equal(book.batch(0n), undefined);
  assert.equal(book.toFollow(4_000).length, 0);
  assert.equal(book.anyWaiting(), false);
});

test('a failed announcement gives its batches back: they wait their back-off, then are due for a fresh transaction', () => {
  const book = empty();
  const announced = entry(2, { sequences: [7n] });
  book.apply({
    batches: [item(7n, { status: 'ANNOUNCED', txHash: h(2), attempts: 2 })],
    outbox: [announced],
  });
  const step = round(
    book,
    announced,
    { kind: 'failed', code: 'Failure_Core_Insufficient_Balance' },
    50_000,
    0n,
  );
  assert.equal(step?.released, true);
  assert.equal(book.batch(7n)?.status, 'FAILED');
  assert.equal(book.toFollow(50_000).length, 0);
  assert.equal(book.anyWaiting(), true);
  assert.deepEqual(sequences(book.waiting(53_999).batches), [], 'third attempt: 4 s');
  assert.deepEqual(sequences(book.waiting(54_000).batches), [7n]);
});

test('an announcement past its deadline and on no chain gives its batches back as SEALED, the confirmed evidence dropped', () => {
  const book = empty();
  const evidence: ConfirmedEvidence = { ...checked(10n, 0xb1), txHash: h(3), feePaid: 1n };
  const confirmed = entry(3, { sequences: [8n], state: 'confirmed', deadline: 1_000n });
  book.apply({
    batches: [item(8n, { status: 'CONFIRMED', txHash: h(3), attempts: 1, confirmed: evidence })],
    outbox: [confirmed],
  });
  const step = round(book, confirmed, { kind: 'absent' }, 2_000, 0n);
  assert.equal(step?.entry.state, 'expired');
  assert.equal(book.batch(8n)?.status, 'SEALED');
  assert.equal(book.batch(8n)?.confirmed, undefined);
  assert.deepEqual(sequences(book.waiting(4_000).batches), [8n]);
});
