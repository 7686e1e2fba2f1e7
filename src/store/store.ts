// The Store contract: durable leaves, batches, Merkle nodes, header chain and key history.
// Implementations: lmdb-store.ts. Every write resolves only once it is durable on disk.
import type { CreditBalance, CreditRefusal } from '../credit/credit.ts';
import type { BatchRecord, KeyHistoryEntry } from '../proof/log-records.ts';
import type { ClientQuota, QuotaRefusal } from '../usage/usage.ts';

// The log's own records are part of the pure core (src/proof/log-records.ts); the store keeps them as they are.
export type { BatchRecord, KeyHistoryEntry, SignatureRecord } from '../proof/log-records.ts';

/** A submission to store. */
export interface NewLeaf {
  /** RFC 9162 leaf hash (32 bytes): the primary key. */
  readonly leafHash: Uint8Array;
  /** The client's SHA-256 digest (32 bytes). */
  readonly digest: Uint8Array;
  /** The encoded other-chain reference (79 bytes, docs/proof-format.md §2.1) bound into the leaf, if any. */
  readonly source?: Uint8Array | undefined;
  /** Idempotency key, "" when none. */
  readonly requestId: string;
  /** Whether the client asked for immediate sealing. */
  readonly immediate: boolean;
  /** Acknowledgement time, ms since the Unix epoch. */
  readonly acceptedAtMs: number;
  /** Who submitted it, for usage (src/usage/usage.ts); absent: `anonymous`. Not part of the leaf record. */
  readonly client?: string | undefined;
  /** The client's quota, checked in the same transaction that would store it; absent: none. */
  readonly quota?: ClientQuota | undefined;
  /**
   * With prepaid credit on: what the leaf costs its client, µXYM, debited in the same transaction that stores it
   * (refused when the balance does not cover it); absent: nothing is debited. Not part of the leaf record.
   */
  readonly price?: bigint | undefined;
}

/** Where a sealed leaf sits. */
export interface LeafPosition {
  readonly sequence: bigint;
  readonly index: number;
}

/** A stored leaf; `position` is undefined while pending. */
export interface LeafRecord extends NewLeaf {
  readonly position: LeafPosition | undefined;
}

/** The outcome of adding one leaf. */
export type AddOutcome =
  | { readonly kind: 'stored'; readonly record: LeafRecord }
  | { readonly kind: 'duplicate'; readonly record: LeafRecord }
  | { readonly kind: 'full'; readonly capacity: number }
  | { readonly kind: 'quota'; readonly refusal: QuotaRefusal }
  | { readonly kind: 'credit'; readonly refusal: CreditRefusal };

/** A finalized transfer that tops up a client's credit (src/credit/credit-watch.ts). */
export interface CreditTopUp {
  /** The transfer's hash: a transfer is credited once, whatever happens after. */
  readonly hash: Uint8Array;
  readonly client: string;
  /** µXYM. */
  readonly amount: bigint;
  /** The finalized block holding it. */
  readonly height: bigint;
}

/** How far the transfers to an account were looked at: every one at or below `through` was. */
export interface CreditScan {
  readonly account: string;
  readonly through: bigint;
}

/** One client's new submissions on one UTC day. */
export interface UsageDay {
  readonly client: string;
  /** Days since the Unix epoch (UTC). */
  readonly day: number;
  readonly submissions: number;
  /** Of them immediate. */
  readonly immediate: number;
}

/** Which usage rows to read: days from..to inclusive, one client. */
export interface UsageQuery {
  readonly fromDay?: number | undefined;
  readonly toDay?: number | undefined;
  readonly client?: string | undefined;
}

/** One client's leaves in a batch. */
export interface BatchClient {
  readonly client: string;
  readonly leaves: number;
  /** Of them submitted as immediate. */
  readonly immediate: number;
}

