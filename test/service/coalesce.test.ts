// coalesce: calls made in one turn of the event loop become one batch call, results go back to their callers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { coalesce } from '../../src/service/coalesce.ts';

test('calls in one turn are one batch; each caller gets its own result, in order', async () => {
  const batches: number[][] = [];
  const double = coalesce(async (items: number[]) => {
    batches.push([...items]);
    return items.map((x) => x * 2);
  }, 100);
  const first = await Promise.all([1, 2, 3].map(double));
  assert.deepEqual(first, [2, 4, 6]);
  const second = await double(10);
  assert.equal(second, 20);
  assert.deepEqual(batches, [[1, 2, 3], [10]]);
});

test('a batch holds at most maxItems; the rest go to the next', async () => {
  const sizes: number[] = [];
  const id = coalesce(async (items: number[]) => {
    sizes.push(items.length);
    return items;
  }, 4);
  const out = await Promise.all(Array.from({ length: 10 }, (_, i) => id(i)));
  assert.deepEqual(out, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(sizes, [4, 4, 2]);
});

test('a rejected batch rejects each of its callers; too few results reject the callers left without one', async () => {
  const failing = coalesce(async (_: string[]): Promise<string[]> => {
    throw new Error('store down');
  }, 10);
  const settled = await Promise.allSettled(['a', 'b'].map(failing));
  assert.deepEqual(
    settled.map((s) => s.status === 'rejected' && (s.reason as Error).message),
    ['store down', 'store down'],
  );
  const short = coalesce(async (items: string[]) => items.slice(0, 1), 10);
  const [a, b] = await Promise.allSettled(['x', 'y'].map(short));
  assert.deepEqual(a, { status: 'fulfilled', value: 'x' });
  assert.ok(b?.status === 'rejected' && /a batch of 2 items returned 1 results/.test(String(b.reason)));
  assert.throws(() => coalesce(async (x: number[]) => x, 0), /maxItems must be a positive integer/);
});
