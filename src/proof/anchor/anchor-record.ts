// Anchor record v1: one sealed batch's header and signatures as bytes for Symbol transfer messages (docs/anchoring.md §Anchor record).
import { CHECKPOINT_LENGTH, decodeCheckpoint } from '../bundle/checkpoint.ts';
import { decodeHeader, HEADER_LENGTH } from '../bundle/header.ts';
import { algorithmById } from '../crypto/algorithms.ts';
import { type ByteReader, type Decoded, decodeWith, needs } from '../encoding/byte-reader.ts';
import { bytesEqual, concatBytes } from '../encoding/bytes.ts';
import { AnchorError } from './anchor-error.ts';
import {
  CHUNK_HEADER_LENGTH,
  MAX_CHUNKS,
  MAX_MESSAGE_SIZE,
  RECORD_KIND_BATCH,
  RECORD_KIND_CHECKPOINT,
  RECORD_MAGIC,
} from './record-chunks.ts';

export { chunkRecord, reassembleRecords } from './record-chunks.ts';

/** Version of the anchor record layout. */
export const ANCHOR_RECORD_VERSION = 1;
/** At most this many signatures per record (dual PQC plus a classical one leaves room). */
export const MAX_RECORD_SIGNATURES = 8;
/** Bound on one signature (SLH-DSA's largest is 49 856 bytes). */
export const MAX_SIGNATURE_LENGTH = 65_536;
/** A record must fit in the chunk scheme's 255 chunks of full-size messages. */
export const MAX_RECORD_LENGTH = MAX_CHUNKS * (MAX_MESSAGE_SIZE - CHUNK_HEADER_LENGTH);
const KEY_ID_LENGTH = 32;

/** One signature over the batch header, as carried in the record. */
export interface RecordSignature {
  readonly algorithmId: number;
  /** SHA-256 of the signing public key. */
  readonly keyId: Uint8Array;
  readonly signature: Uint8Array;
}

/** What an anchor record carries. */
export interface AnchorRecordFields {
  /** The exact 168 signed header bytes (docs/proof-format.md §4). */
  readonly header: Uint8Array;
  readonly signatures: readonly RecordSignature[];
}

function u16(v: number): Uint8Array {
  return Uint8Array.of(v >>> 8, v & 0xff);
}
function u32(v: number): Uint8Array {
  return Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
}

/** Checks fields shared by encoder and decoder; returns a reason or undefined. */
function problemOf(f: AnchorRecordFields): string | undefined {
  const header = decodeHeader(f.header);
  if (typeof header === 'string') return `header: ${header}`;
  return signaturesProblem(f.signatures, header, "header's");
}

/** Checks a record's signatures: count, lengths, distinct keys, one by the signed bytes' own key. */
function signaturesProblem(
  signatures: readonly RecordSignature[],
  own: { readonly algorithmId: number; readonly keyId: Uint8Array },
  whose: string,
): string | undefined {
  const f = { signatures };
  if (f.signatures.length < 1 || f.signatures.length > MAX_RECORD_SIGNATURES) {
    return `signatures: count ${f.signatures.length} is not in 1..${MAX_RECORD_SIGNATURES}`;
  }
  const seen = new Set<string>();
  for (const [i, s] of f.signatures.entries()) {
    if (!Number.isInteger(s.algorithmId) || s.algorithmId < 0 || s.algorithmId > 0xffff) {
      return `signatures[${i}].algorithmId: not a u16`;
    }
    if (s.keyId.length !== KEY_ID_LENGTH) return `signatures[${i}].keyId: must be ${KEY_ID_LENGTH} bytes`;
    const known = algorithmById(s.algorithmId);
    if (known !== undefined && s.signature.length !== known.signatureLength) {
      return `signatures[${i}].signature: ${known.name} signatures are ${known.signatureLength} bytes, got ${s.signature.length}`;
    }
    if (s.signature.length < 1 || s.signature.length > MAX_SIGNATURE_LENGTH) {
      return `signatures[${i}].signature: length ${s.signature.length} is not in 1..${MAX_SIGNATURE_LENGTH}`;
    }
    const k = Array.from(s.keyId).join(',');
    if (seen.has(k)) return `signatures[${i}].keyId: two signatures by the same key`;
    seen.add(k);
  }
  const byOwnKey = f.signatures.some(
    (s) => s.algorithmId === own.algorithmId && bytesEqual(s.keyId, own.keyId),
  );
  if (!byOwnKey) return `signatures: none is by the ${whose} key id and algorithm id`;
  return undefined;
}

function encodeSignatures(signatures: readonly RecordSignature[]): Uint8Array[] {
  const parts: Uint8Array[] = [Uint8Array.of(signatures.length)];
  for (const s of signatures) parts.push(u16(s.algorithmId), s.keyId, u32(s.signature.length), s.signature);
  return parts;
}

function decodeSignatures(r: ByteReader): RecordSignature[] {
  const count = r.u8('signature count');
  needs(
    count >= 1 && count <= MAX_RECORD_SIGNATURES,
    `signature count: ${count} is not in 1..${MAX_RECORD_SIGNATURES}`,
  );
  const signatures: RecordSignature[] = [];
  for (let i = 0; i < count; i++) {
    const algorithmId = r.u16be(`signatures[${i}].algorithmId`);
    const keyId = r.take(KEY_ID_LENGTH, `signatures[${i}].keyId`);
    const length = r.u32be(`signatures[${i}].length`);
    needs(
      length >= 1 && length <= MAX_SIGNATURE_LENGTH,
      `signatures[${i}].length: ${length} is out of bounds`,
    );
    signatures.push({ algorithmId, keyId, signature: r.take(length, `signatures[${i}].signature`) });
  }
  return signatures;
}

