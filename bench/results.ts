// The figures of one run, each beside the ceiling measured in the same run, as printed lines and as the
// machine-readable bench/results.json.

/** One ceiling a figure is compared with. */
export interface Ceiling {
  readonly value: number;
  readonly unit: string;
  /** What was measured, e.g. "raw HTTP/2 unary no-op, 64 in flight". */
  readonly what: string;
  /** figure ÷ ceiling (for a time: ceiling ÷ figure is not used; the ratio is always value / ceiling). */
  readonly ratio: number;
}

/** One measured figure of the table. */
export interface Figure {
  /** Stable key in results.json. */
  readonly key: string;
  /** Human description, with the size actually run. */
  readonly figure: string;
  readonly value: number;
  readonly unit: string;
  /** The target, as text ("≥ 30,000/s"). */
  readonly target: string;
  /** The main ceiling first; undefined where none applies. */
  readonly ceiling: Ceiling | undefined;
  readonly otherCeilings: readonly Ceiling[];
}

/** Builds a ceiling with its ratio to `value`. */
export function ceiling(value: number, unit: string, what: string, figureValue: number): Ceiling {
  return { value, unit, what, ratio: figureValue / value };
}

/** A number in a unit, with thousands separators and precision fitting its magnitude. */
export function formatValue(value: number, unit: string): string {
  if (!Number.isFinite(value)) return 'n/a';
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : Math.abs(value) >= 1 ? 2 : 3;
  const text = value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
  if (unit === '%') return `${text} %`;
  return unit.startsWith('/') ? `${text}${unit}` : `${text} ${unit}`;
}

function ratioText(ratio: number): string {
  if (!Number.isFinite(ratio)) return 'n/a';
  return ratio >= 100 ? ratio.toFixed(0) : ratio >= 10 ? ratio.toFixed(1) : ratio.toFixed(2);
}

/** "figure: value  ceiling: value (what)  ratio: x", then one indented line per other ceiling. */
export function figureLines(f: Figure): string[] {
  const head = `${f.figure}: ${formatValue(f.value, f.unit)}`;
  const c = f.ceiling;
  const main =
    c === undefined
      ? `${head}  ceiling: n/a (target ${f.target})  ratio: n/a`
      : `${head}  ceiling: ${formatValue(c.value, c.unit)} (${c.what})  ratio: ${ratioText(c.ratio)}`;
  return [
    main,
    ...f.otherCeilings.map(
      (o) => `    also ceiling: ${formatValue(o.value, o.unit)} (${o.what})  ratio: ${ratioText(o.ratio)}`,
    ),
  ];
}

/** Figures keyed for results.json, in print order. */
export function figuresByKey(figures: readonly Figure[]): Record<string, Figure> {
  const out: Record<string, Figure> = {};
  for (const f of figures) out[f.key] = f;
  return out;
}
