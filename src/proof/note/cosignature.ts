// C2SP checkpoint cosignatures (c2sp.org/tlog-cosignature): signed messages, timestamped signatures, key IDs. Pure.
//
// A cosignature is a note signature line on a checkpoint whose bytes after the key ID are a timestamped_signature:
// u64 big-endian POSIX seconds (at most 2^63-1) || signature. What is signed depends on the algorithm:
//   Ed25519 (type 0x04):   "cosignature/v1\ntime <ts>\n" || the whole checkpoint note text (extension lines too).
//   ML-DSA-44 (type 0x06): the cosigned_message struct — "subtree/v1\n\0" (12 bytes), cosigner_name<1..255>,
//                          u64 timestamp, log_origin<1..255>, u64 start = 0, u64 end = tree size, 32-byte root —
//                          signed with pure ML-DSA (FIPS 204) and an EMPTY context string. Extension lines are not
//                          signed.
// THIS PROJECT'S EXTENSION (not C2SP's): keys of the other algorithms of the registry (src/proof/crypto/algorithms.ts:
// ML-DSA-65, ML-DSA-87, SLH-DSA-SHA2-128s/f and the hybrids) cosign with signature type
// 0xff || "spark/" || <registry name> || 0x0A (see verifier-key.ts) and exactly ML-DSA-44's layout: the same
// cosigned_message and timestamped_signature, signed with an EMPTY FIPS 204/205 context (a hybrid: its registry
// construction, docs/proof-format.md §7.1, with an empty context). ML-DSA-44 always uses C2SP's 0x06.
// The signature check itself is injected (SignatureCheck), so this module does no cryptography but hashing.
import { concatBytes, utf8 } from '../encoding/bytes.ts';
import { type CheckpointText, formatCheckpointText, parseCheckpointText } from './checkpoint-text.ts';
import { checkKeyName, type NoteSignature, noteKeyId } from './signed-note.ts';
import {
  formatVerifierKey,
  isSparkCosignatureAlgorithm,
  SIGNATURE_TYPE_COSIGNATURE_ED25519,
  SIGNATURE_TYPE_COSIGNATURE_ML_DSA_44,
  SPARK_COSIGNATURE_ALGORITHMS,
  type SparkCosignatureAlgorithm,
  signatureTypeInfo,
  sparkSignatureType,
  type VerifierKey,
} from './verifier-key.ts';

/** The algorithms a cosigner may use: C2SP's two and this project's extension. */
export type CosignatureAlgorithm = 'Ed25519' | 'ML-DSA-44' | SparkCosignatureAlgorithm;

/** Every cosignature algorithm. */
export const COSIGNATURE_ALGORITHMS: readonly CosignatureAlgorithm[] = [
  'Ed25519',
  'ML-DSA-44',
  ...SPARK_COSIGNATURE_ALGORITHMS,
];

/** A cosigner (a witness, or a log signing its own checkpoints): its key name, algorithm and raw public key. */
export interface Cosigner {
  readonly name: string;
  readonly algorithm: CosignatureAlgorithm;
  readonly publicKey: Uint8Array;
}

/** What cosignedMessage needs: the checkpoint both as text and parsed (they must agree). */
export interface CosignedMessageInput {
  readonly cosignerName: string;
  readonly timestamp: bigint;
  readonly checkpoint: CheckpointText;
  readonly checkpointText: string;
}

/**
 * Checks one signature: true when `signature` is valid for `message` under `publicKey`. ML-DSA-44 and the
 * registry algorithms with an EMPTY context. Must return false (not throw) on malformed input; a throw counts
 * as false.
 */
export type SignatureCheck = (
  algorithm: CosignatureAlgorithm,
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
) => boolean;

/** The verdict on one cosignature. */
export type CosignatureVerdict = { ok: true; timestamp: bigint } | { ok: false; reason: string };

/** Largest timestamp a cosignature may carry (2^63 - 1). */
export const MAX_COSIGNATURE_TIMESTAMP = 2n ** 63n - 1n;

