// Ed25519 edge cases for tests and vectors (docs/proof-format.md §7.2): the small-order points, non-canonical
// encodings, and the signatures laxer rules accept under them, made with @noble/curves point arithmetic.
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToNumberLE, numberToBytesLE } from '@noble/curves/utils.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { ED25519_ORDER } from '../../src/proof/crypto/ed25519-rule.ts';
import { concatBytes, fromHex } from '../../src/proof/encoding/bytes.ts';

export const Point = ed25519.Point;
export const L = ED25519_ORDER;
export const hex = (s: string): Uint8Array => {
  const b = fromHex(s);
  if (b === undefined) throw new Error(`not hex: ${s}`);
  return b;
};
export const scalar = (bytes: Uint8Array): bigint => bytesToNumberLE(bytes) % L;
export const challenge = (R: Uint8Array, A: Uint8Array, m: Uint8Array): bigint =>
  scalar(sha512(concatBytes(R, A, m)));
export const le32 = (n: bigint): Uint8Array => numberToBytesLE(n, 32);

/** The eight points of small order, canonically encoded (order 1, 2, 4, 4, 8, 8, 8, 8). */
export const SMALL_ORDER_KEYS = [
  '0100000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0000000000000000000000000000000000000000000000000000000000000080',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
] as const;

/** Non-canonical encodings of small-order points: y + p for y = 0 and 1, and x = 0 with the sign bit set. */
export const NON_CANONICAL_KEYS = [
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // y = p ≡ 0
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // y = p + 1 ≡ 1: the identity
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff', // the same with the sign bit
  '0100000000000000000000000000000000000000000000000000000000000080', // identity, "negative zero" x
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff', // order 2, "negative zero" x
] as const;

/** An honest key: its secret scalar and public point. */
export function keyOf(seed: number): { a: bigint; A: Uint8Array } {
  const a = (BigInt(seed) * 0x1234567890abcdefn + 7n) % L;
  return { a, A: Point.BASE.multiply(a).toBytes() };
}

/** Signs `m` honestly under scalar `a` with public bytes `A` and nonce `r` (the RFC 8032 equations). */
export function signWith(a: bigint, A: Uint8Array, m: Uint8Array, r: bigint): Uint8Array {
  const R = Point.BASE.multiply(r).toBytes();
  return concatBytes(R, le32((r + challenge(R, A, m) * a) % L));
}

/** A signature any message has under a small-order key for the cofactored equation: R = [s]B. */
export function forgeForSmallOrder(s: bigint): Uint8Array {
  return concatBytes(Point.BASE.multiply(s).toBytes(), le32(s));
}
