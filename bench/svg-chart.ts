// A small SVG line-chart renderer for the benchmark plots (no plotting dependency): panels stacked under a
// title, each with linear or log axes, ticks, labels, a legend and one polyline per series.

/** One line of a panel. */
export interface Series {
  readonly label: string;
  readonly x: readonly number[];
  readonly y: readonly number[];
  /** A CSS colour: "#1f5ac8", "crimson". */
  readonly color: string;
  /** A dot at each point. */
  readonly markers?: boolean;
}

/** One chart panel: axes, ticks, labels and its series. */
export interface Panel {
  readonly yLabel: string;
  readonly xLabel: string;
  readonly series: readonly Series[];
  readonly logX?: boolean;
  readonly logY?: boolean;
}

const FONT_SIZE = 12;
/** A generous average glyph width of the sans-serif font at FONT_SIZE, px: SVG cannot measure its text. */
const CHAR_WIDTH = 7;
const LEFT = 90;
const RIGHT = 30;
const TITLE_HEIGHT = 44;
const LEGEND_HEIGHT = 26;
const BELOW = 56;

/** `text` with &, <, >, " and ' escaped, for SVG text and attribute values. */
function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}

/** A short label for a tick value: 1.5K, 20M, 0.25. */
export function tickLabel(v: number): string {
  const a = Math.abs(v);
  const trim = (x: number) => String(Number(x.toPrecision(3)));
  if (a >= 1e6) return `${trim(v / 1e6)}M`;
  if (a >= 1e3) return `${trim(v / 1e3)}K`;
  return trim(v);
}

