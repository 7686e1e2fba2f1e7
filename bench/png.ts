// A minimal PNG writer and line-chart renderer for the benchmark plots (no plotting dependency):
// 8-bit RGB, zlib from node:zlib, lines, filled squares and a built-in 3×5 bitmap font.
import { crc32, deflateSync } from 'node:zlib';

/** An RGB raster, 3 bytes per pixel, rows top to bottom. */
export interface Canvas {
  readonly width: number;
  readonly height: number;
  readonly rgb: Uint8Array;
}

export type Color = readonly [number, number, number];

export const BLACK: Color = [0, 0, 0];
export const GREY: Color = [200, 200, 200];
export const BLUE: Color = [31, 90, 200];
export const RED: Color = [200, 40, 40];
export const GREEN: Color = [30, 140, 60];

const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** Encodes a canvas as a PNG file (colour type 2, bit depth 8, filter 0 on every row). */
export function encodePng(canvas: Canvas): Buffer {
  const { width, height, rgb } = canvas;
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const rows = Buffer.alloc(height * (1 + width * 3));
  for (let y = 0; y < height; y++)
    rows.set(rgb.subarray(y * width * 3, (y + 1) * width * 3), y * (1 + width * 3) + 1);
  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

/** A white canvas. */
export function createCanvas(width: number, height: number): Canvas {
  return { width, height, rgb: new Uint8Array(width * height * 3).fill(255) };
}

function plot(c: Canvas, x: number, y: number, color: Color): void {
  const px = Math.round(x);
  const py = Math.round(y);
  if (px < 0 || py < 0 || px >= c.width || py >= c.height) return;
  c.rgb.set(color, (py * c.width + px) * 3);
}

/** A filled axis-aligned rectangle. */
export function fillRect(c: Canvas, x: number, y: number, w: number, h: number, color: Color): void {
  for (let j = 0; j < h; j++) for (let i = 0; i < w; i++) plot(c, x + i, y + j, color);
}

/** A straight line, `thickness` pixels wide (square pen). */
export function line(
  c: Canvas,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  color: Color,
  thickness = 1,
): void {
  const steps = Math.max(1, Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))));
  const half = Math.floor(thickness / 2);
  for (let s = 0; s <= steps; s++) {
    const x = x0 + ((x1 - x0) * s) / steps;
    const y = y0 + ((y1 - y0) * s) / steps;
    fillRect(c, Math.round(x) - half, Math.round(y) - half, thickness, thickness, color);
  }
}

/** 3×5 glyphs, rows top to bottom, '1' = ink. Text is drawn upper-case. */
const FONT: Record<string, string> = {
  '0': '111101101101111',
  '1': '010110010010111',
  '2': '111001111100111',
  '3': '111001111001111',
  '4': '101101111001001',
  '5': '111100111001111',
  '6': '111100111101111',
  '7': '111001001010010',
  '8': '111101111101111',
  '9': '111101111001111',
  A: '010101111101101',
  B: '110101110101110',
  C: '011100100100011',
  D: '110101101101110',
  E: '111100110100111',
  F: '111100110100100',
  G: '011100101101011',
  H: '101101111101101',
  I: '111010010010111',
  J: '001001001101010',
  K: '101101110101101',
  L: '100100100100111',
  M: '101111111101101',
  N: '110101101101101',
  O: '010101101101010',
  P: '110101110100100',
  Q: '010101101110011',
  R: '110101110101101',
  S: '011100010001110',
  T: '111010010010010',
  U: '101101101101111',
  V: '101101101101010',
  W: '101101111111101',
  X: '101101010101101',
  Y: '101101010010010',
  Z: '111001010100111',
  ' ': '000000000000000',
  '.': '000000000000010',
  ',': '000000000010100',
  '-': '000000111000000',
  '/': '001001010100100',
  '(': '010100100100010',
  ')': '010001001001010',
  '^': '010101000000000',
  '%': '101001010100101',
  ':': '000010000010000',
  '=': '000111000111000',
  '+': '000010111010000',
};

/** Width in pixels of `text` at `scale`. */
export function textWidth(text: string, scale: number): number {
  return text.length * 4 * scale - scale;
}

/** Calls `ink` for every inked cell of `text`: character index, glyph row and column. */
function eachInk(text: string, ink: (index: number, row: number, col: number) => void): void {
  [...text.toUpperCase()].forEach((ch, index) => {
    const glyph = FONT[ch] ?? '';
    for (let cell = 0; cell < glyph.length; cell++)
      if (glyph[cell] === '1') ink(index, Math.floor(cell / 3), cell % 3);
  });
}

/** Draws `text` with its top-left corner at (x, y); characters without a glyph are left blank. */
export function drawText(c: Canvas, x: number, y: number, text: string, color: Color, scale = 2): void {
  eachInk(text, (i, row, col) =>
    fillRect(c, x + (i * 4 + col) * scale, y + row * scale, scale, scale, color),
  );
}

/** Text rotated a quarter turn anticlockwise (for a y-axis label), its left end at the bottom (x, y). */
export function drawTextUp(c: Canvas, x: number, y: number, text: string, color: Color, scale = 2): void {
  eachInk(text, (i, row, col) =>
    fillRect(c, x + row * scale, y - (i * 4 + col + 1) * scale, scale, scale, color),
  );
}

