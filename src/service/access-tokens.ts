// Per-client bearer tokens: making them, the SPARK_AUTH_TOKENS file that holds only their SHA-256, and matching a
// presented token against it in constant time.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ConfigError, type ConfigIssue } from '../config/config-error.ts';
import { readSecretFile } from '../config/secret-file.ts';
import { parseXym, xym } from '../proof/encoding/xym.ts';
import type { ClientQuota, QuotaName } from '../usage/usage.ts';

/** What a credential may call: `client` SparkProcessor and reflection, `admin` also SparkAdmin. */
export const ROLES = ['client', 'admin'] as const;
/** A role. */
export type Role = (typeof ROLES)[number];

/** One line of the tokens file. */
export interface TokenEntry {
  readonly name: string;
  readonly role: Role;
  /** SHA-256 of the token's UTF-8 bytes. */
  readonly hash: Buffer;
  /** The client's quota (`daily=N monthly=N immediate-daily=N price=XYM` after the hash); absent: none. */
  readonly quota?: ClientQuota | undefined;
}

/** The quota fields a token line may carry after its hash, and where each goes (and `price=XYM`, apart). */
const QUOTA_FIELDS: Readonly<Record<QuotaName, Exclude<keyof ClientQuota, 'price'>>> = {
  daily: 'daily',
  monthly: 'monthly',
  'immediate-daily': 'immediateDaily',
};

/** Largest quota a line may set (fits the store's counters and a JavaScript number exactly). */
const MAX_QUOTA = 1_000_000_000_000;

/** Parses `name=N` quota fields; the problem as text when one is not. */
export function parseQuotaFields(fields: readonly string[]): ClientQuota | string {
  const quota: { -readonly [K in keyof ClientQuota]: ClientQuota[K] } = {};
  for (const field of fields) {
    if (field.startsWith('price=')) {
      const price = parseXym(field.slice('price='.length));
      if (price === undefined) return 'price: an amount of XYM (e.g. price=0.001), at most 6 decimals';
      if (quota.price !== undefined) return 'price is given twice';
      quota.price = price;
      continue;
    }
    const m = /^([a-z-]+)=(\d{1,13})$/.exec(field);
    const name = m?.[1] as QuotaName | undefined;
    const key = name === undefined ? undefined : QUOTA_FIELDS[name];
    if (m === null || key === undefined) {
      const shown = /^[a-z-]{1,40}=/.test(field) ? `"${field.slice(0, field.indexOf('='))}=…"` : 'a field';
      return `${shown} is not a quota (${Object.keys(QUOTA_FIELDS)
        .map((q) => `${q}=N`)
        .join(', ')}, price=XYM)`;
    }
    const value = Number(m[2]);
    if (value > MAX_QUOTA) return `${name}: at most ${MAX_QUOTA}`;
    if (quota[key] !== undefined) return `${name} is given twice`;
    quota[key] = value;
  }
  return quota;
}

/** The quota fields of a token line for `quota`, in a fixed order. */
export function quotaFields(quota: ClientQuota | undefined): string[] {
  if (quota === undefined) return [];
  const limits = (Object.entries(QUOTA_FIELDS) as Array<[QuotaName, keyof ClientQuota]>).flatMap(
    ([name, key]) => (quota[key] === undefined ? [] : [`${name}=${quota[key]}`]),
  );
  return quota.price === undefined ? limits : [...limits, `price=${xym(quota.price)}`];
}

/** Tokens start with this, so a leaked one is recognisable (and secret scanners can find it). */
export const TOKEN_PREFIX = 'spk_';
/** Client names: what logs show for a caller. */
export const TOKEN_NAME_PATTERN = /^[A-Za-z0-9._@-]{1,64}$/;
/** Longest token accepted in a request; anything longer cannot be one of ours and is not hashed. */
const MAX_TOKEN_CHARS = 512;

