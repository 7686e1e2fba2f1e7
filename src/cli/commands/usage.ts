// `spark usage`: each client's submissions, fee shares and quota as the server counted them (admin; docs/operations.md
// §Usage, quotas and fees), as a table, JSON or CSV.
import type { ClientUsage, GetUsageResponse } from '../../gen/spark/v1/admin_pb.js';
import type { Credit } from '../../gen/spark/v1/processor_pb.js';
import { parseArgs, stringFlag } from '../args.ts';
import { CliError } from '../cli-error.ts';
import { adminClient, SERVER_FLAGS, serverTarget } from '../client.ts';

const FORMATS = ['table', 'json', 'csv'] as const;

/** `--since`/`--until`: a UTC date (YYYY-MM-DD) or an RFC 3339 time; ms since the Unix epoch. */
export function parseWhen(value: string, flag: string): bigint {
  const date = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value;
  const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(date)
    ? Date.parse(date)
    : Number.NaN;
  if (!Number.isFinite(ms) || ms <= 0)
    throw new CliError('USAGE', `--${flag}: "${value}" is not a date (YYYY-MM-DD) or an RFC 3339 time`, {
      field: flag,
    });
  return BigInt(ms);
}

function quotaOf(c: ClientUsage) {
  const q = {
    ...(c.quotaDaily > 0n ? { daily: Number(c.quotaDaily) } : {}),
    ...(c.quotaMonthly > 0n ? { monthly: Number(c.quotaMonthly) } : {}),
    ...(c.quotaImmediateDaily > 0n ? { immediateDaily: Number(c.quotaImmediateDaily) } : {}),
  };
  return Object.keys(q).length === 0 ? null : q;
}

/** The JSON form: `{"clients":[{"client","submissions","immediate","feePaid","credit",…}],…}`; µXYM amounts. */
export function usageJson(res: GetUsageResponse) {
  return {
    clients: res.clients.map((c) => ({
      client: c.client,
      submissions: Number(c.submissions),
      immediate: Number(c.immediate),
      feePaid: Number(c.feePaidMicroXym),
      anchorFee: Number(c.anchorFeeMicroXym),
      batches: Number(c.batches),
      // null when the server does not sell submissions for prepaid credit (SPARK_CREDIT_PRICE unset), not 0.
      credit: creditJson(c.credit),
      quota: quotaOf(c),
      today: Number(c.today),
      thisMonth: Number(c.thisMonth),
      immediateToday: Number(c.immediateToday),
    })),
    feesRecorded: Number(res.feesRecordedMicroXym),
    batches: Number(res.batches),
    unit: 'µXYM',
  };
}

function xym(micro: bigint): string {
  return `${micro / 1_000_000n}.${(micro % 1_000_000n).toString().padStart(6, '0')}`;
}

/** A client's credit in the JSON forms (`spark usage`, `spark credit`), µXYM; null when credit is off. */
export function creditJson(c: Credit | undefined) {
  if (c === undefined) return null;
  return {
    balance: Number(c.balanceMicroXym),
    credited: Number(c.creditedMicroXym),
    spent: Number(c.spentMicroXym),
    price: Number(c.priceMicroXym),
    immediatePrice: Number(c.immediatePriceMicroXym),
  };
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

function limit(used: bigint, max: bigint): string {
  return max > 0n ? `${used}/${max}` : `${used}`;
}

/** Runs `spark usage --server HOST:PORT [--since T] [--until T] [--client NAME] [--format table|json|csv]`. */
export async function usage(argv: readonly string[], out: (line: string) => void): Promise<number> {
  const args = parseArgs(argv, {
    ...SERVER_FLAGS,
    since: 'string',
    until: 'string',
    client: 'string',
    format: 'string',
  });
  const target = serverTarget(args);
  const formatRaw = stringFlag(args, 'format') ?? 'table';
  const format = FORMATS.find((f) => f === formatRaw);
  if (format === undefined)
    throw new CliError('USAGE', `--format: "${formatRaw}" is not ${FORMATS.join(', ')}`, { field: 'format' });
  const since = stringFlag(args, 'since');
  const until = stringFlag(args, 'until');
  const res = await adminClient(target).getUsage({
    sinceMs: since === undefined ? 0n : parseWhen(since, 'since'),
    untilMs: until === undefined ? 0n : parseWhen(until, 'until'),
    client: stringFlag(args, 'client') ?? '',
  });
  if (format === 'json') {
    out(JSON.stringify(usageJson(res)));
    return 0;
  }
  if (format === 'csv') {
    out(
      'client,submissions,immediate,fee_paid_micro_xym,anchor_fee_micro_xym,batches,today,this_month,immediate_today,quota_daily,quota_monthly,quota_immediate_daily,credit_balance_micro_xym,credit_credited_micro_xym,credit_spent_micro_xym',
    );
    for (const c of res.clients)
      out(
        [
          csvField(c.client),
          c.submissions,
          c.immediate,
          c.feePaidMicroXym,
          c.anchorFeeMicroXym,
          c.batches,
          c.today,
          c.thisMonth,
          c.immediateToday,
          c.quotaDaily,
          c.quotaMonthly,
          c.quotaImmediateDaily,
          // Empty when credit is off.
          c.credit?.balanceMicroXym ?? '',
          c.credit?.creditedMicroXym ?? '',
          c.credit?.spentMicroXym ?? '',
        ].join(','),
      );
    return 0;
  }
  const credit = res.clients.some((c) => c.credit !== undefined);
  const rows = [
    [
      'client',
      'submissions',
      'immediate',
      'fee paid (XYM)',
      'batches',
      'today/quota',
      'month/quota',
      'immediate today/quota',
      ...(credit ? ['credit (XYM)'] : []),
    ],
    ...res.clients.map((c) => [
      c.client,
      String(c.submissions),
      String(c.immediate),
      xym(c.feePaidMicroXym),
      String(c.batches),
      limit(c.today, c.quotaDaily),
      limit(c.thisMonth, c.quotaMonthly),
      limit(c.immediateToday, c.quotaImmediateDaily),
      ...(credit ? [c.credit === undefined ? '' : xym(c.credit.balanceMicroXym)] : []),
    ]),
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  for (const r of rows)
    out(
      r
        .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    );
  out(`fees of ${res.batches} finalized batches: ${xym(res.feesRecordedMicroXym)} XYM`);
  return 0;
}
