// Binary codecs of the LMDB store's records (leaf, batch, key-history entry); any malformed record is CORRUPT.

import { decodeHeader } from '../proof/bundle/header.ts';
import { ByteReader, ReadProblem } from '../proof/encoding/byte-reader.ts';
import type { BatchRecord, KeyHistoryEntry, LeafRecord, NewLeaf, SignatureRecord } from './store.ts';
import { StoreError } from './store-error.ts';

const FLAG_IMMEDIATE = 0x01;
/** A 79-byte source reference follows the fixed part (records written before it existed never set this). */
const FLAG_SOURCE = 0x04;
const SOURCE_BYTES = 79;
// flags u8, digest 32, acceptedAtMs f64, arrival u64, u32 0 (format 1 kept a sealed leaf's position in the last two;
// flag 0x02 marked it, and is refused now).
const LEAF_FIXED = 53;

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The next `n` bytes of `r` as UTF-8 text; invalid UTF-8 fails naming the field. */
function text(r: ByteReader, n: number, field: string): string {
  try {
    return UTF8.decode(r.take(n, field));
  } catch (err) {
    if (err instanceof ReadProblem) throw err;
    throw new ReadProblem(`${field} is not UTF-8`);
  }
}

/** Runs `decode` over a stored value: a short, long or non-UTF-8 read is CORRUPT naming the record and field. */
function readStored<T>(raw: Uint8Array, what: string, decode: (r: ByteReader) => T): T {
  try {
    return decode(new ByteReader(raw));
  } catch (err) {
    if (err instanceof ReadProblem) throw corrupt(what, err.message, err);
    throw err;
  }
}

/** A CORRUPT error naming the record. */
export function corrupt(what: string, why: string, cause?: unknown): StoreError {
  return new StoreError(
    'CORRUPT',
    `store record ${what} is corrupt: ${why}`,
    cause === undefined ? {} : { cause },
  );
}

/** Encodes a pending leaf; `arrival` is its key in the pending db. */
export function encodeLeaf(leaf: NewLeaf, arrival: number): Buffer {
  const requestId = Buffer.from(leaf.requestId, 'utf8');
  const source = leaf.source;
  if (source !== undefined && source.length !== SOURCE_BYTES) throw new RangeError('source must be 79 bytes');
  const extra = source === undefined ? 0 : SOURCE_BYTES;
  const out = Buffer.allocUnsafe(LEAF_FIXED + extra + requestId.length);
  out.writeUInt8((leaf.immediate ? FLAG_IMMEDIATE : 0) | (source === undefined ? 0 : FLAG_SOURCE), 0);
  out.set(leaf.digest, 1);
  out.writeDoubleBE(leaf.acceptedAtMs, 33);
  out.writeBigUInt64BE(BigInt(arrival), 41);
  out.writeUInt32BE(0, 49);
  if (source !== undefined) out.set(source, LEAF_FIXED);
  out.set(requestId, LEAF_FIXED + extra);
  return out;
}

/** A stored leaf's arrival number. */
export function leafState(raw: Uint8Array, what: string): { arrival: bigint } {
  if (raw.length < LEAF_FIXED) throw corrupt(what, `${raw.length} bytes, fewer than ${LEAF_FIXED}`);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  return { arrival: view.getBigUint64(41) };
}

/** Decodes a stored leaf. */
export function decodeLeaf(leafHash: Uint8Array, raw: Uint8Array, what: string): LeafRecord {
  return readStored(raw, what, (r) => {
    const flags = r.u8('flags');
    if ((flags & ~(FLAG_IMMEDIATE | FLAG_SOURCE)) !== 0)
      throw corrupt(what, `unknown flags 0x${flags.toString(16)}`);
    const digest = r.take(32, 'digest');
    const acceptedAtMs = r.f64be('acceptedAtMs');
    if (!Number.isFinite(acceptedAtMs)) throw corrupt(what, 'acceptedAtMs is not finite');
    r.u64be('arrival');
    r.u32be('reserved');
    const hasSource = (flags & FLAG_SOURCE) !== 0;
    if (hasSource && raw.length < LEAF_FIXED + SOURCE_BYTES)
      throw corrupt(what, 'source reference truncated');
    const source = hasSource ? r.take(SOURCE_BYTES, 'source') : undefined;
    const requestId = text(r, raw.length - LEAF_FIXED - (hasSource ? SOURCE_BYTES : 0), 'requestId');
    return {
      leafHash: Uint8Array.from(leafHash),
      digest,
      ...(source === undefined ? {} : { source }),
      requestId,
      immediate: (flags & FLAG_IMMEDIATE) !== 0,
      acceptedAtMs,
      // A record never holds its position (format 1's sealed records did): it is found by the leaf's sealed run.
      position: undefined,
    };
  });
}

