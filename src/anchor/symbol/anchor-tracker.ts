// Anchors sealed batches and checkpoints on Symbol and follows them to finality (docs/anchoring.md §7–§11).
// Every announcement is stored in the outbox before it is sent; restarts resume from there. Each round asks every
// usable node about every open announcement (transaction-observer.ts), decides what the quorum supports
// (anchor-progress.ts) and stores it; one announcement's trouble never holds up another's.

import type { Logger } from '../../log/logger.ts';
import type { Ed25519Verifier } from '../../proof/anchor/ed25519-verifier.ts';
import { createNobleEd25519Verifier } from '../../proof/anchor/noble-ed25519-verifier.ts';
import type { PublicationEntry } from '../../proof/anchor/publication-record.ts';
import { toHex } from '../../proof/encoding/bytes.ts';
import type { BatchRecord, Store } from '../../store/store.ts';
import { type Backoff, delayAfter, nextDelay } from '../../timing/backoff.ts';
import type {
  AnchorStateStore,
  BatchAnchor,
  CheckpointWrites,
  OutboxEntry,
  StoredCheckpoint,
} from '../anchor-state.ts';
import type { ExternalSigner } from '../external-signer.ts';
import { type AccountSummary, createAccountWatch } from './account-watch.ts';
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
import { chooseFeeMultiplier } from './fee-policy.ts';
import { accountOf, keyMarker, markersOf, qualifyLegacy } from './key-markers.ts';
import type { NodeHealth, NodePool } from './node-pool.ts';
import { SymbolNodeError, type SymbolRestClient } from './rest-client.ts';
import { createTransactionObserver, type NodeFinality } from './transaction-observer.ts';

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

/** This round's view of the nodes' chains. */
interface ChainView {
  /** Highest chain height reported. */
  readonly height: bigint;
  readonly finality: ReadonlyMap<SymbolRestClient, NodeFinality>;
}

const hex = toHex;
/** Back-off of one announcement whose round threw (a bug or an unexpected answer): 1 s doubling to 5 min. */
const TX_BACKOFF: Backoff = { minMs: 1_000, maxMs: 300_000 };
/** Back-off of a batch or checkpoint whose announcement failed: 2 s after the first failure, doubling to 5 min. */
const ITEM_BACKOFF: Backoff = { minMs: 1_000, maxMs: 300_000 };
/** An undecided announcement is logged again after this long. */
const UNDECIDED_LOG_EVERY_MS = 60_000;