/** Encodes a record; throws AnchorError naming the bad field. */
export function encodeAnchorRecord(fields: AnchorRecordFields): Uint8Array {
  const problem = problemOf(fields);
  if (problem !== undefined)
    throw new AnchorError('MALFORMED', problem, { field: problem.split(':')[0] ?? '' });
  const parts: Uint8Array[] = [
    RECORD_MAGIC,
    Uint8Array.of(RECORD_KIND_BATCH, ANCHOR_RECORD_VERSION),
    u16(fields.header.length),
    fields.header,
    ...encodeSignatures(fields.signatures),
  ];
  const out = concatBytes(...parts);
  if (out.length > MAX_RECORD_LENGTH) {
    throw new AnchorError('RECORD_TOO_LARGE', `record of ${out.length} bytes exceeds ${MAX_RECORD_LENGTH}`, {
      field: 'signatures',
    });
  }
  return out;
}

/** Decodes a record, or gives the reason (naming the field) it is not a valid v1 anchor record. Never throws. */
export function decodeAnchorRecord(bytes: Uint8Array): Decoded<AnchorRecordFields> {
  return decodeWith(bytes, 'anchor record', (r) => {
    needs(
      bytes.length <= MAX_RECORD_LENGTH,
      `anchor record: ${bytes.length} bytes exceeds ${MAX_RECORD_LENGTH}`,
    );
    needs(bytesEqual(r.take(4, 'magic'), RECORD_MAGIC), 'magic: not an anchor record');
    needs(r.u8('kind') === RECORD_KIND_BATCH, 'kind: not a batch anchor record');
    const version = r.u8('version');
    needs(version === ANCHOR_RECORD_VERSION, `version: unsupported anchor record version ${version}`);
    const headerLength = r.u16be('header length');
    needs(headerLength === HEADER_LENGTH, `header length: must be ${HEADER_LENGTH}, got ${headerLength}`);
    const header = r.take(headerLength, 'header');
    const signatures = decodeSignatures(r);
    r.end('anchor record');
    const fields = { header, signatures };
    const problem = problemOf(fields);
    needs(problem === undefined, problem ?? '');
    return fields;
  });
}

/** What a checkpoint record carries: the exact signed checkpoint body and its signatures. */
export interface CheckpointRecordFields {
  /** The exact 152 signed checkpoint body bytes (docs/proof-format.md §Checkpoint). */
  readonly body: Uint8Array;
  readonly signatures: readonly RecordSignature[];
}

function checkpointProblemOf(f: CheckpointRecordFields): string | undefined {
  const body = decodeCheckpoint(f.body);
  if (typeof body === 'string') return `body: ${body}`;
  return signaturesProblem(f.signatures, body, "checkpoint's");
}

/** Encodes a checkpoint record (kind "C"); throws AnchorError naming the bad field. */
export function encodeCheckpointRecord(fields: CheckpointRecordFields): Uint8Array {
  const problem = checkpointProblemOf(fields);
  if (problem !== undefined)
    throw new AnchorError('MALFORMED', problem, { field: problem.split(':')[0] ?? '' });
  const out = concatBytes(
    RECORD_MAGIC,
    Uint8Array.of(RECORD_KIND_CHECKPOINT, ANCHOR_RECORD_VERSION),
    u16(fields.body.length),
    fields.body,
    ...encodeSignatures(fields.signatures),
  );
  if (out.length > MAX_RECORD_LENGTH) {
    throw new AnchorError('RECORD_TOO_LARGE', `record of ${out.length} bytes exceeds ${MAX_RECORD_LENGTH}`, {
      field: 'signatures',
    });
  }
  return out;
}

/** Decodes a checkpoint record, or gives the reason (naming the field) it is not a valid v1 one. Never throws. */
export function decodeCheckpointRecord(bytes: Uint8Array): Decoded<CheckpointRecordFields> {
  return decodeWith(bytes, 'checkpoint record', (r) => {
    needs(
      bytes.length <= MAX_RECORD_LENGTH,
      `checkpoint record: ${bytes.length} bytes exceeds ${MAX_RECORD_LENGTH}`,
    );
    needs(bytesEqual(r.take(4, 'magic'), RECORD_MAGIC), 'magic: not an anchor record');
    needs(r.u8('kind') === RECORD_KIND_CHECKPOINT, 'kind: not a checkpoint record');
    const version = r.u8('version');
    needs(version === ANCHOR_RECORD_VERSION, `version: unsupported checkpoint record version ${version}`);
    const bodyLength = r.u16be('body length');
    needs(bodyLength === CHECKPOINT_LENGTH, `body length: must be ${CHECKPOINT_LENGTH}, got ${bodyLength}`);
    const body = r.take(bodyLength, 'body');
    const signatures = decodeSignatures(r);
    r.end('checkpoint record');
    const fields = { body, signatures };
    const problem = checkpointProblemOf(fields);
    needs(problem === undefined, problem ?? '');
    return fields;
  });
}
