// The benchmark's figure lines: the format the issue asks for, and the ratio against each ceiling.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ceiling, figureLines, formatValue } from '../../bench/results.ts';

test('a figure prints as "figure: value  ceiling: value (what)  ratio: x", other ceilings indented', () => {
  const lines = figureLines({
    key: 'submitBatch',
    figure: 'SubmitBatch',
    value: 150_000,
    unit: '/s',
    target: '≥ 150,000/s',
    ceiling: ceiling(300_000, '/s', 'LMDB batched puts', 150_000),
    otherCeilings: [ceiling(600_000, '/s', 'other', 150_000)],
  });
  assert.deepEqual(lines, [
    'SubmitBatch: 150,000/s  ceiling: 300,000/s (LMDB batched puts)  ratio: 0.50',
    '    also ceiling: 600,000/s (other)  ratio: 0.25',
  ]);
});

test('a figure without a ceiling names its target', () => {
  const [line] = figureLines({
    key: 'rssMax',
    figure: 'RSS',
    value: 212.4,
    unit: 'MB',
    target: '≤ 300 MB',
    ceiling: undefined,
    otherCeilings: [],
  });
  assert.equal(line, 'RSS: 212 MB  ceiling: n/a (target ≤ 300 MB)  ratio: n/a');
});

test('values keep precision fitting their size; missing ones print n/a', () => {
  assert.equal(formatValue(2.345, 'ms'), '2.35 ms');
  assert.equal(formatValue(0.0031, 'ms'), '0.003 ms');
  assert.equal(formatValue(12.34, 'ms'), '12.3 ms');
  assert.equal(formatValue(Number.NaN, '/s'), 'n/a');
});
