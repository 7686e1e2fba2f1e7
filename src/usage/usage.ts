// Usage per client: who a submission is attributed to, the UTC days and months quotas count in, and a client's
// quota decided from its counts (docs/operations.md §Usage, quotas and fees). Pure: no I/O.
import { utf8 } from '../proof/encoding/bytes.ts';

/** The client of a call with no token and no client certificate. */
export const ANONYMOUS_CLIENT = 'anonymous';

/** Longest client name in UTF-8 bytes the store keeps (its leaf-clients runs give a name one length byte). */
export const MAX_CLIENT_NAME_BYTES = 255;

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what client names may not hold
const CONTROL = /[\u0000-\u001f\u007f]/g;

const utf8Length = (text: string): number => utf8(text).length;

/** 64-bit FNV-1a of the UTF-8 bytes of `text`, as 16 hex digits. */
function fnv1a64(text: string): string {
  let h = 0xcbf29ce484222325n;
  for (const byte of utf8(text)) h = ((h ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return h.toString(16).padStart(16, '0');
}

/** Whether `name` can be stored as a client name: 1 to 255 UTF-8 bytes, no control characters. */
export function isClientName(name: string): boolean {
  CONTROL.lastIndex = 0;
  return name !== '' && !CONTROL.test(name) && utf8Length(name) <= MAX_CLIENT_NAME_BYTES;
}

/**
 * The client name a caller's identity gives, made storable: token names always are (1–64 of A–Z a–z 0–9 . _ @ -);
 * a certificate's CN could hold control characters or, in 4-byte characters, more than 255 bytes, and is then
 * replaced by a bounded form of it (control characters as "?", cut, and a 64-bit FNV-1a hash of the whole name
 * appended so that two long names stay apart; not a security boundary: the certificate authenticated the name).
 */
export function clientNameOf(identity: string): string {
  if (isClientName(identity)) return identity;
  const clean = identity.replace(CONTROL, '?');
  const digest = fnv1a64(identity);
  let head = [...clean].slice(0, 48).join('');
  while (utf8Length(head) > MAX_CLIENT_NAME_BYTES - 18) head = [...head].slice(0, -1).join('');
  return `${head === '' ? 'client' : head}~${digest}`;
}

const DAY_MS = 86_400_000;

/** Per-client terms from the tokens file: limits (an absent limit is no limit) and the prepaid-credit price. */
export interface ClientQuota {
  /** New submissions per UTC day. */
  readonly daily?: number | undefined;
  /** New submissions per UTC calendar month. */
  readonly monthly?: number | undefined;
  /** New immediate submissions per UTC day. */
  readonly immediateDaily?: number | undefined;
  /** With prepaid credit on: this client's price per submission, µXYM, instead of SPARK_CREDIT_PRICE (0: free). */
  readonly price?: bigint | undefined;
}

/** The quota names as the tokens file, errors and docs spell them. */
export type QuotaName = 'daily' | 'monthly' | 'immediate-daily';

/** A submission over its client's quota. */
export interface QuotaRefusal {
  readonly quota: QuotaName;
  readonly limit: number;
  /** When the count starts again from zero (ms since the Unix epoch). */
  readonly resetsAtMs: number;
}

/** A client's counts the quotas look at, for the day and month of the submission. */
export interface QuotaCounts {
  readonly today: number;
  readonly immediateToday: number;
  readonly thisMonth: number;
}

/** Days since the Unix epoch (UTC) of `ms`. */
export function dayOf(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

/** The first UTC day of the month holding `day`, and the first day of the next month. */
export function monthOf(day: number): { readonly first: number; readonly next: number } {
  const d = new Date(day * DAY_MS);
  const first = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  const next = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  return { first: first / DAY_MS, next: next / DAY_MS };
}

/** Whether one more submission (immediate or not) on `day` fits `quota` given `counts`; the refusal when not. */
export function checkQuota(
  quota: ClientQuota | undefined,
  counts: QuotaCounts,
  immediate: boolean,
  day: number,
): QuotaRefusal | undefined {
  if (quota === undefined) return undefined;
  const tomorrow = (day + 1) * DAY_MS;
  if (quota.daily !== undefined && counts.today >= quota.daily)
    return { quota: 'daily', limit: quota.daily, resetsAtMs: tomorrow };
  if (quota.monthly !== undefined && counts.thisMonth >= quota.monthly)
    return { quota: 'monthly', limit: quota.monthly, resetsAtMs: monthOf(day).next * DAY_MS };
  if (immediate && quota.immediateDaily !== undefined && counts.immediateToday >= quota.immediateDaily)
    return { quota: 'immediate-daily', limit: quota.immediateDaily, resetsAtMs: tomorrow };
  return undefined;
}

/** The message a refused submission gets: the quota, its limit and when it resets. */
export function quotaMessage(client: string, r: QuotaRefusal): string {
  const what =
    r.quota === 'immediate-daily'
      ? 'immediate submissions per day'
      : `submissions per ${r.quota === 'daily' ? 'day' : 'month'}`;
  return `quota ${r.quota} of client ${client} reached: ${r.limit} ${what}; resets at ${new Date(r.resetsAtMs).toISOString()}`;
}

/**
 * Splits `total` µXYM among `weights` in proportion, exactly: each gets the floor of its share, and the units
 * left go one each to the largest remainders (ties to the name first in byte order). The parts add up to `total`.
 */
export function splitExactly(total: bigint, weights: ReadonlyMap<string, number>): Map<string, bigint> {
  const out = new Map<string, bigint>();
  let sum = 0n;
  for (const w of weights.values()) sum += BigInt(w);
  if (sum === 0n) return out;
  const rest: Array<{ name: string; remainder: bigint }> = [];
  let given = 0n;
  for (const [name, w] of weights) {
    const scaled = total * BigInt(w);
    const part = scaled / sum;
    out.set(name, part);
    given += part;
    rest.push({ name, remainder: scaled % sum });
  }
  rest.sort((a, b) =>
    a.remainder === b.remainder
      ? a.name < b.name
        ? -1
        : a.name > b.name
          ? 1
          : 0
      : a.remainder > b.remainder
        ? -1
        : 1,
  );
  for (let i = 0; given < total; i++, given++) {
    const r = rest[i % rest.length] as { name: string };
    out.set(r.name, (out.get(r.name) ?? 0n) + 1n);
  }
  return out;
}