/** The round step that gives about five ticks over [lo, hi]. */
function tickStep(lo: number, hi: number): number {
  const raw = (hi - lo || Math.abs(hi) || 1) / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  return ([1, 2, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
}

/** About five round tick values covering [lo, hi]. */
export function linearTicks(lo: number, hi: number): number[] {
  const step = tickStep(lo, hi);
  const out: number[] = [];
  for (let k = Math.ceil(lo / step); k * step <= hi + step * 1e-9 && out.length < 50; k++) out.push(k * step);
  return out;
}

interface Axis {
  readonly lo: number;
  readonly hi: number;
  readonly log: boolean;
  readonly ticks: readonly number[];
}

/** Whether `v` can be drawn on an axis: finite, and positive on a log axis. */
function drawable(v: number, log: boolean): boolean {
  return Number.isFinite(v) && (!log || v > 0);
}

/**
 * A log axis spans whole decades around the values. A linear x axis spans the values exactly; a linear y axis
 * (`fromZero`) includes zero and is widened to round ticks.
 */
function axisOf(values: readonly number[], log: boolean, fromZero: boolean): Axis {
  const ok = values.filter((v) => drawable(v, log));
  if (log) {
    const lo = ok.length === 0 ? 0 : Math.floor(Math.log10(Math.min(...ok)));
    const hi = Math.max(lo + 1, ok.length === 0 ? 1 : Math.ceil(Math.log10(Math.max(...ok))));
    const ticks: number[] = [];
    for (let k = lo; k <= hi && ticks.length < 20; k++) ticks.push(10 ** k);
    return { lo: 10 ** lo, hi: 10 ** hi, log, ticks };
  }
  let lo = ok.length === 0 ? 0 : Math.min(...ok, ...(fromZero ? [0] : []));
  let hi = ok.length === 0 ? 1 : Math.max(...ok);
  if (hi <= lo) hi = lo + 1;
  if (fromZero) {
    const step = tickStep(lo, hi);
    lo = Math.floor(lo / step) * step;
    hi = Math.ceil(hi / step - 1e-9) * step;
  }
  return { lo, hi, log, ticks: linearTicks(lo, hi) };
}

/** Where `v` lies on `axis`, 0 at its low end and 1 at its high end. */
function fraction(axis: Axis, v: number): number {
  if (axis.log) return Math.log10(v / axis.lo) / Math.log10(axis.hi / axis.lo);
  return (v - axis.lo) / (axis.hi - axis.lo);
}

/** A coordinate with at most one decimal. */
const at = (v: number) => String(Math.round(v * 10) / 10);

function text(x: number, y: number, content: string, attributes = ''): string {
  return `<text x="${at(x)}" y="${at(y)}"${attributes}>${escapeXml(content)}</text>`;
}

function panelSvg(p: Panel, left: number, top: number, width: number, height: number): string[] {
  const xAxis = axisOf(
    p.series.flatMap((s) => s.x),
    p.logX === true,
    false,
  );
  const yAxis = axisOf(
    p.series.flatMap((s) => s.y),
    p.logY === true,
    true,
  );
  const px = (v: number) => left + fraction(xAxis, v) * width;
  const py = (v: number) => top + height - fraction(yAxis, v) * height;
  const bottom = top + height;
  const out: string[] = ['<g class="panel">'];
  for (const t of yAxis.ticks) {
    const y = at(py(t));
    out.push(`<line x1="${left}" y1="${y}" x2="${left + width}" y2="${y}" stroke="#ddd"/>`);
    out.push(text(left - 6, py(t), tickLabel(t), ' text-anchor="end" dy="0.35em"'));
  }
  for (const t of xAxis.ticks) {
    const x = at(px(t));
    out.push(`<line x1="${x}" y1="${top}" x2="${x}" y2="${bottom}" stroke="#ddd"/>`);
    out.push(text(px(t), bottom + 18, tickLabel(t), ' text-anchor="middle"'));
  }
  out.push(
    `<rect class="plot-area" x="${left}" y="${top}" width="${width}" height="${height}" fill="none" stroke="#000"/>`,
  );
  out.push(text(left + width / 2, bottom + 40, p.xLabel, ' text-anchor="middle"'));
  const yLabelX = left - 62;
  const yMid = top + height / 2;
  out.push(
    text(yLabelX, yMid, p.yLabel, ` text-anchor="middle" transform="rotate(-90 ${at(yLabelX)} ${at(yMid)})"`),
  );
  let legendX = left;
  for (const s of p.series) {
    const color = escapeXml(s.color);
    const points: string[] = [];
    const dots: string[] = [];
    for (let i = 0; i < Math.min(s.x.length, s.y.length); i++) {
      const xv = s.x[i] as number;
      const yv = s.y[i] as number;
      if (!drawable(xv, xAxis.log) || !drawable(yv, yAxis.log)) continue;
      points.push(`${at(px(xv))},${at(py(yv))}`);
      if (s.markers === true)
        dots.push(`<circle cx="${at(px(xv))}" cy="${at(py(yv))}" r="3" fill="${color}"/>`);
    }
    if (points.length > 0)
      out.push(
        `<polyline points="${points.join(' ')}" fill="none" stroke="${color}" stroke-width="1.5" stroke-linejoin="round"/>`,
      );
    out.push(...dots);
    out.push(`<rect x="${legendX}" y="${top - 18}" width="14" height="10" fill="${color}"/>`);
    out.push(text(legendX + 20, top - 9, s.label));
    legendX += 20 + s.label.length * CHAR_WIDTH + 24;
  }
  out.push('</g>');
  return out;
}

/** Renders `panels` stacked vertically under `title`, as an SVG document. */
export function renderChart(title: string, panels: readonly Panel[], width = 960, panelHeight = 280): string {
  const step = LEGEND_HEIGHT + panelHeight + BELOW;
  const height = TITLE_HEIGHT + panels.length * step;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="${FONT_SIZE}">`,
    // The title element names the picture for screen readers and image viewers.
    `<title>${escapeXml(title)}</title>`,
    '<rect width="100%" height="100%" fill="#fff"/>',
    text(width / 2, 28, title, ' text-anchor="middle" font-size="16" font-weight="bold"'),
    ...panels.flatMap((p, i) =>
      panelSvg(p, LEFT, TITLE_HEIGHT + LEGEND_HEIGHT + i * step, width - LEFT - RIGHT, panelHeight),
    ),
    '</svg>',
    '',
  ].join('\n');
}
