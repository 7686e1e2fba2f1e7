// docs/grafana-dashboard.json queries only what the sidecar exports: every series name in every panel's PromQL is a
// metric of its registry (histograms by their _bucket, _sum and _count series), and every label a query groups by
// or prints is one of that metric's labels.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { createMetrics } from '../../src/metrics/metrics.ts';

interface Target {
  readonly expr: string;
  readonly legendFormat?: string;
}
interface Panel {
  readonly title: string;
  readonly gridPos: { x: number; y: number; w: number; h: number };
  readonly datasource: { uid: string };
  readonly targets: readonly Target[];
}

const dashboard = JSON.parse(
  readFileSync(new URL('../../docs/grafana-dashboard.json', import.meta.url), 'utf8'),
) as {
  uid: string;
  title: string;
  panels: Panel[];
};

/** Every metric the sidecar registers, with its label names. */
async function exported(): Promise<Map<string, readonly string[]>> {
  const metrics = createMetrics({ pendingLeaves: () => 0 });
  const out = new Map<string, readonly string[]>();
  const types = new Map((await metrics.registry.getMetricsAsJSON()).map((m) => [m.name, String(m.type)]));
  for (const m of metrics.registry.getMetricsAsArray()) {
    const labels = ((m as unknown as { labelNames?: string[] }).labelNames ?? []).slice();
    out.set(m.name, labels);
    // histogram_quantile groups by le; a histogram's series carry it.
    if (types.get(m.name) === 'histogram') {
      for (const suffix of ['_bucket', '_sum', '_count']) out.set(`${m.name}${suffix}`, [...labels, 'le']);
    }
  }
  return out;
}

test('the dashboard is an importable Grafana dashboard', () => {
  assert.equal(dashboard.uid, 'spark-processor');
  assert.ok(dashboard.panels.length >= 10);
  for (const p of dashboard.panels) {
    // Grafana's import placeholder for the chosen data source, literally.
    assert.equal(p.datasource.uid, ['$', '{DS_PROMETHEUS}'].join(''), p.title);
    assert.ok(p.targets.length > 0 && p.gridPos.w > 0 && p.gridPos.h > 0, p.title);
  }
});

test('every series and label the dashboard queries is exported by the sidecar', async () => {
  const names = await exported();
  const queried = new Set<string>();
  for (const p of dashboard.panels) {
    for (const t of p.targets) {
      const series = [...t.expr.matchAll(/\b((?:spark|process|nodejs)_[a-z0-9_]+)/g)].map(
        (m) => m[1] as string,
      );
      assert.ok(series.length > 0, `${p.title}: ${t.expr} names no series`);
      for (const s of series) {
        assert.ok(names.has(s), `${p.title}: ${s} is not exported`);
        queried.add(s.replace(/_(bucket|sum|count)$/, ''));
      }
      const grouped = [...t.expr.matchAll(/by \(([^)]*)\)/g)].flatMap((m) => (m[1] as string).split(/,\s*/));
      const printed = [...(t.legendFormat ?? '').matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1] as string);
      for (const label of [...grouped, ...printed]) {
        assert.ok(
          series.some((s) => names.get(s)?.includes(label)),
          `${p.title}: label ${label} is not a label of ${series.join(', ')}`,
        );
      }
    }
  }
  // The operator's questions: ingest, sealing, anchoring by stage, node health, the account, the disk, witnesses.
  for (const must of [
    'spark_submissions_total',
    'spark_seal_duration_seconds',
    'spark_anchor_latency_seconds',
    'spark_symbol_nodes',
    'spark_symbol_account_balance_xym',
    'spark_data_volume_available_bytes',
    'spark_witness_quorum_met',
  ]) {
    assert.ok(queried.has(must), `the dashboard shows ${must}`);
  }
});
