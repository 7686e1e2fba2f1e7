// Usage arithmetic: UTC days and months, quotas, exact fee splits, and the report (src/usage/*).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeFeeSplit, encodeFeeSplit, splitBatchFee } from '../../src/usage/fee-split.ts';
import { buildUsageReport } from '../../src/usage/report.ts';
import {
  checkQuota,
  clientNameOf,
  dayOf,
  isClientName,
  monthOf,
  quotaMessage,
  splitExactly,
} from '../../src/usage/usage.ts';

const DAY = 86_400_000;

test('UTC days and months: boundaries at midnight UTC, months of 28 to 31 days', () => {
  assert.equal(dayOf(0), 0);
  assert.equal(dayOf(DAY - 1), 0);
  assert.equal(dayOf(DAY), 1);
  const feb2028 = dayOf(Date.UTC(2028, 1, 15));
  assert.deepEqual(monthOf(feb2028), {
    first: dayOf(Date.UTC(2028, 1, 1)),
    next: dayOf(Date.UTC(2028, 2, 1)),
  });
  assert.equal(monthOf(feb2028).next - monthOf(feb2028).first, 29);
  const dec = dayOf(Date.UTC(2026, 11, 31, 23, 59));
  assert.equal(monthOf(dec).next, dayOf(Date.UTC(2027, 0, 1)));
});

test('quotas: daily, monthly and immediate-daily each refuse at their limit, naming it and when it resets', () => {
  const day = dayOf(Date.UTC(2026, 11, 6, 12));
  const counts = { today: 9, immediateToday: 2, thisMonth: 40 };
  assert.equal(checkQuota(undefined, counts, true, day), undefined);
  assert.equal(checkQuota({ daily: 10, monthly: 41, immediateDaily: 3 }, counts, true, day), undefined);
  assert.deepEqual(checkQuota({ daily: 9 }, counts, false, day), {
    quota: 'daily',
    limit: 9,
    resetsAtMs: Date.UTC(2026, 11, 7),
  });
  assert.deepEqual(checkQuota({ monthly: 40 }, counts, false, day), {
    quota: 'monthly',
    limit: 40,
    resetsAtMs: Date.UTC(2027, 0, 1),
  });
  assert.equal(
    checkQuota({ immediateDaily: 2 }, counts, false, day),
    undefined,
    'not immediate: not counted',
  );
  assert.equal(checkQuota({ immediateDaily: 2 }, counts, true, day)?.quota, 'immediate-daily');
  assert.equal(checkQuota({ daily: 0 }, { today: 0, immediateToday: 0, thisMonth: 0 }, false, day)?.limit, 0);
  assert.equal(
    quotaMessage('alice', { quota: 'daily', limit: 9, resetsAtMs: Date.UTC(2026, 11, 7) }),
    'quota daily of client alice reached: 9 submissions per day; resets at 2026-12-07T00:00:00.000Z',
  );
});

test('an exact split adds up to the total, in proportion, for 2,000 random cases', () => {
  let seed = 12345;
  const rand = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  for (let k = 0; k < 2000; k++) {
    const total = BigInt(rand(10_000_000));
    const weights = new Map<string, number>();
    const n = 1 + rand(6);
    for (let i = 0; i < n; i++) weights.set(`c${i}`, 1 + rand(1000));
    const parts = splitExactly(total, weights);
    let sum = 0n;
    let weightSum = 0;
    for (const w of weights.values()) weightSum += w;
    for (const [name, part] of parts) {
      sum += part;
      const ideal = (Number(total) * (weights.get(name) ?? 0)) / weightSum;
      assert.ok(Math.abs(Number(part) - ideal) < 1, `${name}: ${part} against ${ideal}`);
    }
    assert.equal(sum, total);
  }
  assert.deepEqual(
    [
      ...splitExactly(
        10n,
        new Map([
          ['b', 1],
          ['a', 1],
          ['c', 1],
        ]),
      ),
    ],
    [
      ['b', 3n],
      ['a', 4n],
      ['c', 3n],
    ],
  );
  assert.equal(splitExactly(5n, new Map()).size, 0);
});

