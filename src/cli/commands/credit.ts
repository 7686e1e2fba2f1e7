// `spark credit`: the caller's own prepaid credit on a server that sells submissions for it — balance, what a
// submission costs, and the transfer that tops it up (docs/operations.md §Prepaid credit).

import type { GetCreditResponse } from '../../gen/spark/v1/processor_pb.js';
import { xym } from '../../proof/encoding/xym.ts';
import { parseArgs } from '../args.ts';
import { processorClient, SERVER_FLAGS, serverTarget } from '../client.ts';
import { creditJson } from './usage.ts';

/** The lines `spark credit` prints. */
export function creditLines(r: GetCreditResponse): string[] {
  if (!r.enabled) return ['prepaid credit is off on this server: submissions are not charged'];
  const c = r.credit;
  return [
    `client       ${r.client}`,
    `balance      ${xym(c?.balanceMicroXym ?? 0n)} XYM (credited ${xym(c?.creditedMicroXym ?? 0n)}, spent ${xym(c?.spentMicroXym ?? 0n)})`,
    `price        ${xym(c?.priceMicroXym ?? 0n)} XYM per submission, ${xym(c?.immediatePriceMicroXym ?? 0n)} XYM immediate`,
    `top up       send XYM to ${r.address === '' ? "the operator's Symbol account (address not known yet: no node answered)" : r.address} with the plain message ${r.message}`,
    '             (credited once the transfer is finalized on Symbol)',
  ];
}

/** Runs `spark credit --server HOST:PORT [--json]`. */
export async function credit(argv: readonly string[], out: (line: string) => void): Promise<number> {
  const args = parseArgs(argv, { ...SERVER_FLAGS, json: 'boolean' });
  const r = await processorClient(serverTarget(args)).getCredit({});
  if (args.flags.has('json')) {
    out(
      JSON.stringify({
        enabled: r.enabled,
        ...(r.enabled
          ? {
              client: r.client,
              credit: creditJson(r.credit),
              address: r.address,
              message: r.message,
              unit: 'µXYM',
            }
          : {}),
      }),
    );
    return 0;
  }
  for (const line of creditLines(r)) out(line);
  return 0;
}