/** A short label for a tick value: 1.5K, 20M, 0.25. */
export function tickLabel(v: number): string {
  const a = Math.abs(v);
  const trim = (x: number) => String(Number(x.toPrecision(3)));
  if (a >= 1e6) return `${trim(v / 1e6)}M`;
  if (a >= 1e3) return `${trim(v / 1e3)}K`;
  return trim(v);
}

/** About five round tick values covering [lo, hi]. */
export function linearTicks(lo: number, hi: number): number[] {
  const span = hi - lo || Math.abs(hi) || 1;
  const raw = span / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9 && out.length < 50; v += step) out.push(v);
  return out;
}

/** One line of a panel. */
export interface Series {
  readonly label: string;
  readonly x: readonly number[];
  readonly y: readonly number[];
  readonly color: Color;
  /** Square markers at each point. */
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

interface Scale {
  readonly lo: number;
  readonly hi: number;
  readonly log: boolean;
  readonly ticks: number[];
}

function scaleOf(values: readonly number[], log: boolean, fromZero: boolean): Scale {
  const finite = values.filter((v) => Number.isFinite(v) && (!log || v > 0));
  if (log) {
    const lo = finite.length === 0 ? 1 : 10 ** Math.floor(Math.log10(Math.min(...finite)));
    const hi = finite.length === 0 ? 10 : 10 ** Math.ceil(Math.log10(Math.max(...finite)));
    const ticks: number[] = [];
    for (let v = lo; v <= hi * 1.0001 && ticks.length < 20; v *= 10) ticks.push(v);
    return { lo, hi: hi > lo ? hi : lo * 10, log, ticks };
  }
  let lo = fromZero ? Math.min(0, ...finite) : Math.min(...finite);
  let hi = Math.max(...finite, lo + 1);
  if (finite.length === 0) [lo, hi] = [0, 1];
  const ticks = linearTicks(lo, hi);
  const last = ticks[ticks.length - 1] ?? hi;
  return { lo, hi: Math.max(hi, last), log, ticks };
}

function position(s: Scale, v: number): number {
  if (s.log) return (Math.log10(v) - Math.log10(s.lo)) / (Math.log10(s.hi) - Math.log10(s.lo));
  return (v - s.lo) / (s.hi - s.lo || 1);
}

function drawPanel(c: Canvas, p: Panel, left: number, top: number, width: number, height: number): void {
  const xs = scaleOf(
    p.series.flatMap((s) => s.x),
    p.logX === true,
    false,
  );
  const ys = scaleOf(
    p.series.flatMap((s) => s.y),
    p.logY === true,
    true,
  );
  const px = (v: number) => left + position(xs, v) * width;
  const py = (v: number) => top + height - position(ys, v) * height;
  for (const t of ys.ticks) {
    const y = py(t);
    line(c, left, y, left + width, y, GREY);
    const label = tickLabel(t);
    drawText(c, left - 8 - textWidth(label, 2), Math.round(y) - 5, label, BLACK);
  }
  for (const t of xs.ticks) {
    const x = px(t);
    line(c, x, top, x, top + height, GREY);
    const label = tickLabel(t);
    drawText(c, Math.round(x - textWidth(label, 2) / 2), top + height + 8, label, BLACK);
  }
  line(c, left, top, left, top + height, BLACK, 2);
  line(c, left, top + height, left + width, top + height, BLACK, 2);
  drawText(c, Math.round(left + width / 2 - textWidth(p.xLabel, 2) / 2), top + height + 26, p.xLabel, BLACK);
  drawTextUp(c, left - 86, Math.round(top + height / 2 + textWidth(p.yLabel, 2) / 2), p.yLabel, BLACK);
  let legendX = left + 10;
  for (const s of p.series) {
    let prev: [number, number] | undefined;
    for (let i = 0; i < Math.min(s.x.length, s.y.length); i++) {
      const xv = s.x[i] as number;
      const yv = s.y[i] as number;
      if (!Number.isFinite(xv) || !Number.isFinite(yv) || (xs.log && xv <= 0) || (ys.log && yv <= 0))
        continue;
      const point: [number, number] = [px(xv), py(yv)];
      if (prev !== undefined) line(c, prev[0], prev[1], point[0], point[1], s.color, 2);
      if (s.markers === true) fillRect(c, Math.round(point[0]) - 3, Math.round(point[1]) - 3, 7, 7, s.color);
      prev = point;
    }
    fillRect(c, legendX, top - 16, 16, 10, s.color);
    drawText(c, legendX + 22, top - 16, s.label, BLACK);
    legendX += 22 + textWidth(s.label, 2) + 24;
  }
}

/** Renders `panels` stacked vertically under `title`, as PNG bytes. */
export function renderChart(title: string, panels: readonly Panel[], width = 960, panelHeight = 280): Buffer {
  const left = 110;
  const right = 30;
  const titleHeight = 64;
  const gap = 70;
  const c = createCanvas(width, titleHeight + panels.length * (panelHeight + gap));
  drawText(c, Math.round(width / 2 - textWidth(title, 3) / 2), 14, title, BLACK, 3);
  panels.forEach((p, i) => {
    drawPanel(c, p, left, titleHeight + 10 + i * (panelHeight + gap), width - left - right, panelHeight);
  });
  return encodePng(c);
}
