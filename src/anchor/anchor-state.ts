// Durable anchoring state (docs/anchoring.md §7): per-batch status and the outbox of signed announcements.
import type { DocWrite, Store } from '../store/store.ts';
import { StoreError } from '../store/store-error.ts';
import { encodeFeeSplit, type FeeSplit, splitBatchFee } from '../usage/fee-split.ts';

/** Where a batch is on its way to Symbol finality. */
export type AnchorStatus = 'SEALED' | 'ANNOUNCED' | 'CONFIRMED' | 'FINALIZED' | 'FAILED';

/** Block evidence of a confirmed anchor. */
export interface ConfirmedEvidence {
  readonly txHash: Uint8Array;
  readonly height: bigint;
  readonly blockTimestamp: bigint;
  readonly merkleComponentHash: Uint8Array;
  readonly path: ReadonlyArray<{ readonly left: boolean; readonly hash: Uint8Array }>;
  readonly transactionsHash: Uint8Array;
  /** µXYM per byte actually charged (the block's fee multiplier). */
  readonly feeMultiplier: number;
  /** This batch's share of the fee paid, µXYM. */
  readonly feePaid: bigint;
  /**
   * The block's header bytes (block-header.ts), rebuilt from the node's fields and checked: hash, harvester signature,
   * height, time and transactionsHash. Empty in evidence stored before headers were kept (those bundles carry the
   * whole transaction, bundle version 1).
   */
  readonly blockHeader: Uint8Array;
  /** The block hash recomputed from `blockHeader` (32 bytes), or empty with it. */
  readonly blockHash: Uint8Array;
}

/** One move of an anchor by a reorganization (docs/anchoring.md §8): kept after the evidence is replaced. */
export interface Reorganization {
  readonly txHash: Uint8Array;
  readonly fromHeight: bigint;
  /** undefined: the transaction left the chain. */
  readonly toHeight: bigint | undefined;
  readonly atMs: number;
}

/** A signed checkpoint as stored (docs table `checkpoints`, key = sequenceKey(batchCount)); never changes. */
export interface StoredCheckpoint {
  readonly batchCount: bigint;
  /** The exact signed checkpoint body (docs/proof-format.md §Checkpoint). */
  readonly body: Uint8Array;
  readonly signatures: ReadonlyArray<{
    readonly algorithmId: number;
    readonly keyId: Uint8Array;
    readonly signature: Uint8Array;
  }>;
}

/**
 * One batch's anchoring state. A checkpoint's anchoring state has the same shape, with `sequence` = its batch
 * count (docs table `checkpoint-anchors`).
 */
export interface BatchAnchor {
  readonly sequence: bigint;
  readonly status: AnchorStatus;
  /** Sealed for an immediate request: anchored alone. */
  readonly immediate: boolean;
  /** The live announcement carrying this batch, if any. */
  readonly txHash: Uint8Array | undefined;
  /** Announcements made for this batch so far. */
  readonly attempts: number;
  /** The node's last failure code, kept after a retry. */
  readonly lastFailure:
    | { readonly code: string; readonly txHash: Uint8Array; readonly atMs: number }
    | undefined;
  readonly confirmed: ConfirmedEvidence | undefined;
  /** Finalized height seen when the batch became FINALIZED. */
  readonly finalizedHeight: bigint | undefined;
  /** Reorganizations that moved or removed its anchor, oldest first (bounded: the newest 32 are kept). */
  readonly history: readonly Reorganization[];
}

/** A signed aggregate stored before it is sent. */
export interface OutboxEntry {
  readonly txHash: Uint8Array;
  readonly payload: Uint8Array;
  readonly generationHashSeed: Uint8Array;
  readonly sequences: readonly bigint[];
  /** Network milliseconds. */
  readonly deadline: bigint;
  readonly fee: bigint;
  readonly feeMultiplier: number;
  readonly size: number;
  readonly createdAtMs: number;
  readonly lastSentAtMs: number;
  readonly sends: number;
  /** Key ids (hex) whose key-history records this transaction carries. */
  readonly keyIds: readonly string[];
  /** Batch counts of the checkpoints whose records this transaction carries (usually none). */
  readonly checkpoints: readonly bigint[];
  /**
   * live: announced, in no block the quorum agrees on; confirmed: in a block, provisional until finality (a fork
   * can move or remove it); final: its block is finalized and its evidence was read again; failed, expired: it
   * never made it, and its items got a fresh transaction.
   */
  readonly state: OutboxState;
}