/** Durable storage for the sidecar. */
export interface Store {
  /** The log id, created with the data dir and never changed. */
  readonly logId: Uint8Array;
  /**
   * Stores leaves durably, deduplicating by leaf hash and by non-empty request id
   * (a repeat returns the first record as 'duplicate'). New leaves past the pending
   * capacity come back as 'full'. Resolves only after the data is on disk.
   */
  add(leaves: readonly NewLeaf[]): Promise<AddOutcome[]>;
  /** The leaf with this hash, or undefined. */
  getLeaf(leafHash: Uint8Array): LeafRecord | undefined;
  /** The leaf first stored with this request id, or undefined. */
  getByRequestId(requestId: string): LeafRecord | undefined;
  /** Number of pending leaves. */
  pendingCount(): number;
  /** Up to `limit` pending leaves, oldest first (not removed). */
  pendingLeaves(limit: number): LeafRecord[];
  /** The leaf hashes of up to `limit` pending leaves, oldest first, as one n × 32-byte buffer (not removed). */
  pendingHashes(limit: number): Uint8Array;
  /** Acceptance time of the oldest pending leaf, or undefined when none. */
  oldestPendingMs(): number | undefined;
  /**
   * Atomically and durably: records the batch, its tree levels (levels[0] = leaf hashes in
   * tree order, as from merkle/tree.ts buildLevels), each leaf's position, and removes those
   * leaves from pending. A batch seals the oldest pending leaves in arrival order: throws
   * StoreError CONFLICT unless batch.sequence is head + 1 (or 0 on an empty chain) and
   * levels[0] is exactly the oldest batch.treeSize pending leaf hashes, oldest first.
   */
  commitBatch(batch: BatchRecord, levels: readonly Uint8Array[]): Promise<void>;
  /** A sealed batch, or undefined. */
  getBatch(sequence: bigint): BatchRecord | undefined;
  /** The newest sealed batch, or undefined before the first. */
  head(): BatchRecord | undefined;
  /** Node `index` (32 bytes) of tree level `level` of batch `sequence`. */
  readNode(sequence: bigint, level: number, index: number): Uint8Array;
  /** Key history, oldest first (the entries may be shared between calls: do not modify them). */
  keyHistory(): KeyHistoryEntry[];
  /** Durably appends a key entry, closing the current one's window at entry.validFromMs. */
  appendKey(entry: KeyHistoryEntry): Promise<void>;
  /** A small document of another module (e.g. anchoring state), or undefined. */
  getDoc(table: DocTable, key: string): Uint8Array | undefined;
  /** Every document of `table`, in key order (byte order of the UTF-8 key). */
  listDocs(table: DocTable): Array<{ key: string; value: Uint8Array }>;
  /** Atomically and durably writes (or, with value undefined, deletes) documents. */
  putDocs(writes: readonly DocWrite[]): Promise<void>;
  /**
   * Whether commits currently reach the disk, and the data volume's free space. A write whose commit fails (disk
   * full, I/O error) rejects with StoreError DISK_FULL or IO and stores nothing; reads go on being served.
   */
  writeHealth(): StoreWriteHealth;
  /** Usage counters, by client then day, written with the leaves they count (one row per client and day). */
  usage(query?: UsageQuery): UsageDay[];
  /** Who submitted the leaves of sealed batch `sequence`, by client name. */
  batchClients(sequence: bigint): BatchClient[];
  /**
   * Atomically and durably: credits each top-up whose hash was never credited (true at its index) and moves the
   * account's scan position forward to `scan` (never back). A top-up already credited is left alone (false).
   */
  creditTopUps(topUps: readonly CreditTopUp[], scan?: CreditScan): Promise<boolean[]>;
  /** Clients' credit, in name order (one client with `client`). */
  creditBalances(client?: string): CreditBalance[];
  /** The top-up credited with this transfer hash, or undefined. */
  creditedTopUp(hash: Uint8Array): CreditTopUp | undefined;
  /** The account's scan position: 0 before the first scan. */
  creditScan(account: string): bigint;
  /** Flushes and closes. */
  close(): Promise<void>;
}

/** Why a commit failed, as a metrics label: no room on the data volume (or in the map), or another I/O error. */
export type CommitFailureReason = 'disk_full' | 'io_error';

/** The write side of the store, for readiness and metrics (docs/operations.md "Disk full"). */
export interface StoreWriteHealth {
  /** Set from a failed commit until a later commit succeeds with enough room free; undefined while writes work. */
  readonly failing: StoreWriteFailure | undefined;
  /** Failed commits since the store was opened (one per transaction, however many calls it carried), by reason. */
  readonly failedCommits: Readonly<Record<CommitFailureReason, number>>;
  /** Bytes an unprivileged writer can still use on the data volume; undefined when the volume does not say. */
  readonly availableBytes: number | undefined;
}

/** Writes are failing. */
export interface StoreWriteFailure {
  readonly reason: CommitFailureReason;
  /** What the readiness probe says: the cause, since when, how many commits failed, what brings writes back. */
  readonly message: string;
  /** When the first of these failures happened, ms since the Unix epoch. */
  readonly sinceMs: number;
}

/** Tables of documents kept for other modules. */
export type DocTable =
  | 'anchors'
  | 'outbox'
  | 'anchor-meta'
  | 'checkpoints'
  | 'checkpoint-anchors'
  | 'ipfs-blocks' // CID → the published bytes
  | 'ipfs-publications' // CID → publication record (JSON)
  | 'ipfs-queue' // CID → empty, while some publisher still has work
  | 'sealed-cids' // 20-digit batch sequence → the CIDs of an immediate batch's sealed bundles (src/ipfs/sealed-publication.ts)
  | 'usage-fees' // 20-digit batch sequence → its fee split among clients once FINALIZED (src/usage/fee-split.ts)
  | 'checkpoint-notes'; // 20-digit size → the signed checkpoint note with the cosignatures gathered (UTF-8)

/** One document write; `value` undefined deletes. */
export interface DocWrite {
  readonly table: DocTable;
  readonly key: string;
  readonly value: Uint8Array | undefined;
}
