// pipelineInOrder: results in input order, a bounded window, and turns given back to the event loop while a burst
// of already-arrived items is handled.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ITEMS_PER_TURN, pipelineInOrder } from '../../src/service/submit-stream.ts';

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
