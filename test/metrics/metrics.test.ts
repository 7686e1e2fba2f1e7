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
  assert.throws(() => parsePrometheusText('metric{a="1" 2'), /not a sample line/);
  assert.throws(() => parsePrometheusText('metric 1x'), /bad value/);
  assert.throws(() => parsePrometheusText('# TYPE m sometimes'), /bad type/);
  assert.deepEqual(parsePrometheusText('m{a="x\\"y"} +Inf').samples, [
    { name: 'm', labels: { a: 'x"y' }, value: Number.POSITIVE_INFINITY },
  ]);
});
