// The operator's Symbol account (docs/operations.md, "The Symbol account"): its address, its balance read from the
// nodes, what anchoring cost lately and how many days the balance lasts at that rate; a warning (log and metric)
// when the balance falls below SYMBOL_MIN_BALANCE.

import type { Logger } from '../../log/logger.ts';
import { xym } from '../../proof/encoding/xym.ts';
import { addressOf, networkName } from '../../proof/trust/trust-root.ts';
import type { AnchorStateStore, ConfirmedEvidence, OutboxEntry } from '../anchor-state.ts';
import type { AnchorNetworkInfo } from './announcer.ts';
import type { NodePool } from './node-pool.ts';

/** What `spark account` shows. */
export interface AccountSummary {
  readonly publicKey: Uint8Array;
  /** Known once a node told the network. */
  readonly network?: {
    readonly identifier: number;
    readonly generationHashSeed: Uint8Array;
    readonly name: string;
  };
  readonly address?: string;
  /** µXYM of the currency mosaic, and when read; `known` false when the node has never seen the account. */
  readonly balance?: { readonly amount: bigint; readonly atMs: number; readonly known: boolean };
  /** SYMBOL_MIN_BALANCE, µXYM. */
  readonly minBalance?: bigint;
  /** Anchors that reached a block in the window, and what they were charged (µXYM). */
  readonly recent: { readonly anchors: number; readonly charged: bigint; readonly sinceMs: number };
  /** µXYM per anchor and per day over the window; days the balance lasts at that rate. */
  readonly feePerAnchor?: bigint;
  readonly perDay?: bigint;
  readonly daysLeft?: number;
}

/** Watch settings. */
export interface AccountWatchOptions {
  readonly pool: NodePool;
  readonly states: AnchorStateStore;
  readonly publicKey: Uint8Array;
  /** Warn below this many µXYM. */
  readonly minBalance?: bigint;
  readonly now: () => number;
  readonly log: Logger;
  /** Told each balance read (µXYM) and whether it is below the minimum (the metrics). */
  readonly onBalance?: (amount: bigint, low: boolean) => void;
  /** How often the balance is read; BALANCE_EVERY_MS by default. */
  readonly everyMs?: number;
}

/** How often the balance is read. */
export const BALANCE_EVERY_MS = 30_000;
/** The window of recent anchors. */
export const RECENT_WINDOW_MS = 7 * 86_400_000;
/** The rate is not extrapolated from less than this much history. */
const MIN_RATE_WINDOW_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** What an announcement was charged: its size × the block's fee multiplier, at most the fee offered. */
export function chargedFor(
  entry: Pick<OutboxEntry, 'size' | 'fee'>,
  evidence: Pick<ConfirmedEvidence, 'feeMultiplier'>,
): bigint {
  const charged = BigInt(entry.size) * BigInt(evidence.feeMultiplier);
  return charged < entry.fee ? charged : entry.fee;
}

/** Creates the watch. */
export function createAccountWatch(o: AccountWatchOptions) {
  let recent: Array<{ atMs: number; charged: bigint }> = [];
  let balance: { amount: bigint; atMs: number; known: boolean } | undefined;
  let low = false;
  let network: AnchorNetworkInfo | undefined;

  const trim = () => {
    const since = o.now() - RECENT_WINDOW_MS;
    recent = recent.filter((r) => r.atMs >= since);
  };

  return {
    /** Reads the recent anchors from the stored announcements (once, at start). */
    load(): void {
      const since = o.now() - RECENT_WINDOW_MS;
      for (const e of o.states.allOutbox()) {
        if ((e.state !== 'confirmed' && e.state !== 'final') || e.createdAtMs < since) continue;
        const item =
          e.sequences.map((s) => o.states.batch(s)?.confirmed).find((c) => c !== undefined) ?? undefined;
        recent.push({ atMs: e.createdAtMs, charged: item === undefined ? e.fee : chargedFor(e, item) });
      }
    },
    /** An announcement reached its final block: counts in the rate. */
    recordFinal(entry: OutboxEntry, evidence: ConfirmedEvidence): void {
      recent.push({ atMs: entry.createdAtMs, charged: chargedFor(entry, evidence) });
      trim();
    },
    /** Reads the balance from the first node that answers, at most every BALANCE_EVERY_MS. */
    async refresh(net: AnchorNetworkInfo): Promise<void> {
      network = net;
      if (balance !== undefined && o.now() - balance.atMs < (o.everyMs ?? BALANCE_EVERY_MS)) return;
      const address = addressOf(o.publicKey, net.info.networkIdentifier);
      const currency = net.properties.currencyMosaicId;
      for (const node of o.pool.usable()) {
        const asked = await o.pool.ask(node, (c) => c.account(address));
        if (!asked.ok) continue;
        const amount =
          asked.value?.mosaics.find((m) => currency === undefined || m.id === currency)?.amount ?? 0n;
        balance = { amount, atMs: o.now(), known: asked.value !== undefined };
        const nowLow = o.minBalance !== undefined && amount < o.minBalance;
        if (nowLow && !low) {
          o.log.warn(
            { address, balance: amount.toString(), minBalance: o.minBalance?.toString() },
            `Symbol account balance ${xym(amount)} XYM is below SYMBOL_MIN_BALANCE ${xym(o.minBalance ?? 0n)} XYM: fund ${address}`,
          );
        } else if (!nowLow && low) {
          o.log.info(
            { address, balance: amount.toString() },
            'Symbol account balance is above SYMBOL_MIN_BALANCE again',
          );
        }
        low = nowLow;
        o.onBalance?.(amount, low);
        return;
      }
    },
    summary(): AccountSummary {
      trim();
      const charged = recent.reduce((sum, r) => sum + r.charged, 0n);
      const since = recent.reduce((m, r) => Math.min(m, r.atMs), o.now());
      const window = Math.max(o.now() - since, MIN_RATE_WINDOW_MS);
      const perDay = recent.length === 0 ? undefined : (charged * BigInt(DAY_MS)) / BigInt(window);
      const net = network?.info;
      return {
        publicKey: o.publicKey,
        ...(net === undefined
          ? {}
          : {
              network: {
                identifier: net.networkIdentifier,
                generationHashSeed: net.generationHashSeed,
                name: networkName(net.networkIdentifier, net.generationHashSeed),
              },
              address: addressOf(o.publicKey, net.networkIdentifier),
            }),
        ...(balance === undefined ? {} : { balance }),
        ...(o.minBalance === undefined ? {} : { minBalance: o.minBalance }),
        recent: { anchors: recent.length, charged, sinceMs: since },
        ...(recent.length === 0 ? {} : { feePerAnchor: charged / BigInt(recent.length) }),
        ...(perDay === undefined ? {} : { perDay }),
        ...(perDay === undefined || perDay === 0n || balance === undefined
          ? {}
          : { daysLeft: Number(balance.amount) / Number(perDay) }),
      };
    },
  };
}
