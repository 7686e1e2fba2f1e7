// `spark token create`: a fresh bearer token on stdout, and the line the SPARK_AUTH_TOKENS file needs (its SHA-256
// only: the server never stores tokens), on stderr or appended to the file. `spark token quota`: a client's quota
// in that file (docs/operations.md §Usage, quotas and fees).
import { existsSync } from 'node:fs';
import { ConfigError } from '../../config/config-error.ts';
import { readSecretFile } from '../../config/secret-file.ts';
import {
  createToken,
  parseQuotaFields,
  parseTokenFile,
  quotaFields,
  ROLES,
  type Role,
  TOKEN_NAME_PATTERN,
  tokenFileLine,
} from '../../service/access-tokens.ts';
import type { ClientQuota } from '../../usage/usage.ts';
import { type ParsedArgs, parseArgs, stringFlag } from '../args.ts';
import { CliError } from '../cli-error.ts';
import { writeFileFor } from '../io.ts';

/** The tokens file's lines, checked as the server checks them (mode, form); [] when it does not exist yet. */
function readTokensFile(path: string, mustExist: boolean): string[] {
  if (!mustExist && !existsSync(path)) return [];
  let text: string;
  try {
    const bytes = readSecretFile('SPARK_AUTH_TOKENS', path);
    text = bytes.toString('utf8');
  } catch (err) {
    if (err instanceof ConfigError)
      throw new CliError('IO', `--file: ${err.issues.map((i) => i.problem).join('; ')}`);
    throw err;
  }
  const { issues } = parseTokenFile(text, path);
  const real = issues.filter((i) => !i.problem.endsWith('holds no token lines'));
  if (real.length > 0) throw new CliError('IO', `--file: ${real.map((i) => i.problem).join('; ')}`);
  return text.split('\n').filter((line, i, all) => i < all.length - 1 || line !== '');
}

function fileOf(args: ParsedArgs): string | undefined {
  return stringFlag(args, 'file') ?? process.env['SPARK_AUTH_TOKENS'];
}

function nameOf(args: ParsedArgs): string {
  const name = stringFlag(args, 'name');
  if (name === undefined) throw new CliError('USAGE', '--name NAME is required', { field: 'name' });
  if (!TOKEN_NAME_PATTERN.test(name)) {
    throw new CliError('USAGE', '--name: 1–64 of A–Z a–z 0–9 . _ @ -', { field: 'name' });
  }
  return name;
}

/** Runs `spark token create …` or `spark token quota …`. */
export async function token(
  argv: readonly string[],
  out: (line: string) => void,
  err: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<number> {
  const [action, ...rest] = argv;
  if (action === 'quota') return quota(rest, out);
  if (action !== 'create')
    throw new CliError('USAGE', `token: unknown action "${action ?? ''}" (create or quota)`);
  const args = parseArgs(rest, { name: 'string', role: 'string', file: 'string' });
  const name = nameOf(args);
  const roleRaw = stringFlag(args, 'role') ?? 'client';
  const role: Role | undefined = ROLES.find((r) => r === roleRaw);
  if (role === undefined) {
    throw new CliError('USAGE', `--role: "${roleRaw}" is not ${ROLES.join(' or ')}`, { field: 'role' });
  }
  const file = stringFlag(args, 'file');
  const lines = file === undefined ? [] : readTokensFile(file, false);
  if (lines.some((l) => l.trim().split(/\s+/)[0] === name))
    throw new CliError('USAGE', `--name: ${file} already has a client named ${name}`, { field: 'name' });
  const fresh = createToken();
  const line = tokenFileLine(name, role, fresh);
  if (file !== undefined) {
    writeFileFor('file', file, Buffer.from(`${[...lines, line].join('\n')}\n`, 'utf8'), 0o600);
    out(fresh);
    err(`added ${name} (${role}) to ${file}; restart spark serve to use it`);
    return 0;
  }
  out(fresh);
  err("add this line to the SPARK_AUTH_TOKENS file (it holds the token's SHA-256, not the token):");
  err(line);
  return 0;
}

/**
 * `spark token quota --name NAME [--file F] [--daily N|none] [--monthly N|none] [--immediate-daily N|none]
 * [--price XYM|none]`.
 */
async function quota(argv: readonly string[], out: (line: string) => void): Promise<number> {
  const args = parseArgs(argv, {
    name: 'string',
    file: 'string',
    daily: 'string',
    monthly: 'string',
    'immediate-daily': 'string',
    price: 'string',
  });
  const name = nameOf(args);
  const file = fileOf(args);
  if (file === undefined)
    throw new CliError('USAGE', '--file F (or SPARK_AUTH_TOKENS) names the tokens file', { field: 'file' });
  const changes: Array<['daily' | 'monthly' | 'immediate-daily' | 'price', string]> = [];
  for (const flag of ['daily', 'monthly', 'immediate-daily', 'price'] as const) {
    const value = stringFlag(args, flag);
    if (value !== undefined) changes.push([flag, value]);
  }
  const lines = readTokensFile(file, true);
  const at = lines.findIndex((l) => l.replace(/#.*$/, '').trim().split(/\s+/)[0] === name);
  if (at < 0) throw new CliError('USAGE', `--name: ${file} has no client named ${name}`, { field: 'name' });
  const [, role, hash, ...fields] = (lines[at] as string).replace(/#.*$/, '').trim().split(/\s+/);
  const current = parseQuotaFields(fields);
  if (typeof current === 'string') throw new CliError('IO', `--file: ${current}`);
  const next: { -readonly [K in keyof ClientQuota]: ClientQuota[K] } = { ...current };
  for (const [flag, value] of changes) {
    const key: keyof ClientQuota = flag === 'immediate-daily' ? 'immediateDaily' : flag;
    if (value === 'none') {
      next[key] = undefined;
      continue;
    }
    const parsed = parseQuotaFields([`${flag}=${value}`]);
    if (key === 'price') {
      if (typeof parsed === 'string')
        throw new CliError('USAGE', '--price: an amount of XYM per submission (e.g. 0.001), or none', {
          field: 'price',
        });
      next.price = parsed.price;
      continue;
    }
    if (typeof parsed === 'string' || !/^\d+$/.test(value))
      throw new CliError('USAGE', `--${flag}: a count of submissions (0 or more), or none`, { field: flag });
    next[key] = parsed[key];
  }
  const line = [name, role, hash, ...quotaFields(next)].join(' ');
  if (changes.length > 0) {
    lines[at] = line;
    writeFileFor('file', file, Buffer.from(`${lines.join('\n')}\n`, 'utf8'), 0o600);
  }
  const shown = quotaFields(next);
  out(
    `${name}: ${shown.length === 0 ? 'no quota' : shown.join(' ')}${changes.length > 0 ? ` (written to ${file}; restart spark serve to apply)` : ''}`,
  );
  return 0;
}
