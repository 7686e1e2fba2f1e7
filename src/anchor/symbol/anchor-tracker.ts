// Anchors sealed batches and checkpoints on Symbol and follows them to finality (docs/anchoring.md §7–§11): the
// I/O shell around a pure state machine. Each round reads the nodes' chains (chain-reader.ts), asks every usable node
// about every open announcement (transaction-observer.ts), lets the pure step decide what the quorum supports
// (anchor-progress.ts), stores that in the durable outbox (anchor-state.ts) before acting on it, and mirrors it in
// the working state (anchor-book.ts); the poller (anchor-poller.ts) runs the rounds. Every announcement is stored
// before it is sent, so restarts resume from the outbox; one announcement's trouble never holds up another's.

import type { Logger } from '../../log/logger.ts';
import type { Ed25519Verifier } from '../../proof/anchor/ed25519-verifier.ts';
import { createNobleEd25519Verifier } from '../../proof/anchor/noble-ed25519-verifier.ts';
import type { PublicationEntry } from '../../proof/anchor/publication-record.ts';
import { toHex } from '../../proof/encoding/bytes.ts';
import type { BatchRecord, Store } from '../../store/store.ts';
import type { AnchorStateStore, BatchAnchor, OutboxEntry, StoredCheckpoint } from '../anchor-state.ts';
import type { ExternalSigner } from '../external-signer.ts';
import { type AccountSummary, createAccountWatch } from './account-watch.ts';
import { type BookWrite, createAnchorBook, sealedAnchor } from './anchor-book.ts';
import { createAnchorPoller } from './anchor-poller.ts';
import { progress } from './anchor-progress.ts';
import {
  type AnchorNetworkInfo,
  type Announcement,
  type BuildContext,
  createAnnouncer,
  groupForAggregates,
} from './announcer.ts';
import type { ChainFollower } from './chain-follower.ts';
import { type ChainView, createChainReader } from './chain-reader.ts';
import { chooseFeeMultiplier } from './fee-policy.ts';
import { accountOf, keyMarker, qualifyLegacy } from './key-markers.ts';
import type { NodeHealth, NodePool } from './node-pool.ts';
import { SymbolNodeError } from './rest-client.ts';
import { createTransactionObserver } from './transaction-observer.ts';

/** Tracker settings. */
export interface AnchorTrackerOptions {
  readonly store: Store;
  readonly states: AnchorStateStore;
  /** The Symbol nodes, with the quorum that must agree on evidence and finality. */
  readonly pool: NodePool;
  readonly signer: ExternalSigner;
  readonly maxFeeMultiplier: number;
  readonly pollIntervalMs: number;
  /** Lifetime of an announcement: deadline = node time + this. */
  readonly deadlineMs: number;
  /** Re-send a live announcement the nodes do not know after this long (silently dropped). */
  readonly resendAfterMs: number;
  /** Most batches sharing one aggregate. */
  readonly maxBatchesPerAggregate: number;
  readonly now: () => number;
  readonly log: Logger;
  /** Checks block and transaction signatures; @noble/curves by default. */
  readonly ed25519?: Ed25519Verifier;
  /**
   * The CIDs of an immediate batch's sealed bundles by leaf index (at most MAX_PUBLICATION_ENTRIES, the first
   * leaves), as stored with the batch when it was sealed, or published now if they were not (docs/ipfs.md); they go
   * into the batch's aggregate as a publication record.
   */
  readonly publishSealed?: (batch: BatchRecord) => Promise<readonly PublicationEntry[]>;
  /** SYMBOL_MIN_BALANCE, µXYM: below it a warning is logged (and the metric set). */
  readonly minBalance?: bigint;
  /** Told each balance read of the account (µXYM) and whether it is below the minimum. */
  readonly onBalance?: (amount: bigint, low: boolean) => void;
  /** Given each round's checked view of the chain, after the anchors were followed (e.g. prepaid credit). */
  readonly followers?: readonly ChainFollower[];
}

/** A change of a batch's anchoring state. */
export type AnchorListener = (state: BatchAnchor) => void;

