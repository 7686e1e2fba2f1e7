// A strict parser of the Prometheus text exposition format 0.0.4 (test helper): every line must be a comment, a
// HELP/TYPE line or a sample; label values are unescaped; a malformed line throws naming it. Beyond the syntax it
// holds the exposition to the format's rules: a sample belongs to a family whose TYPE came before it (histograms
// and summaries by their _bucket, _sum and _count suffixes), no sample repeats, and a histogram's buckets carry
// `le`, are cumulative and end in +Inf equal to its _count.

/** One sample line. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** A parsed exposition: samples plus HELP and TYPE by metric family. */
export interface Exposition {
  readonly samples: readonly Sample[];
  readonly help: ReadonlyMap<string, string>;
  readonly type: ReadonlyMap<string, string>;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

function parseValue(raw: string, line: string): number {
  // Go's ParseFloat, which Prometheus uses, takes NaN and Inf in any case (prom-client writes "Nan").
  const lower = raw.toLowerCase();
  if (lower === '+inf' || lower === 'inf') return Number.POSITIVE_INFINITY;
  if (lower === '-inf') return Number.NEGATIVE_INFINITY;
  if (lower === 'nan') return Number.NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw)) throw new Error(`bad value in: ${line}`);
  return Number(raw);
}

function parseLabels(body: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let i = 0;
  while (i < body.length) {
    const eq = body.indexOf('=', i);
    if (eq < 0) throw new Error(`bad labels in: ${line}`);
    const key = body.slice(i, eq).trim();
    if (!NAME.test(key) || body[eq + 1] !== '"') throw new Error(`bad label in: ${line}`);
    let j = eq + 2;
    let value = '';
    for (; j < body.length && body[j] !== '"'; j++) {
      if (body[j] === '\\') {
        const next = body[++j];
        value += next === 'n' ? '\n' : (next ?? '');
      } else value += body[j];
    }
    if (body[j] !== '"') throw new Error(`unterminated label value in: ${line}`);
    if (key in labels) throw new Error(`repeated label ${key} in: ${line}`);
    labels[key] = value;
    i = j + 1;
    if (body[i] === ',') i++;
    else if (i < body.length) throw new Error(`labels not separated by commas in: ${line}`);
  }
  return labels;
}

/** The family a sample of `name` belongs to under the TYPEs seen so far, or undefined. */
function familyOf(name: string, type: ReadonlyMap<string, string>): string | undefined {
  if (type.has(name)) return name;
  for (const [suffix, types] of [
    ['_bucket', ['histogram']],
    ['_sum', ['histogram', 'summary']],
    ['_count', ['histogram', 'summary']],
  ] as const) {
    const base = name.slice(0, -suffix.length);
    if (name.endsWith(suffix) && (types as readonly string[]).includes(type.get(base) ?? '')) return base;
  }
  return undefined;
}

const labelKey = (labels: Readonly<Record<string, string>>, without?: string): string =>
  JSON.stringify(
    Object.entries(labels)
      .filter(([k]) => k !== without)
      .sort(([a], [b]) => (a < b ? -1 : 1)),
  );

/** A histogram's buckets, per label set: `le` on each, increasing, cumulative, the last +Inf and equal to _count. */
function checkHistogram(family: string, samples: readonly Sample[]): void {
  const buckets = new Map<string, Sample[]>();
  for (const s of samples) {
    if (s.name !== `${family}_bucket`) continue;
    if (s.labels['le'] === undefined) throw new Error(`${family}_bucket without le`);
    const key = labelKey(s.labels, 'le');
    buckets.set(key, [...(buckets.get(key) ?? []), s]);
  }
  for (const [key, list] of buckets) {
    for (let i = 1; i < list.length; i++) {
      const [a, b] = [list[i - 1] as Sample, list[i] as Sample];
      if (!(parseValue(b.labels['le'] as string, family) > parseValue(a.labels['le'] as string, family))) {
        throw new Error(`${family} buckets not in increasing le order ${key}`);
      }
      if (b.value < a.value) throw new Error(`${family} buckets not cumulative ${key}`);
    }
    const last = list.at(-1) as Sample;
    if (parseValue(last.labels['le'] as string, family) !== Number.POSITIVE_INFINITY) {
      throw new Error(`${family} has no +Inf bucket ${key}`);
    }
    const count = samples.find((s) => s.name === `${family}_count` && labelKey(s.labels) === key);
    if (count?.value !== last.value) throw new Error(`${family} +Inf bucket differs from _count ${key}`);
  }
}

/** Parses `text`; throws on the first malformed line or broken rule. */
export function parsePrometheusText(text: string): Exposition {
  const samples: Sample[] = [];
  const help = new Map<string, string>();
  const type = new Map<string, string>();
  const seen = new Set<string>();
  const finished = new Set<string>();
  let current: string | undefined;
  const enter = (family: string, line: string): void => {
    if (family === current) return;
    if (finished.has(family)) throw new Error(`family ${family} is not in one group: ${line}`);
    if (current !== undefined) finished.add(current);
    current = family;
  };
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (m === null) continue; // a plain comment
      const [, kind, name, rest] = m as unknown as [string, string, string, string];
      if (!NAME.test(name)) throw new Error(`bad metric name in: ${line}`);
      enter(name, line);
      if (kind === 'HELP') {
        if (help.has(name)) throw new Error(`second HELP for ${name}`);
        help.set(
          name,
          rest.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c)),
        );
      } else {
        if (!TYPES.has(rest)) throw new Error(`bad type in: ${line}`);
        if (type.has(name)) throw new Error(`second TYPE for ${name}`);
        type.set(name, rest);
      }
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)( -?\d+)?$/.exec(line);
    if (m === null) throw new Error(`not a sample line: ${line}`);
    const sample = {
      name: m[1] as string,
      labels: m[3] === undefined ? {} : parseLabels(m[3], line),
      value: parseValue(m[4] as string, line),
    };
    const family = familyOf(sample.name, type);
    if (family === undefined) throw new Error(`sample without a TYPE before it: ${line}`);
    enter(family, line);
    const key = `${sample.name}${labelKey(sample.labels)}`;
    if (seen.has(key)) throw new Error(`repeated sample: ${line}`);
    seen.add(key);
    samples.push(sample);
  }
  for (const [family, kind] of type) if (kind === 'histogram') checkHistogram(family, samples);
  return { samples, help, type };
}

/** The samples of `name` whose labels include `labels`. */
export function samplesOf(e: Exposition, name: string, labels: Record<string, string> = {}): Sample[] {
  return e.samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
}

/** The single value of `name` with `labels` (throws when there is not exactly one). */
export function sampleValue(e: Exposition, name: string, labels: Record<string, string> = {}): number {
  const found = samplesOf(e, name, labels);
  if (found.length !== 1) throw new Error(`${found.length} samples of ${name} ${JSON.stringify(labels)}`);
  return (found[0] as Sample).value;
}
