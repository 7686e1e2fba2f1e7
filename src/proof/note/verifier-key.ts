// C2SP verifier keys ("vkeys", c2sp.org/signed-note): <name>+<8 hex key ID>+<base64(type || public key)>. Pure.
//
// Signature types this module knows:
//   0x01  Ed25519 signature of the note text (c2sp.org/signed-note); 32-byte key.
//   0x04  timestamped Ed25519 cosignature (c2sp.org/tlog-cosignature); 32-byte key.
//   0x06  timestamped ML-DSA-44 cosignature (c2sp.org/tlog-cosignature); 1312-byte key.
//   0xff || "spark/" || <registry algorithm name> || 0x0A
//         THIS PROJECT'S EXTENSION, not C2SP's: a timestamped cosignature by a key of another algorithm of the
//         registry (src/proof/crypto/algorithms.ts). 0xff is signed-note's "no assigned byte, followed by a longer
//         identifier"; the identifier names the algorithm exactly as the registry spells it (e.g.
//         "spark/ML-DSA-65", "spark/ML-DSA-65+Ed25519"), ends at the first 0x0A, and is part of the key ID hash.
//         Such a signature is laid out as ML-DSA-44's (timestamped_signature over cosigned_message, EMPTY FIPS 204
//         context; see cosignature.ts). ML-DSA-44 never uses it: ML-DSA-44 is always the C2SP type 0x06.
// Every other type (0x02 ECDSA, 0x05 RFC 6962, other 0xff identifiers, ...) is refused as unknown.
import { algorithmByName } from '../crypto/algorithms.ts';
import { fromBase64 } from '../encoding/base64.ts';
import { bytesEqual, concatBytes, utf8 } from '../encoding/bytes.ts';
import { checkKeyName, encodeBase64, noteKeyId } from './signed-note.ts';

/** A parsed verifier key. */
export interface VerifierKey {
  readonly name: string;
  /** The key ID (u32); parseVerifierKey has checked it against the hash of name, type and key. */
  readonly keyId: number;
  /** The signature type bytes: one byte, or 0xff through the terminating 0x0A. */
  readonly signatureType: Uint8Array;
  readonly publicKey: Uint8Array;
}

/** Signature type 0x01: Ed25519 over the note text. */
export const SIGNATURE_TYPE_ED25519 = 0x01;
/** Signature type 0x04: timestamped Ed25519 cosignature ("cosignature/v1"). */
export const SIGNATURE_TYPE_COSIGNATURE_ED25519 = 0x04;
/** Signature type 0x06: timestamped ML-DSA-44 cosignature ("subtree/v1"). */
export const SIGNATURE_TYPE_COSIGNATURE_ML_DSA_44 = 0x06;
/** Signature type 0xff: followed by a longer identifier; here "spark/<algorithm>\n" (this project's extension). */
export const SIGNATURE_TYPE_EXTENSION = 0xff;

/** Opens the identifier of this project's 0xff signature types. */
export const SPARK_TYPE_PREFIX = 'spark/';

/**
 * Registry algorithms that cosign with this project's 0xff "spark/<name>\n" type (all but ML-DSA-44, which has
 * C2SP's 0x06). A test keeps this list equal to the registry without ML-DSA-44.
 */
export const SPARK_COSIGNATURE_ALGORITHMS = [
  'ML-DSA-65',
  'ML-DSA-87',
  'SLH-DSA-SHA2-128s',
  'SLH-DSA-SHA2-128f',
  'ML-DSA-65+Ed25519',
  'ML-DSA-65+SLH-DSA-SHA2-128s',
] as const;

/** A registry algorithm with a 0xff "spark/<name>\n" cosignature type. */
export type SparkCosignatureAlgorithm = (typeof SPARK_COSIGNATURE_ALGORITHMS)[number];

/** The algorithm behind a known signature type. */
export type NoteKeyAlgorithm = 'Ed25519' | 'ML-DSA-44' | SparkCosignatureAlgorithm;