/** What the rest of the sidecar sees of anchoring. */
export interface AnchorTracker {
  /** Records a newly sealed batch (durably) so it gets anchored. */
  enqueue(batch: BatchRecord, immediate: boolean): Promise<void>;
  /** Stores a newly signed checkpoint (durably) and queues it for anchoring, alone in its aggregate. */
  enqueueCheckpoint(checkpoint: StoredCheckpoint): Promise<void>;
  /**
   * The newest CONFIRMED or FINALIZED checkpoint covering batch `sequence` (batch count > sequence) with its
   * anchoring state, or undefined when there is none yet.
   */
  checkpointFor(sequence: bigint): { checkpoint: StoredCheckpoint; state: BatchAnchor } | undefined;
  /** The batch's state, or undefined before it is tracked. */
  state(sequence: bigint): BatchAnchor | undefined;
  /** The outbox entry of a transaction (for bundles). */
  outbox(txHash: Uint8Array): OutboxEntry | undefined;
  /** Finalized height agreed by the quorum of nodes and checked; never goes down. */
  finalizedHeight(): bigint;
  /** Fee of anchoring one batch alone at the current multiplier, once known. */
  singleAnchorFee():
    | { readonly amount: bigint; readonly multiplier: number; readonly size: number }
    | undefined;
  /** Each node as the sidecar sees it. */
  nodes(): NodeHealth[];
  /** The account anchoring now, and its network once a node told it. */
  account(): { publicKey: Uint8Array; network?: { identifier: number; generationHashSeed: Uint8Array } };
  /** The account's address, balance, recent cost and days of funding left (`spark account`). */
  accountSummary(): AccountSummary;
  /** Every checkpoint's anchoring state, oldest first. */
  checkpointStates(): BatchAnchor[];
  /** Nodes that must agree. */
  readonly quorum: number;
  onChange(listener: AnchorListener): () => void;
  /** One round of work (track, finalize, announce); exposed for tests. */
  tick(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

const hex = toHex;

/** Creates the tracker; call start() to backfill and begin polling. */
export function createAnchorTracker(o: AnchorTrackerOptions): AnchorTracker {
  const ed25519 = o.ed25519 ?? createNobleEd25519Verifier();
  const pool = o.pool;
  const observer = createTransactionObserver({ pool, ed25519 });
  const reader = createChainReader({ pool, log: o.log });
  const announcer = createAnnouncer({
    store: o.store,
    states: o.states,
    signer: o.signer,
    deadlineMs: o.deadlineMs,
    now: o.now,
    ...(o.publishSealed === undefined ? {} : { publishSealed: o.publishSealed }),
  });
  const accountWatch = createAccountWatch({
    pool,
    states: o.states,
    publicKey: o.signer.publicKey,
    now: o.now,
    log: o.log,
    ...(o.minBalance === undefined ? {} : { minBalance: o.minBalance }),
    ...(o.onBalance === undefined ? {} : { onBalance: o.onBalance }),
    // Ten rounds, within 1 s and 60 s: often enough to warn in time, rarely enough not to load the nodes.
    everyMs: Math.min(Math.max(o.pollIntervalMs * 10, 1_000), 60_000),
  });
  const listeners = new Set<AnchorListener>();
  /** The working state; filled from the outbox by start(). */
  const book = createAnchorBook();
  let lastFee: { amount: bigint; multiplier: number; size: number } | undefined;
  /** The rounds: every poll interval (plus the back-off after a failed round), or at once for an immediate batch. */
  const rounds = createAnchorPoller({ pollIntervalMs: o.pollIntervalMs, round: () => round(), log: o.log });

  /** Writes to the outbox, then mirrors the write in the book and tells the listeners. */
  async function save(w: BookWrite): Promise<void> {
    await o.states.write(w.batches ?? [], w.outbox ?? [], w.keys ?? [], { states: w.checkpoints ?? [] });
    book.apply(w);
    for (const b of w.batches ?? []) for (const l of listeners) l(b);
  }

  /** Sends (or re-sends) the same signed bytes to every usable node; one acceptance is enough. */
  async function send(entry: OutboxEntry): Promise<void> {
    const sent: OutboxEntry = { ...entry, lastSentAtMs: o.now(), sends: entry.sends + 1 };
    await save({ outbox: [sent] });
    const nodes = pool.usable();
    const results = await Promise.all(
      nodes.map(async (n) => {
        try {
          return (await pool.ask(n, (c) => c.announce(entry.payload))).ok;
        } catch (err) {
          o.log.warn({ node: n.url, txHash: hex(entry.txHash), err }, 'the node refused the announcement');
          return false;
        }
      }),
    );
    const accepted = nodes.filter((_, i) => results[i]).map((n) => n.url);
    o.log.info(
      {
        txHash: hex(entry.txHash),
        batches: entry.sequences.map(String),
        checkpoints: entry.checkpoints.map(String),
        fee: entry.fee.toString(),
        sends: sent.sends,
        nodes: accepted,
      },
      accepted.length > 0 ? 'anchor announced' : 'anchor stored; no node took it yet, it is sent again later',
    );
  }

  /** One announcement, one round: observe, decide (anchor-progress.ts), store, then act. */
  async function follow(
    entry: OutboxEntry,
    net: AnchorNetworkInfo,
    chain: ChainView,
    nodeTime: bigint | undefined,
  ): Promise<void> {
    const carried = book.carriedBy(entry);
    const tx = hex(entry.txHash);
    if (carried.batches.length + carried.checkpoints.length === 0) {
      // Nothing left to follow (its items finished before this version kept confirmed announcements open).
      await save({ outbox: [{ ...entry, state: entry.state === 'confirmed' ? 'final' : 'expired' }] });
      return;
    }
    const finalizedHeight = book.finalizedHeight();
    const recorded = [...carried.batches, ...carried.checkpoints].find(
      (i) => i.confirmed !== undefined,
    )?.confirmed;
    const observation = await observer.observe({
      expect: {
        txHash: entry.txHash,
        merkleComponentHash: entry.txHash,
        network: net.info.networkIdentifier,
      },
      recorded,
      wantFinality:
        entry.state === 'confirmed' && recorded !== undefined && recorded.height <= finalizedHeight,
      finality: chain.finality,
      context: { txHash: tx },
    });
    const reason = observation.kind === 'undecided' ? observation.reason : undefined;
    if (book.undecided(tx, reason, o.now())) {
      o.log.warn({ txHash: tx, reason }, 'anchor undecided: the nodes do not settle it yet');
    }
    const step = progress(entry, carried, observation, {
      now: o.now(),
      nodeTime,
      finalizedHeight,
      resendAfterMs: o.resendAfterMs,
    });
    if (step === undefined) return;
    const changed = step.batches.length + step.checkpoints.length > 0 || step.entry.state !== entry.state;
    const account = accountOf(entry);
    const keys = step.anchoredKeys.map((id) => keyMarker(account, id));
    if (changed)
      await save({ batches: step.batches, outbox: [step.entry], keys, checkpoints: step.checkpoints });
    const finalEvidence = [...step.batches, ...step.checkpoints].find(
      (i) => i.status === 'FINALIZED',
    )?.confirmed;
    if (step.entry.state === 'final' && finalEvidence !== undefined)
      accountWatch.recordFinal(step.entry, finalEvidence);
    for (const line of step.log) o.log[line.level](line.fields, line.msg);
    if (step.released) book.defer(step, o.now());
    if (step.resend) await send(step.entry);
  }

  /** Announces what waits, each group on its own: a group that fails to build or sign waits for a later round. */
  async function announceWaiting(ctx: BuildContext): Promise<void> {
    const waiting = book.waiting(o.now());
    const store = async (a: Announcement) => {
      // Stored before it is sent: after a crash the same transaction is tracked, never a second one.
      await save({ batches: a.batches, outbox: [a.entry], checkpoints: a.checkpoints });
      await send(a.entry);
    };
    for (const group of groupForAggregates(waiting.batches, o.maxBatchesPerAggregate)) {
      try {
        const built = await announcer.batches(group, { ...ctx, inFlightKeys: book.inFlightKeys() });
        for (const a of built) await store(a);
      } catch (err) {
        if (err instanceof SymbolNodeError) throw err;
        book.defer({ batches: group, checkpoints: [] }, o.now());
        o.log.error(
          { err, batches: group.map((b) => b.sequence.toString()) },
          'could not build the anchor; retrying',
        );
      }
    }
    for (const c of waiting.checkpoints) {
      try {
        await store(await announcer.checkpoint(c, ctx));
      } catch (err) {
        if (err instanceof SymbolNodeError) throw err;
        book.defer({ batches: [], checkpoints: [c] }, o.now());
        o.log.error(
          { err, checkpoint: c.sequence.toString() },
          'could not build the checkpoint anchor; retrying',
        );
      }
    }
  }

  /** Writes the states that enqueue could not (the store refused the write); each round until it takes them. */
  async function queueUnqueued(): Promise<void> {
    const waiting = book.takeUnqueued((sequence) => o.states.batch(sequence) !== undefined);
    if (waiting.length > 0) {
      try {
        await save({ batches: waiting.map((w) => sealedAnchor(w.sequence, w.immediate)) });
      } catch (err) {
        // Still refused: kept for the next round; the rest of this round goes on.
        o.log.warn({ err, batches: waiting.length }, 'sealed batches still wait for their anchoring state');
        return;
      }
      o.log.info(
        { batches: waiting.map((w) => w.sequence.toString()) },
        'sealed batches queued for anchoring after a refused write',
      );
    }
    book.queued();
  }

  /** The open announcements, each on its own: one's trouble backs it off alone, the others keep moving. */
  async function followAll(net: AnchorNetworkInfo, chain: ChainView, nodeTime: bigint | undefined) {
    for (const entry of book.toFollow(o.now())) {
      const tx = hex(entry.txHash);
      try {
        await follow(entry, net, chain, nodeTime);
        book.followed(tx);
      } catch (err) {
        const retryInMs = book.followFailed(tx, o.now());
        o.log.error({ err, txHash: tx, retryInMs }, 'following the anchor failed; it is retried alone');
      }
    }
  }

  async function round(): Promise<void> {
    await queueUnqueued();
    const net = await reader.network();
    await accountWatch.refresh(net).catch((err: unknown) => {
      o.log.warn({ err }, 'could not read the Symbol account balance');
    });
    const chain = await reader.chains();
    const finalizedHeight = book.finality(chain.agreedFinalized);
    const nodeTime = await reader.firstAnswer((c) => c.nodeTime());
    await followAll(net, chain, nodeTime);
    for (const follower of o.followers ?? []) {
      await follower
        .follow({
          network: net,
          accountPublicKey: o.signer.publicKey,
          pool,
          observer,
          finality: chain.finality,
          finalizedHeight,
        })
        .catch((err: unknown) => {
          o.log.warn(
            { err, follower: follower.name },
            `following the chain for ${follower.name} failed; retried next round`,
          );
        });
    }
    const fees = await reader.firstAnswer((c) => c.fees());
    if (fees === undefined || nodeTime === undefined) return;
    const choice = chooseFeeMultiplier(fees.median, fees.minimum, o.maxFeeMultiplier);
    const size = announcer.singleAnchorSize(net);
    if (choice.ok && size !== undefined) {
      lastFee = { amount: BigInt(size) * BigInt(choice.multiplier), multiplier: choice.multiplier, size };
    }
    if (!book.anyWaiting()) return;
    if (!choice.ok) {
      o.log.error({ reason: choice.reason }, 'cannot anchor: fee multiplier out of bounds; will retry');
      return;
    }
    await announceWaiting({
      network: net,
      nodeTime,
      height: chain.height,
      feeMultiplier: choice.multiplier,
      anchoredKeys: book.anchoredKeys(),
      inFlightKeys: book.inFlightKeys(),
    });
  }

  async function backfill(): Promise<void> {
    accountWatch.load();
    // Into the book as it is: a batch refused by the store before start() stays to be written again.
    book.apply({
      batches: o.states.unfinished(),
      checkpoints: o.states.checkpointStates().filter((c) => c.status !== 'FINALIZED'),
      outbox: o.states.openOutbox(),
      keys: [...qualifyLegacy(o.states.anchoredKeys(), o.states.allOutbox(), hex(o.signer.publicKey))],
    });
    const head = o.store.head();
    const last = o.states.lastTracked();
    if (head === undefined) return;
    const missing: BatchAnchor[] = [];
    for (let s = last === undefined ? 0n : last + 1n; s <= head.sequence; s++)
      missing.push(sealedAnchor(s, false));
    if (missing.length > 0) {
      await save({ batches: missing });
      o.log.info({ batches: missing.length }, 'sealed batches without anchoring state queued for anchoring');
    }
  }

  return {
    async enqueue(batch, immediate) {
      if (o.states.batch(batch.sequence) !== undefined) return;
      try {
        await save({ batches: [sealedAnchor(batch.sequence, immediate)] });
      } catch (err) {
        // The batch is sealed durably; its state is written again each round until the store takes it (a full disk).
        book.unqueue(batch.sequence, immediate);
        throw err;
      }
      // Anchor an immediate batch now rather than at the next poll.
      if (immediate) rounds.runNow();
    },
    async enqueueCheckpoint(checkpoint) {
      if (o.states.checkpoint(checkpoint.batchCount) !== undefined) return;
      const state = sealedAnchor(checkpoint.batchCount, false);
      await o.states.write([], [], [], { checkpoints: [checkpoint], states: [state] });
      book.apply({ checkpoints: [state] });
    },
    checkpointFor(sequence) {
      // Few documents (one per interval); newest first.
      const states = o.states.checkpointStates().reverse();
      const state = states.find(
        (c) => (c.status === 'CONFIRMED' || c.status === 'FINALIZED') && c.sequence > sequence,
      );
      const checkpoint = state === undefined ? undefined : o.states.checkpoint(state.sequence);
      return state === undefined || checkpoint === undefined ? undefined : { checkpoint, state };
    },
    state(sequence) {
      return book.batch(sequence) ?? o.states.batch(sequence);
    },
    outbox(txHash) {
      return o.states.outbox(txHash);
    },
    finalizedHeight() {
      return book.finalizedHeight();
    },
    singleAnchorFee() {
      return lastFee;
    },
    nodes() {
      return pool.health();
    },
    account() {
      const network = reader.known();
      return {
        publicKey: o.signer.publicKey,
        ...(network === undefined
          ? {}
          : {
              network: {
                identifier: network.info.networkIdentifier,
                generationHashSeed: network.info.generationHashSeed,
              },
            }),
      };
    },
    checkpointStates() {
      return o.states.checkpointStates();
    },
    accountSummary: () => accountWatch.summary(),
    quorum: pool.quorum,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    tick: () => round(),
    async start() {
      await backfill();
      rounds.start();
    },
    stop: () => rounds.stop(),
  };
}
