// Anchors sealed batches on Symbol and follows them to finality (SPEC §3 step 3, §6; docs/anchoring.md §7–§8).
// Every announcement is stored in the outbox before it is sent; restarts resume from there. A batch gets a
// fresh transaction only when its previous one failed or expired and is verifiably not on chain.

import { decodeHeader } from '../../bundle/header.ts';
import { toHex } from '../../encoding/bytes.ts';
import type { Logger } from '../../log/logger.ts';
import type { BatchRecord, Store } from '../../store/store.ts';
import { AnchorError } from '../anchor-error.ts';
import { encodeAnchorRecord, encodeCheckpointRecord } from '../anchor-record.ts';
import type {
  AnchorStateStore,
  BatchAnchor,
  CheckpointWrites,
  ConfirmedEvidence,
  OutboxEntry,
  StoredCheckpoint,
} from '../anchor-state.ts';
import type { ExternalSigner } from '../external-signer.ts';
import { encodeKeyMetadata, encodePublicKeyRecord } from '../key-history-record.ts';
import { encodePublicationRecord, type PublicationEntry } from '../publication-record.ts';
import { recordId } from '../record-chunks.ts';
import {
  buildAnchorTransaction,
  type KeyHistoryInput,
  MAX_EMBEDDED_TRANSACTIONS,
  signAnchorTransaction,
} from '../transaction-builder.ts';
import { chooseFeeMultiplier } from './fee-policy.ts';
import {
  type NetworkProperties,
  type NodeInfo,
  SymbolNodeError,
  type SymbolRestClient,
} from './rest-client.ts';

