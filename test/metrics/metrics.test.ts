import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMetrics, resultLabel } from '../../src/metrics/metrics.ts';
import { parsePrometheusText, sampleValue } from '../support/prometheus-text.ts';

test('two sidecars in one process keep their own registries', async () => {
  let pending = 3;
  const a = createMetrics({ pendingLeaves: () => pending });
  const b = createMetrics({ pendingLeaves: () => 0 });
  a.submission('accepted', 2);
  b.submission('accepted');
  a.sealed(10, 0.25);
  a.signed('memory', 'ML-DSA-65', 0.004);
  a.httpRequest('/metrics', 200);
  pending = 7;
  const ma = parsePrometheusText(await a.text());
  const mb = parsePrometheusText(await b.text());
  assert.equal(sampleValue(ma, 'spark_submissions_total', { result: 'accepted' }), 2);
  assert.equal(sampleValue(mb, 'spark_submissions_total', { result: 'accepted' }), 1);
  assert.equal(sampleValue(ma, 'spark_pending_leaves'), 7, 'read at scrape time');
  assert.equal(sampleValue(ma, 'spark_batch_size_sum'), 10);
  assert.equal(sampleValue(ma, 'spark_batch_size_bucket', { le: '10' }), 1);
  assert.equal(sampleValue(ma, 'spark_batch_size_bucket', { le: '1' }), 0);
  assert.equal(
    sampleValue(ma, 'spark_sign_duration_seconds_count', { provider: 'memory', algorithm: 'ML-DSA-65' }),
    1,
  );
  assert.equal(sampleValue(ma, 'spark_http_requests_total', { route: '/metrics', status: '200' }), 1);
});

test('refusal codes become bounded, safe label values', () => {
  assert.equal(resultLabel('PENDING_FULL'), 'pending_full');
  assert.equal(resultLabel('Failure_Core_Insufficient_Balance'), 'failure_core_insufficient_balance');
  assert.equal(resultLabel('a"b\n{c}'), 'a_b__c_');
  assert.equal(resultLabel(''), 'unknown');
  assert.equal(resultLabel('x'.repeat(100)).length, 40);
});

test('the parser refuses malformed exposition lines', () => {
  const typed = (lines: string): string => `# TYPE metric gauge\n${lines}`;
  assert.throws(() => parsePrometheusText(typed('metric{a="1" 2')), /not a sample line/);
  assert.throws(() => parsePrometheusText(typed('metric 1x')), /bad value/);
  assert.throws(() => parsePrometheusText(typed('metric{a="1"b="2"} 1')), /not separated by commas/);
  assert.throws(() => parsePrometheusText('# TYPE m sometimes'), /bad type/);
  const parsed = parsePrometheusText('# HELP m a \\\\ and\\nnext\n# TYPE m gauge\nm{a="x\\"y"} +Inf');
  assert.deepEqual(parsed.samples, [{ name: 'm', labels: { a: 'x"y' }, value: Number.POSITIVE_INFINITY }]);
  assert.equal(parsed.help.get('m'), 'a \\ and\nnext');
});

test('the parser holds the exposition to the format: typed, grouped, unique, histograms whole', () => {
  const h = (buckets: string, count = '3'): string =>
    `# TYPE h histogram\n${buckets}\nh_sum{x="1"} 4\nh_count{x="1"} ${count}`;
  const good = h('h_bucket{x="1",le="1"} 1\nh_bucket{x="1",le="+Inf"} 3');
  assert.equal(sampleValue(parsePrometheusText(good), 'h_count', { x: '1' }), 3);
  assert.throws(() => parsePrometheusText('m 1'), /without a TYPE/);
  assert.throws(() => parsePrometheusText('# TYPE m counter\nm_bucket 1'), /without a TYPE/);
  assert.throws(() => parsePrometheusText('# TYPE m gauge\nm 1\nm 2'), /repeated sample/);
  assert.throws(
    () => parsePrometheusText('# TYPE m gauge\nm{a="1"} 1\n# TYPE n gauge\nn 1\nm{a="2"} 1'),
    /not in one group/,
  );
  assert.throws(() => parsePrometheusText('# TYPE m gauge\n# TYPE m gauge'), /second TYPE/);
  assert.throws(() => parsePrometheusText(h('h_bucket{x="1"} 1\nh_bucket{x="1",le="+Inf"} 3')), /without le/);
  assert.throws(
    () =>
      parsePrometheusText(
        h('h_bucket{x="1",le="2"} 1\nh_bucket{x="1",le="1"} 2\nh_bucket{x="1",le="+Inf"} 3'),
      ),
    /increasing le/,
  );
  assert.throws(
    () =>
      parsePrometheusText(
        h('h_bucket{x="1",le="1"} 3\nh_bucket{x="1",le="2"} 2\nh_bucket{x="1",le="+Inf"} 3'),
      ),
    /not cumulative/,
  );
  assert.throws(() => parsePrometheusText(h('h_bucket{x="1",le="1"} 3')), /no \+Inf bucket/);
  assert.throws(
    () => parsePrometheusText(h('h_bucket{x="1",le="1"} 1\nh_bucket{x="1",le="+Inf"} 3', '4')),
    /differs from _count/,
  );
});
