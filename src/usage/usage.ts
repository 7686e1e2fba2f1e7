// Usage per client: who a submission is attributed to, the UTC days and months quotas count in, and a client's
// quota decided from its counts (docs/operations.md §Usage, quotas and fees). Pure: no I/O.

/** The client of a call with no token and no client certificate. */
export const ANONYMOUS_CLIENT = 'anonymous';

/** Client names as tokens and certificates give them (access-tokens.ts TOKEN_NAME_PATTERN, or a certificate CN). */
export const MAX_CLIENT_NAME_BYTES = 255;

const DAY_MS = 86_400_000;

/** Per-client limits from the tokens file; an absent limit is no limit. */
export interface ClientQuota {
  /** New submissions per UTC day. */
  readonly daily?: number | undefined;
  /** New submissions per UTC calendar month. */
  readonly monthly?: number | undefined;
  /** New immediate submissions per UTC day. */
  readonly immediateDaily?: number | undefined;
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