/** Tracker settings. */
export interface AnchorTrackerOptions {
  readonly store: Store;
  readonly states: AnchorStateStore;
  readonly client: SymbolRestClient;
  readonly signer: ExternalSigner;
  readonly maxFeeMultiplier: number;
  readonly pollIntervalMs: number;
  /** Lifetime of an announcement: deadline = node time + this. */
  readonly deadlineMs: number;
  /** Re-send a live announcement the node does not know after this long (silently dropped). */
  readonly resendAfterMs: number;
  /** Most batches sharing one aggregate. */
  readonly maxBatchesPerAggregate: number;
  readonly now: () => number;
  readonly log: Logger;
  /**
   * Publishes the sealed bundles of an immediate batch (SPEC §10) and returns their CIDs by leaf index (at most
   * MAX_PUBLICATION_ENTRIES, the first leaves); they go into the batch's aggregate as a publication record.
   */
  readonly publishSealed?: (batch: BatchRecord) => Promise<readonly PublicationEntry[]>;
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
  /** Newest finalized height seen on the node. */
  finalizedHeight(): bigint;
  /** Fee of anchoring one batch alone at the current multiplier, once known. */
  singleAnchorFee():
    | { readonly amount: bigint; readonly multiplier: number; readonly size: number }
    | undefined;
  onChange(listener: AnchorListener): () => void;
  /** One round of work (announce, track, finalize); exposed for tests. */
  tick(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

interface Network {
  readonly info: NodeInfo;
  readonly properties: NetworkProperties;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** Creates the tracker; call start() to backfill and begin polling. */
export function createAnchorTracker(o: AnchorTrackerOptions): AnchorTracker {
  const listeners = new Set<AnchorListener>();
  /** Unfinished batches by sequence (FINALIZED ones are read from the store on demand). */
  const open = new Map<bigint, BatchAnchor>();
  /** Live outbox entries by tx hash. */
  const live = new Map<string, OutboxEntry>();
  /** Earliest time a FAILED or expired batch may be announced again (backoff, in memory). */
  const retryAt = new Map<bigint, number>();
  /** Unfinished checkpoint anchoring states by batch count, and their retry times. */
  const openCheckpoints = new Map<bigint, BatchAnchor>();
  const checkpointRetryAt = new Map<bigint, number>();
  let network: Network | undefined;
  let lastFinalized = 0n;
  let lastFee: { amount: bigint; multiplier: number; size: number } | undefined;
  let singleSize: number | undefined;
  /** Key ids (hex) whose key history is confirmed on chain. */
  let anchoredKeys = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  let outageSince: number | undefined;
  let backoffMs = 0;

  const publish = (s: BatchAnchor) => {
    for (const l of listeners) l(s);
  };

  async function save(
    batches: BatchAnchor[],
    outbox: OutboxEntry[],
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
      if (e.state === 'live') live.set(hex(e.txHash), e);
      else live.delete(hex(e.txHash));
    }
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

  async function loadNetwork(): Promise<Network> {
    if (network !== undefined) return network;
    const [info, properties] = await Promise.all([o.client.nodeInfo(), o.client.networkProperties()]);
    network = { info, properties };
    o.log.info(
      { networkIdentifier: info.networkIdentifier, generationHashSeed: hex(info.generationHashSeed) },
      'connected to the Symbol node',
    );
    return network;
  }

  /** Announce (or re-send) an outbox entry; a transport failure leaves it live for the next round. */
  async function send(entry: OutboxEntry): Promise<OutboxEntry> {
    const sent: OutboxEntry = { ...entry, lastSentAtMs: o.now(), sends: entry.sends + 1 };
    await save([], [sent]);
    await o.client.announce(entry.payload);
    o.log.info(
      {
        txHash: hex(entry.txHash),
        batches: entry.sequences.map(String),
        checkpoints: entry.checkpoints.map(String),
        fee: entry.fee.toString(),
        sends: sent.sends,
      },
      'anchor announced',
    );
    return sent;
  }

  /**
   * Key-history records for the signing keys of `group` not yet on chain nor in a live announcement, and the
   * retirement (valid_until) of keys already on chain as current. Ids are key ids in hex; "<id>:until" marks a
   * key whose closed window is on chain.
   */
  function keyRecordsFor(group: readonly BatchAnchor[]): { ids: string[]; inputs: KeyHistoryInput[] } {
    const inFlight = new Set([...live.values()].flatMap((e) => e.keyIds));
    const fresh = new Set<string>();
    for (const g of group) {
      const batch = o.store.getBatch(g.sequence);
      const fields = batch === undefined ? undefined : decodeHeader(batch.header);
      if (fields === undefined || typeof fields === 'string') continue;
      const id = toHex(fields.keyId);
      if (!anchoredKeys.has(id) && !inFlight.has(id)) fresh.add(id);
    }
    const history = o.store.keyHistory();
    const ids: string[] = [];
    const inputs: KeyHistoryInput[] = [];
    for (const entry of history) {
      const id = toHex(entry.keyId);
      const until = `${id}:until`;
      const retired = entry.validUntilMs !== 0;
      const isFresh = fresh.has(id);
      // A key on chain as current that has since been retired: update its value in place (XOR delta).
      const retire = retired && anchoredKeys.has(id) && !anchoredKeys.has(until) && !inFlight.has(until);
      if (!isFresh && !retire) continue;
      const publicKeyRecord = encodePublicKeyRecord({
        algorithmId: entry.algorithmId,
        publicKey: entry.publicKey,
        selfSignature: entry.selfSignature,
        endorsement: entry.endorsement,
      });
      const value = (validUntilMs: number) =>
        encodeKeyMetadata({
          algorithmId: entry.algorithmId,
          keyId: entry.keyId,
          validFromMs: BigInt(entry.validFromMs),
          validUntilMs: BigInt(validUntilMs),
          previousKeyId: entry.previousKeyId,
          protection: entry.protection,
          publicKeyRecordId: toHex(recordId(publicKeyRecord)),
        });
      if (isFresh) {
        inputs.push({ metadataValue: value(entry.validUntilMs), publicKeyRecord });
        ids.push(id);
        if (retired) ids.push(until);
      } else {
        inputs.push({ metadataValue: value(entry.validUntilMs), previousValue: value(0) });
        ids.push(until);
      }
    }
    return { ids, inputs };
  }

  /** Signs `built` and makes its live outbox entry (not yet stored). */
  async function signedEntry(
    built: ReturnType<typeof buildAnchorTransaction>,
    net: Network,
    nodeTime: bigint,
    feeMultiplier: number,
    carries: Pick<OutboxEntry, 'sequences' | 'keyIds' | 'checkpoints'>,
  ): Promise<OutboxEntry> {
    const signed = await signAnchorTransaction(built, o.signer);
    return {
      txHash: signed.hash,
      payload: signed.payload,
      generationHashSeed: net.info.generationHashSeed,
      deadline: nodeTime + BigInt(o.deadlineMs),
      fee: built.fee,
      feeMultiplier,
      size: built.size,
      createdAtMs: o.now(),
      lastSentAtMs: 0,
      sends: 0,
      state: 'live',
      ...carries,
    };
  }

  async function announce(
    group: BatchAnchor[],
    net: Network,
    nodeTime: bigint,
    height: bigint,
    feeMultiplier: number,
  ): Promise<void> {
    const records: Uint8Array[] = [];
    for (const g of group) {
      const batch = o.store.getBatch(g.sequence);
      if (batch === undefined) throw new Error(`batch ${g.sequence} is tracked but not stored`);
      records.push(encodeAnchorRecord({ header: batch.header, signatures: batch.signatures }));
      // An immediate batch's anchor also names its sealed bundles' CIDs (docs/ipfs.md §The CID in the anchor).
      if (g.immediate && o.publishSealed !== undefined) {
        const entries = await o.publishSealed(batch);
        const header = decodeHeader(batch.header);
        if (entries.length > 0 && typeof header !== 'string') {
          records.push(encodePublicationRecord({ sequence: g.sequence, root: header.root, entries }));
        }
      }
    }
    const v3 =
      net.properties.aggregateV3Height === undefined || height + 1n >= net.properties.aggregateV3Height;
    // The first anchor of a key also records the key (metadata entry + public key) in the same aggregate.
    const keys = keyRecordsFor(group);
    let built: ReturnType<typeof buildAnchorTransaction>;
    try {
      built = buildAnchorTransaction({
        network: { identifier: net.info.networkIdentifier, generationHashSeed: net.info.generationHashSeed },
        signerPublicKey: o.signer.publicKey,
        records,
        keyRecords: keys.inputs,
        aggregateVersion: v3 ? 3 : 2,
        feeMultiplier,
        deadline: nodeTime + BigInt(o.deadlineMs),
      });
    } catch (err) {
      // Key records can push a full group past 100 embedded transactions: anchor it in halves.
      if (err instanceof AnchorError && err.code === 'TOO_MANY_TRANSACTIONS' && group.length > 1) {
        const half = Math.ceil(group.length / 2);
        await announce(group.slice(0, half), net, nodeTime, height, feeMultiplier);
        await announce(group.slice(half), net, nodeTime, height, feeMultiplier);
        return;
      }
      throw err;
    }
    const entry = await signedEntry(built, net, nodeTime, feeMultiplier, {
      sequences: group.map((g) => g.sequence),
      keyIds: keys.ids,
      checkpoints: [],
    });
    // Stored before it is sent: after a crash the same transaction is tracked, never a second one.
    await save(
      group.map((g) => ({
        ...g,
        status: 'ANNOUNCED' as const,
        txHash: entry.txHash,
        attempts: g.attempts + 1,
      })),
      [entry],
    );
    await send(entry);
  }

  /** Announces one checkpoint alone in its aggregate (its key history travels with the batches). */
  async function announceCheckpoint(
    state: BatchAnchor,
    net: Network,
    nodeTime: bigint,
    height: bigint,
    feeMultiplier: number,
  ): Promise<void> {
    const checkpoint = o.states.checkpoint(state.sequence);
    if (checkpoint === undefined) throw new Error(`checkpoint ${state.sequence} is tracked but not stored`);
    const v3 =
      net.properties.aggregateV3Height === undefined || height + 1n >= net.properties.aggregateV3Height;
    const built = buildAnchorTransaction({
      network: { identifier: net.info.networkIdentifier, generationHashSeed: net.info.generationHashSeed },
      signerPublicKey: o.signer.publicKey,
      records: [encodeCheckpointRecord({ body: checkpoint.body, signatures: checkpoint.signatures })],
      aggregateVersion: v3 ? 3 : 2,
      feeMultiplier,
      deadline: nodeTime + BigInt(o.deadlineMs),
    });
    const entry = await signedEntry(built, net, nodeTime, feeMultiplier, {
      sequences: [],
      keyIds: [],
      checkpoints: [state.sequence],
    });
    // Stored before it is sent, exactly like a batch anchor.
    await save([], [entry], [], {
      states: [{ ...state, status: 'ANNOUNCED', txHash: entry.txHash, attempts: state.attempts + 1 }],
    });
    await send(entry);
  }

  async function confirm(entry: OutboxEntry): Promise<void> {
    const meta = await o.client.confirmed(entry.txHash);
    if (meta === undefined) return; // status said confirmed; the index will catch up
    const block = await o.client.block(meta.height);
    const path = await o.client.merklePath(meta.height, meta.merkleComponentHash);
    const charged = BigInt(entry.size) * BigInt(meta.feeMultiplier);
    const paid = charged < entry.fee ? charged : entry.fee;
    const share = paid / BigInt(Math.max(1, entry.sequences.length + entry.checkpoints.length));
    const evidence: ConfirmedEvidence = {
      txHash: entry.txHash,
      height: meta.height,
      blockTimestamp: block.timestamp,
      merkleComponentHash: meta.merkleComponentHash,
      path,
      transactionsHash: block.transactionsHash,
      feeMultiplier: meta.feeMultiplier,
      feePaid: share,
      blockHeader: new Uint8Array(0),
      blockHash: new Uint8Array(0),
    };
    const batches = entry.sequences
      .map((s) => open.get(s))
      .filter((b): b is BatchAnchor => b !== undefined)
      .map((b) => ({ ...b, status: 'CONFIRMED' as const, confirmed: evidence }));
    const checkpoints = entry.checkpoints
      .map((n) => openCheckpoints.get(n))
      .filter((c): c is BatchAnchor => c !== undefined)
      .map((c) => ({ ...c, status: 'CONFIRMED' as const, confirmed: evidence }));
    await save(batches, [{ ...entry, state: 'confirmed' }], entry.keyIds, { states: checkpoints });
    for (const k of entry.keyIds) anchoredKeys.add(k);
    o.log.info(
      { txHash: hex(entry.txHash), height: meta.height.toString(), fee: paid.toString() },
      'anchor confirmed',
    );
  }

  async function release(entry: OutboxEntry, state: 'failed' | 'expired', code: string): Promise<void> {
    const at = o.now();
    // The items this transaction still carries go back to be anchored anew, after a back-off.
    const released = (ids: readonly bigint[], items: Map<bigint, BatchAnchor>, retry: Map<bigint, number>) =>
      ids
        .map((id) => items.get(id))
        .filter(
          (b): b is BatchAnchor =>
            b !== undefined && b.txHash !== undefined && hex(b.txHash) === hex(entry.txHash),
        )
        .map((b) => {
          retry.set(b.sequence, at + Math.min(2 ** b.attempts * 1000, 300_000));
          return {
            ...b,
            status: state === 'failed' ? ('FAILED' as const) : ('SEALED' as const),
            txHash: undefined,
            lastFailure: { code, txHash: entry.txHash, atMs: at },
          };
        });
    const batches = released(entry.sequences, open, retryAt);
    const checkpoints = released(entry.checkpoints, openCheckpoints, checkpointRetryAt);
    await save(batches, [{ ...entry, state }], [], { states: checkpoints });
    o.log.warn(
      {
        txHash: hex(entry.txHash),
        code,
        batches: entry.sequences.map(String),
        checkpoints: entry.checkpoints.map(String),
      },
      `anchor ${state}; the batches get a fresh transaction`,
    );
  }

  async function track(entry: OutboxEntry, nodeTime: bigint): Promise<void> {
    const status = await o.client.transactionStatus(entry.txHash);
    if (status?.group === 'confirmed') return confirm(entry);
    if (status?.group === 'failed') return release(entry, 'failed', status.code);
    if (status !== undefined) return; // unconfirmed or partial: waiting for a block
    if (nodeTime > entry.deadline) {
      // Unknown and past its deadline: it can no longer be included, unless it already was.
      if ((await o.client.confirmed(entry.txHash)) !== undefined) return confirm(entry);
      return release(entry, 'expired', 'DEADLINE_EXPIRED_NOT_ON_CHAIN');
    }
    // Unknown before its deadline: dropped (or never received). The same bytes again cannot double-anchor.
    if (o.now() - entry.lastSentAtMs >= o.resendAfterMs) await send(entry);
  }

  /** Size of an aggregate anchoring one batch, measured once on a real batch. */
  function singleAnchorSize(net: Network): number | undefined {
    if (singleSize !== undefined) return singleSize;
    const head = o.store.head();
    if (head === undefined) return undefined;
    singleSize = buildAnchorTransaction({
      network: { identifier: net.info.networkIdentifier, generationHashSeed: net.info.generationHashSeed },
      signerPublicKey: o.signer.publicKey,
      records: [encodeAnchorRecord({ header: head.header, signatures: head.signatures })],
      aggregateVersion: 3,
      feeMultiplier: 0,
      deadline: 1n,
    }).size;
    return singleSize;
  }

  async function round(): Promise<void> {
    const net = await loadNetwork();
    const chain = await o.client.chainInfo();
    lastFinalized = chain.finalizedHeight;
    const nodeTime = await o.client.nodeTime();
    const fees = await o.client.fees();
    const choice = chooseFeeMultiplier(fees.median, fees.minimum, o.maxFeeMultiplier);
    const size = singleAnchorSize(net);
    if (choice.ok && size !== undefined) {
      lastFee = { amount: BigInt(size) * BigInt(choice.multiplier), multiplier: choice.multiplier, size };
    }
    for (const entry of [...live.values()]) await track(entry, nodeTime);
    const finalized = [...open.values()]
      .filter(
        (b) => b.status === 'CONFIRMED' && b.confirmed !== undefined && b.confirmed.height <= lastFinalized,
      )
      .map((b) => ({ ...b, status: 'FINALIZED' as const, finalizedHeight: lastFinalized }));
    const finalizedCheckpoints = [...openCheckpoints.values()]
      .filter(
        (c) => c.status === 'CONFIRMED' && c.confirmed !== undefined && c.confirmed.height <= lastFinalized,
      )
      .map((c) => ({ ...c, status: 'FINALIZED' as const, finalizedHeight: lastFinalized }));
    if (finalized.length > 0 || finalizedCheckpoints.length > 0) {
      await save(finalized, [], [], { states: finalizedCheckpoints });
      o.log.info(
        {
          batches: finalized.map((b) => b.sequence.toString()),
          checkpoints: finalizedCheckpoints.map((c) => c.sequence.toString()),
          finalizedHeight: lastFinalized.toString(),
        },
        'anchors finalized',
      );
    }
    const now = o.now();
    const waitingCheckpoints = [...openCheckpoints.values()]
      .filter(
        (c) =>
          (c.status === 'SEALED' || c.status === 'FAILED') && (checkpointRetryAt.get(c.sequence) ?? 0) <= now,
      )
      .sort((a, b) => (a.sequence < b.sequence ? -1 : 1));
    const waiting = [...open.values()]
      .filter(
        (b) => (b.status === 'SEALED' || b.status === 'FAILED') && (retryAt.get(b.sequence) ?? 0) <= now,
      )
      .sort((a, b) => (a.sequence < b.sequence ? -1 : 1));
    // Immediate batches go alone; the others share aggregates within the embedded-transaction limit.
    const perAggregate = Math.max(
      1,
      Math.min(o.maxBatchesPerAggregate, Math.floor(MAX_EMBEDDED_TRANSACTIONS / 5)),
    );
    const groups: BatchAnchor[][] = waiting.filter((b) => b.immediate).map((b) => [b]);
    const shared = waiting.filter((b) => !b.immediate);
    for (let i = 0; i < shared.length; i += perAggregate) groups.push(shared.slice(i, i + perAggregate));
    if (groups.length === 0 && waitingCheckpoints.length === 0) return;
    if (!choice.ok) {
      o.log.error({ reason: choice.reason }, 'cannot anchor: fee multiplier out of bounds; will retry');
      return;
    }
    for (const group of groups) await announce(group, net, nodeTime, chain.height, choice.multiplier);
    for (const c of waitingCheckpoints) {
      await announceCheckpoint(c, net, nodeTime, chain.height, choice.multiplier);
    }
  }

  async function backfill(): Promise<void> {
    anchoredKeys = o.states.anchoredKeys();
    for (const b of o.states.unfinished()) open.set(b.sequence, b);
    for (const c of o.states.checkpointStates())
      if (c.status !== 'FINALIZED') openCheckpoints.set(c.sequence, c);
    for (const e of o.states.liveOutbox()) live.set(hex(e.txHash), e);
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

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tickSafely().finally(() => {
        running = undefined;
        schedule();
      });
    }, o.pollIntervalMs + backoffMs);
    timer.unref();
  }

  async function tickSafely(): Promise<void> {
    try {
      await round();
      if (outageSince !== undefined) {
        o.log.info({ downForMs: o.now() - outageSince }, 'Symbol node reachable again; anchoring resumed');
      }
      outageSince = undefined;
      backoffMs = 0;
    } catch (err) {
      if (err instanceof SymbolNodeError && (err.code === 'UNAVAILABLE' || err.code === 'TIMEOUT')) {
        if (outageSince === undefined) {
          outageSince = o.now();
          o.log.warn({ reason: err.message }, 'Symbol node unreachable; backing off, nothing is lost');
        }
        backoffMs = Math.min(Math.max(backoffMs * 2, 500), 30_000);
      } else {
        o.log.error({ err }, 'anchoring round failed; retrying');
        backoffMs = Math.min(Math.max(backoffMs * 2, 1000), 30_000);
      }
    }
  }

  return {
    async enqueue(batch, immediate) {
      if (o.states.batch(batch.sequence) !== undefined) return;
      await save([fresh(batch.sequence, immediate)], []);
      if (immediate && running === undefined && !stopped) {
        // Anchor an immediate batch now rather than at the next poll.
        if (timer !== undefined) clearTimeout(timer);
        running = tickSafely().finally(() => {
          running = undefined;
          schedule();
        });
      }
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
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    tick: () => round(),
    async start() {
      await backfill();
      schedule();
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await running;
    },
  };
}
