// The anchor tracker's working state (docs/anchoring.md §7–§11): the unfinished batches and checkpoints, the
// announcements still followed, the back-offs and the finalized height the quorum agreed. Pure: it changes only when
// told what the outbox durably took or what a round saw, and time is given, never read — so every wait it decides is
// tested with plain numbers. The tracker (anchor-tracker.ts) does the I/O around it.
import { toHex } from '../../proof/encoding/bytes.ts';
import { type Backoff, delayAfter, nextDelay } from '../../timing/backoff.ts';
import type { BatchAnchor, OutboxEntry } from '../anchor-state.ts';
import type { Carried } from './anchor-progress.ts';
import { markersOf } from './key-markers.ts';

/** Back-off of one announcement whose round threw (a bug or an unexpected answer): 1 s doubling to 5 min. */
export const FOLLOW_BACKOFF: Backoff = { minMs: 1_000, maxMs: 300_000 };
/** Back-off of a batch or checkpoint whose announcement failed or could not be built: 1 s per attempt doubling to 5 min. */
export const ITEM_BACKOFF: Backoff = { minMs: 1_000, maxMs: 300_000 };
/** An undecided announcement is logged again after this long (sooner when its reason changes). */
export const UNDECIDED_LOG_EVERY_MS = 60_000;

/** What the outbox took in one write (anchor-state.ts `write`), to be mirrored here. */
export interface BookWrite {
  readonly batches?: readonly BatchAnchor[];
  readonly outbox?: readonly OutboxEntry[];
  /** Key-history markers now final on chain. */
  readonly keys?: readonly string[];
  readonly checkpoints?: readonly BatchAnchor[];
}

/** What waits for a transaction now: SEALED or FAILED, past its back-off, by sequence. */
export interface Waiting {
  readonly batches: readonly BatchAnchor[];
  readonly checkpoints: readonly BatchAnchor[];
}

/** The tracker's working state. */
export interface AnchorBook {
  /** Mirrors a write the outbox took: FINALIZED items and settled announcements leave. */
  apply(w: BookWrite): void;
  /** The batch's state while unfinished. */
  batch(sequence: bigint): BatchAnchor | undefined;
  /** The items `entry` still carries (their txHash is its hash). */
  carriedBy(entry: OutboxEntry): Carried;
  /** Announcements to follow this round, oldest first: live or confirmed, and not backing off at `now`. */
  toFollow(now: number): OutboxEntry[];
  /** What waits for a transaction at `now`. */
  waiting(now: number): Waiting;
  /** Anything SEALED or FAILED, due or not. */
  anyWaiting(): boolean;
  /** Key-history markers carried by the announcements still followed. */
  inFlightKeys(): Set<string>;
  /** Key-history markers final on chain. */
  anchoredKeys(): ReadonlySet<string>;
  /** The items wait before their next transaction: 1 s doubling per attempt (ITEM_BACKOFF). */
  defer(items: Waiting, now: number): void;
  /** Following `txHash` threw: it backs off alone; returns the wait, ms. */
  followFailed(txHash: string, now: number): number;
  /** Following `txHash` went through: its back-off ends. */
  followed(txHash: string): void;
  /** `txHash` is undecided for `reason`: true when that should be logged now. A decided round forgets it. */
  undecided(txHash: string, reason: string | undefined, now: number): boolean;
  /** The quorum's finalized height this round: the book's never goes down. Returns the book's. */
  finality(agreed: bigint | undefined): bigint;
  finalizedHeight(): bigint;
  /** A sealed batch whose first state the outbox refused: kept until `takeUnqueued` hands it on. */
  unqueue(sequence: bigint, immediate: boolean): void;
  /** The refused batches still without a state (by `tracked`), to write again; `queued()` once written. */
  takeUnqueued(tracked: (sequence: bigint) => boolean): { sequence: bigint; immediate: boolean }[];
  queued(): void;
}

const bySequence = (a: BatchAnchor, b: BatchAnchor) => (a.sequence < b.sequence ? -1 : 1);
const isWaiting = (i: BatchAnchor) => i.status === 'SEALED' || i.status === 'FAILED';

