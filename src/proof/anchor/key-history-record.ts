// Key history on Symbol: the account-metadata value and the public-key record carried in transfers (docs/anchoring.md, docs/keys.md; docs/anchoring.md §Key history).
import { encodeKeyStatement, PROTECTION_CODES } from '../bundle/key-statement.ts';
import { algorithmById } from '../crypto/algorithms.ts';
import { KEY_ENDORSEMENT_CONTEXT, KEY_STATEMENT_CONTEXT } from '../crypto/contexts.ts';
import { portableSha256, type Sha256 } from '../crypto/sha256.ts';
import type { SignatureVerifier } from '../crypto/signature-verifier.ts';
import { type Decoded, decodeWith, needs } from '../encoding/byte-reader.ts';
import { bytesEqual, concatBytes, toHex } from '../encoding/bytes.ts';
import { AnchorError } from './anchor-error.ts';
import { RECORD_KIND_PUBLIC_KEY, RECORD_MAGIC, type ReassembledRecord, recordId } from './record-chunks.ts';

/** Kind byte of the metadata value ("M"); it is never chunked (a value holds ≤ 1024 bytes). */
export const KEY_METADATA_KIND = 0x4d;
/** Version of both key-history layouts. */
export const KEY_HISTORY_VERSION = 1;
/** Length of a version-1 metadata value. */
export const KEY_METADATA_LENGTH = 97;
/** Bound on a public key or a signature inside a public-key record. */
export const MAX_KEY_PART_LENGTH = 65_536;
const ID = 32;
const ZERO_ID = new Uint8Array(ID);
const U64_MAX = (1n << 64n) - 1n;

/** The metadata value: one key's identity and validity window. */
export interface KeyMetadataFields {
  readonly algorithmId: number;
  /** SHA-256 of the public key. */
  readonly keyId: Uint8Array;
  readonly validFromMs: bigint;
  /** 0 while the key is current. */
  readonly validUntilMs: bigint;
  /** 32 bytes, or empty for a log's first key (written as zeros). */
  readonly previousKeyId: Uint8Array;
  /** "memory", "file", "hsm" or "remote". */
  readonly protection: string;
  /** Record id (hex, 16 digits) of the public-key record carrying the key in the same aggregate. */
  readonly publicKeyRecordId: string;
}

/** The public-key record: the key and its signatures, chunked into transfer messages. */
export interface PublicKeyRecordFields {
  readonly algorithmId: number;
  readonly publicKey: Uint8Array;
  /** The key's signature over its key statement (may be empty). */
  readonly selfSignature: Uint8Array;
  /** The previous key's signature over this key's statement (empty for a first key). */
  readonly endorsement: Uint8Array;
}

/**
 * The account-metadata scoped key of a key's entry: the first 8 bytes of the key id read as a big-endian
 * u64, so REST's 16-hex `scopedMetadataKey` equals the first 16 hex digits of the key id.
 */
export function metadataScopedKey(keyId: Uint8Array): bigint {
  if (keyId.length !== ID)
    throw new AnchorError('INVALID_ARGUMENT', 'keyId must be 32 bytes', { field: 'keyId' });
  return new DataView(keyId.buffer, keyId.byteOffset, 8).getBigUint64(0);
}

function protectionName(code: number): string | undefined {
  return Object.keys(PROTECTION_CODES).find((k) => PROTECTION_CODES[k] === code);
}

function malformed(field: string, message: string): AnchorError {
  return new AnchorError('MALFORMED', `${field}: ${message}`, { field });
}

