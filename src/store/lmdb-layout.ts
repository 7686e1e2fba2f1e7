// On-disk layout of the LMDB store: format version, sub-database names and binary key encodings.
import { createHash } from 'node:crypto';

/** The store format this build writes and reads; bump on any incompatible layout change. */
export const LMDB_FORMAT_VERSION = 3;

/**
 * Version 2 keeps a leaf's record unchanged when it is sealed: pending entries hold runs of leaf hashes, and
 * sealed runs map arrival numbers to batch positions. Version 3 keys the leaf index by the first 8 bytes of the
 * leaf hash (several arrivals per key), not by the whole hash: half the index's pages, so half the random pages
 * a flood of new leaves touches. Each arrival under a prefix is confirmed against the hash log. A version 2 data
 * dir is upgraded on open by rebuilding the index from the old one. Version 1 (positions written into sealed
 * leaf records) came only from development builds before the first release and is refused.
 */
export const LMDB_FORMAT_V2 = 2;

/** Bytes of a leaf hash that key the version 3 leaf index. */
export const INDEX_PREFIX_BYTES = 8;

/** Nodes per stored chunk of a tree level: a proof reads ~log n values of at most 8 KiB. */
export const NODES_PER_CHUNK = 256;

/** Names of the sub-databases. */
export const DB_NAMES = {
  meta: 'meta', // 'format' → u32, 'logId' → 32 bytes
  legacyIndex: 'leaf-index', // version 2 only, emptied by the upgrade: leaf hash → u64 arrival
  // First INDEX_PREFIX_BYTES of a leaf hash → u64 arrival of each leaf with that prefix (sorted duplicates).
  index: 'leaf-prefixes',
  records: 'records', // u64 arrival of a run's first leaf → its leaf records (lmdb-codecs.ts encodeRecordGroup)
  requestIds: 'request-ids', // SHA-256(UTF-8 request id) → leaf hash
  // The hash log: u64 arrival of a run's first leaf → its leaf hashes (n × 32 bytes). Arrivals from meta
  // 'sealedThrough' on are pending; the ones before are level 0 of their batches' trees.
  pending: 'pending',
  runs: 'sealed-runs', // u64 arrival of a run's first leaf → u64 sequence ‖ u32 index of that leaf ‖ u32 count
  batchRuns: 'batch-runs', // u64 sequence ‖ u32 index of a run's first leaf → u64 its arrival ‖ u32 count
  batches: 'batches', // u64 sequence → batch record
  nodes: 'nodes', // u64 sequence ‖ u8 level ‖ u32 chunk → up to NODES_PER_CHUNK × 32 bytes
  keys: 'keys', // u32 index → key-history entry
  docs: 'docs', // UTF-8 table name ‖ 0x00 ‖ UTF-8 key → document bytes (anchoring state)
  // UTF-8 client name ‖ 0x00 ‖ u32 UTC day → u64 new submissions ‖ u64 of them immediate (written with the leaves)
  usage: 'usage',
  // u64 arrival of a write's first leaf → who submitted its leaves, in arrival order: runs of (u8 name length,
  // name, u8 immediate, u32 count). Arrivals of data written before version 3 have none: `anonymous`.
  leafClients: 'leaf-clients',
  // Prepaid credit (src/store/lmdb-credit.ts): 0x01 ‖ UTF-8 client → u64 µXYM credited ‖ u64 µXYM spent (debited
  // in the add transaction); 0x02 ‖ 32-byte transfer hash → the top-up credited (once: the hash is the key);
  // 0x03 ‖ UTF-8 account address → u64 height through which its incoming transfers were all looked at.
  credit: 'credit',
} as const;

/** Key of document `key` in `table`. */
export function docKey(table: string, key: string): Buffer {
  return Buffer.concat([Buffer.from(table, 'utf8'), Buffer.of(0), Buffer.from(key, 'utf8')]);
}

/** Meta keys. */
export const META_FORMAT = Buffer.from('format');
export const META_LOG_ID = Buffer.from('logId');
/** u64: the first arrival not yet sealed (absent: 0). */
export const META_SEALED_THROUGH = Buffer.from('sealedThrough');
/** When a store whose commits failed last tried a small commit to see whether writes work again (8-byte ms). */
export const META_WRITE_PROBE = Buffer.from('writeProbe');

/**
 * Tree levels below this are not stored for batches of format version 2: level 0 is in the hash log and levels
 * 1..7 of a 256-leaf chunk (NODES_PER_CHUNK = 2^LOW_LEVELS) are rebuilt from it for a proof.
 */
export const LOW_LEVELS = 8;

