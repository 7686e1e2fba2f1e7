// `spark account`: the Symbol account the server anchors with — network, address to fund, balance, recent cost and
// days of funding left (docs/operations.md, "The Symbol account").

import type { GetAccountResponse } from '../../gen/spark/v1/processor_pb.js';
import { toHex } from '../../proof/encoding/bytes.ts';
import { xym } from '../../proof/encoding/xym.ts';
import { parseArgs } from '../args.ts';
import { processorClient, SERVER_FLAGS, serverTarget } from '../client.ts';

/** The lines `spark account` (and the account part of `spark status`) prints. */
export function accountLines(a: GetAccountResponse): string[] {
  if (!a.anchoringEnabled) return ['anchoring is off on this server: no Symbol account'];
  const lines = [
    `network      ${a.network === '' ? 'not known yet (no node answered)' : `${a.network} (0x${a.networkIdentifier.toString(16)})`}`,
    `address      ${a.address === '' ? 'not known yet' : a.address}`,
    `public key   ${toHex(a.publicKey)}`,
  ];
  if (!a.balanceKnown) lines.push('balance      not read yet');
  else if (!a.accountOnChain)
    lines.push('balance      0 XYM: the network has never seen this account; fund it');
  else
    lines.push(`balance      ${xym(a.balance)} XYM (read ${new Date(Number(a.balanceAtMs)).toISOString()})`);
  if (a.minBalance > 0n) {
    lines.push(
      `minimum      ${xym(a.minBalance)} XYM (SYMBOL_MIN_BALANCE)${a.belowMinBalance ? ': BELOW, fund the address above' : ''}`,
    );
  }
  if (a.recentAnchors === 0) {
    lines.push('recent cost  no anchor reached a block in the last 7 days');
  } else {
    lines.push(
      `recent cost  ${a.recentAnchors} anchors since ${new Date(Number(a.recentSinceMs)).toISOString()}: ${xym(a.recentCharged)} XYM, ${xym(a.feePerAnchor)} XYM per anchor, ${xym(a.spentPerDay)} XYM per day`,
    );
  }
  if (a.daysLeft > 0) lines.push(`funding      lasts about ${a.daysLeft.toFixed(1)} days at that rate`);
  return lines;
}

/** Runs `spark account --server HOST:PORT [--json]`. */
export async function account(argv: readonly string[], out: (line: string) => void): Promise<number> {
  const args = parseArgs(argv, { ...SERVER_FLAGS, json: 'boolean' });
  const a = await processorClient(serverTarget(args)).getAccount({});
  if (args.flags.has('json')) {
    out(
      JSON.stringify({
        anchoring: a.anchoringEnabled,
        ...(a.anchoringEnabled
          ? {
              network: a.network,
              networkIdentifier: a.networkIdentifier,
              generationHashSeed: toHex(a.generationHashSeed),
              address: a.address,
              publicKey: toHex(a.publicKey),
              balance: a.balanceKnown ? xym(a.balance) : null,
              accountOnChain: a.accountOnChain,
              minBalance: a.minBalance > 0n ? xym(a.minBalance) : null,
              belowMinBalance: a.belowMinBalance,
              recentAnchors: a.recentAnchors,
              recentCharged: xym(a.recentCharged),
              feePerAnchor: xym(a.feePerAnchor),
              spentPerDay: xym(a.spentPerDay),
              daysLeft: a.daysLeft > 0 ? Number(a.daysLeft.toFixed(2)) : null,
            }
          : {}),
      }),
    );
    return 0;
  }
  for (const line of accountLines(a)) out(line);
  return 0;
}