/** Where an announcement is (OutboxEntry.state). */
export type OutboxState = 'live' | 'confirmed' | 'final' | 'failed' | 'expired';
const OUTBOX_STATES: readonly OutboxState[] = ['live', 'confirmed', 'final', 'failed', 'expired'];

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const unhex = (s: unknown, what: string): Uint8Array => {
  if (typeof s !== 'string' || !/^([0-9a-f]{2})*$/.test(s)) throw bad(what);
  return Uint8Array.from(Buffer.from(s, 'hex'));
};
const big = (s: unknown, what: string): bigint => {
  if (typeof s !== 'string' || !/^\d+$/.test(s)) throw bad(what);
  return BigInt(s);
};
const num = (n: unknown, what: string): number => {
  if (typeof n !== 'number' || !Number.isFinite(n)) throw bad(what);
  return n;
};
function bad(what: string): StoreError {
  return new StoreError('CORRUPT', `anchoring state: ${what} does not decode`);
}

/** Document key of a sequence: zero-padded so that key order is numeric order. */
export const sequenceKey = (sequence: bigint): string => sequence.toString().padStart(20, '0');

function encodeJson(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}

function decodeJson(bytes: Uint8Array, what: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(new TextDecoder().decode(bytes));
    if (typeof v === 'object' && v !== null) return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw bad(what);
}

/** Encodes a batch's state. */
export function encodeBatchAnchor(a: BatchAnchor): Uint8Array {
  return encodeJson({
    sequence: a.sequence.toString(),
    status: a.status,
    immediate: a.immediate,
    txHash: a.txHash === undefined ? null : hex(a.txHash),
    attempts: a.attempts,
    lastFailure: a.lastFailure === undefined ? null : { ...a.lastFailure, txHash: hex(a.lastFailure.txHash) },
    confirmed:
      a.confirmed === undefined
        ? null
        : {
            txHash: hex(a.confirmed.txHash),
            height: a.confirmed.height.toString(),
            blockTimestamp: a.confirmed.blockTimestamp.toString(),
            merkleComponentHash: hex(a.confirmed.merkleComponentHash),
            path: a.confirmed.path.map((p) => ({ left: p.left, hash: hex(p.hash) })),
            transactionsHash: hex(a.confirmed.transactionsHash),
            feeMultiplier: a.confirmed.feeMultiplier,
            feePaid: a.confirmed.feePaid.toString(),
            blockHeader: hex(a.confirmed.blockHeader),
            blockHash: hex(a.confirmed.blockHash),
          },
    finalizedHeight: a.finalizedHeight === undefined ? null : a.finalizedHeight.toString(),
    history: a.history.map((r) => ({
      txHash: hex(r.txHash),
      fromHeight: r.fromHeight.toString(),
      toHeight: r.toHeight === undefined ? null : r.toHeight.toString(),
      atMs: r.atMs,
    })),
  });
}

const STATUSES: readonly AnchorStatus[] = ['SEALED', 'ANNOUNCED', 'CONFIRMED', 'FINALIZED', 'FAILED'];