/** First line of the Ed25519 signed message. */
export const ED25519_COSIGNATURE_HEADER = 'cosignature/v1\n';

/** The 12-byte label opening cosigned_message: "subtree/v1\n" and a zero byte. */
export const COSIGNED_MESSAGE_LABEL: Uint8Array = concatBytes(utf8('subtree/v1\n'), Uint8Array.of(0));

/** Largest cosigner name and log origin in cosigned_message (one-byte length prefix). */
export const MAX_COSIGNED_NAME_BYTES = 255;

/** True when `name` is a CosignatureAlgorithm (exact spelling). */
export function isCosignatureAlgorithm(name: string): name is CosignatureAlgorithm {
  return name === 'Ed25519' || name === 'ML-DSA-44' || isSparkCosignatureAlgorithm(name);
}

/** Throws RangeError unless `algorithm` is a CosignatureAlgorithm. */
function needAlgorithm(algorithm: CosignatureAlgorithm): void {
  if (typeof algorithm !== 'string' || !isCosignatureAlgorithm(algorithm)) {
    throw new RangeError(`unknown cosignature algorithm ${String(algorithm)}`);
  }
}

/** The signature type bytes: 0x04, 0x06, or 0xff "spark/<name>" 0x0A. */
export function cosignatureType(algorithm: CosignatureAlgorithm): Uint8Array {
  needAlgorithm(algorithm);
  if (algorithm === 'Ed25519') return Uint8Array.of(SIGNATURE_TYPE_COSIGNATURE_ED25519);
  if (algorithm === 'ML-DSA-44') return Uint8Array.of(SIGNATURE_TYPE_COSIGNATURE_ML_DSA_44);
  return sparkSignatureType(algorithm);
}

/** Public key and signature lengths of a cosignature algorithm. */
export function cosignatureLengths(algorithm: CosignatureAlgorithm): {
  publicKeyLength: number;
  signatureLength: number;
} {
  const info = signatureTypeInfo(cosignatureType(algorithm));
  if (info === undefined) throw new RangeError(`no signature type for ${algorithm}`);
  return { publicKeyLength: info.publicKeyLength, signatureLength: info.signatureLength };
}

/** Throws RangeError unless `timestamp` is a bigint in 0..2^63-1. */
function needTimestamp(timestamp: bigint): void {
  if (typeof timestamp !== 'bigint' || timestamp < 0n || timestamp > MAX_COSIGNATURE_TIMESTAMP) {
    throw new RangeError('timestamp must be a bigint in 0..2^63-1');
  }
}

/** u64 big-endian. */
function u64(n: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, n);
  return out;
}

/** A length-prefixed opaque<1..255>, or the reason it does not fit. */
function opaque8(text: string, what: string): Uint8Array | string {
  const bytes = utf8(text);
  if (bytes.length < 1 || bytes.length > MAX_COSIGNED_NAME_BYTES) {
    return `${what} must be 1..${MAX_COSIGNED_NAME_BYTES} bytes of UTF-8, got ${bytes.length}`;
  }
  return concatBytes(Uint8Array.of(bytes.length), bytes);
}

/** The signed bytes, or the reason they cannot be built (a name or origin too long for cosigned_message). */
function buildMessage(
  algorithm: CosignatureAlgorithm,
  cosignerName: string,
  timestamp: bigint,
  checkpoint: CheckpointText,
  checkpointText: string,
): Uint8Array | string {
  if (algorithm === 'Ed25519') {
    return utf8(`${ED25519_COSIGNATURE_HEADER}time ${timestamp}\n${checkpointText}`);
  }
  const name = opaque8(cosignerName, 'cosigner name');
  if (typeof name === 'string') return name;
  const origin = opaque8(checkpoint.origin, 'log origin');
  if (typeof origin === 'string') return origin;
  // A checkpoint is the subtree [0, size): start is 0 and end is the tree size.
  return concatBytes(
    COSIGNED_MESSAGE_LABEL,
    name,
    u64(timestamp),
    origin,
    u64(0n),
    u64(checkpoint.size),
    checkpoint.root,
  );
}

