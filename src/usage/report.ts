// Usage per client over a range of UTC days, from the stored counters and fee splits (docs/operations.md §Usage,
// quotas and fees). Pure: the store's rows in, the report out.
import type { UsageDay } from '../store/store.ts';
import type { FeeSplit } from './fee-split.ts';
import { type ClientQuota, dayOf, monthOf } from './usage.ts';

/** One client's line of the report. */
export interface ClientReport {
  readonly client: string;
  readonly submissions: number;
  readonly immediate: number;
  readonly feePaid: bigint;
  readonly anchorFee: bigint;
  readonly batches: number;
  readonly quota: ClientQuota | undefined;
  readonly today: number;
  readonly thisMonth: number;
  readonly immediateToday: number;
}

/** The report: clients in byte order of their names, and the fees of the batches it counted. */
export interface UsageReport {
  readonly clients: readonly ClientReport[];
  readonly feesRecorded: bigint;
  readonly batches: number;
}

/** What to report: days from..to inclusive (undefined: open), one client, and the clients always listed. */
export interface ReportQuery {
  readonly fromDay?: number | undefined;
  readonly toDay?: number | undefined;
  readonly client?: string | undefined;
  /** Clients listed even without usage (those of the tokens file), with their quotas. */
  readonly known?: ReadonlyMap<string, ClientQuota | undefined> | undefined;
  readonly nowMs: number;
}

/**
 * Builds the report. `rows` are every client's counters (all days: today's and this month's counts need them);
 * `splits` every finalized batch's fee split, counted by the day it was finalized.
 */
export function buildUsageReport(
  rows: readonly UsageDay[],
  splits: readonly FeeSplit[],
  q: ReportQuery,
): UsageReport {
  const inRange = (day: number) =>
    (q.fromDay === undefined || day >= q.fromDay) && (q.toDay === undefined || day <= q.toDay);
  const wanted = (client: string) => q.client === undefined || client === q.client;
  const today = dayOf(q.nowMs);
  const month = monthOf(today);
  type Line = { -readonly [K in keyof ClientReport]: ClientReport[K] };
  const lines = new Map<string, Line>();
  const line = (client: string): Line => {
    let l = lines.get(client);
    if (l === undefined) {
      l = {
        client,
        submissions: 0,
        immediate: 0,
        feePaid: 0n,
        anchorFee: 0n,
        batches: 0,
        quota: q.known?.get(client),
        today: 0,
        thisMonth: 0,
        immediateToday: 0,
      };
      lines.set(client, l);
    }
    return l;
  };
  for (const [client] of q.known ?? []) if (wanted(client)) line(client);
  for (const r of rows) {
    if (!wanted(r.client)) continue;
    const touches = inRange(r.day) || r.day === today || (r.day >= month.first && r.day < month.next);
    if (!touches) continue;
    const l = line(r.client);
    if (inRange(r.day)) {
      l.submissions += r.submissions;
      l.immediate += r.immediate;
    }
    if (r.day === today) {
      l.today += r.submissions;
      l.immediateToday += r.immediate;
    }
    if (r.day >= month.first && r.day < month.next) l.thisMonth += r.submissions;
  }
  let feesRecorded = 0n;
  let batches = 0;
  for (const s of splits) {
    if (!inRange(dayOf(s.atMs))) continue;
    const mine = s.shares.filter((x) => wanted(x.client));
    if (q.client !== undefined && mine.length === 0) continue;
    batches++;
    feesRecorded += q.client === undefined ? s.fee : mine.reduce((a, x) => a + x.anchorFee, 0n);
    for (const x of mine) {
      const l = line(x.client);
      l.feePaid += x.feePaid;
      l.anchorFee += x.anchorFee;
      l.batches++;
    }
  }
  const clients = [...lines.values()].sort((a, b) =>
    a.client < b.client ? -1 : a.client > b.client ? 1 : 0,
  );
  return { clients, feesRecorded, batches };
}
