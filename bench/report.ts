// Formats benchmark figures beside their ceilings as a plain-text table, and writes the results JSON.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** One line of the report table. */
export interface Row {
  readonly figure: string;
  readonly value: string;
  readonly ceiling: string;
  readonly ratio: string;
}

/** A rate with thousands separators, e.g. "12,345/s". */
export function rate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return 'n/a';
  return `${Math.round(perSecond).toLocaleString('en-US')}/s`;
}

/** Milliseconds with precision fitting the magnitude. */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (value >= 100) return `${Math.round(value).toLocaleString('en-US')} ms`;
  if (value >= 10) return `${value.toFixed(1)} ms`;
  return `${value.toFixed(2)} ms`;
}

/** A ratio such as "0.42 ×". */
export function times(ratio: number): string {
  if (!Number.isFinite(ratio)) return 'n/a';
  return ratio >= 10 ? `${ratio.toFixed(0)} ×` : `${ratio.toFixed(2)} ×`;
}

/** Renders rows as an aligned text table with a header line. */
export function table(rows: readonly Row[]): string {
  const head: Row = { figure: 'figure', value: 'value', ceiling: 'ceiling (same run)', ratio: 'ratio' };
  const all = [head, ...rows];
  const cols = ['figure', 'value', 'ceiling', 'ratio'] as const;
  const width = cols.map((c) => Math.max(...all.map((r) => r[c].length)));
  const line = (r: Row) =>
    cols
      .map((c, i) => (c === 'value' ? r[c].padStart(width[i] ?? 0) : r[c].padEnd(width[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const rule = width.map((w) => '-'.repeat(w)).join('  ');
  return [line(head), rule, ...rows.map(line)].join('\n');
}

/** Writes `results` as pretty JSON, creating the folder. */
export function writeResults(path: string, results: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(
    path,
    `${JSON.stringify(results, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`,
  );
}
