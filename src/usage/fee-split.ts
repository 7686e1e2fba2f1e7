// A finalized batch's anchor fee split among the clients whose leaves it holds (docs/operations.md §Usage, quotas
// and fees), and its stored form (docs table `usage-fees`, one document per batch, written in the transaction that
// records the batch FINALIZED: so once, never on a fork). Pure: no I/O.
import type { BatchClient } from '../store/store.ts';
import { splitExactly } from './usage.ts';

/** One client's part of a batch's fee. */
export interface FeeShare {
  readonly client: string;
  /** Its exact share of what the chain charged for the batch, µXYM: the shares of a batch add up to its fee. */
  readonly anchorFee: bigint;
  /** What it owes for it, µXYM: `anchorFee`, times PQC_IMMEDIATE_FEE_MULTIPLIER in an immediate batch. */
  readonly feePaid: bigint;
}

/** A batch's fee split, as stored. */
export interface FeeSplit {
  readonly sequence: bigint;
  /** When the batch was recorded FINALIZED, ms since the Unix epoch. */
  readonly atMs: number;
  readonly immediate: boolean;
  /** The batch's fee, µXYM (its share of its aggregate's). */
  readonly fee: bigint;
  readonly shares: readonly FeeShare[];
}

/** Fixed-point scale of the multiplier in µXYM arithmetic: 6 decimal places are kept. */
const MULTIPLIER_SCALE = 1_000_000n;

/**
 * Splits `fee`: per leaf in a shared batch; in an immediate batch (anchored alone, for whoever asked) among the
 * immediate leaves only, each share paid × `multiplier` (the other leaves it swept along ride free). A batch of
 * only non-immediate leaves marked immediate splits per leaf.
 */
export function splitBatchFee(
  sequence: bigint,
  fee: bigint,
  immediate: boolean,
  clients: readonly BatchClient[],
  multiplier: number,
  atMs: number,
): FeeSplit {
  const weights = new Map<string, number>();
  const byImmediate = immediate && clients.some((c) => c.immediate > 0);
  for (const c of clients) {
    const w = byImmediate ? c.immediate : c.leaves;
    if (w > 0) weights.set(c.client, w);
  }
  const scaled = BigInt(Math.round(multiplier * Number(MULTIPLIER_SCALE)));
  const shares = [...splitExactly(fee, weights)]
    .map(([client, anchorFee]) => ({
      client,
      anchorFee,
      feePaid: byImmediate ? (anchorFee * scaled + MULTIPLIER_SCALE - 1n) / MULTIPLIER_SCALE : anchorFee,
    }))
    .sort((a, b) => (a.client < b.client ? -1 : a.client > b.client ? 1 : 0));
  return { sequence, atMs, immediate, fee, shares };
}

/** The stored bytes of a split (UTF-8 JSON, amounts as decimal strings). */
export function encodeFeeSplit(s: FeeSplit): Uint8Array {
  return new TextEncoder().encode(
    JSON.stringify({
      sequence: s.sequence.toString(),
      atMs: s.atMs,
      immediate: s.immediate,
      fee: s.fee.toString(),
      shares: s.shares.map((x) => ({
        client: x.client,
        anchorFee: x.anchorFee.toString(),
        feePaid: x.feePaid.toString(),
      })),
    }),
  );
}

/** Reads a stored split; throws naming what is wrong. */
export function decodeFeeSplit(bytes: Uint8Array): FeeSplit {
  const o = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  const amount = (v: unknown, what: string): bigint => {
    if (typeof v !== 'string' || !/^\d{1,30}$/.test(v)) throw new Error(`${what}: not an amount`);
    return BigInt(v);
  };
  if (typeof o['atMs'] !== 'number' || typeof o['immediate'] !== 'boolean' || !Array.isArray(o['shares']))
    throw new Error('not a fee split');
  return {
    sequence: amount(o['sequence'], 'sequence'),
    atMs: o['atMs'],
    immediate: o['immediate'],
    fee: amount(o['fee'], 'fee'),
    shares: (o['shares'] as Array<Record<string, unknown>>).map((x, i) => {
      if (typeof x['client'] !== 'string') throw new Error(`shares[${i}].client: not a name`);
      return {
        client: x['client'],
        anchorFee: amount(x['anchorFee'], `shares[${i}].anchorFee`),
        feePaid: amount(x['feePaid'], `shares[${i}].feePaid`),
      };
    }),
  };
}