/** An empty book; the tracker fills it from the outbox with `apply` when it starts. */
export function createAnchorBook(): AnchorBook {
  /** Unfinished batches and checkpoints (by batch count) by sequence; FINALIZED ones stay only in the outbox. */
  const open = new Map<bigint, BatchAnchor>();
  const openCheckpoints = new Map<bigint, BatchAnchor>();
  /** Announcements still followed (live, or confirmed and not yet final), by tx hash. */
  const followed = new Map<string, OutboxEntry>();
  const retryAt = new Map<bigint, number>();
  const checkpointRetryAt = new Map<bigint, number>();
  const trouble = new Map<string, { until: number; backoffMs: number }>();
  const undecidedLogged = new Map<string, { at: number; reason: string }>();
  const unqueued = new Map<bigint, boolean>();
  const anchored = new Set<string>();
  let finalized = 0n;

  const apply = (w: BookWrite) => {
    for (const b of w.batches ?? []) {
      if (b.status !== 'FINALIZED') open.set(b.sequence, b);
      else {
        open.delete(b.sequence);
        retryAt.delete(b.sequence);
      }
    }
    for (const c of w.checkpoints ?? []) {
      if (c.status !== 'FINALIZED') openCheckpoints.set(c.sequence, c);
      else {
        openCheckpoints.delete(c.sequence);
        checkpointRetryAt.delete(c.sequence);
      }
    }
    for (const e of w.outbox ?? []) {
      const tx = toHex(e.txHash);
      if (e.state === 'live' || e.state === 'confirmed') followed.set(tx, e);
      else {
        followed.delete(tx);
        trouble.delete(tx);
        undecidedLogged.delete(tx);
      }
    }
    for (const k of w.keys ?? []) anchored.add(k);
  };

  const due = (items: Iterable<BatchAnchor>, at: ReadonlyMap<bigint, number>, now: number) =>
    [...items].filter((i) => isWaiting(i) && (at.get(i.sequence) ?? 0) <= now).sort(bySequence);

  return {
    apply,
    batch: (sequence) => open.get(sequence),
    carriedBy(entry) {
      const tx = toHex(entry.txHash);
      const mine = (b: BatchAnchor | undefined): b is BatchAnchor =>
        b !== undefined && b.txHash !== undefined && toHex(b.txHash) === tx;
      return {
        batches: entry.sequences.map((s) => open.get(s)).filter(mine),
        checkpoints: entry.checkpoints.map((c) => openCheckpoints.get(c)).filter(mine),
      };
    },
    toFollow(now) {
      return [...followed.entries()]
        .filter(([tx]) => (trouble.get(tx)?.until ?? 0) <= now)
        .map(([, e]) => e)
        .sort((a, b) => a.createdAtMs - b.createdAtMs);
    },
    waiting: (now) => ({
      batches: due(open.values(), retryAt, now),
      checkpoints: due(openCheckpoints.values(), checkpointRetryAt, now),
    }),
    anyWaiting: () => [...open.values()].some(isWaiting) || [...openCheckpoints.values()].some(isWaiting),
    inFlightKeys: () => new Set([...followed.values()].flatMap((e) => markersOf(e))),
    anchoredKeys: () => anchored,
    defer(items, now) {
      for (const b of items.batches) retryAt.set(b.sequence, now + delayAfter(b.attempts + 1, ITEM_BACKOFF));
      for (const c of items.checkpoints) {
        checkpointRetryAt.set(c.sequence, now + delayAfter(c.attempts + 1, ITEM_BACKOFF));
      }
    },
    followFailed(txHash, now) {
      const backoffMs = nextDelay(trouble.get(txHash)?.backoffMs ?? 0, FOLLOW_BACKOFF);
      trouble.set(txHash, { until: now + backoffMs, backoffMs });
      return backoffMs;
    },
    followed(txHash) {
      trouble.delete(txHash);
    },
    undecided(txHash, reason, now) {
      if (reason === undefined) {
        undecidedLogged.delete(txHash);
        return false;
      }
      const last = undecidedLogged.get(txHash);
      if (last !== undefined && last.reason === reason && now - last.at < UNDECIDED_LOG_EVERY_MS)
        return false;
      undecidedLogged.set(txHash, { at: now, reason });
      return true;
    },
    finality(agreed) {
      if (agreed !== undefined && agreed > finalized) finalized = agreed;
      return finalized;
    },
    finalizedHeight: () => finalized,
    unqueue(sequence, immediate) {
      unqueued.set(sequence, immediate);
    },
    takeUnqueued: (tracked) =>
      [...unqueued]
        .filter(([sequence]) => !tracked(sequence))
        .map(([sequence, immediate]) => ({ sequence, immediate })),
    queued() {
      unqueued.clear();
    },
  };
}

/** The first state of a sealed batch or checkpoint: SEALED, no transaction yet. */
export function sealedAnchor(sequence: bigint, immediate: boolean): BatchAnchor {
  return {
    sequence,
    status: 'SEALED',
    immediate,
    txHash: undefined,
    attempts: 0,
    lastFailure: undefined,
    confirmed: undefined,
    finalizedHeight: undefined,
    history: [],
  };
}