/** Decodes a batch's state; StoreError CORRUPT when it does not decode. */
export function decodeBatchAnchor(bytes: Uint8Array): BatchAnchor {
  const j = decodeJson(bytes, 'batch anchor');
  const status = j['status'];
  if (!STATUSES.includes(status as AnchorStatus)) throw bad('batch anchor status');
  const f = j['lastFailure'] as Record<string, unknown> | null;
  const c = j['confirmed'] as Record<string, unknown> | null;
  return {
    sequence: big(j['sequence'], 'sequence'),
    status: status as AnchorStatus,
    immediate: j['immediate'] === true,
    txHash: j['txHash'] === null ? undefined : unhex(j['txHash'], 'txHash'),
    attempts: num(j['attempts'], 'attempts'),
    lastFailure:
      f === null || f === undefined
        ? undefined
        : {
            code: String(f['code']),
            txHash: unhex(f['txHash'], 'failure txHash'),
            atMs: num(f['atMs'], 'atMs'),
          },
    confirmed:
      c === null || c === undefined
        ? undefined
        : {
            txHash: unhex(c['txHash'], 'confirmed txHash'),
            height: big(c['height'], 'height'),
            blockTimestamp: big(c['blockTimestamp'], 'blockTimestamp'),
            merkleComponentHash: unhex(c['merkleComponentHash'], 'merkleComponentHash'),
            path: (Array.isArray(c['path']) ? c['path'] : []).map(
              (p: { left?: unknown; hash?: unknown }) => ({
                left: p.left === true,
                hash: unhex(p.hash, 'path hash'),
              }),
            ),
            transactionsHash: unhex(c['transactionsHash'], 'transactionsHash'),
            feeMultiplier: num(c['feeMultiplier'], 'feeMultiplier'),
            feePaid: big(c['feePaid'], 'feePaid'),
            // Evidence stored before block headers were kept has neither field.
            blockHeader:
              c['blockHeader'] === undefined ? new Uint8Array(0) : unhex(c['blockHeader'], 'blockHeader'),
            blockHash: c['blockHash'] === undefined ? new Uint8Array(0) : unhex(c['blockHash'], 'blockHash'),
          },
    finalizedHeight: j['finalizedHeight'] === null ? undefined : big(j['finalizedHeight'], 'finalizedHeight'),
    history: (Array.isArray(j['history']) ? j['history'] : []).map((r: Record<string, unknown>) => ({
      txHash: unhex(r['txHash'], 'history txHash'),
      fromHeight: big(r['fromHeight'], 'history fromHeight'),
      toHeight: r['toHeight'] === null ? undefined : big(r['toHeight'], 'history toHeight'),
      atMs: num(r['atMs'], 'history atMs'),
    })),
  };
}

/** Encodes an outbox entry. */
export function encodeOutbox(o: OutboxEntry): Uint8Array {
  return encodeJson({
    txHash: hex(o.txHash),
    payload: hex(o.payload),
    generationHashSeed: hex(o.generationHashSeed),
    sequences: o.sequences.map(String),
    deadline: o.deadline.toString(),
    fee: o.fee.toString(),
    feeMultiplier: o.feeMultiplier,
    size: o.size,
    createdAtMs: o.createdAtMs,
    lastSentAtMs: o.lastSentAtMs,
    sends: o.sends,
    keyIds: o.keyIds,
    checkpoints: o.checkpoints.map(String),
    state: o.state,
  });
}

/** Decodes an outbox entry. */
export function decodeOutbox(bytes: Uint8Array): OutboxEntry {
  const j = decodeJson(bytes, 'outbox entry');
  const state = j['state'] as OutboxState;
  if (!OUTBOX_STATES.includes(state)) throw bad('outbox state');
  const sequences = j['sequences'];
  if (!Array.isArray(sequences)) throw bad('outbox sequences');
  return {
    txHash: unhex(j['txHash'], 'outbox txHash'),
    payload: unhex(j['payload'], 'outbox payload'),
    generationHashSeed: unhex(j['generationHashSeed'], 'outbox seed'),
    sequences: sequences.map((s) => big(s, 'outbox sequence')),
    deadline: big(j['deadline'], 'deadline'),
    fee: big(j['fee'], 'fee'),
    feeMultiplier: num(j['feeMultiplier'], 'feeMultiplier'),
    size: num(j['size'], 'size'),
    createdAtMs: num(j['createdAtMs'], 'createdAtMs'),
    lastSentAtMs: num(j['lastSentAtMs'], 'lastSentAtMs'),
    sends: num(j['sends'], 'sends'),
    keyIds: Array.isArray(j['keyIds']) ? j['keyIds'].map(String) : [],
    checkpoints: Array.isArray(j['checkpoints'])
      ? j['checkpoints'].map((c: unknown) => big(c, 'outbox checkpoint'))
      : [],
    state,
  };
}

