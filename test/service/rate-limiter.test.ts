// SPARK_STREAM_RATE's token buckets on an injected clock (src/service/limits.ts): a burst up to one second's worth, a
// refill in proportion to the time passed and never above one second's worth, each client on its own, and the
// longest-idle client forgotten first when too many are tracked.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRateLimiter, MAX_TRACKED_CLIENTS } from '../../src/service/limits.ts';

/** A limiter at `rate` on a clock the test moves; `takes(client, n)` counts how many of n items it lets through. */
function limiter(rate: number) {
  let ms = 0;
  const l = createRateLimiter(rate, () => ms);
  return {
    advance: (by: number) => {
      ms += by;
    },
    takes: (client: string, n: number) =>
      Array.from({ length: n }, () => l.take(client)).filter(Boolean).length,
  };
}

test('a burst passes up to one second of items, then refills in proportion to the time passed', () => {
  const l = limiter(50);
  assert.equal(l.takes('a', 200), 50);
  l.advance(100);
  assert.equal(l.takes('a', 200), 5, 'a tenth of a second: five more');
  l.advance(10_000);
  assert.equal(l.takes('a', 200), 50, 'ten idle seconds still give one second of burst');
});

test('each client has its own bucket, and 0 means no limit', () => {
  const l = limiter(3);
  assert.equal(l.takes('a', 10), 3);
  assert.equal(l.takes('b', 10), 3);
  assert.equal(l.takes('a', 1), 0);
  const free = limiter(0);
  assert.equal(free.takes('a', 10_000), 10_000);
});

test('with too many clients tracked, the longest idle is forgotten (and starts again with a full bucket)', () => {
  const l = limiter(2);
  assert.equal(l.takes('first', 2), 2);
  for (let i = 0; i < MAX_TRACKED_CLIENTS - 1; i++) l.takes(`c${i}`, 1);
  assert.equal(l.takes('first', 1), 0, 'still tracked: its bucket is empty');
  l.takes('one more', 1);
  assert.equal(l.takes('c0', 1), 1, 'c0 was idle longest and is forgotten: a full bucket again');
});
