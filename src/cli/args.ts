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
    if (kind === undefined) throw new CliError('USAGE', `unknown option --${name}`, { field: name });
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