test('a batch fee: per leaf when shared; among the immediate leaves, times the multiplier, when immediate', () => {
  const clients = [
    { client: 'alice', leaves: 300, immediate: 0 },
    { client: 'bob', leaves: 100, immediate: 1 },
  ];
  const shared = splitBatchFee(4n, 40_001n, false, clients, 10, 1000);
  assert.deepEqual(
    shared.shares.map((s) => [s.client, s.anchorFee, s.feePaid]),
    [
      ['alice', 30_001n, 30_001n],
      ['bob', 10_000n, 10_000n],
    ],
  );
  const alone = splitBatchFee(5n, 40_001n, true, clients, 2.5, 1000);
  assert.deepEqual(
    alone.shares.map((s) => [s.client, s.anchorFee, s.feePaid]),
    [['bob', 40_001n, 100_003n]],
  );
  // Marked immediate but holding no immediate leaf (sealed by an immediate request of a duplicate): per leaf.
  const none = splitBatchFee(6n, 400n, true, [{ client: 'alice', leaves: 4, immediate: 0 }], 3, 1000);
  assert.deepEqual(
    none.shares.map((s) => s.feePaid),
    [400n],
  );
  assert.deepEqual(decodeFeeSplit(encodeFeeSplit(alone)), alone);
  assert.throws(
    () =>
      decodeFeeSplit(
        new TextEncoder().encode(
          '{"atMs":1,"immediate":true,"shares":[{"client":"x","anchorFee":"-1","feePaid":"1"}],"sequence":"1","fee":"1"}',
        ),
      ),
    /anchorFee: not an amount/,
  );
});

test('the report: counts in the days asked, today and this month whatever was asked, fees by finalization day', () => {
  const today = dayOf(Date.UTC(2026, 11, 6, 10));
  const rows = [
    { client: 'alice', day: today - 40, submissions: 7, immediate: 0 },
    { client: 'alice', day: today - 1, submissions: 5, immediate: 1 },
    { client: 'alice', day: today, submissions: 3, immediate: 2 },
    { client: 'bob', day: today, submissions: 4, immediate: 0 },
  ];
  const split = (sequence: bigint, day: number, shares: Array<[string, bigint]>) => ({
    sequence,
    atMs: day * DAY + 5,
    immediate: false,
    fee: shares.reduce((a, [, f]) => a + f, 0n),
    shares: shares.map(([client, f]) => ({ client, anchorFee: f, feePaid: f })),
  });
  const splits = [
    split(0n, today - 40, [['alice', 70n]]),
    split(1n, today, [
      ['alice', 30n],
      ['bob', 40n],
    ]),
  ];
  const known = new Map([
    ['carol', { daily: 5 }],
    ['alice', { daily: 10 }],
  ]);
  const all = buildUsageReport(rows, splits, { nowMs: Date.UTC(2026, 11, 6, 10), known });
  assert.deepEqual(
    all.clients.map((c) => [
      c.client,
      c.submissions,
      c.immediate,
      c.feePaid,
      c.batches,
      c.today,
      c.thisMonth,
    ]),
    [
      ['alice', 15, 3, 100n, 2, 3, 8],
      ['bob', 4, 0, 40n, 1, 4, 4],
      ['carol', 0, 0, 0n, 0, 0, 0],
    ],
  );
  assert.equal(all.feesRecorded, 140n);
  assert.deepEqual(all.clients[0]?.quota, { daily: 10 });
  const recent = buildUsageReport(rows, splits, {
    nowMs: Date.UTC(2026, 11, 6, 10),
    fromDay: today - 1,
    client: 'alice',
  });
  assert.deepEqual(
    recent.clients.map((c) => [c.client, c.submissions, c.feePaid, c.today]),
    [['alice', 8, 30n, 3]],
  );
  assert.equal(recent.feesRecorded, 30n);
  assert.equal(recent.batches, 1);
});

test('client names: token names kept; a certificate name with control characters or over 255 bytes bounded, distinct', () => {
  assert.equal(clientNameOf('alice@ci.example'), 'alice@ci.example');
  assert.equal(clientNameOf('anonymous'), 'anonymous');
  const long1 = '𝒜'.repeat(64); // 256 UTF-8 bytes, the most a 64-character CN can carry
  const long2 = `${'𝒜'.repeat(63)}𝒝`;
  for (const n of [long1, long2, 'bad\u0000name', '\u001b[31mred', '']) {
    const stored = clientNameOf(n);
    assert.ok(isClientName(stored), `${JSON.stringify(n)} → ${JSON.stringify(stored)}`);
    assert.equal(clientNameOf(n), stored, 'the same name every time');
  }
  assert.notEqual(clientNameOf(long1), clientNameOf(long2));
  assert.match(clientNameOf('bad\u0000name'), /^bad\?name~[0-9a-f]{16}$/);
  assert.ok(
    !isClientName(long1) && !isClientName('a\nb') && !isClientName('') && isClientName('x'.repeat(255)),
  );
});