/** What a known signature type means. */
export interface SignatureTypeInfo {
  /** "note": signs the note text (0x01). "cosignature": a timestamped_signature over a cosignature message. */
  readonly use: 'note' | 'cosignature';
  readonly algorithm: NoteKeyAlgorithm;
  readonly publicKeyLength: number;
  /** Length of the algorithm's signature (for a cosignature: without the 8-byte timestamp). */
  readonly signatureLength: number;
}

/** Longest vkey text accepted (the largest registry key, ML-DSA-87's 2,592 bytes, is 3,500 characters). */
export const MAX_VERIFIER_KEY_LENGTH = 8192;

/** Longest 0xff identifier looked for (through its 0x0A); the longest spark one is 34 bytes. */
const MAX_EXTENSION_IDENTIFIER = 64;

/** True when `name` is one of SPARK_COSIGNATURE_ALGORITHMS (exact spelling). */
export function isSparkCosignatureAlgorithm(name: string): name is SparkCosignatureAlgorithm {
  return (SPARK_COSIGNATURE_ALGORITHMS as readonly string[]).includes(name);
}

/**
 * The signature type bytes 0xff || "spark/" || name || 0x0A of a registry algorithm (this project's extension).
 * Throws RangeError for a name that is not one of SPARK_COSIGNATURE_ALGORITHMS (ML-DSA-44 included: it is 0x06).
 */
export function sparkSignatureType(algorithm: string): Uint8Array {
  if (!isSparkCosignatureAlgorithm(algorithm)) {
    throw new RangeError(`no spark signature type for ${JSON.stringify(algorithm)}`);
  }
  return concatBytes(
    Uint8Array.of(SIGNATURE_TYPE_EXTENSION),
    utf8(SPARK_TYPE_PREFIX + algorithm),
    Uint8Array.of(0x0a),
  );
}

/** Public key and signature lengths of a spark algorithm, from the registry. */
function sparkLengths(algorithm: SparkCosignatureAlgorithm): {
  publicKeyLength: number;
  signatureLength: number;
} {
  const spec = algorithmByName(algorithm);
  if (spec === undefined || spec.name !== algorithm) {
    throw new RangeError(`${algorithm} is not in the algorithm registry`); // the list and the registry disagree
  }
  return { publicKeyLength: spec.publicKeyLength, signatureLength: spec.signatureLength };
}

/** What the signature type `type` means, or undefined when this module does not know it. */
export function signatureTypeInfo(type: Uint8Array): SignatureTypeInfo | undefined {
  if (!(type instanceof Uint8Array) || type.length === 0) return undefined;
  if (type.length === 1) {
    switch (type[0]) {
      case SIGNATURE_TYPE_ED25519:
        return { use: 'note', algorithm: 'Ed25519', publicKeyLength: 32, signatureLength: 64 };
      case SIGNATURE_TYPE_COSIGNATURE_ED25519:
        return { use: 'cosignature', algorithm: 'Ed25519', publicKeyLength: 32, signatureLength: 64 };
      case SIGNATURE_TYPE_COSIGNATURE_ML_DSA_44:
        return { use: 'cosignature', algorithm: 'ML-DSA-44', publicKeyLength: 1312, signatureLength: 2420 };
      default:
        return undefined;
    }
  }
  for (const [algorithm, bytes] of sparkTypes()) {
    if (bytesEqual(type, bytes)) return { use: 'cosignature', algorithm, ...sparkLengths(algorithm) };
  }
  return undefined;
}

let sparkTypeTable: readonly (readonly [SparkCosignatureAlgorithm, Uint8Array])[] | undefined;

/** Every spark algorithm with its type bytes, built once. */
function sparkTypes(): readonly (readonly [SparkCosignatureAlgorithm, Uint8Array])[] {
  sparkTypeTable ??= SPARK_COSIGNATURE_ALGORITHMS.map((a) => [a, sparkSignatureType(a)] as const);
  return sparkTypeTable;
}

