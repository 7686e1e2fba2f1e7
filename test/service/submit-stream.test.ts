// pipelineInOrder: results in input order, a bounded window (fixed, or a stream's changing share), and turns given
// back to the event loop while a burst of already-arrived items is handled; the item budget shared by all streams.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  createItemBudget,
  ITEMS_PER_TURN,
  MIN_STREAM_SHARE,
  pipelineInOrder,
  STREAM_ITEMS_BUDGET,
  STREAM_WINDOW,
} from '../../src/service/submit-stream.ts';

async function* burst(n: number): AsyncGenerator<number> {
  for (let i = 0; i < n; i++) yield i;
}

test('results come in input order although handlers finish out of order', async () => {
  const out: number[] = [];
  const handle = (x: number) =>
    new Promise<number>((resolve) => setTimeout(() => resolve(x * 10), (x * 7) % 5));
  for await (const r of pipelineInOrder(burst(50), handle, 8)) out.push(r);
  assert.deepEqual(
    out,
    Array.from({ length: 50 }, (_, i) => i * 10),
  );
});

test(`a burst of ready items gives the event loop a turn at least every ${ITEMS_PER_TURN} items`, async () => {
  let started = 0;
  let startedWhenTimerRan = -1;
  setImmediate(() => {
    startedWhenTimerRan = started;
  });
  const handle = async (x: number) => {
    started++;
    return x;
  };
  let count = 0;
  for await (const _ of pipelineInOrder(burst(2_000), handle, 4_096)) count++;
  assert.equal(count, 2_000);
  assert.ok(
    startedWhenTimerRan >= 0 && startedWhenTimerRan <= ITEMS_PER_TURN,
    `the event loop ran after ${startedWhenTimerRan} items`,
  );
});

test('pipelineInOrder asks a window function before each read: a shrinking share holds reads back', async () => {
  let window = 8;
  let inFlight = 0;
  let most = 0;
  const release: Array<() => void> = [];
  const handle = (x: number) =>
    new Promise<number>((resolve) => {
      inFlight++;
      most = Math.max(most, inFlight);
      release.push(() => {
        inFlight--;
        resolve(x);
      });
    });
  const out: number[] = [];
  const run = (async () => {
    for await (const r of pipelineInOrder(burst(40), handle, () => window)) out.push(r);
  })();
  await new Promise((r) => setImmediate(r));
  assert.equal(inFlight, 8, 'the first window is filled');
  window = 2;
  // Items end one by one, in order: none starts until fewer than 2 are in flight, and then never more than 2.
  for (let ended = 1; ended <= 6; ended++) {
    release.shift()?.();
    await new Promise((r) => setImmediate(r));
    assert.equal(inFlight, 8 - ended, `after ${ended} ended`);
  }
  let mostAfter = 0;
  while (out.length < 40) {
    release.shift()?.();
    await new Promise((r) => setImmediate(r));
    mostAfter = Math.max(mostAfter, inFlight);
  }
  assert.equal(mostAfter, 2);
  await run;
  assert.deepEqual(
    out,
    Array.from({ length: 40 }, (_, i) => i),
  );
  assert.equal(most, 8);
});

test('the item budget is shared equally by the streams that joined it, within its bounds', () => {
  const budget = createItemBudget(1000, 400, 16);
  const a = budget.join();
  assert.equal(a.window(), 400, 'one stream alone: its full window (the upper bound)');
  const b = budget.join();
  assert.equal(a.window(), 400);
  const c = budget.join();
  assert.deepEqual([a.window(), b.window(), c.window()], [333, 333, 333], 'three streams: a third each');
  const more = Array.from({ length: 97 }, () => budget.join());
  assert.equal(budget.streams, 100);
  assert.equal(a.window(), 16, '100 streams: 10 each would be below the smallest share, so 16');
  for (const s of more) s.leave();
  more[0]?.leave(); // a second leave does nothing
  assert.equal(budget.streams, 3);
  assert.equal(c.window(), 333, 'shares grow back as streams end');
  b.leave();
  c.leave();
  assert.equal(a.window(), 400);
});

test(`the default budget keeps a lone stream at STREAM_WINDOW and ${STREAM_ITEMS_BUDGET} items over 200 streams`, () => {
  const budget = createItemBudget();
  const first = budget.join();
  assert.equal(first.window(), STREAM_WINDOW);
  const others = Array.from({ length: 199 }, () => budget.join());
  assert.equal(first.window(), Math.floor(STREAM_ITEMS_BUDGET / 200));
  assert.ok(first.window() >= MIN_STREAM_SHARE);
  for (const s of others) s.leave();
  first.leave();
  assert.equal(budget.streams, 0);
});