/** Encodes the metadata value (97 bytes); throws AnchorError naming the bad field. */
export function encodeKeyMetadata(f: KeyMetadataFields): Uint8Array {
  if (!Number.isInteger(f.algorithmId) || f.algorithmId < 0 || f.algorithmId > 0xffff) {
    throw malformed('algorithmId', 'not a u16');
  }
  if (f.keyId.length !== ID) throw malformed('keyId', 'must be 32 bytes');
  if (f.previousKeyId.length !== 0 && f.previousKeyId.length !== ID) {
    throw malformed('previousKeyId', 'must be empty or 32 bytes');
  }
  for (const [name, v] of [
    ['validFromMs', f.validFromMs],
    ['validUntilMs', f.validUntilMs],
  ] as const) {
    if (v < 0n || v > U64_MAX) throw malformed(name, 'must fit in a u64');
  }
  const protection = Object.hasOwn(PROTECTION_CODES, f.protection)
    ? PROTECTION_CODES[f.protection]
    : undefined;
  if (protection === undefined) throw malformed('protection', `unknown protection "${f.protection}"`);
  if (!/^[0-9a-f]{16}$/.test(f.publicKeyRecordId))
    throw malformed('publicKeyRecordId', 'must be 16 hex digits');
  const out = new Uint8Array(KEY_METADATA_LENGTH);
  const view = new DataView(out.buffer);
  out.set(RECORD_MAGIC, 0);
  out[4] = KEY_METADATA_KIND;
  out[5] = KEY_HISTORY_VERSION;
  view.setUint16(6, f.algorithmId);
  out.set(f.keyId, 8);
  view.setBigUint64(40, f.validFromMs);
  view.setBigUint64(48, f.validUntilMs);
  out.set(f.previousKeyId.length === 0 ? ZERO_ID : f.previousKeyId, 56);
  out[88] = protection;
  for (let i = 0; i < 8; i++) out[89 + i] = Number.parseInt(f.publicKeyRecordId.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Decodes a metadata value, or the reason it is not one. Never throws. */
export function decodeKeyMetadata(bytes: Uint8Array): Decoded<KeyMetadataFields> {
  return decodeWith(bytes, 'key metadata', (r) => {
    needs(
      bytes.length === KEY_METADATA_LENGTH,
      `key metadata: must be ${KEY_METADATA_LENGTH} bytes, got ${bytes.length}`,
    );
    needs(bytesEqual(r.take(4, 'magic'), RECORD_MAGIC), 'magic: not a key-history value');
    needs(r.u8('kind') === KEY_METADATA_KIND, 'kind: not a key-history metadata value');
    const version = r.u8('version');
    needs(version === KEY_HISTORY_VERSION, `version: unsupported key-history version ${version}`);
    const algorithmId = r.u16be('algorithmId');
    const keyId = r.take(ID, 'keyId');
    const validFromMs = r.u64be('validFromMs');
    const validUntilMs = r.u64be('validUntilMs');
    const prev = r.take(ID, 'previousKeyId');
    const code = r.u8('protection');
    const protection = protectionName(code);
    needs(protection !== undefined, `protection: unknown code ${code}`);
    const publicKeyRecordId = toHex(r.take(8, 'publicKeyRecordId'));
    r.end('key metadata');
    needs(validUntilMs === 0n || validUntilMs > validFromMs, 'validUntilMs: must be 0 or after validFromMs');
    return {
      algorithmId,
      keyId,
      validFromMs,
      validUntilMs,
      previousKeyId: bytesEqual(prev, ZERO_ID) ? new Uint8Array(0) : prev,
      protection,
      publicKeyRecordId,
    };
  });
}

function u32(v: number): Uint8Array {
  return Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
}

/** Encodes the public-key record (to be chunked with `chunkRecord`); throws AnchorError naming the bad field. */
export function encodePublicKeyRecord(f: PublicKeyRecordFields): Uint8Array {
  if (!Number.isInteger(f.algorithmId) || f.algorithmId < 0 || f.algorithmId > 0xffff) {
    throw malformed('algorithmId', 'not a u16');
  }
  const known = algorithmById(f.algorithmId);
  if (known !== undefined && f.publicKey.length !== known.publicKeyLength) {
    throw malformed('publicKey', `${known.name} public keys are ${known.publicKeyLength} bytes`);
  }
  for (const [name, v, min] of [
    ['publicKey', f.publicKey, 1],
    ['selfSignature', f.selfSignature, 0],
    ['endorsement', f.endorsement, 0],
  ] as const) {
    if (v.length < min || v.length > MAX_KEY_PART_LENGTH)
      throw malformed(name, `length ${v.length} out of bounds`);
  }
  return concatBytes(
    RECORD_MAGIC,
    Uint8Array.of(RECORD_KIND_PUBLIC_KEY, KEY_HISTORY_VERSION, f.algorithmId >>> 8, f.algorithmId & 0xff),
    u32(f.publicKey.length),
    f.publicKey,
    u32(f.selfSignature.length),
    f.selfSignature,
    u32(f.endorsement.length),
    f.endorsement,
  );
}

/** Decodes a public-key record, or the reason it is not one. Never throws. */
export function decodePublicKeyRecord(bytes: Uint8Array): Decoded<PublicKeyRecordFields> {
  return decodeWith(bytes, 'public-key record', (r) => {
    needs(bytesEqual(r.take(4, 'magic'), RECORD_MAGIC), 'magic: not a public-key record');
    needs(r.u8('kind') === RECORD_KIND_PUBLIC_KEY, 'kind: not a public-key record');
    const version = r.u8('version');
    needs(version === KEY_HISTORY_VERSION, `version: unsupported key-history version ${version}`);
    const algorithmId = r.u16be('algorithmId');
    const part = (name: string, min: number): Uint8Array => {
      const n = r.u32be(`${name} length`);
      needs(n >= min && n <= MAX_KEY_PART_LENGTH, `${name}: length ${n} out of bounds`);
      return r.take(n, name);
    };
    const publicKey = part('publicKey', 1);
    const selfSignature = part('selfSignature', 0);
    const endorsement = part('endorsement', 0);
    r.end('public-key record');
    const known = algorithmById(algorithmId);
    needs(
      known === undefined || publicKey.length === known.publicKeyLength,
      `publicKey: ${known?.name} public keys are ${known?.publicKeyLength} bytes, got ${publicKey.length}`,
    );
    return { algorithmId, publicKey, selfSignature, endorsement };
  });
}

/** A key-history entry rebuilt from chain data. */
export interface KeyHistoryEntryOnChain extends KeyMetadataFields {
  readonly publicKey: Uint8Array;
  readonly selfSignature: Uint8Array;
  readonly endorsement: Uint8Array;
}

/** Options for `reconstructKeyHistoryEntry`. */
export interface ReconstructOptions {
  readonly sha256?: Sha256;
  /** When given, the self-signature is required and checked; an endorsement needs `previousPublicKey`. */
  readonly verifier?: SignatureVerifier;
  /** The previous key (its algorithm may differ after a migration), to check the endorsement. */
  readonly previous?: { readonly algorithmId: number; readonly publicKey: Uint8Array };
}

/**
 * Rebuilds one entry from a metadata value and the records reassembled from the same aggregate: finds the
 * public-key record named by the value, and checks algorithm ids agree and key id = SHA-256(public key).
 */
export function reconstructKeyHistoryEntry(
  metadataValue: Uint8Array,
  records: readonly ReassembledRecord[],
  options: ReconstructOptions = {},
): Decoded<KeyHistoryEntryOnChain> {
  const meta = decodeKeyMetadata(metadataValue);
  if (!meta.ok) return meta;
  const m = meta.value;
  const rec = records.find((r) => r.kind === RECORD_KIND_PUBLIC_KEY && r.id === m.publicKeyRecordId);
  if (rec === undefined)
    return { ok: false, reason: `publicKeyRecordId: record ${m.publicKeyRecordId} not found` };
  if (toHex(recordId(rec.bytes)) !== m.publicKeyRecordId) {
    return { ok: false, reason: 'publicKeyRecordId: record bytes do not hash to the id' };
  }
  const pk = decodePublicKeyRecord(rec.bytes);
  if (!pk.ok) return pk;
  const k = pk.value;
  if (k.algorithmId !== m.algorithmId)
    return { ok: false, reason: 'algorithmId: metadata and public-key record differ' };
  const sha256 = options.sha256 ?? portableSha256;
  if (!bytesEqual(sha256(k.publicKey), m.keyId))
    return { ok: false, reason: 'keyId: is not SHA-256(public key)' };
  if (options.verifier !== undefined) {
    const statement = encodeKeyStatement({
      algorithmId: m.algorithmId,
      keyId: m.keyId,
      validFromMs: m.validFromMs,
      previousKeyId: m.previousKeyId,
      protection: m.protection,
    });
    const v = options.verifier;
    if (!v.verify(m.algorithmId, k.publicKey, statement, k.selfSignature, KEY_STATEMENT_CONTEXT)) {
      return { ok: false, reason: 'selfSignature: does not verify over the key statement' };
    }
    if (m.previousKeyId.length !== 0) {
      const prev = options.previous;
      if (prev === undefined) return { ok: false, reason: 'endorsement: previous key not given' };
      if (!bytesEqual(sha256(prev.publicKey), m.previousKeyId)) {
        return { ok: false, reason: 'endorsement: previous public key does not match previousKeyId' };
      }
      if (!v.verify(prev.algorithmId, prev.publicKey, statement, k.endorsement, KEY_ENDORSEMENT_CONTEXT)) {
        return { ok: false, reason: 'endorsement: does not verify under the previous key' };
      }
    }
  }
  return { ok: true, value: { ...m, ...k } };
}