/** Encodes a stored checkpoint. */
export function encodeStoredCheckpoint(c: StoredCheckpoint): Uint8Array {
  return encodeJson({
    batchCount: c.batchCount.toString(),
    body: hex(c.body),
    signatures: c.signatures.map((s) => ({
      algorithmId: s.algorithmId,
      keyId: hex(s.keyId),
      signature: hex(s.signature),
    })),
  });
}

/** Decodes a stored checkpoint; StoreError CORRUPT when it does not decode. */
export function decodeStoredCheckpoint(bytes: Uint8Array): StoredCheckpoint {
  const j = decodeJson(bytes, 'checkpoint');
  const sigs = j['signatures'];
  if (!Array.isArray(sigs)) throw bad('checkpoint signatures');
  return {
    batchCount: big(j['batchCount'], 'checkpoint batchCount'),
    body: unhex(j['body'], 'checkpoint body'),
    signatures: sigs.map((s: Record<string, unknown>) => ({
      algorithmId: num(s['algorithmId'], 'checkpoint algorithmId'),
      keyId: unhex(s['keyId'], 'checkpoint keyId'),
      signature: unhex(s['signature'], 'checkpoint signature'),
    })),
  };
}

/** Checkpoint documents to write alongside batch states. */
export interface CheckpointWrites {
  /** Newly signed checkpoints. */
  readonly checkpoints?: readonly StoredCheckpoint[];
  /** Checkpoint anchoring states (`sequence` = batch count). */
  readonly states?: readonly BatchAnchor[];
}

/** Typed access to the anchoring documents of a Store. */
export interface AnchorStateStore {
  batch(sequence: bigint): BatchAnchor | undefined;
  /** Every batch not yet FINALIZED, oldest first. */
  unfinished(): BatchAnchor[];
  /** Newest sequence with any anchoring state, or undefined. */
  lastTracked(): bigint | undefined;
  outbox(txHash: Uint8Array): OutboxEntry | undefined;
  liveOutbox(): OutboxEntry[];
  /** Announcements still followed: live, and confirmed but not yet final (a fork can still move them). */
  openOutbox(): OutboxEntry[];
  /** Every stored announcement, whatever became of it. */
  allOutbox(): OutboxEntry[];
  /**
   * Key-history markers final on chain: "<account hex>/<key id hex>[:until]" (symbol/key-markers.ts); bare key ids in
   * data written before entries were kept per account.
   */
  anchoredKeys(): Set<string>;
  /** A stored checkpoint by batch count. */
  checkpoint(batchCount: bigint): StoredCheckpoint | undefined;
  /** The newest stored checkpoint. */
  latestCheckpoint(): StoredCheckpoint | undefined;
  /** Every checkpoint's anchoring state, oldest first (few: one per interval). */
  checkpointStates(): BatchAnchor[];
  /** Writes batch states, outbox entries, newly anchored key ids and checkpoint documents in one durable transaction. */
  write(
    batches: readonly BatchAnchor[],
    outbox: readonly OutboxEntry[],
    anchoredKeys?: readonly string[],
    checkpoints?: CheckpointWrites,
  ): Promise<void>;
}

/** How a batch's fee is split among its clients when it is recorded FINALIZED (src/usage/fee-split.ts). */
export interface FeeAccounting {
  /** PQC_IMMEDIATE_FEE_MULTIPLIER. */
  readonly immediateFeeMultiplier: number;
  readonly now: () => number;
  /** Called once a split is durable (per-client metrics). */
  readonly onSplit?: ((split: FeeSplit) => void) | undefined;
}