/** Encodes a batch record (the sequence is its key). */
export function encodeBatch(batch: BatchRecord): Buffer {
  let size = 32 + 4 + 4 + batch.header.length + 2;
  for (const s of batch.signatures) size += 4 + 2 + s.keyId.length + 4 + s.signature.length;
  const out = Buffer.allocUnsafe(size);
  out.set(batch.headerHash, 0);
  let at = out.writeUInt32BE(batch.treeSize, 32);
  at = out.writeUInt32BE(batch.header.length, at);
  out.set(batch.header, at);
  at = out.writeUInt16BE(batch.signatures.length, at + batch.header.length);
  for (const s of batch.signatures) {
    at = out.writeUInt32BE(s.algorithmId, at);
    at = out.writeUInt16BE(s.keyId.length, at);
    out.set(s.keyId, at);
    at = out.writeUInt32BE(s.signature.length, at + s.keyId.length);
    out.set(s.signature, at);
    at += s.signature.length;
  }
  return out;
}

/** Decodes a batch record. */
export function decodeBatch(sequence: bigint, raw: Uint8Array, what: string): BatchRecord {
  return readStored(raw, what, (r) => {
    const headerHash = r.take(32, 'headerHash');
    const treeSize = r.u32be('treeSize');
    const header = r.take(r.u32be('header length'), 'header');
    const count = r.u16be('signature count');
    const signatures: SignatureRecord[] = [];
    for (let i = 0; i < count; i++) {
      const algorithmId = r.u32be(`signatures[${i}].algorithmId`);
      const keyId = r.take(r.u16be(`signatures[${i}].keyId length`), `signatures[${i}].keyId`);
      const signature = r.take(r.u32be(`signatures[${i}].signature length`), `signatures[${i}].signature`);
      signatures.push({ algorithmId, keyId, signature });
    }
    r.end('the record');
    const fields = decodeHeader(header);
    if (typeof fields === 'string') throw new ReadProblem(`header: ${fields}`);
    if (fields.sequence !== sequence)
      throw new ReadProblem(`header: sequence ${fields.sequence} stored under ${sequence}`);
    if (fields.treeSize !== BigInt(treeSize))
      throw new ReadProblem(`header: tree size ${fields.treeSize}, record says ${treeSize}`);
    return { sequence, header, fields, headerHash, signatures, treeSize };
  });
}

type FieldType = 'number' | 'bytes' | 'string';

/**
 * Every field of a key-history entry and its type. `satisfies` makes the type checker fail here
 * when KeyHistoryEntry gains or loses a field, so the stored form always carries the whole entry.
 */
const KEY_ENTRY_FIELDS = {
  algorithmId: 'number',
  keyId: 'bytes',
  publicKey: 'bytes',
  validFromMs: 'number',
  validUntilMs: 'number',
  previousKeyId: 'bytes',
  endorsement: 'bytes',
  protection: 'string',
  selfSignature: 'bytes',
  generation: 'number',
} as const satisfies Record<keyof KeyHistoryEntry, FieldType>;

const KEY_ENTRY_NAMES = Object.keys(KEY_ENTRY_FIELDS) as (keyof KeyHistoryEntry)[];
const TAG: Record<FieldType, number> = { number: 0, bytes: 1, string: 2 };

/** Encodes a key-history entry as named, tagged fields (u16 count; u8 name length, name, u8 tag, value). */
export function encodeKeyEntry(entry: KeyHistoryEntry): Buffer {
  const parts: Buffer[] = [];
  const count = Buffer.allocUnsafe(2);
  count.writeUInt16BE(KEY_ENTRY_NAMES.length);
  parts.push(count);
  for (const name of KEY_ENTRY_NAMES) {
    const type = KEY_ENTRY_FIELDS[name];
    const value: unknown = entry[name];
    const nameBytes = Buffer.from(name, 'ascii');
    parts.push(Buffer.from([nameBytes.length]), nameBytes, Buffer.from([TAG[type]]));
    if (type === 'number') {
      if (typeof value !== 'number' || !Number.isFinite(value))
        throw new TypeError(`${name} must be a number`);
      const v = Buffer.allocUnsafe(8);
      v.writeDoubleBE(value);
      parts.push(v);
    } else {
      let bytes: Buffer;
      if (type === 'string') {
        if (typeof value !== 'string') throw new TypeError(`${name} must be a string`);
        bytes = Buffer.from(value, 'utf8');
      } else {
        if (!(value instanceof Uint8Array)) throw new TypeError(`${name} must be a Uint8Array`);
        bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      }
      const len = Buffer.allocUnsafe(4);
      len.writeUInt32BE(bytes.length);
      parts.push(len, bytes);
    }
  }
  return Buffer.concat(parts);
}

