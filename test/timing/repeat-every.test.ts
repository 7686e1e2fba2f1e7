// The one periodic-task helper, under mock timers: one run at a time, the delay counted from the end of a run (and
// recomputed each time), a failed run reported and the next one still scheduled, runNow, and stop waiting for a run.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { repeatEvery } from '../../src/timing/repeat-every.ts';

const settle = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

test('runs every delay after the previous run, recomputing the delay; failures are reported, not fatal', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const runs: number[] = [];
  const errors: unknown[] = [];
  let delay = 100;
  let n = 0;
  const r = repeatEvery(
    () => delay,
    async () => {
      n += 1;
      runs.push(n);
      if (n === 2) throw new Error('round 2 failed');
    },
    (err) => errors.push(err),
  );
  r.start();
  t.mock.timers.tick(99);
  await settle();
  assert.deepEqual(runs, [], 'not before the delay');
  t.mock.timers.tick(1);
  await settle();
  assert.deepEqual(runs, [1]);
  delay = 1_000; // a back-off: the next delay is read when the next run is scheduled
  t.mock.timers.tick(100);
  await settle();
  assert.deepEqual(runs, [1, 2]);
  assert.equal((errors[0] as Error).message, 'round 2 failed');
  t.mock.timers.tick(999);
  await settle();
  assert.deepEqual(runs, [1, 2], 'the failed run was followed by the longer delay');
  t.mock.timers.tick(1);
  await settle();
  assert.deepEqual(runs, [1, 2, 3]);
  await r.stop();
  t.mock.timers.tick(10_000);
  await settle();
  assert.deepEqual(runs, [1, 2, 3], 'nothing after stop');
});

test('runNow runs at once unless a run is under way; stop waits for the run under way', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  let release: () => void = () => undefined;
  let started = 0;
  let finished = 0;
  const r = repeatEvery(
    60_000,
    () =>
      new Promise<void>((resolve) => {
        started += 1;
        release = () => {
          finished += 1;
          resolve();
        };
      }),
    () => undefined,
  );
  r.start();
  r.runNow();
  assert.equal(started, 1, 'ran now, not in a minute');
  r.runNow();
  assert.equal(started, 1, 'one run at a time');
  const stopping = r.stop();
  let stopped = false;
  void stopping.then(() => {
    stopped = true;
  });
  await settle();
  assert.equal(stopped, false, 'stop waits for the run under way');
  release();
  await stopping;
  assert.equal(finished, 1);
  r.runNow();
  assert.equal(started, 1, 'nothing runs after stop');
});