/**
 * The exact bytes a cosigner of `algorithm` signs. Throws RangeError on programmer errors: a timestamp out of
 * range, `checkpoint` and `checkpointText` that disagree, or (ML-DSA and extension types) a cosigner name or origin
 * outside 1..255 bytes.
 */
export function cosignedMessage(algorithm: CosignatureAlgorithm, input: CosignedMessageInput): Uint8Array {
  needAlgorithm(algorithm);
  needTimestamp(input.timestamp);
  if (formatCheckpointText(input.checkpoint) !== input.checkpointText) {
    throw new RangeError('checkpoint and checkpointText disagree');
  }
  const message = buildMessage(
    algorithm,
    input.cosignerName,
    input.timestamp,
    input.checkpoint,
    input.checkpointText,
  );
  if (typeof message === 'string') throw new RangeError(message);
  return message;
}

/** timestamped_signature: u64 big-endian timestamp || signature. Throws RangeError for a timestamp out of range. */
export function encodeTimestampedSignature(timestamp: bigint, signature: Uint8Array): Uint8Array {
  needTimestamp(timestamp);
  if (!(signature instanceof Uint8Array)) throw new RangeError('signature must be a Uint8Array');
  return concatBytes(u64(timestamp), signature);
}

/**
 * Splits a timestamped_signature whose signature is `signatureLength` bytes, or returns why it is refused (not
 * exactly 8 + signatureLength bytes, or a timestamp above 2^63-1).
 */
export function decodeTimestampedSignature(
  bytes: Uint8Array,
  signatureLength: number,
): { timestamp: bigint; signature: Uint8Array } | string {
  if (!(bytes instanceof Uint8Array)) throw new RangeError('timestamped signature must be a Uint8Array');
  if (!Number.isInteger(signatureLength) || signatureLength < 1) {
    throw new RangeError('signatureLength must be a positive integer');
  }
  if (bytes.length !== 8 + signatureLength) {
    return `timestamped signature must be ${8 + signatureLength} bytes, got ${bytes.length}`;
  }
  const timestamp = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0);
  if (timestamp > MAX_COSIGNATURE_TIMESTAMP) return 'cosignature timestamp above 2^63-1';
  return { timestamp, signature: bytes.slice(8) };
}

/** Throws RangeError unless `c` is a usable cosigner. */
function needCosigner(c: Cosigner): void {
  needAlgorithm(c.algorithm);
  const bad = checkKeyName(c.name);
  if (bad !== undefined) throw new RangeError(`cosigner name: ${bad}`);
  const { publicKeyLength } = cosignatureLengths(c.algorithm);
  if (!(c.publicKey instanceof Uint8Array) || c.publicKey.length !== publicKeyLength) {
    throw new RangeError(`${c.algorithm} public key must be ${publicKeyLength} bytes`);
  }
  if (c.algorithm !== 'Ed25519' && utf8(c.name).length > MAX_COSIGNED_NAME_BYTES) {
    throw new RangeError(`cosigner name must be at most ${MAX_COSIGNED_NAME_BYTES} bytes`);
  }
}

/** The cosigner's key ID: SHA-256(name || 0x0A || type || public key)[:4]. Throws RangeError for a bad cosigner. */
export function cosignerKeyId(c: Cosigner): number {
  needCosigner(c);
  return noteKeyId(c.name, cosignatureType(c.algorithm), c.publicKey);
}

/** The cosigner's vkey. Throws RangeError for a bad cosigner. */
export function cosignerVerifierKey(c: Cosigner): string {
  needCosigner(c);
  return formatVerifierKey(c.name, cosignatureType(c.algorithm), c.publicKey);
}

/**
 * The cosigner a parsed vkey names, or why it is not one: a plain note key (type 0x01), or an ML-DSA-44 or
 * extension key whose name is longer than 255 bytes.
 */