/** Creates the tracker; call start() to backfill and begin polling. */
export function createAnchorTracker(o: AnchorTrackerOptions): AnchorTracker {
  const ed25519 = o.ed25519 ?? createNobleEd25519Verifier();
  const pool = o.pool;
  const observer = createTransactionObserver({ pool, ed25519 });
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
  /** Unfinished batches and checkpoints (by batch count) by sequence; FINALIZED ones are read from the store. */
  const open = new Map<bigint, BatchAnchor>();
  const openCheckpoints = new Map<bigint, BatchAnchor>();
  /** Announcements still followed (live, or confirmed and not yet final), by tx hash. */
  const followed = new Map<string, OutboxEntry>();
  /** Earliest time a FAILED or expired item may be announced again. */
  const retryAt = new Map<bigint, number>();
  const checkpointRetryAt = new Map<bigint, number>();
  /** Per announcement: back-off after its round threw, and when it was last logged as undecided. */
  const txTrouble = new Map<string, { until: number; backoffMs: number }>();
  const undecidedLogged = new Map<string, { at: number; reason: string }>();
  /** Sealed batches whose first state the store refused (by sequence: immediate?), written again each round. */
  const unqueued = new Map<bigint, boolean>();
  let network: AnchorNetworkInfo | undefined;
  let lastFinalized = 0n;
  let lastFee: { amount: bigint; multiplier: number; size: number } | undefined;
  /** Key-history markers final on chain (key-markers.ts). */
  let anchoredKeys = new Set<string>();
  /** The rounds: every poll interval (plus the back-off after a failed round), or at once for an immediate batch. */
  const rounds = createAnchorPoller({ pollIntervalMs: o.pollIntervalMs, round: () => round(), log: o.log });

  const publish = (s: BatchAnchor) => {
    for (const l of listeners) l(s);
  };

  async function save(
    batches: readonly BatchAnchor[],
    outbox: readonly OutboxEntry[],
    keys: readonly string[] = [],
    checkpoints: CheckpointWrites = {},
  ): Promise<void> {
    await o.states.write(batches, outbox, keys, checkpoints);
    for (const b of batches) {
      if (b.status === 'FINALIZED') open.delete(b.sequence);
      else open.set(b.sequence, b);
    }
    for (const c of checkpoints.states ?? []) {
      if (c.status === 'FINALIZED') openCheckpoints.delete(c.sequence);
      else openCheckpoints.set(c.sequence, c);
    }
    for (const e of outbox) {
      if (e.state === 'live' || e.state === 'confirmed') followed.set(hex(e.txHash), e);
      else followed.delete(hex(e.txHash));
    }
    for (const k of keys) anchoredKeys.add(k);
    for (const b of batches) publish(b);
  }

  const fresh = (sequence: bigint, immediate: boolean): BatchAnchor => ({
    sequence,
    status: 'SEALED',
    immediate,
    txHash: undefined,
    attempts: 0,
    lastFailure: undefined,
    confirmed: undefined,
    finalizedHeight: undefined,
    history: [],
  });

  /** The first answer any usable node gives to `fn`, or undefined when none answered. */
  async function firstAnswer<T>(fn: (c: SymbolRestClient) => Promise<T>): Promise<T | undefined> {
    for (const node of pool.usable()) {
      const a = await pool.ask(node, fn);
      if (a.ok) return a.value;
    }
    return undefined;
  }

  /** The network the nodes are on; a node that says it is on another one is never asked again. */
  async function loadNetwork(): Promise<AnchorNetworkInfo> {
    const nodes = pool.usable();
    const infos = await Promise.all(nodes.map((n) => pool.ask(n, (c) => c.nodeInfo())));
    const answered = nodes.flatMap((n, i) => {
      const a = infos[i];
      return a?.ok === true ? [{ node: n, info: a.value }] : [];
    });
    const key = (i: { generationHashSeed: Uint8Array; networkIdentifier: number }) =>
      `${hex(i.generationHashSeed)}/${i.networkIdentifier}`;
    if (network === undefined) {
      const counts = new Map<string, number>();
      for (const a of answered) counts.set(key(a.info), (counts.get(key(a.info)) ?? 0) + 1);
      const [best, n] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0] ?? ['', 0];
      const first = answered.find((a) => key(a.info) === best);
      if (first === undefined) throw new SymbolNodeError('UNAVAILABLE', 'no Symbol node answered /node/info');
      if (n < Math.min(pool.quorum, answered.length) || n * 2 <= answered.length) {
        throw new SymbolNodeError('BAD_RESPONSE', 'the Symbol nodes do not agree which network they are on');
      }
      const properties = await pool.ask(first.node, (c) => c.networkProperties());
      if (!properties.ok)
        throw new SymbolNodeError('UNAVAILABLE', 'no Symbol node answered /network/properties');
      network = { info: first.info, properties: properties.value };
      o.log.info(
        {
          networkIdentifier: first.info.networkIdentifier,
          generationHashSeed: hex(first.info.generationHashSeed),
          nodes: answered.map((a) => a.node.url),
          quorum: pool.quorum,
        },
        'connected to the Symbol network',
      );
    }
    const agreed = key(network.info);
    for (const a of answered) {
      if (key(a.info) !== agreed) {
        pool.exclude(a.node, `on network ${key(a.info)}, not ${agreed}`);
      }
    }
    return network;
  }

  /** Each node's chain head and finality (never believed lower than before); the quorum's finalized height. */
  async function readChains(): Promise<ChainView> {
    const nodes = pool.usable();
    const answers = await Promise.all(nodes.map((n) => pool.ask(n, (c) => c.chainInfo())));
    const finality = new Map<SymbolRestClient, NodeFinality>();
    let height = 0n;
    nodes.forEach((node, i) => {
      const a = answers[i];
      if (a?.ok !== true) return;
      const chain = a.value;
      if (chain.height > height) height = chain.height;
      if (chain.finalizedHeight > chain.height) {
        pool.reject(
          node,
          {
            check: 'height',
            expected: `finalized height <= chain height ${chain.height}`,
            got: chain.finalizedHeight.toString(),
          },
          {},
        );
        return;
      }
      if (pool.finality(node, chain.finalizedHeight, {})) {
        finality.set(node, { height: chain.finalizedHeight, hash: chain.finalizedHash });
      }
    });
    // The quorum's finality: the highest height at least `quorum` nodes report as final.
    const heights = [...finality.values()].map((f) => f.height).sort((a, b) => (a > b ? -1 : a < b ? 1 : 0));
    const agreed = heights[pool.quorum - 1];
    if (agreed !== undefined && agreed > lastFinalized) lastFinalized = agreed;
    return { height, finality };
  }

  /** Sends (or re-sends) the same signed bytes to every usable node; one acceptance is enough. */
  async function send(entry: OutboxEntry): Promise<void> {
    const sent: OutboxEntry = { ...entry, lastSentAtMs: o.now(), sends: entry.sends + 1 };
    await save([], [sent]);
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

  function carriedBy(entry: OutboxEntry): { batches: BatchAnchor[]; checkpoints: BatchAnchor[] } {
    const mine = (b: BatchAnchor | undefined): b is BatchAnchor =>
      b !== undefined && b.txHash !== undefined && hex(b.txHash) === hex(entry.txHash);
    return {
      batches: entry.sequences.map((s) => open.get(s)).filter(mine),
      checkpoints: entry.checkpoints.map((c) => openCheckpoints.get(c)).filter(mine),
    };
  }

  /** One announcement, one round: observe, decide, store, then act. */
  async function follow(
    entry: OutboxEntry,
    net: AnchorNetworkInfo,
    chain: ChainView,
    nodeTime: bigint | undefined,
  ) {
    const carried = carriedBy(entry);
    const tx = hex(entry.txHash);
    if (carried.batches.length + carried.checkpoints.length === 0) {
      // Nothing left to follow (its items finished before this version kept confirmed announcements open).
      await save([], [{ ...entry, state: entry.state === 'confirmed' ? 'final' : 'expired' }]);
      return;
    }
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
      wantFinality: entry.state === 'confirmed' && recorded !== undefined && recorded.height <= lastFinalized,
      finality: chain.finality,
      context: { txHash: tx },
    });
    if (observation.kind === 'undecided') {
      const last = undecidedLogged.get(tx);
      if (
        last === undefined ||
        last.reason !== observation.reason ||
        o.now() - last.at >= UNDECIDED_LOG_EVERY_MS
      ) {
        undecidedLogged.set(tx, { at: o.now(), reason: observation.reason });
        o.log.warn(
          { txHash: tx, reason: observation.reason },
          'anchor undecided: the nodes do not settle it yet',
        );
      }
    } else {
      undecidedLogged.delete(tx);
    }
    const step = progress(entry, carried, observation, {
      now: o.now(),
      nodeTime,
      finalizedHeight: lastFinalized,
      resendAfterMs: o.resendAfterMs,
    });
    if (step === undefined) return;
    const changed = step.batches.length + step.checkpoints.length > 0 || step.entry.state !== entry.state;
    const account = accountOf(entry);
    const markers = step.anchoredKeys.map((id) => keyMarker(account, id));
    if (changed) await save(step.batches, [step.entry], markers, { states: step.checkpoints });
    const finalEvidence = [...step.batches, ...step.checkpoints].find(
      (i) => i.status === 'FINALIZED',
    )?.confirmed;
    if (step.entry.state === 'final' && finalEvidence !== undefined)
      accountWatch.recordFinal(step.entry, finalEvidence);
    for (const line of step.log) o.log[line.level](line.fields, line.msg);
    if (step.released) {
      const at = o.now();
      for (const b of step.batches) retryAt.set(b.sequence, at + delayAfter(b.attempts + 1, ITEM_BACKOFF));
      for (const c of step.checkpoints) {
        checkpointRetryAt.set(c.sequence, at + delayAfter(c.attempts + 1, ITEM_BACKOFF));
      }
    }
    if (step.resend) await send(step.entry);
  }

  /** Announces what waits, each group on its own: a group that fails to build or sign waits for a later round. */
  async function announceWaiting(ctx: BuildContext): Promise<void> {
    const now = o.now();
    const waiting = [...open.values()]
      .filter(
        (b) => (b.status === 'SEALED' || b.status === 'FAILED') && (retryAt.get(b.sequence) ?? 0) <= now,
      )
      .sort((a, b) => (a.sequence < b.sequence ? -1 : 1));
    const waitingCheckpoints = [...openCheckpoints.values()]
      .filter(
        (c) =>
          (c.status === 'SEALED' || c.status === 'FAILED') && (checkpointRetryAt.get(c.sequence) ?? 0) <= now,
      )
      .sort((a, b) => (a.sequence < b.sequence ? -1 : 1));
    let inFlight = inFlightKeys();
    const store = async (a: Announcement) => {
      // Stored before it is sent: after a crash the same transaction is tracked, never a second one.
      await save(a.batches, [a.entry], [], { states: a.checkpoints });
      await send(a.entry);
    };
    for (const group of groupForAggregates(waiting, o.maxBatchesPerAggregate)) {
      try {
        for (const a of await announcer.batches(group, { ...ctx, inFlightKeys: inFlight })) await store(a);
        inFlight = inFlightKeys();
      } catch (err) {
        if (err instanceof SymbolNodeError) throw err;
        for (const b of group) retryAt.set(b.sequence, o.now() + delayAfter(b.attempts + 1, ITEM_BACKOFF));
        o.log.error(
          { err, batches: group.map((b) => b.sequence.toString()) },
          'could not build the anchor; retrying',
        );
      }
    }
    for (const c of waitingCheckpoints) {
      try {
        await store(await announcer.checkpoint(c, ctx));
      } catch (err) {
        if (err instanceof SymbolNodeError) throw err;
        checkpointRetryAt.set(c.sequence, o.now() + delayAfter(c.attempts + 1, ITEM_BACKOFF));
        o.log.error(
          { err, checkpoint: c.sequence.toString() },
          'could not build the checkpoint anchor; retrying',
        );
      }
    }
  }

  function inFlightKeys(): Set<string> {
    return new Set([...followed.values()].flatMap((e) => markersOf(e)));
  }

  /** Writes the states that enqueue could not (the store refused the write); each round until it takes them. */
  async function queueUnqueued(): Promise<void> {
    if (unqueued.size === 0) return;
    const waiting = [...unqueued].filter(([sequence]) => o.states.batch(sequence) === undefined);
    if (waiting.length > 0) {
      try {
        await save(
          waiting.map(([sequence, immediate]) => fresh(sequence, immediate)),
          [],
        );
      } catch (err) {
        // Still refused: kept for the next round; the rest of this round goes on.
        o.log.warn({ err, batches: waiting.length }, 'sealed batches still wait for their anchoring state');
        return;
      }
      o.log.info(
        { batches: waiting.map(([s]) => s.toString()) },
        'sealed batches queued for anchoring after a refused write',
      );
    }
    unqueued.clear();
  }

  async function round(): Promise<void> {
    await queueUnqueued();
    const net = await loadNetwork();
    await accountWatch.refresh(net).catch((err: unknown) => {
      o.log.warn({ err }, 'could not read the Symbol account balance');
    });
    const chain = await readChains();
    const nodeTime = await firstAnswer((c) => c.nodeTime());
    const now = o.now();
    const entries = [...followed.values()].sort((a, b) => a.createdAtMs - b.createdAtMs);
    for (const entry of entries) {
      const tx = hex(entry.txHash);
      const trouble = txTrouble.get(tx);
      if (trouble !== undefined && trouble.until > now) continue;
      try {
        await follow(entry, net, chain, nodeTime);
        txTrouble.delete(tx);
      } catch (err) {
        // One announcement's trouble is its own: it backs off, the others keep moving.
        const backoff = nextDelay(trouble?.backoffMs ?? 0, TX_BACKOFF);
        txTrouble.set(tx, { until: o.now() + backoff, backoffMs: backoff });
        o.log.error(
          { err, txHash: tx, retryInMs: backoff },
          'following the anchor failed; it is retried alone',
        );
      }
    }
    for (const follower of o.followers ?? []) {
      await follower
        .follow({
          network: net,
          accountPublicKey: o.signer.publicKey,
          pool,
          observer,
          finality: chain.finality,
          finalizedHeight: lastFinalized,
        })
        .catch((err: unknown) => {
          o.log.warn(
            { err, follower: follower.name },
            `following the chain for ${follower.name} failed; retried next round`,
          );
        });
    }
    const fees = await firstAnswer((c) => c.fees());
    if (fees === undefined || nodeTime === undefined) return;
    const choice = chooseFeeMultiplier(fees.median, fees.minimum, o.maxFeeMultiplier);
    const size = announcer.singleAnchorSize(net);
    if (choice.ok && size !== undefined) {
      lastFee = { amount: BigInt(size) * BigInt(choice.multiplier), multiplier: choice.multiplier, size };
    }
    const anyWaiting =
      [...open.values()].some((b) => b.status === 'SEALED' || b.status === 'FAILED') ||
      [...openCheckpoints.values()].some((c) => c.status === 'SEALED' || c.status === 'FAILED');
    if (!anyWaiting) return;
    if (!choice.ok) {
      o.log.error({ reason: choice.reason }, 'cannot anchor: fee multiplier out of bounds; will retry');
      return;
    }
    await announceWaiting({
      network: net,
      nodeTime,
      height: chain.height,
      feeMultiplier: choice.multiplier,
      anchoredKeys,
      inFlightKeys: inFlightKeys(),
    });
  }

  async function backfill(): Promise<void> {
    accountWatch.load();
    anchoredKeys = qualifyLegacy(o.states.anchoredKeys(), o.states.allOutbox(), hex(o.signer.publicKey));
    for (const b of o.states.unfinished()) open.set(b.sequence, b);
    for (const c of o.states.checkpointStates())
      if (c.status !== 'FINALIZED') openCheckpoints.set(c.sequence, c);
    for (const e of o.states.openOutbox()) followed.set(hex(e.txHash), e);
    const head = o.store.head();
    const last = o.states.lastTracked();
    if (head === undefined) return;
    const missing: BatchAnchor[] = [];
    for (let s = last === undefined ? 0n : last + 1n; s <= head.sequence; s++) missing.push(fresh(s, false));
    if (missing.length > 0) {
      await save(missing, []);
      o.log.info({ batches: missing.length }, 'sealed batches without anchoring state queued for anchoring');
    }
  }

  return {
    async enqueue(batch, immediate) {
      if (o.states.batch(batch.sequence) !== undefined) return;
      try {
        await save([fresh(batch.sequence, immediate)], []);
      } catch (err) {
        // The batch is sealed durably; its state is written again each round until the store takes it (a full disk).
        unqueued.set(batch.sequence, immediate);
        throw err;
      }
      // Anchor an immediate batch now rather than at the next poll.
      if (immediate) rounds.runNow();
    },
    async enqueueCheckpoint(checkpoint) {
      if (o.states.checkpoint(checkpoint.batchCount) !== undefined) return;
      await save([], [], [], { checkpoints: [checkpoint], states: [fresh(checkpoint.batchCount, false)] });
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
      return open.get(sequence) ?? o.states.batch(sequence);
    },
    outbox(txHash) {
      return o.states.outbox(txHash);
    },
    finalizedHeight() {
      return lastFinalized;
    },
    singleAnchorFee() {
      return lastFee;
    },
    nodes() {
      return pool.health();
    },
    account() {
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