/** Hex of a signature type for messages: "0x02", or "0xff" and the identifier's printable ASCII. */
function describeType(type: Uint8Array): string {
  if (type[0] !== SIGNATURE_TYPE_EXTENSION) return `0x${(type[0] ?? 0).toString(16).padStart(2, '0')}`;
  let id = '';
  for (const b of type.subarray(1, -1)) id += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '?';
  return `0xff ${JSON.stringify(id)}`;
}

/** Splits vkey key material into signature type and public key, or says why it cannot. */
function splitKeyMaterial(bytes: Uint8Array): { signatureType: Uint8Array; publicKey: Uint8Array } | string {
  if (bytes.length === 0) return 'verifier key has no key material';
  let typeLength = 1;
  if (bytes[0] === SIGNATURE_TYPE_EXTENSION) {
    const end = bytes.subarray(0, MAX_EXTENSION_IDENTIFIER + 2).indexOf(0x0a);
    if (end < 0) return 'signature type 0xff without a newline-terminated identifier';
    typeLength = end + 1;
  }
  return { signatureType: bytes.slice(0, typeLength), publicKey: bytes.slice(typeLength) };
}

/** Lower-case 8-digit hex of a u32. */
function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

/**
 * The vkey of a key. Throws RangeError when it could not be parsed back: invalid name, unknown signature type,
 * or a public key of the wrong length for the type.
 */
export function formatVerifierKey(name: string, signatureType: Uint8Array, publicKey: Uint8Array): string {
  const bad = checkKeyName(name);
  if (bad !== undefined) throw new RangeError(bad);
  const info = signatureTypeInfo(signatureType);
  if (info === undefined) throw new RangeError('unknown signature type');
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== info.publicKeyLength) {
    throw new RangeError(`${info.algorithm} public key must be ${info.publicKeyLength} bytes`);
  }
  const keyId = noteKeyId(name, signatureType, publicKey);
  return `${name}+${hex8(keyId)}+${encodeBase64(concatBytes(signatureType, publicKey))}`;
}

/**
 * Parses a vkey, or returns why it is refused: not three '+'-separated parts, an invalid key name, a key ID that
 * is not 8 lower-case hex digits or does not match SHA-256(name || 0x0A || type || key), bad base64, an unknown
 * signature type, or a public key of the wrong length for its type.
 */
export function parseVerifierKey(text: string): VerifierKey | string {
  if (typeof text !== 'string') throw new RangeError('verifier key must be a string');
  if (text.length > MAX_VERIFIER_KEY_LENGTH)
    return `verifier key longer than ${MAX_VERIFIER_KEY_LENGTH} characters`;
  // The name has no '+' and the key ID is hex: the first two '+' separate the parts (base64 may hold more).
  const first = text.indexOf('+');
  const second = first < 0 ? -1 : text.indexOf('+', first + 1);
  if (second < 0) return 'malformed verifier key: expected <name>+<key ID>+<key>';
  const name = text.slice(0, first);
  const hex = text.slice(first + 1, second);
  const badName = checkKeyName(name);
  if (badName !== undefined) return `bad key name: ${badName}`;
  if (!/^[0-9a-f]{8}$/.test(hex)) return 'key ID must be 8 lower-case hex digits';
  const material = fromBase64(text.slice(second + 1));
  if (material === undefined) return 'bad base64 in verifier key';
  const parts = splitKeyMaterial(material);
  if (typeof parts === 'string') return parts;
  const { signatureType, publicKey } = parts;
  // The type first: a key of another scheme (0x02 ECDSA hashes its SPKI) is unknown rather than mismatched.
  const info = signatureTypeInfo(signatureType);
  if (info === undefined) return `unknown signature type ${describeType(signatureType)}`;
  if (publicKey.length !== info.publicKeyLength) {
    return `${info.algorithm} public key must be ${info.publicKeyLength} bytes, got ${publicKey.length}`;
  }
  const keyId = Number.parseInt(hex, 16);
  const expected = noteKeyId(name, signatureType, publicKey);
  if (keyId !== expected) return `key ID ${hex} does not match the key (its hash gives ${hex8(expected)})`;
  return { name, keyId, signatureType, publicKey };
}