export function cosignerFromVerifierKey(vkey: VerifierKey): Cosigner | string {
  const info = signatureTypeInfo(vkey.signatureType);
  if (info === undefined) return 'unknown signature type';
  if (info.use !== 'cosignature') return 'not a cosigner key: type 0x01 signs note text, not cosignatures';
  if (vkey.publicKey.length !== info.publicKeyLength) {
    return `${info.algorithm} public key must be ${info.publicKeyLength} bytes`;
  }
  const bad = checkKeyName(vkey.name);
  if (bad !== undefined) return bad;
  if (info.algorithm !== 'Ed25519' && utf8(vkey.name).length > MAX_COSIGNED_NAME_BYTES) {
    return `cosigner name longer than ${MAX_COSIGNED_NAME_BYTES} bytes`;
  }
  return { name: vkey.name, algorithm: info.algorithm, publicKey: Uint8Array.from(vkey.publicKey) };
}

/**
 * Verifies that `sig` is `cosigner`'s cosignature on the checkpoint note text `checkpointText`. Refuses (with a
 * reason, never a throw) a signature of another key name or key ID, a checkpoint text that does not parse, a
 * timestamped signature of the wrong length or with a timestamp above 2^63-1, an origin too long for
 * cosigned_message, and a signature `check` rejects. Throws RangeError only for a bad `cosigner`.
 */
export function verifyCosignature(
  cosigner: Cosigner,
  checkpointText: string,
  sig: NoteSignature,
  check: SignatureCheck,
): CosignatureVerdict {
  const keyId = cosignerKeyId(cosigner);
  if (sig.name !== cosigner.name) return { ok: false, reason: `signed by ${sig.name}, not ${cosigner.name}` };
  if (sig.keyId !== keyId) return { ok: false, reason: "key ID is not this cosigner's" };
  const checkpoint = parseCheckpointText(checkpointText);
  if (typeof checkpoint === 'string') return { ok: false, reason: `checkpoint: ${checkpoint}` };
  const decoded = decodeTimestampedSignature(
    sig.signature,
    cosignatureLengths(cosigner.algorithm).signatureLength,
  );
  if (typeof decoded === 'string') return { ok: false, reason: decoded };
  const message = buildMessage(
    cosigner.algorithm,
    cosigner.name,
    decoded.timestamp,
    checkpoint,
    checkpointText,
  );
  if (typeof message === 'string') return { ok: false, reason: message };
  let valid = false;
  try {
    valid = check(cosigner.algorithm, cosigner.publicKey, message, decoded.signature) === true;
  } catch {
    valid = false;
  }
  return valid
    ? { ok: true, timestamp: decoded.timestamp }
    : { ok: false, reason: 'signature does not verify' };
}

/**
 * Cosigns the checkpoint note text at `timestamp` with `sign` (which must sign `message` as the algorithm says:
 * ML-DSA and the extension with an EMPTY context) and returns the note signature to append. Throws RangeError for
 * a bad cosigner, timestamp or checkpoint text, and Error when `sign` returns a signature of the wrong length.
 */
export async function signCosignatureLine(
  cosigner: Cosigner,
  checkpointText: string,
  timestamp: bigint,
  sign: (message: Uint8Array) => Promise<Uint8Array>,
): Promise<NoteSignature> {
  const keyId = cosignerKeyId(cosigner);
  needTimestamp(timestamp);
  const checkpoint = parseCheckpointText(checkpointText);
  if (typeof checkpoint === 'string') throw new RangeError(`checkpoint: ${checkpoint}`);
  const message = cosignedMessage(cosigner.algorithm, {
    cosignerName: cosigner.name,
    timestamp,
    checkpoint,
    checkpointText,
  });
  const signature = await sign(message);
  const { signatureLength } = cosignatureLengths(cosigner.algorithm);
  if (!(signature instanceof Uint8Array) || signature.length !== signatureLength) {
    throw new Error(`${cosigner.algorithm} signer returned a signature of the wrong length`);
  }
  return { name: cosigner.name, keyId, signature: encodeTimestampedSignature(timestamp, signature) };
}
