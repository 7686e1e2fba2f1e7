// Splits anchor-side records into transfer messages of at most 1024 bytes and reassembles them in any order
// (docs/anchoring.md §3).
import { sha3_256 } from '@noble/hashes/sha3.js';
import { bytesEqual, concatBytes, toHex } from '../encoding/bytes.ts';
import { AnchorError } from './anchor-error.ts';

/** Opens every record and every chunk: 0xA5 "SPK". 0xA5 is no wallet's type byte, so wallets show raw bytes. */
export const RECORD_MAGIC: Uint8Array = Uint8Array.of(0xa5, 0x53, 0x50, 0x4b);
/** Record kind of a sealed batch's anchor record ("A"). */
export const RECORD_KIND_BATCH = 0x41;
/** Record kind of a signed checkpoint's record ("C"). */
export const RECORD_KIND_CHECKPOINT = 0x43;
/** Record kind of a key-history public key record ("K"). */
export const RECORD_KIND_PUBLIC_KEY = 0x4b;
/** Record kind of an immediate batch's publication record ("P": CIDs of its sealed bundles). */
export const RECORD_KIND_PUBLICATION = 0x50;
/** Version of the chunk header layout. */
export const CHUNK_FORMAT_VERSION = 1;
/** magic 4, version 1, kind 1, record id 8, index 1, count 1. */
export const CHUNK_HEADER_LENGTH = 16;
/** Symbol's `maxMessageSize` (includes any leading type byte). */
export const MAX_MESSAGE_SIZE = 1024;
/** Chunk indexes and counts are one byte. */
export const MAX_CHUNKS = 255;
/** Record id = the first 8 bytes of SHA3-256(record). */
export const RECORD_ID_LENGTH = 8;
/** Every record opens with magic, kind and its own version. */
export const RECORD_PREFIX_LENGTH = 6;

/** The record id: the first 8 bytes of SHA3-256 of the whole record. */
export function recordId(record: Uint8Array): Uint8Array {
  return sha3_256(record).slice(0, RECORD_ID_LENGTH);
}

/** True when `message` opens with the record magic (other messages are not ours and are ignored). */
export function hasRecordMagic(message: Uint8Array): boolean {
  return message.length >= RECORD_MAGIC.length && bytesEqual(message.subarray(0, 4), RECORD_MAGIC);
}

/** Splits a record (which opens with magic and kind) into messages of at most `maxMessage` bytes. */
export function chunkRecord(record: Uint8Array, maxMessage: number = MAX_MESSAGE_SIZE): Uint8Array[] {
  if (!Number.isInteger(maxMessage) || maxMessage <= CHUNK_HEADER_LENGTH || maxMessage > MAX_MESSAGE_SIZE) {
    throw new AnchorError(
      'INVALID_ARGUMENT',
      `maxMessage must be an integer in ${CHUNK_HEADER_LENGTH + 1}..${MAX_MESSAGE_SIZE}`,
      { field: 'maxMessage' },
    );
  }
  if (record.length < RECORD_PREFIX_LENGTH || !hasRecordMagic(record)) {
    throw new AnchorError('MALFORMED', 'record must open with the record magic, kind and version', {
      field: 'record',
    });
  }
  const room = maxMessage - CHUNK_HEADER_LENGTH;
  const count = Math.ceil(record.length / room);
  if (count > MAX_CHUNKS) {
    throw new AnchorError(
      'RECORD_TOO_LARGE',
      `record of ${record.length} bytes needs ${count} chunks, at most ${MAX_CHUNKS}`,
      { field: 'record' },
    );
  }
  const id = recordId(record);
  const kind = record[4] ?? 0;
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const head = new Uint8Array(CHUNK_HEADER_LENGTH);
    head.set(RECORD_MAGIC, 0);
    head[4] = CHUNK_FORMAT_VERSION;
    head[5] = kind;
    head.set(id, 6);
    head[14] = i;
    head[15] = count;
    out.push(concatBytes(head, record.subarray(i * room, (i + 1) * room)));
  }
  return out;
}