/** Key of the batch-runs entry of batch `sequence` whose run starts at leaf `index`. */
export function batchRunKey(sequence: bigint, index: number): Buffer {
  const out = Buffer.allocUnsafe(12);
  out.writeBigUInt64BE(sequence);
  out.writeUInt32BE(index, 8);
  return out;
}

const U64_MAX = (1n << 64n) - 1n;

/** Big-endian u64 key, so LMDB's byte order is numeric order. */
export function u64Key(value: bigint | number): Buffer {
  const v = BigInt(value);
  if (v < 0n || v > U64_MAX) throw new RangeError(`u64 key out of range: ${v}`);
  const out = Buffer.allocUnsafe(8);
  out.writeBigUInt64BE(v);
  return out;
}

/** Reads a u64 key. */
export function readU64Key(key: Uint8Array): bigint {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).readBigUInt64BE(0);
}

/** Big-endian u32 key. */
export function u32Key(value: number): Buffer {
  const out = Buffer.allocUnsafe(4);
  out.writeUInt32BE(value);
  return out;
}

/** Key of the chunk of `level` of batch `sequence` holding node `index`. */
export function nodeKey(sequence: bigint, level: number, chunk: number): Buffer {
  const out = Buffer.allocUnsafe(13);
  out.writeBigUInt64BE(sequence);
  out.writeUInt8(level, 8);
  out.writeUInt32BE(chunk, 9);
  return out;
}

/** Key of a leaf hash in the version 3 leaf index. */
export function indexKey(leafHash: Buffer): Buffer {
  return leafHash.subarray(0, INDEX_PREFIX_BYTES);
}

/** Request ids are keyed by their SHA-256 so that any length fits LMDB's key limit. */
export function requestIdKey(requestId: string): Buffer {
  return createHash('sha256').update(requestId, 'utf8').digest();
}

/** Key of a client's usage counters of UTC day `day`. */
export function usageKey(client: string, day: number): Buffer {
  const name = Buffer.from(client, 'utf8');
  const out = Buffer.allocUnsafe(name.length + 5);
  name.copy(out, 0);
  out[name.length] = 0;
  out.writeUInt32BE(day, name.length + 1);
  return out;
}

/** The client and day of a usage key. */
export function readUsageKey(key: Buffer): { client: string; day: number } | undefined {
  const zero = key.length - 5;
  if (zero < 1 || key[zero] !== 0) return undefined;
  return { client: key.subarray(0, zero).toString('utf8'), day: key.readUInt32BE(zero + 1) };
}

/** Kinds of key in the `credit` database. */
export const CREDIT_BALANCE = 0x01;
export const CREDIT_TRANSFER = 0x02;
export const CREDIT_SCAN = 0x03;

/** A `credit` key: its kind byte, then `body` (a UTF-8 name or address, or a transfer hash). */
export function creditKey(kind: number, body: string | Uint8Array): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
  return Buffer.concat([Buffer.of(kind), bytes]);
}

/** One run of the leaf-clients log: `count` leaves in a row of `client`, immediate or not. */
export interface ClientRun {
  readonly client: string;
  readonly immediate: boolean;
  readonly count: number;
}

/** Encodes a write's client runs (names of at most 255 bytes). */
export function encodeClientRuns(runs: readonly ClientRun[]): Buffer {
  const parts: Buffer[] = [];
  for (const r of runs) {
    const name = Buffer.from(r.client, 'utf8');
    if (name.length === 0 || name.length > 255) throw new RangeError(`client name of ${name.length} bytes`);
    const head = Buffer.allocUnsafe(1);
    head[0] = name.length;
    const tail = Buffer.allocUnsafe(5);
    tail[0] = r.immediate ? 1 : 0;
    tail.writeUInt32BE(r.count, 1);
    parts.push(head, name, tail);
  }
  return Buffer.concat(parts);
}

/** Decodes a write's client runs; undefined when the bytes are not runs. */
export function decodeClientRuns(bytes: Buffer): ClientRun[] | undefined {
  const runs: ClientRun[] = [];
  let at = 0;
  while (at < bytes.length) {
    const n = bytes[at] as number;
    if (n === 0 || at + 1 + n + 5 > bytes.length) return undefined;
    const client = bytes.subarray(at + 1, at + 1 + n).toString('utf8');
    const flag = bytes[at + 1 + n];
    if (flag !== 0 && flag !== 1) return undefined;
    const count = bytes.readUInt32BE(at + 2 + n);
    if (count === 0) return undefined;
    runs.push({ client, immediate: flag === 1, count });
    at += n + 6;
  }
  return runs;
}