/** Decodes a key-history entry, requiring every field with its type. */
export function decodeKeyEntry(raw: Uint8Array, what: string): KeyHistoryEntry {
  return readStored(raw, what, (r) => {
    const fields = new Map<string, number | string | Uint8Array>();
    const count = r.u16be('field count');
    for (let i = 0; i < count; i++) {
      const name = text(r, r.u8(`field ${i} name length`), `field ${i} name`);
      const tag = r.u8(`${name} tag`);
      if (tag === TAG.number) fields.set(name, r.f64be(name));
      else if (tag === TAG.bytes) fields.set(name, r.take(r.u32be(`${name} length`), name));
      else if (tag === TAG.string) fields.set(name, text(r, r.u32be(`${name} length`), name));
      else throw corrupt(what, `field ${name} has unknown tag ${tag}`);
    }
    r.end('the record');
    const entry: Record<string, number | string | Uint8Array> = {};
    // Entries written before generations existed are generation 0.
    if (!fields.has('generation')) fields.set('generation', 0);
    for (const name of KEY_ENTRY_NAMES) {
      const value = fields.get(name);
      const type = KEY_ENTRY_FIELDS[name];
      const ok =
        type === 'number'
          ? typeof value === 'number'
          : type === 'string'
            ? typeof value === 'string'
            : value instanceof Uint8Array;
      if (!ok || value === undefined) throw corrupt(what, `field ${name} is missing or not a ${type}`);
      entry[name] = value;
    }
    return entry as unknown as KeyHistoryEntry;
  });
}

/** A sealed run: consecutive arrivals that became consecutive leaves of one batch. */
export interface SealedRun {
  readonly sequence: bigint;
  /** Index in the batch of the run's first leaf. */
  readonly index: number;
  readonly count: number;
}

const RUN_BYTES = 16;

/** Encodes a sealed run (its first arrival is the key). */
export function encodeRun(run: SealedRun): Buffer {
  const out = Buffer.allocUnsafe(RUN_BYTES);
  out.writeBigUInt64BE(run.sequence, 0);
  out.writeUInt32BE(run.index, 8);
  out.writeUInt32BE(run.count, 12);
  return out;
}

/** Decodes a sealed run. */
export function decodeRun(raw: Uint8Array, what: string): SealedRun {
  if (raw.length !== RUN_BYTES) throw corrupt(what, `${raw.length} bytes, not ${RUN_BYTES}`);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const count = view.getUint32(12);
  if (count === 0) throw corrupt(what, 'an empty run');
  return { sequence: view.getBigUint64(0), index: view.getUint32(8), count };
}

/** Encodes a batch-runs value: the arrival of the run's first leaf and its length. */
export function encodeBatchRun(first: number, count: number): Buffer {
  const out = Buffer.allocUnsafe(12);
  out.writeBigUInt64BE(BigInt(first), 0);
  out.writeUInt32BE(count, 8);
  return out;
}

/** Decodes a batch-runs value. */
export function decodeBatchRun(raw: Uint8Array, what: string): { first: number; count: number } {
  if (raw.length !== 12) throw corrupt(what, `${raw.length} bytes, not 12`);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const count = view.getUint32(8);
  if (count === 0) throw corrupt(what, 'an empty run');
  return { first: Number(view.getBigUint64(0)), count };
}

/** Encodes the records of one run: u32 count, u32 end offset of each record, then the records. */
export function encodeRecordGroup(records: readonly Uint8Array[]): Buffer {
  const head = 4 + 4 * records.length;
  const total = records.reduce((sum, r) => sum + r.length, head);
  const out = Buffer.allocUnsafe(total);
  out.writeUInt32BE(records.length, 0);
  let end = head;
  records.forEach((r, i) => {
    out.set(r, end);
    end += r.length;
    out.writeUInt32BE(end, 4 + 4 * i);
  });
  return out;
}

/** Record `i` of an encoded run (a view into `raw`), or undefined past its end. */
export function recordInGroup(raw: Uint8Array, i: number, what: string): Uint8Array | undefined {
  if (raw.length < 4) throw corrupt(what, `${raw.length} bytes, fewer than 4`);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const count = view.getUint32(0);
  const head = 4 + 4 * count;
  if (head > raw.length) throw corrupt(what, `${count} records do not fit in ${raw.length} bytes`);
  if (i < 0 || i >= count) return undefined;
  const start = i === 0 ? head : view.getUint32(4 + 4 * (i - 1));
  const end = view.getUint32(4 + 4 * i);
  if (start < head || end < start || end > raw.length)
    throw corrupt(what, `record ${i} lies outside the value`);
  return raw.subarray(start, end);
}