/**
 * Wraps `store`. FINALIZED batch states stay (they are evidence for bundles). With `fees`, the write that first
 * records a batch FINALIZED also stores its fee split among clients, in the same transaction.
 */
export function anchorStateStore(store: Store, fees?: FeeAccounting): AnchorStateStore {
  const all = () => store.listDocs('anchors').map((d) => decodeBatchAnchor(d.value));
  return {
    batch(sequence) {
      const raw = store.getDoc('anchors', sequenceKey(sequence));
      return raw === undefined ? undefined : decodeBatchAnchor(raw);
    },
    unfinished() {
      return all().filter((a) => a.status !== 'FINALIZED');
    },
    lastTracked() {
      const docs = store.listDocs('anchors');
      const last = docs[docs.length - 1];
      return last === undefined ? undefined : decodeBatchAnchor(last.value).sequence;
    },
    outbox(txHash) {
      const raw = store.getDoc('outbox', hex(txHash));
      return raw === undefined ? undefined : decodeOutbox(raw);
    },
    liveOutbox() {
      return store
        .listDocs('outbox')
        .map((d) => decodeOutbox(d.value))
        .filter((o) => o.state === 'live');
    },
    allOutbox() {
      return store.listDocs('outbox').map((d) => decodeOutbox(d.value));
    },
    openOutbox() {
      return store
        .listDocs('outbox')
        .map((d) => decodeOutbox(d.value))
        .filter((o) => o.state === 'live' || o.state === 'confirmed');
    },
    anchoredKeys() {
      return new Set(
        store
          .listDocs('anchor-meta')
          .filter((d) => d.key.startsWith('key:'))
          .map((d) => d.key.slice(4)),
      );
    },
    checkpoint(batchCount) {
      const raw = store.getDoc('checkpoints', sequenceKey(batchCount));
      return raw === undefined ? undefined : decodeStoredCheckpoint(raw);
    },
    latestCheckpoint() {
      const docs = store.listDocs('checkpoints');
      const last = docs[docs.length - 1];
      return last === undefined ? undefined : decodeStoredCheckpoint(last.value);
    },
    checkpointStates() {
      return store.listDocs('checkpoint-anchors').map((d) => decodeBatchAnchor(d.value));
    },
    async write(batches, outbox, anchoredKeys = [], checkpoints = {}) {
      const writes: DocWrite[] = [
        ...(checkpoints.checkpoints ?? []).map((c) => ({
          table: 'checkpoints' as const,
          key: sequenceKey(c.batchCount),
          value: encodeStoredCheckpoint(c),
        })),
        ...(checkpoints.states ?? []).map((c) => ({
          table: 'checkpoint-anchors' as const,
          key: sequenceKey(c.sequence),
          value: encodeBatchAnchor(c),
        })),
        ...anchoredKeys.map((k) => ({
          table: 'anchor-meta' as const,
          key: `key:${k}`,
          value: new Uint8Array([1]),
        })),
        ...batches.map((b) => ({
          table: 'anchors' as const,
          key: sequenceKey(b.sequence),
          value: encodeBatchAnchor(b),
        })),
        ...outbox.map((o) => ({ table: 'outbox' as const, key: hex(o.txHash), value: encodeOutbox(o) })),
      ];
      const splits: FeeSplit[] = [];
      if (fees !== undefined) {
        for (const b of batches) {
          const key = sequenceKey(b.sequence);
          if (b.status !== 'FINALIZED' || b.confirmed === undefined) continue;
          if (store.getDoc('usage-fees', key) !== undefined) continue;
          const split = splitBatchFee(
            b.sequence,
            b.confirmed.feePaid,
            b.immediate,
            store.batchClients(b.sequence),
            fees.immediateFeeMultiplier,
            fees.now(),
          );
          splits.push(split);
          writes.push({ table: 'usage-fees', key, value: encodeFeeSplit(split) });
        }
      }
      await store.putDocs(writes);
      for (const split of splits) fees?.onSplit?.(split);
    },
  };
}
