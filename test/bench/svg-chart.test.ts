// The benchmark's SVG line charts: well-formed XML, one polyline per series placed on its axes (linear and log),
// escaped labels, and values a log axis cannot show left out.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { batchPlot } from '../../bench/plots.ts';
import { linearTicks, type Panel, renderChart, tickLabel } from '../../bench/svg-chart.ts';

interface Element {
  readonly name: string;
  readonly attrs: Record<string, string>;
  readonly children: Element[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(s: string): string {
  assert.doesNotMatch(s, /&(?!(?:amp|lt|gt|quot|apos);)/, `bare & in ${JSON.stringify(s)}`);
  return s.replace(/&(\w+);/g, (_m, e: string) => ENTITIES[e] as string);
}

/** A tag-stack parser for the XML subset the renderer writes: every byte must belong to a tag or to text. */
function parseXml(xml: string): Element {
  const token = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/y;
  const root: Element = { name: '#document', attrs: {}, children: [], text: '' };
  const stack = [root];
  while (token.lastIndex < xml.length) {
    const at = token.lastIndex;
    const m = token.exec(xml);
    assert.ok(m !== null, `not XML at ${at}: ${JSON.stringify(xml.slice(at, at + 40))}`);
    const top = stack[stack.length - 1] as Element;
    const [, close, name, attrText, selfClose, text] = m;
    if (text !== undefined) {
      top.text += decode(text);
    } else if (close === '/') {
      assert.equal(top.name, name, `</${name}> closes <${top.name}>`);
      stack.pop();
    } else {
      const attrs: Record<string, string> = {};
      for (const [, k, v] of (attrText ?? '').matchAll(/([\w:-]+)="([^"]*)"/g))
        attrs[k as string] = decode(v as string);
      const element: Element = { name: name as string, attrs, children: [], text: '' };
      top.children.push(element);
      if (selfClose !== '/') stack.push(element);
    }
  }
  assert.equal(stack.length, 1, `unclosed <${stack[stack.length - 1]?.name}>`);
  assert.equal(root.children.length, 1, 'one root element');
  return root.children[0] as Element;
}

function all(e: Element, name: string): Element[] {
  return [...(e.name === name ? [e] : []), ...e.children.flatMap((c) => all(c, name))];
}

/** A polyline's coordinates, as x and y lists. */
function points(polyline: Element | undefined): { xs: number[]; ys: number[] } {
  const pairs = (polyline?.attrs['points'] ?? '').split(' ').map((p) => p.split(',').map(Number));
  return { xs: pairs.map((p) => p[0] as number), ys: pairs.map((p) => p[1] as number) };
}

/** The `i`th number of `list`, asserted to exist. */
function nth(list: readonly number[], i: number): number {
  const v = list.at(i);
  assert.ok(v !== undefined, `no item ${i} in ${list.length}`);
  return v;
}

function plotArea(panel: Element): { left: number; right: number; top: number; bottom: number } {
  const rect = all(panel, 'rect').find((r) => r.attrs['class'] === 'plot-area');
  assert.ok(rect !== undefined, 'plot area');
  const [x, y, w, h] = ['x', 'y', 'width', 'height'].map((k) => Number(rect.attrs[k]));
  return {
    left: x as number,
    right: (x as number) + (w as number),
    top: y as number,
    bottom: (y as number) + (h as number),
  };
}

const near = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= 0.11, `${what}: ${actual} ≠ ${expected}`);

test('a panel with two series: two polylines of their point counts, ends on the plot edges, larger y higher', () => {
  const panel: Panel = {
    yLabel: 'rate',
    xLabel: 'time (s)',
    series: [
      { label: 'a', x: [0, 1, 2, 3, 4], y: [5, 7, 6, 8, 9], color: '#1f5ac8' },
      { label: 'b', x: [0, 2, 4], y: [1, 3, 2], color: 'crimson', markers: true },
    ],
  };
  const svg = parseXml(renderChart('Test', [panel], 500, 200));
  assert.equal(svg.name, 'svg');
  assert.equal(svg.attrs['width'], '500');
  const panels = all(svg, 'g').filter((e) => e.attrs['class'] === 'panel');
  assert.equal(panels.length, 1);
  const g = panels[0] as Element;
  const lines = all(g, 'polyline');
  assert.deepEqual(
    lines.map((l) => [l.attrs['stroke'], points(l).xs.length]),
    [
      ['#1f5ac8', 5],
      ['crimson', 3],
    ],
  );
  assert.equal(all(g, 'circle').length, 3, 'markers of b only');
  const area = plotArea(g);
  assert.equal(area.right - area.left, 500 - 90 - 30);
  const a = points(lines[0]);
  near(nth(a.xs, 0), area.left, 'first x');
  near(nth(a.xs, -1), area.right, 'last x');
  for (let i = 1; i < a.xs.length; i++) assert.ok(nth(a.xs, i) > nth(a.xs, i - 1), 'x grows rightwards');
  assert.ok(nth(a.ys, 1) < nth(a.ys, 0), 'y 7 drawn above y 5');
  assert.ok(nth(a.ys, 2) > nth(a.ys, 1), 'y 6 drawn below y 7');
  assert.ok(
    a.ys.every((y) => y >= area.top && y <= area.bottom),
    'inside the plot area',
  );
  const b = points(lines[1]);
  assert.ok(nth(b.ys, 1) < nth(b.ys, 0), "b's y 3 drawn above its y 1");
});

test('a log axis puts 10, 100 and 1000 equal distances apart and skips values it cannot show', () => {
  const svg = renderChart('Log', [
    {
      yLabel: 'ms',
      xLabel: 'leaves',
      logX: true,
      logY: true,
      series: [
        { label: 'decades', x: [10, 100, 1000], y: [10, 100, 1000], color: 'blue' },
        {
          label: 'with gaps',
          x: [10, 20, 30, 40, 50, 60],
          y: [5, 0, -3, Number.NaN, Infinity, 50],
          color: 'red',
        },
      ],
    },
  ]);
  assert.doesNotMatch(svg, /NaN|Infinity/);
  const root = parseXml(svg);
  const [decades, gaps] = all(root, 'polyline').map(points);
  const { xs, ys } = decades ?? { xs: [], ys: [] };
  const area = plotArea(root);
  near(nth(xs, 0), area.left, 'x 10 on the left edge');
  near(nth(xs, 2), area.right, 'x 1000 on the right edge');
  near(nth(xs, 1) - nth(xs, 0), nth(xs, 2) - nth(xs, 1), 'x spacing');
  near(nth(ys, 0) - nth(ys, 1), nth(ys, 1) - nth(ys, 2), 'y spacing');
  assert.ok(nth(ys, 2) < nth(ys, 0), '1000 above 10');
  assert.equal(gaps?.xs.length, 2, 'only y 5 and y 50 drawn');
  const ticks = all(root, 'text').map((t) => t.text);
  for (const label of ['1', '10', '100', '1K']) assert.ok(ticks.includes(label), `tick ${label}`);
});

test('title, axis and series labels are real text, with <, &, " and \' escaped', () => {
  const label = `<b> & "q" 'a'`;
  const raw = renderChart(label, [
    {
      yLabel: `y ${label}`,
      xLabel: `x ${label}`,
      series: [{ label: `s ${label}`, x: [1, 2], y: [1, 2], color: 'red' }],
    },
  ]);
  assert.ok(!raw.includes('<b>'), 'no raw markup from a label');
  assert.ok(raw.includes('&lt;b&gt; &amp; &quot;q&quot; &apos;a&apos;'));
  const texts = all(parseXml(raw), 'text').map((t) => t.text);
  for (const want of [label, `y ${label}`, `x ${label}`, `s ${label}`]) assert.ok(texts.includes(want), want);
});

test('the seal plot draws three lines with a marker per batch size, then the per-leaf line', () => {
  const seals = [1e3, 1e4, 1e5].map((leaves) => ({ leaves, sealMs: leaves / 1000 + 5 }));
  const svg = parseXml(
    batchPlot(seals as unknown as Parameters<typeof batchPlot>[0], {
      sha256CallsPerSecond: 1e6,
      sha256BulkMs: 50,
      sha256BulkLeaves: 1e6,
    }),
  );
  const panels = all(svg, 'g').filter((e) => e.attrs['class'] === 'panel');
  assert.deepEqual(
    panels.map((p) => all(p, 'polyline').map((l) => points(l).xs.length)),
    [[3, 3, 3], [3]],
  );
  assert.equal(all(svg, 'circle').length, 12);
});

test('tick values are round and labelled shortly', () => {
  assert.deepEqual(linearTicks(0, 100), [0, 20, 40, 60, 80, 100]);
  assert.deepEqual(linearTicks(0, 1.3e5), [0, 50_000, 100_000]);
  assert.equal(tickLabel(150_000), '150K');
  assert.equal(tickLabel(1e6), '1M');
  assert.equal(tickLabel(0.25), '0.25');
});
