// A strict flag parser: known flags only, values checked, errors name the flag.
import { CliError } from './cli-error.ts';

/** How a flag takes its value. */
/** `strings`: a string flag that may be given more than once (stringsFlag reads all of them). */
export type FlagKind = 'boolean' | 'string' | 'strings' | 'optional-number';

/** Parsed flags and positionals. */
export interface ParsedArgs {
  readonly flags: Map<string, string | true>;
  readonly positionals: string[];
}

/** Parses `argv` against `spec` (flag name without "--" → kind). Throws CliError USAGE. */
export function parseArgs(argv: readonly string[], spec: Readonly<Record<string, FlagKind>>): ParsedArgs {
  const flags = new Map<string, string | true>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const kind = spec[name];
    if (kind === undefined) {
      const near = nearest(name, Object.keys(spec));
      throw new CliError(
        'USAGE',
        `unknown option --${name}${near === undefined ? '' : ` (did you mean --${near}?)`}`,
        { field: name },
      );
    }
    if (flags.has(name) && kind !== 'strings')
      throw new CliError('USAGE', `--${name} given twice`, { field: name });
    const inline = eq === -1 ? undefined : arg.slice(eq + 1);
    if (kind === 'boolean') {
      if (inline !== undefined) throw new CliError('USAGE', `--${name} takes no value`, { field: name });
      flags.set(name, true);
    } else if (kind === 'string' || kind === 'strings') {
      const value = inline ?? argv[++i];
      if (value === undefined || (inline === undefined && value.startsWith('--'))) {
        throw new CliError('USAGE', `--${name} needs a value`, { field: name });
      }
      const before = flags.get(name);
      flags.set(name, typeof before === 'string' ? `${before}${LIST_SEPARATOR}${value}` : value);
    } else {
      const next = argv[i + 1];
      if (inline !== undefined) flags.set(name, inline);
      else if (next !== undefined && /^\d+(\.\d+)?$/.test(next)) flags.set(name, argv[++i] as string);
      else flags.set(name, true);
    }
  }
  return { flags, positionals };
}

/** Joins the values of a `strings` flag (NUL: no path or argument can hold it). */
const LIST_SEPARATOR = '\u0000';

/** Every value of a `strings` flag, in order given; empty when absent. */
export function stringsFlag(args: ParsedArgs, name: string): string[] {
  const v = args.flags.get(name);
  return typeof v === 'string' ? v.split(LIST_SEPARATOR) : [];
}

/** The string value of a flag, or undefined. */
export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

/** Requires exactly one of `names` to be set; returns which. */
export function oneOf(args: ParsedArgs, names: readonly string[], required: boolean): string | undefined {
  const set = names.filter((n) => args.flags.has(n));
  if (set.length > 1)
    throw new CliError('USAGE', `give only one of ${names.map((n) => `--${n}`).join(', ')}`);
  if (required && set.length === 0)
    throw new CliError('USAGE', `one of ${names.map((n) => `--${n}`).join(', ')} is required`);
  return set[0];
}

/** Edit distance (insertions, deletions, substitutions, adjacent swaps) between two short strings. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i] as number[];
      const up = d[i - 1] as number[];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min((up[j] as number) + 1, (row[j - 1] as number) + 1, (up[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        row[j] = Math.min(row[j] as number, ((d[i - 2] as number[])[j - 2] as number) + 1);
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}

/**
 * The known flag a mistyped `name` most likely meant: the closest within 2 edits (1 for names of 4 or fewer
 * characters), or one that starts with it; undefined when none is close or two are equally close.
 */
export function nearest(name: string, known: readonly string[]): string | undefined {
  if (name.length === 0 || name.length > 64) return undefined;
  const prefixed = known.filter((k) => k.startsWith(name) && name.length >= 3);
  if (prefixed.length === 1) return prefixed[0];
  const limit = name.length <= 4 ? 1 : 2;
  let best: string | undefined;
  let bestDistance = limit + 1;
  let tie = false;
  for (const k of known) {
    const dist = editDistance(name.toLowerCase(), k);
    if (dist < bestDistance) {
      best = k;
      bestDistance = dist;
      tie = false;
    } else if (dist === bestDistance) tie = true;
  }
  return best === undefined || tie ? undefined : best;
}