/** A fresh token: the prefix and 32 random bytes in base64url. */
export function createToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/**
 * The hash stored for a token. Plain SHA-256 without salt or stretching is enough here: a token carries 256 random
 * bits, so no guess list or precomputed table can reach it; salts and slow hashes protect low-entropy passwords.
 */
export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** The line to add to the tokens file for `token`. */
export function tokenFileLine(name: string, role: Role, token: string): string {
  return `${name} ${role} ${hashToken(token).toString('hex')}`;
}

/** Parses the tokens file's text; problems name the line, never a hash. */
export function parseTokenFile(text: string, path: string): { entries: TokenEntry[]; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const entries: TokenEntry[] = [];
  const names = new Set<string>();
  const hashes = new Set<string>();
  const problem = (line: number, what: string) =>
    issues.push({ setting: 'SPARK_AUTH_TOKENS', problem: `${path} line ${line}: ${what}` });
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') continue;
    const fields = line.split(/\s+/);
    const [name, role, hex, ...rest] = fields;
    // A line that is not name, role, hash and quota fields is reported by its form only: its fields may hold a hash.
    if (
      fields.length < 3 ||
      name === undefined ||
      role === undefined ||
      hex === undefined ||
      rest.some((f) => !/^[a-z-]{1,40}=/.test(f))
    ) {
      problem(
        i + 1,
        'expected "<name> <role> <sha256-hex> [daily=N] [monthly=N] [immediate-daily=N] [price=XYM]"',
      );
      continue;
    }
    const quota = parseQuotaFields(rest);
    if (typeof quota === 'string') problem(i + 1, quota);
    if (!TOKEN_NAME_PATTERN.test(name)) problem(i + 1, 'the name must be 1–64 of A–Z a–z 0–9 . _ @ -');
    else if (names.has(name)) problem(i + 1, `the name ${name} is used twice`);
    const knownRole = ROLES.find((r) => r === role);
    if (knownRole === undefined) problem(i + 1, `the role must be ${ROLES.join(' or ')}`);
    if (!/^[0-9a-fA-F]{64}$/.test(hex)) problem(i + 1, 'the hash must be 64 hex digits (SHA-256)');
    else if (hashes.has(hex.toLowerCase())) problem(i + 1, 'the same token hash appears twice');
    names.add(name);
    hashes.add(hex.toLowerCase());
    if (knownRole !== undefined)
      entries.push({
        name,
        role: knownRole,
        hash: Buffer.from(hex, 'hex'),
        ...(typeof quota === 'string' || rest.length === 0 ? {} : { quota }),
      });
  }
  if (issues.length === 0 && entries.length === 0) {
    issues.push({ setting: 'SPARK_AUTH_TOKENS', problem: `${path} holds no token lines` });
  }
  return { entries, issues };
}

/**
 * Reads the tokens file: a regular file neither group nor others may access (mode 0400 or 0600), one line per
 * client. Throws ConfigError naming SPARK_AUTH_TOKENS and the file.
 */
export function readTokenFile(path: string): TokenEntry[] {
  const bytes = readSecretFile('SPARK_AUTH_TOKENS', path);
  const text = bytes.toString('utf8');
  bytes.fill(0);
  const { entries, issues } = parseTokenFile(text, path);
  if (issues.length > 0) throw new ConfigError(issues);
  return entries;
}

/**
 * The entry whose hash matches `token`, or undefined. Every entry is compared in constant time, whether or not an
 * earlier one matched, so the time taken says nothing about which entries exist.
 */
export function matchToken(entries: readonly TokenEntry[], token: string): TokenEntry | undefined {
  if (token.length === 0 || token.length > MAX_TOKEN_CHARS) return undefined;
  const hash = hashToken(token);
  let found: TokenEntry | undefined;
  for (const entry of entries) {
    if (timingSafeEqual(entry.hash, hash) && found === undefined) found = entry;
  }
  return found;
}
