// The benchmark's two plots as SVG: ingest rate and server memory over the long run, and seal cost against
// batch size. `node bench/plots.ts` redraws both from bench/results.json without rerunning the benchmark.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LongRun } from './scenarios.ts';
import type { SealFigures } from './seal.ts';
import { renderChart } from './svg-chart.ts';

const BLUE = '#1f5ac8';
const RED = '#c82828';
const GREEN = '#1e8c3c';

const ROOT = join(import.meta.dirname, '..');
const RESULTS_PATH = join(import.meta.dirname, 'results.json');

/** The plot files, relative to the repository root, as results.json's `plots` names them. */
export const PLOT_FILES = {
  ingest: 'docs/performance-ingest-10m.svg',
  batchSize: 'docs/performance-batch-size.svg',
} as const;

/** The SHA-256 ceilings the seal cost is drawn beside (fields of results.json's `ceilings`). */
export interface Sha256Ceilings {
  readonly sha256CallsPerSecond: number;
  readonly sha256BulkMs: number;
  readonly sha256BulkLeaves: number;
}

/** Ingest rate, and server RSS with its anonymous part, over the long SubmitBatch run. */
export function ingestPlot(long: Pick<LongRun, 'run' | 'samples'>): string {
  const x = long.samples.map((s) => s.seconds);
  const title = `Ingest of ${long.run.stored.toLocaleString('en-US')} digests by SubmitBatch: rate and server RSS`;
  return renderChart(title, [
    {
      yLabel: 'digests/s',
      xLabel: 'time (s)',
      series: [{ label: 'ingest rate, 1 s window', x, y: long.samples.map((s) => s.perSecond), color: BLUE }],
    },
    {
      yLabel: 'RSS (MB)',
      xLabel: 'time (s)',
      series: [
        { label: 'server RSS', x, y: long.samples.map((s) => s.rssMB), color: RED },
        { label: 'anonymous part', x, y: long.samples.map((s) => s.anonMB), color: BLUE },
      ],
    },
  ]);
}

/** Seal cost against batch size beside hashing the same leaves with SHA-256, log scales; then per leaf. */
export function batchPlot(seals: readonly SealFigures[], ceilings: Sha256Ceilings): string {
  const x = seals.map((s) => s.leaves);
  const bulkPerLeafMs = ceilings.sha256BulkMs / (ceilings.sha256BulkLeaves - 1);
  return renderChart('Seal cost vs batch size', [
    {
      yLabel: 'ms',
      xLabel: 'leaves (log)',
      logX: true,
      logY: true,
      series: [
        { label: 'seal', x, y: seals.map((s) => s.sealMs), color: BLUE, markers: true },
        {
          label: 'SHA-256 one call per hash',
          x,
          y: x.map((l) => ((l - 1) * 1000) / ceilings.sha256CallsPerSecond),
          color: RED,
          markers: true,
        },
        { label: 'SHA-256 bulk', x, y: x.map((l) => (l - 1) * bulkPerLeafMs), color: GREEN, markers: true },
      ],
    },
    {
      yLabel: 'µs per leaf',
      xLabel: 'leaves (log)',
      logX: true,
      series: [
        {
          label: 'seal per leaf',
          x,
          y: seals.map((s) => (s.sealMs * 1000) / s.leaves),
          color: BLUE,
          markers: true,
        },
      ],
    },
  ]);
}

/** Writes both plots under the repository root; returns their paths. */
export function writePlots(
  long: Pick<LongRun, 'run' | 'samples'>,
  seals: readonly SealFigures[],
  ceilings: Sha256Ceilings,
): string[] {
  const ingest = join(ROOT, PLOT_FILES.ingest);
  const batch = join(ROOT, PLOT_FILES.batchSize);
  writeFileSync(ingest, ingestPlot(long));
  writeFileSync(batch, batchPlot(seals, ceilings));
  return [ingest, batch];
}

if (import.meta.main) {
  const r = JSON.parse(readFileSync(RESULTS_PATH, 'utf8')) as {
    longIngest?: Partial<Pick<LongRun, 'run' | 'samples'>>;
    seals?: SealFigures[];
    ceilings?: Partial<Sha256Ceilings>;
  };
  const { longIngest: long, seals, ceilings: c } = r;
  const present = {
    'longIngest.samples': Array.isArray(long?.samples),
    'longIngest.run.stored': typeof long?.run?.stored === 'number',
    seals: Array.isArray(seals),
    'ceilings.sha256CallsPerSecond': typeof c?.sha256CallsPerSecond === 'number',
    'ceilings.sha256BulkMs': typeof c?.sha256BulkMs === 'number',
    'ceilings.sha256BulkLeaves': typeof c?.sha256BulkLeaves === 'number',
  };
  const missing = Object.entries(present).flatMap(([k, ok]) => (ok ? [] : [k]));
  if (missing.length > 0) throw new Error(`${RESULTS_PATH} lacks ${missing.join(', ')}`);
  const written = writePlots(long as LongRun, seals as SealFigures[], c as Sha256Ceilings);
  console.log(`redrew ${written.join(' and ')} from ${RESULTS_PATH}`);
}
