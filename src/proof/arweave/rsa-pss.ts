// RSASSA-PSS verification with SHA-256 and MGF1-SHA-256, public exponent 65537 (RFC 8017 §8.1.2, §9.1.2), the
// signature Arweave transactions carry (docs/proof-format.md §9.6). The salt length is
// read from the encoding (Arweave wallets sign with the longest salt, others with 32 bytes). Public data only: no
// secret passes through this code, so plain BigInt arithmetic is fine (pure).
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesEqual, concatBytes } from '../encoding/bytes.ts';

const HASH_LENGTH = 32;
const E = 65537n;

function toBigInt(bytes: Uint8Array): bigint {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}

/** `n` as exactly `length` big-endian bytes, or undefined when it does not fit. */
function toBytes(n: bigint, length: number): Uint8Array | undefined {
  const out = new Uint8Array(length);
  let v = n;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return v === 0n ? out : undefined;
}

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if ((e & 1n) === 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
  }
  return result;
}

/** MGF1 with SHA-256 (RFC 8017 §B.2.1). */
function mgf1(seed: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let counter = 0, at = 0; at < length; counter++, at += HASH_LENGTH) {
    const c = Uint8Array.of(counter >>> 24, (counter >>> 16) & 0xff, (counter >>> 8) & 0xff, counter & 0xff);
    out.set(sha256(concatBytes(seed, c)).subarray(0, length - at), at);
  }
  return out;
}

/**
 * Whether `signature` is a valid RSASSA-PSS (SHA-256, MGF1-SHA-256, any salt length) signature of `message` under
 * the public key with modulus `modulus` (big-endian) and exponent 65537. Never throws.
 */
export function verifyRsaPssSha256(modulus: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  const n = toBigInt(modulus);
  if (n < 3n || (n & 1n) === 0n || signature.length !== modulus.length) return false;
  const s = toBigInt(signature);
  if (s >= n) return false;
  const modBits = n.toString(2).length;
  const emBits = modBits - 1;
  const emLength = Math.ceil(emBits / 8);
  const em = toBytes(modPow(s, E, n), emLength);
  if (em === undefined || emLength < HASH_LENGTH + 2 || em[emLength - 1] !== 0xbc) return false;
  const dbLength = emLength - HASH_LENGTH - 1;
  const masked = em.subarray(0, dbLength);
  const h = em.subarray(dbLength, dbLength + HASH_LENGTH);
  const unused = 8 * emLength - emBits;
  const topMask = 0xff >>> unused;
  if (((masked[0] ?? 0) & ~topMask & 0xff) !== 0) return false;
  const db = mgf1(h, dbLength);
  for (let i = 0; i < dbLength; i++) db[i] = (db[i] ?? 0) ^ (masked[i] ?? 0);
  db[0] = (db[0] ?? 0) & topMask;
  // DB = zero padding ‖ 0x01 ‖ salt: the salt length is what follows the first non-zero byte, which must be 0x01.
  let one = 0;
  while (one < dbLength && db[one] === 0) one++;
  if (one === dbLength || db[one] !== 0x01) return false;
  const salt = db.subarray(one + 1);
  const expected = sha256(concatBytes(new Uint8Array(8), sha256(message), salt));
  return bytesEqual(expected, h);
}
