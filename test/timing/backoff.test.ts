// The one back-off: doubling within a floor and a ceiling, or from a count of failures; the figures the node pool,
// the anchor tracker and the publish worker rely on.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { delayAfter, nextDelay } from '../../src/timing/backoff.ts';

test('doubling from the floor to the ceiling, and back to the floor from 0', () => {
  const node = { minMs: 500, maxMs: 30_000 };
  const seen: number[] = [];
  let d = 0;
  for (let i = 0; i < 9; i++) {
    d = nextDelay(d, node);
    seen.push(d);
  }
  assert.deepEqual(seen, [500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
  assert.equal(nextDelay(0, node), 500);
  assert.equal(nextDelay(100, node), 500, 'never below the floor');
});

test('from a count of failures: floor × 2^(failures − 1), capped, even for absurd counts', () => {
  const item = { minMs: 1_000, maxMs: 300_000 };
  assert.deepEqual(
    [1, 2, 3, 4, 9, 10].map((n) => delayAfter(n, item)),
    [1_000, 2_000, 4_000, 8_000, 256_000, 300_000],
  );
  assert.equal(delayAfter(0, item), 1_000);
  assert.equal(delayAfter(10_000, item), 300_000);
  assert.equal(delayAfter(Number.MAX_SAFE_INTEGER, { minMs: 1, maxMs: 2 ** 40 }), 2 ** 30);
});