/** A record put back together from its chunks. */
export interface ReassembledRecord {
  readonly kind: number;
  /** Hex of the 8-byte record id. */
  readonly id: string;
  readonly bytes: Uint8Array;
}

/**
 * Complete records, one reason per rejected message or record (a rejected record is left out whole), and one note
 * per message of another chunk format version (not read by this reader, not a problem).
 */
export interface Reassembly {
  readonly records: readonly ReassembledRecord[];
  readonly problems: readonly string[];
  readonly skipped: readonly string[];
}

interface Group {
  readonly kind: number;
  readonly id: string;
  readonly count: number;
  readonly chunks: Map<number, Uint8Array>;
  broken: string | undefined;
}

/** Reassembles every record from `messages` in any order; messages without the magic are ignored. */
export function reassembleRecords(messages: readonly Uint8Array[]): Reassembly {
  const groups = new Map<string, Group>();
  const problems: string[] = [];
  const skipped: string[] = [];
  messages.forEach((m, n) => {
    if (!(m instanceof Uint8Array) || !hasRecordMagic(m)) return;
    // Another chunk format version is for its own reader: skipped, whatever follows its version byte.
    if (m.length > RECORD_MAGIC.length && m[4] !== CHUNK_FORMAT_VERSION) {
      skipped.push(`message ${n}: chunk format version ${m[4]}, not read by this version-1 reader`);
      return;
    }
    if (m.length <= CHUNK_HEADER_LENGTH) {
      problems.push(`message ${n}: chunk of ${m.length} bytes is shorter than its header plus one byte`);
      return;
    }
    if (m.length > MAX_MESSAGE_SIZE) {
      problems.push(`message ${n}: ${m.length} bytes, longer than any chunk (${MAX_MESSAGE_SIZE})`);
      return;
    }
    const kind = m[5] ?? 0;
    const id = toHex(m.subarray(6, 14));
    const index = m[14] ?? 0;
    const count = m[15] ?? 0;
    if (count === 0 || index >= count) {
      problems.push(`message ${n}: chunk index ${index} is not below chunk count ${count}`);
      return;
    }
    const key = `${kind}:${id}`;
    let g = groups.get(key);
    if (g === undefined) {
      g = { kind, id, count, chunks: new Map(), broken: undefined };
      groups.set(key, g);
    }
    if (g.count !== count) g.broken ??= `chunk counts disagree (${g.count} and ${count})`;
    const body = m.subarray(CHUNK_HEADER_LENGTH);
    const seen = g.chunks.get(index);
    if (seen === undefined) g.chunks.set(index, body);
    else if (!bytesEqual(seen, body)) g.broken ??= `two different chunks with index ${index}`;
  });
  const records: ReassembledRecord[] = [];
  for (const g of groups.values()) {
    const where = `record ${g.id} (kind 0x${g.kind.toString(16)})`;
    if (g.broken !== undefined) {
      problems.push(`${where}: ${g.broken}`);
      continue;
    }
    const parts: Uint8Array[] = [];
    for (let i = 0; i < g.count; i++) {
      const part = g.chunks.get(i);
      if (part === undefined) break;
      parts.push(part);
    }
    if (parts.length !== g.count) {
      problems.push(`${where}: ${g.chunks.size} of ${g.count} chunks present`);
      continue;
    }
    const bytes = concatBytes(...parts);
    if (toHex(recordId(bytes)) !== g.id) {
      problems.push(`${where}: record id does not match SHA3-256 of the reassembled bytes`);
      continue;
    }
    if (bytes.length < RECORD_PREFIX_LENGTH || !hasRecordMagic(bytes) || bytes[4] !== g.kind) {
      problems.push(`${where}: reassembled bytes do not open with the magic and the chunks' kind`);
      continue;
    }
    records.push({ kind: g.kind, id: g.id, bytes });
  }
  return { records, problems, skipped };
}
