// What one round's observation of an announcement does to it and to the batches and checkpoints it carries
// (docs/anchoring.md §7–§8): confirm, follow a reorganization, finalize only after reading the block again, re-send,
// or give the items back for a fresh transaction. Pure: state and observation in, new state and effects out.
import { toHex } from '../../proof/encoding/bytes.ts';
import type { BatchAnchor, ConfirmedEvidence, OutboxEntry, Reorganization } from '../anchor-state.ts';
import type { CheckedEvidence } from './evidence-checks.ts';
import type { Observation } from './transaction-observer.ts';

/** The items an announcement still carries (their `txHash` is its hash). */
export interface Carried {
  readonly batches: readonly BatchAnchor[];
  readonly checkpoints: readonly BatchAnchor[];
}

/** What the round knows besides the observation. */
export interface ProgressContext {
  readonly now: number;
  /** The nodes' clock (network ms), when one told it this round. */
  readonly nodeTime: bigint | undefined;
  /** Finalized height agreed by the quorum this round. */
  readonly finalizedHeight: bigint;
  readonly resendAfterMs: number;
}

/** A log line to write. */
export interface ProgressLog {
  readonly level: 'info' | 'warn';
  readonly msg: string;
  readonly fields: Record<string, unknown>;
}

/** The outcome: what to store (in one write) and what to do. */
export interface Progress {
  readonly entry: OutboxEntry;
  readonly batches: readonly BatchAnchor[];
  readonly checkpoints: readonly BatchAnchor[];
  /** Key ids whose key-history records are now final on chain. */
  readonly anchoredKeys: readonly string[];
  /** Send the same signed bytes again. */
  readonly resend: boolean;
  /** The items were given back for a fresh transaction (the tracker sets their back-off). */
  readonly released: boolean;
  readonly log: readonly ProgressLog[];
}

/** Reorganizations kept per item. */
export const MAX_HISTORY = 32;

const hex = toHex;

function withHistory(item: BatchAnchor, move: Reorganization): readonly Reorganization[] {
  return [...item.history, move].slice(-MAX_HISTORY);
}

/** The stored evidence of `checked` for an announcement: the item's share of the fee actually charged. */
function stored(entry: OutboxEntry, checked: CheckedEvidence, items: number): ConfirmedEvidence {
  const charged = BigInt(entry.size) * BigInt(checked.feeMultiplier);
  const paid = charged < entry.fee ? charged : entry.fee;
  return {
    txHash: entry.txHash,
    height: checked.height,
    blockTimestamp: checked.blockTimestamp,
    merkleComponentHash: checked.merkleComponentHash,
    path: checked.path,
    transactionsHash: checked.transactionsHash,
    feeMultiplier: checked.feeMultiplier,
    feePaid: paid / BigInt(Math.max(1, items)),
    blockHeader: checked.blockHeader,
    blockHash: checked.blockHash,
  };
}

/**
 * The recorded evidence still holds for `checked`: same block (height and hash). Evidence stored before block
 * hashes were kept holds when height and transactionsHash agree (it is then completed with the header).
 */
function holds(recorded: ConfirmedEvidence, checked: CheckedEvidence): boolean {
  if (recorded.height !== checked.height) return false;
  if (recorded.blockHash.length === 0)
    return hex(recorded.transactionsHash) === hex(checked.transactionsHash);
  return hex(recorded.blockHash) === hex(checked.blockHash);
}

