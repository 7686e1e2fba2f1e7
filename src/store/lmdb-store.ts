// The Store on LMDB (lmdb-js): durable, deduplicated leaves, batches, chunked tree levels and key history (docs/operations.md §Crash safety and data dir integrity, docs/security.md).
import { randomBytes } from 'node:crypto';
import {
  accessSync,
  closeSync,
  constants,
  fsyncSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { join } from 'node:path';
import { type Database, open, type RootDatabase, type RootDatabaseOptionsWithPath } from 'lmdb';
import type { CreditBalance, CreditRefusal } from '../credit/credit.ts';
import { nativeSha256 } from '../crypto/native-sha256.ts';
import { buildLevelsWith, levelSizes, type PairHasher, pairHasherOf } from '../proof/merkle/tree.ts';
import { ANONYMOUS_CLIENT, isClientName, type QuotaRefusal } from '../usage/usage.ts';
import { type CommitFailure, commitFailureOf } from './commit-failure.ts';
import {
  corrupt,
  decodeBatch,
  decodeBatchRun,
  decodeKeyEntry,
  decodeLeaf,
  decodeRun,
  encodeBatch,
  encodeBatchRun,
  encodeKeyEntry,
  encodeLeaf,
  encodeRecordGroup,
  encodeRun,
  leafState,
  recordInGroup,
  type SealedRun,
} from './lmdb-codecs.ts';
import { applyTopUps, CreditTally, listBalances, readScan, readTopUp } from './lmdb-credit.ts';
import { checkLmdbFile, LMDB_DATA_FILE } from './lmdb-file-check.ts';
import {
  batchRunKey,
  DB_NAMES,
  decodeClientRuns,
  docKey,
  encodeClientRuns,
  indexKey,
  LMDB_FORMAT_V2,
  LMDB_FORMAT_VERSION,
  LOW_LEVELS,
  META_FORMAT,
  META_LOG_ID,
  META_SEALED_THROUGH,
  META_WRITE_PROBE,
  NODES_PER_CHUNK,
  nodeKey,
  readU64Key,
  readUsageKey,
  requestIdKey,
  u32Key,
  u64Key,
  usageKey,
} from './lmdb-layout.ts';
import { clientOf, UsageTally } from './lmdb-usage.ts';
import type {
  AddOutcome,
  BatchClient,
  BatchRecord,
  CreditScan,
  CreditTopUp,
  DocTable,
  DocWrite,
  KeyHistoryEntry,
  LeafPosition,
  LeafRecord,
  NewLeaf,
  Store,
  StoreWriteHealth,
  UsageDay,
  UsageQuery,
} from './store.ts';
import { StoreError } from './store-error.ts';
import { WriteHealth } from './write-health.ts';

const H = 32;
const NODE_CHUNK_BYTES = NODES_PER_CHUNK * H;

/** Options of the LMDB store. */
export interface LmdbStoreOptions {
  /** Data directory (created when missing). */
  readonly path: string;
  /** Maximum number of pending leaves; new leaves past it come back as 'full'. */
  readonly pendingCapacity: number;
  /** Initial LMDB map size; the map grows on demand beyond it. */
  readonly mapSizeBytes?: number;
  /**
   * Map the file in chunks that are let go when no reader holds them, instead of one mapping whose every touched
   * page stays in the process's RSS. The pages stay in the kernel's page cache either way; this trades read speed
   * (Prove p50 6.3 → 9.2 ms under ingest) for a smaller RSS (docs/PERFORMANCE.md). Default false.
   */
  readonly chunkedMapping?: boolean;
  /** Rebuilds a chunk's low tree levels for proofs (src/batch/pair-hasher.ts); one node:crypto call per node by default. */
  readonly hashPairs?: PairHasher;
}

type Bin = Database<Buffer, Buffer>;

/** What an add transaction decided for one leaf; decoding waits until after the commit. */
type Decision =
  | { readonly kind: 'duplicate'; readonly leafHash: Uint8Array; readonly raw: Uint8Array | undefined }
  | { readonly kind: 'stored'; readonly leaf: NewLeaf }
  | { readonly kind: 'full' }
  | { readonly kind: 'quota'; readonly refusal: QuotaRefusal }
  | { readonly kind: 'credit'; readonly refusal: CreditRefusal };

/** Opens (creating when new) the LMDB store at `options.path`. */
export async function openLmdbStore(options: LmdbStoreOptions): Promise<Store> {
  const { path, pendingCapacity, mapSizeBytes } = options;
  if (typeof path !== 'string' || path === '') throw new RangeError('path must be a non-empty string');
  if (!Number.isSafeInteger(pendingCapacity) || pendingCapacity < 0)
    throw new RangeError(`pendingCapacity must be a non-negative integer, got ${pendingCapacity}`);
  if (mapSizeBytes !== undefined && (!Number.isSafeInteger(mapSizeBytes) || mapSizeBytes <= 0))
    throw new RangeError(`mapSizeBytes must be a positive integer, got ${mapSizeBytes}`);
  prepareDirectory(path);
  const lmdbOptions: RootDatabaseOptionsWithPath = {
    path,
    noSubdir: false,
    maxDbs: 16,
    encoding: 'binary',
    keyEncoding: 'binary',
    // Durability: with overlappingSync off, LMDB fsyncs inside every commit, so a write's promise
    // resolves only once its transaction is on disk (survives kill -9 and power loss). Writes issued
    // while a commit is running queue up and go into the next transaction: group commit. With
    // overlappingSync on, the promise would resolve before the flush, and awaiting `flushed`
    // measured no faster here while resting on lmdb-js internals for which commit it covers.
    overlappingSync: false,
    // Every write of the store is a transaction callback whose promise the store awaits. With event-turn batching
    // on, lmdb-js also writes a batch-start instruction per event turn and drops its commit promise: when that
    // commit fails (disk full), the dropped promise rejects with no one listening, and the process dies of an
    // unhandled rejection. Off, commits still group the callbacks queued meanwhile (measured: the same add rate).
    eventTurnBatching: false,
    remapChunks: options.chunkedMapping === true,
    ...(mapSizeBytes === undefined ? {} : { mapSize: mapSizeBytes }),
  };
  // LMDB is only handed a data file whose page structure checks out (lmdb-file-check.ts): a damaged one
  // would crash the process (SIGSEGV, SIGBUS) instead of failing. A data dir without one gets a new file,
  // complete before it appears under its name.
  if (checkLmdbFile(path) === undefined) await createDataFile(path, lmdbOptions);

  let root: RootDatabase<Buffer, Buffer>;
  try {
    root = open<Buffer, Buffer>(lmdbOptions);
  } catch (cause) {
    throw new StoreError('IO', `cannot open the LMDB store at ${path}: ${messageOf(cause)}`, { cause });
  }
  try {
    const dbs = openDatabases(root);
    const logId = initMeta(root, dbs, path);
    checkStartupRecords(dbs);
    return new LmdbStore(
      root,
      dbs,
      logId,
      pendingCapacity,
      path,
      options.hashPairs ?? pairHasherOf(nativeSha256),
    );
  } catch (error) {
    await root.close().catch(() => undefined);
    // A record that does not decode names itself; at open, say which data dir it is in too.
    if (error instanceof StoreError && error.code === 'CORRUPT')
      throw new StoreError('CORRUPT', `data dir ${path}: ${error.message}`, { cause: error });
    throw error;
  }
}

const CREATING_PREFIX = '.creating-';

/**
 * Creates data.mdb with its format version and log id in a scratch directory inside the data dir, then
 * links it into place and syncs the directory: a crash at any point leaves either no data file (the next
 * start creates one) or a complete one, never an empty or half-written file that would pass for a new store.
 */
async function createDataFile(path: string, options: RootDatabaseOptionsWithPath): Promise<void> {
  try {
    for (const name of readdirSync(path))
      if (name.startsWith(CREATING_PREFIX)) rmSync(join(path, name), { recursive: true, force: true });
    const scratch = mkdtempSync(join(path, CREATING_PREFIX));
    try {
      const root = open<Buffer, Buffer>({ ...options, path: scratch });
      try {
        const meta = root.openDB<Buffer, Buffer>(DB_NAMES.meta, {
          encoding: 'binary',
          keyEncoding: 'binary',
        });
        // Synchronous and fsynced: the version and log id exist before anything else is written.
        root.transactionSync(() => {
          meta.putSync(META_FORMAT, u32Key(LMDB_FORMAT_VERSION));
          meta.putSync(META_LOG_ID, randomBytes(32));
        });
      } finally {
        await root.close();
      }
      try {
        // A hard link, not a rename: it never replaces a data file another process created meanwhile.
        linkSync(join(scratch, LMDB_DATA_FILE), join(path, LMDB_DATA_FILE));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') {
          // Another process created it first: that one is the data file.
        } else if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS') {
          renameSync(join(scratch, LMDB_DATA_FILE), join(path, LMDB_DATA_FILE)); // no hard links here
        } else {
          throw error;
        }
      }
      const dir = openSync(path, 'r');
      try {
        fsyncSync(dir);
      } finally {
        closeSync(dir);
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  } catch (cause) {
    throw new StoreError('IO', `cannot create the LMDB store in ${path}: ${messageOf(cause)}`, { cause });
  }
}

/** Creates the data directory, or refuses a path that is a file or not accessible. */
function prepareDirectory(path: string): void {
  try {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (stat === undefined) mkdirSync(path, { recursive: true });
    else if (!stat.isDirectory()) throw new Error('it exists and is not a directory');
    accessSync(path, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch (cause) {
    throw new StoreError('IO', `store path ${path} is not a usable directory: ${messageOf(cause)}`, {
      cause,
    });
  }
}

interface Dbs {
  readonly meta: Bin;
  readonly requestIds: Bin;
  readonly pending: Bin;
  readonly batches: Bin;
  readonly nodes: Bin;
  readonly keys: Bin;
  readonly docs: Bin;
  readonly runs: Bin;
  readonly batchRuns: Bin;
  readonly legacyIndex: Bin;
  readonly index: Bin;
  readonly records: Bin;
  readonly usage: Bin;
  readonly leafClients: Bin;
  readonly credit: Bin;
}

function openDatabases(root: RootDatabase<Buffer, Buffer>): Dbs {
  const sub = (name: string, dupSort = false): Bin =>
    root.openDB<Buffer, Buffer>(name, { encoding: 'binary', keyEncoding: 'binary', dupSort });
  return {
    meta: sub(DB_NAMES.meta),
    requestIds: sub(DB_NAMES.requestIds),
    pending: sub(DB_NAMES.pending),
    batches: sub(DB_NAMES.batches),
    nodes: sub(DB_NAMES.nodes),
    keys: sub(DB_NAMES.keys),
    docs: sub(DB_NAMES.docs),
    runs: sub(DB_NAMES.runs),
    batchRuns: sub(DB_NAMES.batchRuns),
    legacyIndex: sub(DB_NAMES.legacyIndex),
    index: sub(DB_NAMES.index, true),
    records: sub(DB_NAMES.records),
    usage: sub(DB_NAMES.usage),
    leafClients: sub(DB_NAMES.leafClients),
    credit: sub(DB_NAMES.credit),
  };
}

/** Checks the format version and returns the log id, writing both on a new data dir. */
function initMeta(root: RootDatabase<Buffer, Buffer>, dbs: Dbs, path: string): Uint8Array {
  const { meta, records } = dbs;
  let format = meta.get(META_FORMAT);
  if (format === undefined) {
    if (records.getKeysCount({ limit: 1 }) > 0)
      throw corrupt('meta/format', `missing while ${path} holds leaves`);
    // Synchronous and fsynced: the version and log id exist before anything else is written.
    root.transactionSync(() => {
      meta.putSync(META_FORMAT, u32Key(LMDB_FORMAT_VERSION));
      meta.putSync(META_LOG_ID, randomBytes(32));
    });
    format = meta.get(META_FORMAT);
  }
  if (format === undefined || format.length !== 4)
    throw corrupt('meta/format', `expected 4 bytes, got ${format?.length ?? 'none'}`);
  const version = format.readUInt32BE(0);
  if (version > LMDB_FORMAT_VERSION) {
    throw new StoreError(
      'FORMAT_UNSUPPORTED',
      `data dir ${path} has store format version ${version}; this build reads up to version ${LMDB_FORMAT_VERSION}: upgrade the sidecar`,
    );
  }
  if (version < 1) throw corrupt('meta/format', `invalid version ${version}`);
  if (version < LMDB_FORMAT_V2) {
    // Version 1 was written only by development builds before the first release: its read path is gone.
    throw new StoreError(
      'FORMAT_UNSUPPORTED',
      `data dir ${path} has store format version ${version}, written by a development build before the first release; this build reads versions ${LMDB_FORMAT_V2} and ${LMDB_FORMAT_VERSION}: start from an empty data dir`,
    );
  }
  // Version 2 is read as it is, but for the leaf index, which is rebuilt (lmdb-layout.ts).
  if (version === LMDB_FORMAT_V2) upgradeIndex(root, dbs);
  const logId = meta.get(META_LOG_ID);
  if (logId === undefined || logId.length !== 32)
    throw corrupt('meta/logId', `expected 32 bytes, got ${logId?.length ?? 'none'}`);
  return Uint8Array.from(logId);
}

/** Entries copied per transaction by the index upgrade: LMDB bounds the pages one write transaction dirties. */
const UPGRADE_CHUNK = 65_536;

/**
 * Rebuilds the leaf index of a version 1 or 2 data dir under hash prefixes, in transactions of UPGRADE_CHUNK
 * entries, then empties the old index and writes version 3 in one last transaction. A crash before that last
 * commit leaves the old version and index whole: the next open starts the rebuild again from an emptied new index.
 */
function upgradeIndex(root: RootDatabase<Buffer, Buffer>, dbs: Dbs): void {
  const { meta, legacyIndex, index } = dbs;
  root.transactionSync(() => index.clearSync());
  let start: Buffer | undefined;
  for (;;) {
    const copied = root.transactionSync(() => {
      let n = 0;
      let last: Buffer | undefined;
      for (const { key, value } of legacyIndex.getRange({
        ...(start === undefined ? {} : { start }),
        limit: UPGRADE_CHUNK + 1,
      })) {
        if (start !== undefined && key.equals(start)) continue;
        if (key.length !== H)
          throw corrupt(`leaf-index/${hex(key)}`, `expected a ${H}-byte key, got ${key.length}`);
        if (value.length !== 8)
          throw corrupt(`leaf-index/${hex(key)}`, `expected 8 bytes, got ${value.length}`);
        index.putSync(Buffer.from(indexKey(key)), value);
        last = Buffer.from(key);
        if (++n === UPGRADE_CHUNK) break;
      }
      start = last;
      return n;
    });
    if (copied < UPGRADE_CHUNK) break;
  }
  root.transactionSync(() => {
    legacyIndex.clearSync();
    meta.putSync(META_FORMAT, u32Key(LMDB_FORMAT_VERSION));
  });
}

/**
 * Decodes the key history and the newest batch, which every start reads, so that a damaged record there fails
 * the open naming it. Every other record is checked when it is read.
 */
function checkStartupRecords(dbs: Dbs): void {
  for (const { key, value } of dbs.keys.getRange()) decodeKeyEntry(value, `keys/${hex(key)}`);
  const last = firstOf(dbs.batches.getRange({ reverse: true, limit: 1 }));
  if (last !== undefined) {
    const sequence = readU64Key(last.key);
    decodeBatch(sequence, last.value, `batches/${sequence}`);
  }
}

function firstOf<T>(items: Iterable<T>): T | undefined {
  for (const item of items) return item;
  return undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

function asKey(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Inside a write transaction: puts unless the key exists (MDB_NOOVERWRITE); false when it exists. lmdb-js returns
 * the outcome from putSync although its type says void. */
function putNew(db: Bin, key: Buffer, value: Buffer): boolean {
  const put = db.putSync as unknown as (k: Buffer, v: Buffer, o: { noOverwrite: true }) => boolean;
  return put.call(db, key, value, { noOverwrite: true });
}

/** The record of a leaf just stored: what was written, with no position (no read back and decode). */
function pendingRecord(leaf: NewLeaf): LeafRecord {
  return {
    leafHash: leaf.leafHash,
    digest: leaf.digest,
    ...(leaf.source === undefined ? {} : { source: leaf.source }),
    requestId: leaf.requestId,
    immediate: leaf.immediate,
    acceptedAtMs: leaf.acceptedAtMs,
    position: undefined,
  };
}

function checkLeaf(leaf: NewLeaf, i: number): void {
  const at = `leaves[${i}]`;
  if (!(leaf.leafHash instanceof Uint8Array) || leaf.leafHash.length !== H)
    throw new RangeError(`${at}.leafHash must be ${H} bytes`);
  if (!(leaf.digest instanceof Uint8Array) || leaf.digest.length !== H)
    throw new RangeError(`${at}.digest must be ${H} bytes`);
  if (leaf.source !== undefined && (!(leaf.source instanceof Uint8Array) || leaf.source.length !== 79))
    throw new RangeError(`${at}.source must be 79 bytes`);
  if (typeof leaf.requestId !== 'string') throw new TypeError(`${at}.requestId must be a string`);
  if (leaf.client !== undefined && leaf.client !== '' && !isClientName(leaf.client))
    throw new RangeError(`${at}.client must be 1–255 UTF-8 bytes without control characters`);
  if (!Number.isFinite(leaf.acceptedAtMs)) throw new RangeError(`${at}.acceptedAtMs must be finite`);
}

/** Leaves of concurrent add() calls that one write-transaction callback decides together. */
interface AddGroup {
  readonly leaves: NewLeaf[];
  started: boolean;
  done: Promise<Decision[]>;
}

/** A pending entry: the run of leaf hashes stored by one add transaction, keyed by its first arrival. */
interface PendingEntry {
  readonly first: number;
  readonly hashes: Buffer;
}

class LmdbStore implements Store {
  readonly logId: Uint8Array;
  private readonly root: RootDatabase<Buffer, Buffer>;
  private readonly db: Dbs;
  private readonly capacity: number;
  /** Pending leaves as of the last executed write callback; callbacks run one at a time. */
  private pending: number;
  private nextArrival: number;
  private closed = false;
  private readonly inFlight = new Set<Promise<unknown>>();
  /** The add group still taking leaves: its transaction callback has not started. */
  private forming: AddGroup | undefined;
  /** Rebuilds a chunk's low tree levels for proofs. */
  private readonly hashPairs: PairHasher;
  /** The decoded key history, until appendKey changes it (entries are shared: callers must not modify them). */
  private keys: KeyHistoryEntry[] | undefined;
  /** Arrivals below this are sealed: the hash log keeps their runs, as level 0 of their batches' trees. */
  private sealedThrough: number;
  /** The low levels of the last 256-leaf chunk a proof needed: a proof reads up to 8 nodes from one chunk. */
  private lowLevels: { key: string; levels: Uint8Array[] } | undefined;
  /** Failed commits, the failing state and its probe. */
  private readonly health: WriteHealth;
  /**
   * Set by a failed write (a refused commit, or a callback that threw): the counters were taken back from the
   * committed state, but a callback of a later transaction may already have run on the old ones. The next write callback recounts from what its own
   * transaction sees, which is exact (callbacks run one at a time, inside the write lock).
   */
  private stale = false;
  /** A transaction that only recounts is queued (recountSoon). */
  private recountQueued = false;

  constructor(
    root: RootDatabase<Buffer, Buffer>,
    db: Dbs,
    logId: Uint8Array,
    capacity: number,
    path: string,
    hashPairs: PairHasher,
  ) {
    this.hashPairs = hashPairs;
    this.root = root;
    this.db = db;
    this.logId = logId;
    this.capacity = capacity;
    this.health = new WriteHealth({ path, probe: () => this.probe() });
    this.sealedThrough = this.storedWatermark();
    this.pending = this.countPending();
    let next = this.sealedThrough;
    const lastEntry = firstOf(db.pending.getRange({ reverse: true, limit: 1 }));
    if (lastEntry !== undefined)
      next = Math.max(next, Number(readU64Key(lastEntry.key)) + lastEntry.value.length / H);
    const lastRun = firstOf(db.runs.getRange({ reverse: true, limit: 1 }));
    if (lastRun !== undefined) {
      const first = readU64Key(lastRun.key);
      next = Math.max(next, Number(first) + decodeRun(lastRun.value, `sealed-runs/${first}`).count);
    }
    // Arrival numbers are never reused while a sealed run refers to them.
    this.nextArrival = next;
  }

  private open(): void {
    if (this.closed) throw new StoreError('CLOSED', 'the store is closed');
  }

  /**
   * Runs a write, tracked so that close() waits for it. A failed commit (disk full, I/O error) rejects as StoreError
   * DISK_FULL or IO: LMDB aborted its transaction, so nothing of it is stored, and the counters are taken back.
   */
  private async write<T>(run: () => Promise<T>): Promise<T> {
    this.open();
    const p = run();
    this.inFlight.add(p);
    try {
      const result = await p;
      this.health.committed();
      return result;
    } catch (error) {
      const failure = await commitFailureOf(error, () => this.health.roomLeft());
      // Every caller of one failed transaction lands here: the counters are taken back once per transaction.
      const first = failure === undefined || this.health.failed(failure);
      if (first && !this.closed) {
        // A write callback may have run before its commit failed: take the counters back from the disk.
        this.sealedThrough = this.storedWatermark();
        this.pending = this.countPending();
        this.stale = true;
        this.recountSoon();
      }
      throw failure === undefined ? error : failedCommitError(failure);
    } finally {
      this.inFlight.delete(p);
    }
  }

  /** Inside a write transaction: after a failed commit, the counters from what this transaction sees. */
  private recountIfStale(): void {
    if (!this.stale) return;
    this.stale = false;
    this.sealedThrough = this.storedWatermark();
    this.pending = this.countPending();
  }

  /**
   * Queues a transaction that only recounts, so the counters are exact again even if no write follows. It writes
   * nothing (LMDB commits an empty transaction without touching the disk), and is not a write that proves the disk
   * works again (health is not told). If it shares a transaction whose commit fails, `stale` stays for the next one.
   */
  private recountSoon(): void {
    if (this.recountQueued) return;
    this.recountQueued = true;
    const done = this.root
      .childTransaction(() => this.recountIfStale())
      .then(
        () => undefined,
        (error: unknown) => void commitFailureOf(error, () => true),
      )
      .finally(() => {
        this.recountQueued = false;
        this.inFlight.delete(done);
      });
    this.inFlight.add(done);
  }

  /** A small commit that tells whether writes work again (write-health.ts calls it while commits fail). */
  private probe(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return this.write(async () => {
      await this.root.childTransaction(() => {
        this.recountIfStale();
        this.db.meta.putSync(META_WRITE_PROBE, u64Key(Date.now()));
      });
    });
  }

  writeHealth(): StoreWriteHealth {
    return this.health.snapshot();
  }

  /** The first arrival not sealed, as committed. */
  private storedWatermark(): number {
    const watermark = this.db.meta.get(META_SEALED_THROUGH);
    if (watermark !== undefined && watermark.length !== 8)
      throw corrupt('meta/sealedThrough', `expected 8 bytes, got ${watermark.length}`);
    return watermark === undefined ? 0 : Number(readU64Key(watermark));
  }

  private countPending(): number {
    let n = 0;
    for (const entry of this.logFrom(this.sealedThrough)) n += entry.hashes.length / H;
    return n;
  }

  /**
   * Hash-log entries from arrival `from` on, in arrival order, the first cut to start at `from`: the pending
   * queue when `from` is the sealed watermark.
   */
  private *logFrom(from: number): Generator<PendingEntry> {
    const containing = firstOf(this.db.pending.getKeys({ start: u64Key(from), reverse: true, limit: 1 }));
    const start = containing === undefined ? u64Key(from) : containing;
    for (const { key, value } of this.db.pending.getRange({ start })) {
      const first = Number(readU64Key(key));
      if (value.length === 0 || value.length % H !== 0)
        throw corrupt(`pending/${first}`, `${value.length} bytes is not a run of ${H}-byte leaf hashes`);
      const skip = Math.max(0, from - first);
      if (skip * H >= value.length) continue;
      yield { first: first + skip, hashes: value.subarray(skip * H) };
    }
  }

  add(leaves: readonly NewLeaf[]): Promise<AddOutcome[]> {
    return this.write(async () => {
      // Checked before joining a group: a leaf that cannot be written must fail its own call, not the group's.
      leaves.forEach(checkLeaf);
      if (leaves.length === 0) return [];
      // Adds made while no callback has started join one group: one transaction callback, one pending run
      // and one commit for all of them (lmdb-js runs callbacks later, one after another, and folds those
      // queued meanwhile into a single fsynced commit). A child transaction makes the group all-or-nothing.
      const group = this.formingGroup();
      const offset = group.leaves.length;
      for (const leaf of leaves) group.leaves.push(leaf);
      const decisions = (await group.done).slice(offset, offset + leaves.length);
      return decisions.map((d): AddOutcome => {
        if (d.kind === 'full') return { kind: 'full', capacity: this.capacity };
        if (d.kind === 'quota' || d.kind === 'credit') return d;
        if (d.kind === 'stored') return { kind: 'stored', record: pendingRecord(d.leaf) };
        const what = `leaves/${hex(d.leafHash)}`;
        if (d.raw === undefined) throw corrupt(what, 'referenced by a request id but missing');
        return { kind: d.kind, record: this.recordOf(d.leafHash, d.raw, what) };
      });
    });
  }

  private formingGroup(): AddGroup {
    const current = this.forming;
    if (current !== undefined && !current.started) return current;
    const group: AddGroup = { leaves: [], started: false, done: Promise.resolve([]) };
    group.done = this.root.childTransaction(() => {
      group.started = true;
      if (this.forming === group) this.forming = undefined;
      return this.decide(group.leaves);
    });
    this.forming = group;
    return group;
  }

  /** Inside the write transaction: decides each leaf and writes the new ones as one pending run. */
  private decide(leaves: readonly NewLeaf[]): Decision[] {
    this.recountIfStale();
    const { index, requestIds, pending, records } = this.db;
    const out: Decision[] = [];
    const first = this.nextArrival;
    const run: Buffer[] = [];
    const written: Buffer[] = [];
    // A leaf already in this group is found through the index, its record in `written` until the group's put.
    const recordAt = (arrival: number): Uint8Array | undefined =>
      arrival >= first ? written[arrival - first] : this.recordAt(arrival);
    const hashAt = (arrival: number): Uint8Array | undefined =>
      arrival >= first ? run[arrival - first] : this.hashAt(arrival);
    const usage = new UsageTally(this.db.usage);
    const credit = new CreditTally(this.db.credit);
    for (const leaf of leaves) {
      const hash = asKey(leaf.leafHash);
      const idKey = leaf.requestId === '' ? undefined : requestIdKey(leaf.requestId);
      const arrival = first + run.length;
      // The common case, a new leaf without a request id or quota while there is room, costs one B-tree operation:
      // an index put that refuses to overwrite. Every other case reads first, in the order the contract gives.
      const fast =
        idKey === undefined &&
        leaf.quota === undefined &&
        leaf.price === undefined &&
        this.pending + run.length < this.capacity;
      const key = indexKey(hash);
      if (!fast || !putNew(index, key, u64Key(arrival))) {
        const existing = this.rawLeaf(hash, recordAt, hashAt);
        if (existing !== undefined) {
          out.push({ kind: 'duplicate', leafHash: hash, raw: existing });
          continue;
        }
        const firstHash = idKey === undefined ? undefined : requestIds.get(idKey);
        if (firstHash !== undefined) {
          out.push({
            kind: 'duplicate',
            leafHash: firstHash,
            raw: this.rawLeaf(firstHash, recordAt, hashAt),
          });
          continue;
        }
        const refusal = usage.refusal(leaf);
        if (refusal !== undefined) {
          out.push({ kind: 'quota', refusal });
          continue;
        }
        const unpaid = credit.refusal(clientOf(leaf), leaf);
        if (unpaid !== undefined) {
          out.push({ kind: 'credit', refusal: unpaid });
          continue;
        }
        if (this.pending + run.length >= this.capacity) {
          out.push({ kind: 'full' });
          continue;
        }
        index.putSync(key, u64Key(arrival)); // beside the arrivals of other leaves with this prefix
      }
      usage.count(leaf);
      credit.debit(clientOf(leaf), leaf);
      if (idKey !== undefined) requestIds.putSync(idKey, hash);
      written.push(encodeLeaf(leaf, arrival));
      run.push(hash);
      out.push({ kind: 'stored', leaf });
    }
    if (run.length > 0) {
      pending.putSync(u64Key(first), Buffer.concat(run));
      records.putSync(u64Key(first), encodeRecordGroup(written));
      // Usage is written in the transaction that stores the leaves it counts: a crash keeps both or neither.
      this.db.leafClients.putSync(u64Key(first), encodeClientRuns(usage.runs));
      usage.write();
      credit.write();
      this.nextArrival = first + run.length;
      this.pending += run.length;
    }
    return out;
  }

  /**
   * The stored record of a leaf: the arrivals indexed under its hash's prefix, the one whose hash in the hash
   * log is this hash, and its record in the record log; or in version 1's leaves table.
   */
  private rawLeaf(
    hash: Buffer,
    recordAt: (arrival: number) => Uint8Array | undefined = (a) => this.recordAt(a),
    hashAt: (arrival: number) => Uint8Array | undefined = (a) => this.hashAt(a),
  ): Uint8Array | undefined {
    const key = indexKey(hash);
    for (const arrival of this.db.index.getValues(key)) {
      const what = `leaf-prefixes/${hex(key)}`;
      if (arrival.length !== 8) throw corrupt(what, `expected 8-byte arrivals, got ${arrival.length} bytes`);
      const at = Number(readU64Key(arrival));
      const stored = hashAt(at);
      if (stored === undefined) throw corrupt(what, `arrival ${at} is not in the hash log`);
      if (!hash.equals(stored)) continue; // another leaf with the same prefix
      const raw = recordAt(at);
      if (raw === undefined) throw corrupt(`records/${at}`, `no record of leaf ${hex(hash)}`);
      return raw;
    }
    return undefined;
  }

  /** The leaf hash of arrival `arrival` in the hash log, or undefined. */
  private hashAt(arrival: number): Uint8Array | undefined {
    const entry = firstOf(this.logFrom(arrival));
    return entry === undefined || entry.first !== arrival ? undefined : entry.hashes.subarray(0, H);
  }

  /** The record of arrival `arrival` in the record log, or undefined. */
  private recordAt(arrival: number): Uint8Array | undefined {
    const found = firstOf(this.db.records.getRange({ start: u64Key(arrival), reverse: true, limit: 1 }));
    if (found === undefined) return undefined;
    const first = Number(readU64Key(found.key));
    const raw = recordInGroup(found.value, arrival - first, `records/${first}`);
    return raw === undefined ? undefined : Uint8Array.from(raw);
  }

  /** A leaf's record with its position, found by its sealed run (a record never holds it). */
  private recordOf(leafHash: Uint8Array, raw: Uint8Array, what: string): LeafRecord {
    const record = decodeLeaf(leafHash, raw, what);
    const position = this.positionOf(leafState(raw, what).arrival);
    return position === undefined ? record : { ...record, position };
  }

  private positionOf(arrival: bigint): LeafPosition | undefined {
    const found = firstOf(this.db.runs.getRange({ start: u64Key(arrival), reverse: true, limit: 1 }));
    if (found === undefined) return undefined;
    const first = readU64Key(found.key);
    const run = decodeRun(found.value, `sealed-runs/${first}`);
    if (arrival >= first + BigInt(run.count)) return undefined;
    return { sequence: run.sequence, index: run.index + Number(arrival - first) };
  }

  usage(query: UsageQuery = {}): UsageDay[] {
    this.open();
    {
      const out: UsageDay[] = [];
      const range =
        query.client === undefined
          ? this.db.usage.getRange()
          : this.db.usage.getRange({
              start: usageKey(query.client, 0),
              end: usageKey(query.client, 0xffff_ffff),
            });
      for (const { key, value } of range) {
        const at = readUsageKey(key);
        const what = `usage/${key.toString('hex')}`;
        if (at === undefined) throw corrupt(what, 'not a client name and day');
        if (value.length !== 16) throw corrupt(what, `expected 16 bytes, got ${value.length}`);
        if (query.client !== undefined && at.client !== query.client) continue;
        if (query.fromDay !== undefined && at.day < query.fromDay) continue;
        if (query.toDay !== undefined && at.day > query.toDay) continue;
        out.push({
          client: at.client,
          day: at.day,
          submissions: Number(value.readBigUInt64BE(0)),
          immediate: Number(value.readBigUInt64BE(8)),
        });
      }
      return out;
    }
  }

  creditTopUps(topUps: readonly CreditTopUp[], scan?: CreditScan): Promise<boolean[]> {
    return this.write(async () => {
      for (const t of topUps) {
        if (t.hash.length !== 32) throw new RangeError('topUps: a transfer hash is 32 bytes');
        if (!isClientName(t.client)) throw new RangeError('topUps: client is not a storable client name');
        if (t.amount <= 0n || t.amount >= 1n << 63n) throw new RangeError('topUps: amount out of range');
      }
      if (topUps.length === 0 && scan === undefined) return [];
      return this.root.childTransaction(() => applyTopUps(this.db.credit, topUps, scan));
    });
  }

  creditBalances(client?: string): CreditBalance[] {
    this.open();
    return listBalances(this.db.credit, client);
  }

  creditedTopUp(hash: Uint8Array): CreditTopUp | undefined {
    this.open();
    return readTopUp(this.db.credit, hash);
  }

  creditScan(account: string): bigint {
    this.open();
    return readScan(this.db.credit, account);
  }

  batchClients(sequence: bigint): BatchClient[] {
    this.open();
    {
      const batch = this.getBatch(sequence);
      if (batch === undefined) throw new RangeError(`no batch ${sequence}`);
      const tally = new Map<string, { leaves: number; immediate: number }>();
      const add = (client: string, immediate: boolean, n: number) => {
        const t = tally.get(client) ?? { leaves: 0, immediate: 0 };
        t.leaves += n;
        if (immediate) t.immediate += n;
        tally.set(client, t);
      };
      const ranges = this.arrivalRanges(sequence, batch.treeSize);
      if (ranges.length === 0) add(ANONYMOUS_CLIENT, false, batch.treeSize); // sealed by version 1
      for (const { first, count } of ranges) {
        let at = first;
        const end = first + count;
        const start = firstOf(this.db.leafClients.getKeys({ start: u64Key(first), reverse: true, limit: 1 }));
        for (const { key, value } of this.db.leafClients.getRange({ start: start ?? u64Key(first) })) {
          const from = Number(readU64Key(key));
          if (from >= end) break;
          const runs = decodeClientRuns(value);
          if (runs === undefined) throw corrupt(`leaf-clients/${from}`, 'not client runs');
          if (from > at) add(ANONYMOUS_CLIENT, false, Math.min(from, end) - at); // written before version 3
          let a = from;
          for (const r of runs) {
            const lo = Math.max(a, at);
            const hi = Math.min(a + r.count, end);
            if (hi > lo) add(r.client, r.immediate, hi - lo);
            a += r.count;
          }
          at = Math.max(at, Math.min(a, end));
          if (at >= end) break;
        }
        if (at < end) add(ANONYMOUS_CLIENT, false, end - at);
      }
      return [...tally].map(([client, t]) => ({ client, ...t }));
    }
  }

  /** The arrival ranges of batch `sequence`'s leaves, in tree order (none for a batch sealed by version 1). */
  private arrivalRanges(sequence: bigint, treeSize: number): Array<{ first: number; count: number }> {
    const out: Array<{ first: number; count: number }> = [];
    let covered = 0;
    for (const { key, value } of this.db.batchRuns.getRange({
      start: batchRunKey(sequence, 0),
      end: batchRunKey(sequence + 1n, 0),
    })) {
      const run = decodeBatchRun(value, `batch-runs/${sequence}/${key.readUInt32BE(8)}`);
      out.push(run);
      covered += run.count;
    }
    if (out.length > 0 && covered !== treeSize)
      throw corrupt(`batch-runs/${sequence}`, `runs cover ${covered} of ${treeSize} leaves`);
    return out;
  }

  getLeaf(leafHash: Uint8Array): LeafRecord | undefined {
    this.open();
    if (!(leafHash instanceof Uint8Array) || leafHash.length !== H) return undefined;
    const raw = this.rawLeaf(asKey(leafHash));
    return raw === undefined ? undefined : this.recordOf(leafHash, raw, `leaves/${hex(leafHash)}`);
  }

  getByRequestId(requestId: string): LeafRecord | undefined {
    this.open();
    if (typeof requestId !== 'string' || requestId === '') return undefined;
    const hash = this.db.requestIds.get(requestIdKey(requestId));
    if (hash === undefined) return undefined;
    const record = this.getLeaf(hash);
    if (record === undefined) throw corrupt(`leaves/${hex(hash)}`, `missing for request id ${requestId}`);
    return record;
  }

  pendingCount(): number {
    this.open();
    return this.pending;
  }

  pendingHashes(limit: number): Uint8Array {
    this.open();
    if (!Number.isSafeInteger(limit) || limit < 0)
      throw new RangeError(`limit must be a non-negative integer, got ${limit}`);
    // Copied entry by entry into one buffer sized from the pending count: no list of entries held meanwhile.
    // The count includes writes whose transaction has run but not yet committed, which a read does not see
    // yet: then fewer are found, and only those are returned.
    const out = new Uint8Array(Math.min(limit, this.pending) * H);
    let at = 0;
    for (const { hashes } of out.length === 0 ? [] : this.logFrom(this.sealedThrough)) {
      const take = Math.min(hashes.length, out.length - at);
      out.set(hashes.subarray(0, take), at);
      at += take;
      if (at === out.length) break;
    }
    return at === out.length ? out : out.slice(0, at);
  }

  pendingLeaves(limit: number): LeafRecord[] {
    const hashes = this.pendingHashes(limit);
    const out: LeafRecord[] = [];
    for (let at = 0; at < hashes.length; at += H) {
      const hash = hashes.subarray(at, at + H);
      const record = this.getLeaf(hash);
      if (record === undefined) throw corrupt(`pending`, `leaf ${hex(hash)} is missing`);
      out.push(record);
    }
    return out;
  }

  oldestPendingMs(): number | undefined {
    return this.pendingLeaves(1)[0]?.acceptedAtMs;
  }

  commitBatch(batch: BatchRecord, levels: readonly Uint8Array[]): Promise<void> {
    return this.write(async () => {
      checkBatch(batch, levels);
      // A child transaction: any throw inside rolls back every write of this callback.
      await this.root.childTransaction(() => this.writeBatch(batch, levels));
    });
  }

  /** Throws CONFLICT unless `sequence` is the next one of the header chain. */
  private checkSequence(sequence: bigint): void {
    const { batches } = this.db;
    if (batches.get(u64Key(sequence)) !== undefined)
      throw new StoreError('CONFLICT', `batch ${sequence} is already committed`);
    if (sequence > 0n && batches.get(u64Key(sequence - 1n)) === undefined) {
      const last = firstOf(batches.getKeys({ reverse: true, limit: 1 }));
      const expected = last === undefined ? 0n : readU64Key(last) + 1n;
      throw new StoreError(
        'CONFLICT',
        `batch sequence ${sequence} does not follow the head (expected ${expected})`,
      );
    }
  }

  /**
   * Inside the write transaction: checks the CONFLICT rules, then writes the batch, its nodes, its sealed runs
   * and the shortened pending queue. No leaf record is rewritten, so the cost does not grow with per-leaf writes.
   */
  private writeBatch(batch: BatchRecord, levels: readonly Uint8Array[]): void {
    const { sequence } = batch;
    const { batches, nodes, runs, batchRuns, meta } = this.db;
    this.recountIfStale();
    this.checkSequence(sequence);
    const leafLevel = levels[0] ?? new Uint8Array(0);
    const n = batch.treeSize;
    // The batch must be exactly the oldest n pending leaves, in arrival order. The entries are compared as they
    // are read, so a 10^6-leaf batch does not hold a second copy of its 32 MB of leaf hashes.
    const sealedRuns: Array<{ first: number; run: SealedRun }> = [];
    let done = 0;
    let through = this.sealedThrough;
    for (const entry of this.logFrom(this.sealedThrough)) {
      if (done >= n) break;
      const count = entry.hashes.length / H;
      const take = Math.min(count, n - done);
      const expected = entry.hashes.subarray(0, take * H);
      const got = leafLevel.subarray(done * H, (done + take) * H);
      if (Buffer.compare(expected, got) !== 0) {
        let i = 0;
        while (
          i < take &&
          Buffer.compare(expected.subarray(i * H, (i + 1) * H), got.subarray(i * H, (i + 1) * H)) === 0
        )
          i++;
        throw new StoreError(
          'CONFLICT',
          `leaf ${done + i} of batch ${sequence} is not the pending leaf in that place: a batch seals the oldest pending leaves in arrival order`,
        );
      }
      const previous = sealedRuns[sealedRuns.length - 1];
      if (previous !== undefined && previous.first + previous.run.count === entry.first)
        sealedRuns[sealedRuns.length - 1] = {
          first: previous.first,
          run: { ...previous.run, count: previous.run.count + take },
        };
      else sealedRuns.push({ first: entry.first, run: { sequence, index: done, count: take } });
      through = entry.first + take;
      done += take;
    }
    if (done < n)
      throw new StoreError('CONFLICT', `batch ${sequence} has ${n} leaves but only ${done} are pending`);
    batches.putSync(u64Key(sequence), encodeBatch(batch));
    // Levels 0 to LOW_LEVELS - 1 are not written: level 0 stays in the hash log, and the levels above it are
    // rebuilt from one 256-leaf chunk when a proof needs them (readNode).
    levels.forEach((level, l) => {
      if (l < LOW_LEVELS) return;
      for (let c = 0; c * NODE_CHUNK_BYTES < level.length; c++) {
        const chunk = level.subarray(c * NODE_CHUNK_BYTES, (c + 1) * NODE_CHUNK_BYTES);
        nodes.putSync(nodeKey(sequence, l, c), asKey(chunk));
      }
    });
    for (const { first, run } of sealedRuns) {
      runs.putSync(u64Key(first), encodeRun(run));
      batchRuns.putSync(batchRunKey(sequence, run.index), encodeBatchRun(first, run.count));
    }
    meta.putSync(META_SEALED_THROUGH, u64Key(through));
    this.sealedThrough = through;
    this.pending -= n;
  }

  /** Leaf hashes `from` to `to` (exclusive) of a batch sealed by this version (found through its runs). */
  private batchLeaves(sequence: bigint, from: number, to: number): Uint8Array {
    const out = new Uint8Array((to - from) * H);
    let index = from;
    while (index < to) {
      const found = firstOf(
        this.db.batchRuns.getRange({ start: batchRunKey(sequence, index), reverse: true, limit: 1 }),
      );
      const what = `batch-runs/${sequence}/${index}`;
      if (found === undefined || readU64Key(found.key) !== sequence)
        throw corrupt(what, 'no run holds this leaf');
      const runIndex = found.key.readUInt32BE(8);
      const { first, count } = decodeBatchRun(found.value, what);
      if (index >= runIndex + count) throw corrupt(what, 'no run holds this leaf');
      const end = Math.min(to, runIndex + count);
      let arrival = first + (index - runIndex);
      for (const entry of this.logFrom(arrival)) {
        if (index >= end) break;
        if (entry.first !== arrival)
          throw corrupt(`pending/${entry.first}`, `the hash log skips arrival ${arrival}`);
        const take = Math.min(entry.hashes.length / H, end - index);
        out.set(entry.hashes.subarray(0, take * H), (index - from) * H);
        index += take;
        arrival += take;
      }
      if (index < end) throw corrupt(what, `the hash log ends before arrival ${arrival}`);
    }
    return out;
  }

  /** Levels 0..LOW_LEVELS of the 256-leaf chunk `chunk` of a batch of `treeSize` leaves, rebuilt from its leaves. */
  private chunkLevels(sequence: bigint, treeSize: number, chunk: number): Uint8Array[] {
    const key = `${sequence}/${chunk}`;
    if (this.lowLevels?.key === key) return this.lowLevels.levels;
    const from = chunk * NODES_PER_CHUNK;
    const levels = buildLevelsWith(
      this.batchLeaves(sequence, from, Math.min(treeSize, from + NODES_PER_CHUNK)),
      this.hashPairs,
    );
    this.lowLevels = { key, levels };
    return levels;
  }

  getBatch(sequence: bigint): BatchRecord | undefined {
    this.open();
    if (typeof sequence !== 'bigint' || sequence < 0n || sequence >= 1n << 64n) return undefined;
    const raw = this.db.batches.get(u64Key(sequence));
    return raw === undefined ? undefined : decodeBatch(sequence, raw, `batches/${sequence}`);
  }

  head(): BatchRecord | undefined {
    this.open();
    const last = firstOf(this.db.batches.getKeys({ reverse: true, limit: 1 }));
    return last === undefined ? undefined : this.getBatch(readU64Key(last));
  }

  readNode(sequence: bigint, level: number, index: number): Uint8Array {
    this.open();
    if (!Number.isSafeInteger(level) || level < 0 || level > 255 || !Number.isSafeInteger(index) || index < 0)
      throw new RangeError(`no node ${index} on level ${level} of batch ${sequence}`);
    if (level < LOW_LEVELS && typeof sequence === 'bigint' && sequence >= 0n && sequence < 1n << 64n) {
      // Batches of this version keep no low levels; version 1 batches have every level in `nodes`.
      const sealedHere = this.db.batchRuns.get(batchRunKey(sequence, 0)) !== undefined;
      const batch = sealedHere ? this.getBatch(sequence) : undefined;
      if (batch !== undefined) {
        const size = levelSizes(batch.treeSize)[level] ?? 0;
        if (index >= size) throw new RangeError(`no node ${index} on level ${level} of batch ${sequence}`);
        const perChunk = NODES_PER_CHUNK >> level;
        const levels = this.chunkLevels(sequence, batch.treeSize, Math.floor(index / perChunk));
        // A short last chunk has fewer levels: its top node is promoted unchanged up to level LOW_LEVELS.
        const own = levels[Math.min(level, levels.length - 1)] as Uint8Array;
        const at = level < levels.length ? (index % perChunk) * H : 0;
        return own.slice(at, at + H);
      }
    }
    const chunk = Math.floor(index / NODES_PER_CHUNK);
    const raw = chunk <= 0xffffffff ? this.db.nodes.get(nodeKey(sequence, level, chunk)) : undefined;
    const what = `nodes/${sequence}/${level}/${chunk}`;
    if (raw !== undefined && (raw.length === 0 || raw.length % H !== 0 || raw.length > NODE_CHUNK_BYTES))
      throw corrupt(what, `${raw.length} bytes is not a chunk of ${H}-byte nodes`);
    const at = (index % NODES_PER_CHUNK) * H;
    if (raw === undefined || at + H > raw.length) {
      const batch = this.getBatch(sequence);
      if (batch !== undefined) {
        const sizes = levelSizes(batch.treeSize);
        if (index < (sizes[level] ?? 0)) throw corrupt(what, `node ${index} is missing`);
      }
      throw new RangeError(`no node ${index} on level ${level} of batch ${sequence}`);
    }
    return new Uint8Array(raw.subarray(at, at + H));
  }

  getDoc(table: DocTable, key: string): Uint8Array | undefined {
    this.open();
    const raw = this.db.docs.get(docKey(table, key));
    return raw === undefined ? undefined : Uint8Array.from(raw);
  }

  listDocs(table: DocTable): Array<{ key: string; value: Uint8Array }> {
    this.open();
    const prefix = docKey(table, '');
    const end = Buffer.concat([Buffer.from(table, 'utf8'), Buffer.of(1)]);
    const out: Array<{ key: string; value: Uint8Array }> = [];
    for (const { key, value } of this.db.docs.getRange({ start: prefix, end })) {
      out.push({ key: key.subarray(prefix.length).toString('utf8'), value: Uint8Array.from(value) });
    }
    return out;
  }

  putDocs(writes: readonly DocWrite[]): Promise<void> {
    return this.write(async () => {
      if (writes.length === 0) return;
      await this.root.childTransaction(() => {
        for (const w of writes) {
          const key = docKey(w.table, w.key);
          if (w.value === undefined) this.db.docs.removeSync(key);
          else this.db.docs.putSync(key, asKey(w.value));
        }
      });
    });
  }

  keyHistory(): KeyHistoryEntry[] {
    this.open();
    // Every proof reads the history; decoding it copied ~8.5 KB per key each time. Only appendKey changes it.
    if (this.keys === undefined) {
      const out: KeyHistoryEntry[] = [];
      for (const { key, value } of this.db.keys.getRange())
        out.push(decodeKeyEntry(value, `keys/${hex(key)}`));
      this.keys = out;
    }
    return [...this.keys];
  }

  appendKey(entry: KeyHistoryEntry): Promise<void> {
    return this.write(async () => {
      const encoded = encodeKeyEntry(entry);
      await this.root.childTransaction(() => {
        const { keys } = this.db;
        const last = firstOf(keys.getRange({ reverse: true, limit: 1 }));
        let index = 0;
        if (last !== undefined) {
          index = last.key.readUInt32BE(0) + 1;
          const previous = decodeKeyEntry(last.value, `keys/${hex(last.key)}`);
          if (previous.validUntilMs === 0)
            keys.putSync(last.key, encodeKeyEntry({ ...previous, validUntilMs: entry.validFromMs }));
        }
        keys.putSync(u32Key(index), encoded);
      });
      this.keys = undefined;
    });
  }

  async close(): Promise<void> {
    this.open();
    this.closed = true;
    this.health.stop();
    await Promise.allSettled([...this.inFlight]);
    // A last commit that failed was already answered to its callers (as DISK_FULL or IO).
    await this.root.flushed.then(
      () => undefined,
      (error: unknown) => void commitFailureOf(error, () => true),
    );
    await this.root.close();
  }
}

/** What the callers of a failed commit get: UNAVAILABLE on the wire (service/error-map.ts), nothing stored. */
function failedCommitError(failure: CommitFailure): StoreError {
  return failure.reason === 'disk_full'
    ? new StoreError(
        'DISK_FULL',
        `disk full: the commit to the data dir failed (${failure.cause}); nothing of this write was stored; retry once the server is ready again`,
      )
    : new StoreError(
        'IO',
        `storage error: the commit to the data dir failed (${failure.cause}); nothing of this write was stored; retry later`,
      );
}

/** Checks that `levels` is the full tree of `batch.treeSize` leaves, as buildLevels returns it. */
function checkBatch(batch: BatchRecord, levels: readonly Uint8Array[]): void {
  if (typeof batch.sequence !== 'bigint' || batch.sequence < 0n || batch.sequence >= 1n << 64n)
    throw new RangeError(`batch.sequence must be a u64 bigint, got ${batch.sequence}`);
  if (!Number.isSafeInteger(batch.treeSize) || batch.treeSize < 1 || batch.treeSize > 0xffffffff)
    throw new RangeError(`batch.treeSize must be a positive u32, got ${batch.treeSize}`);
  if (!(batch.headerHash instanceof Uint8Array) || batch.headerHash.length !== H)
    throw new RangeError(`batch.headerHash must be ${H} bytes`);
  const sizes = levelSizes(batch.treeSize);
  if (levels.length !== sizes.length)
    throw new RangeError(
      `levels: expected ${sizes.length} levels for ${batch.treeSize} leaves, got ${levels.length}`,
    );
  sizes.forEach((size, l) => {
    const level = levels[l];
    if (!(level instanceof Uint8Array) || level.length !== size * H)
      throw new RangeError(`levels[${l}] must be ${size * H} bytes, got ${level?.length}`);
  });
}