/** Computes one step; undefined when nothing changes. */
export function progress(
  entry: OutboxEntry,
  carried: Carried,
  observation: Observation,
  ctx: ProgressContext,
): Progress | undefined {
  const items = [...carried.batches, ...carried.checkpoints];
  const tx = hex(entry.txHash);
  const ids = {
    txHash: tx,
    batches: carried.batches.map((b) => b.sequence.toString()),
    checkpoints: carried.checkpoints.map((c) => c.sequence.toString()),
  };
  const out = (
    next: OutboxEntry,
    map: (item: BatchAnchor) => BatchAnchor,
    log: ProgressLog[],
    extra: Partial<Pick<Progress, 'anchoredKeys' | 'resend' | 'released'>> = {},
  ): Progress => ({
    entry: next,
    batches: carried.batches.map(map),
    checkpoints: carried.checkpoints.map(map),
    anchoredKeys: extra.anchoredKeys ?? [],
    resend: extra.resend ?? false,
    released: extra.released ?? false,
    log,
  });
  const recorded = items.find((i) => i.confirmed !== undefined)?.confirmed;
  const count = entry.sequences.length + entry.checkpoints.length;

  // Items give back for a fresh transaction: this one failed, or expired and is on no chain.
  const release = (state: 'failed' | 'expired', code: string): Progress =>
    out(
      { ...entry, state },
      (i) => ({
        ...i,
        status: state === 'failed' ? 'FAILED' : 'SEALED',
        txHash: undefined,
        confirmed: undefined,
        lastFailure: { code, txHash: entry.txHash, atMs: ctx.now },
        history:
          i.confirmed === undefined
            ? i.history
            : withHistory(i, {
                txHash: entry.txHash,
                fromHeight: i.confirmed.height,
                toHeight: undefined,
                atMs: ctx.now,
              }),
      }),
      [
        {
          level: 'warn',
          msg: `anchor ${state}; the batches get a fresh transaction`,
          fields: { ...ids, code },
        },
      ],
      { released: true },
    );

  switch (observation.kind) {
    case 'in-block': {
      const ev = observation.evidence;
      if (entry.state === 'live' || recorded === undefined) {
        const evidence = stored(entry, ev, count);
        return out(
          { ...entry, state: 'confirmed' },
          (i) => ({ ...i, status: 'CONFIRMED', confirmed: evidence }),
          [
            {
              level: 'info',
              msg: 'anchor confirmed',
              fields: {
                ...ids,
                height: ev.height.toString(),
                block: hex(ev.blockHash),
                nodes: observation.nodes,
                fee: (evidence.feePaid * BigInt(Math.max(1, count))).toString(),
              },
            },
          ],
        );
      }
      if (!holds(recorded, ev)) {
        // The block was replaced: the transaction is in another block now. Its evidence is replaced, the move kept.
        const evidence = stored(entry, ev, count);
        const move = (i: BatchAnchor): Reorganization => ({
          txHash: entry.txHash,
          fromHeight: i.confirmed?.height ?? recorded.height,
          toHeight: ev.height,
          atMs: ctx.now,
        });
        return out(
          entry,
          (i) => ({ ...i, status: 'CONFIRMED', confirmed: evidence, history: withHistory(i, move(i)) }),
          [
            {
              level: 'warn',
              msg: `reorganized: height ${recorded.height} → ${ev.height}`,
              fields: {
                ...ids,
                fromHeight: recorded.height.toString(),
                toHeight: ev.height.toString(),
                fromBlock: hex(recorded.blockHash),
                toBlock: hex(ev.blockHash),
              },
            },
          ],
        );
      }
      if (observation.final && recorded.height <= ctx.finalizedHeight) {
        // Read again at finality and still the same block: final. Old evidence gains its checked header here.
        const evidence = recorded.blockHash.length === 0 ? stored(entry, ev, count) : recorded;
        return out(
          { ...entry, state: 'final' },
          (i) => ({ ...i, status: 'FINALIZED', confirmed: evidence, finalizedHeight: ctx.finalizedHeight }),
          [
            {
              level: 'info',
              msg: 'anchors finalized',
              fields: {
                ...ids,
                height: recorded.height.toString(),
                block: hex(ev.blockHash),
                finalizedHeight: ctx.finalizedHeight.toString(),
                nodes: observation.nodes,
              },
            },
          ],
          { anchoredKeys: entry.keyIds },
        );
      }
      if (recorded.blockHash.length === 0) {
        // Evidence from before headers were kept: complete it now that it was read and checked.
        const evidence = stored(entry, ev, count);
        return out(entry, (i) => ({ ...i, confirmed: evidence }), []);
      }
      return undefined;
    }
    case 'pending':
    case 'absent': {
      const expired = ctx.nodeTime !== undefined && ctx.nodeTime > entry.deadline;
      if (entry.state === 'confirmed' && recorded !== undefined) {
        // It left its block. Back to announced; the same bytes go out again (they can be included at most once),
        // unless its deadline passed: then nothing can include it and the items get a fresh transaction.
        const gone = observation.kind === 'absent';
        if (gone && expired) {
          const r = release('expired', 'DEADLINE_EXPIRED_NOT_ON_CHAIN');
          return {
            ...r,
            log: [
              {
                level: 'warn',
                msg: `reorganized: height ${recorded.height} → gone`,
                fields: {
                  ...ids,
                  fromHeight: recorded.height.toString(),
                  fromBlock: hex(recorded.blockHash),
                },
              },
              ...r.log,
            ],
          };
        }
        return out(
          { ...entry, state: 'live', lastSentAtMs: gone ? 0 : entry.lastSentAtMs },
          (i) => ({
            ...i,
            status: 'ANNOUNCED',
            confirmed: undefined,
            history: withHistory(i, {
              txHash: entry.txHash,
              fromHeight: i.confirmed?.height ?? recorded.height,
              toHeight: undefined,
              atMs: ctx.now,
            }),
          }),
          [
            {
              level: 'warn',
              msg: `reorganized: height ${recorded.height} → ${gone ? 'gone' : 'back in the pool'}`,
              fields: { ...ids, fromHeight: recorded.height.toString(), fromBlock: hex(recorded.blockHash) },
            },
          ],
          { resend: gone },
        );
      }
      if (observation.kind === 'pending') return undefined;
      if (expired) return release('expired', 'DEADLINE_EXPIRED_NOT_ON_CHAIN');
      // Unknown before its deadline: dropped (or never received). The same bytes again cannot double-anchor.
      if (ctx.now - entry.lastSentAtMs >= ctx.resendAfterMs) {
        return { ...out(entry, (i) => i, []), batches: [], checkpoints: [], resend: true };
      }
      return undefined;
    }
    case 'failed':
      return release('failed', observation.code);
    case 'undecided':
      return undefined;
  }
}
