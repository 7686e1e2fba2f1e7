// The one Ed25519 acceptance rule of this protocol (docs/proof-format.md §7.2): RFC 8032 strict decoding, S < L,
// a public key of prime order, an R not of small order, and the cofactorless equation compared byte for byte as
// catapult compares it. Every Ed25519 check (Symbol aggregates and blocks, hybrid components), native or portable,
// runs this code, so a verdict never depends on the runtime's OpenSSL. Pure: runs in browsers.
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToNumberLE } from '@noble/curves/utils.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { bytesEqual, concatBytes, toHex } from '../encoding/bytes.ts';

/** Ed25519 public key and signature lengths (RFC 8032). */
export const ED25519_PUBLIC_KEY_LENGTH = 32;
export const ED25519_SIGNATURE_LENGTH = 64;

const Point = ed25519.Point;
/** The prime order L of the base point: 2^252 + 27742317777372353535851937790883648493. */
export const ED25519_ORDER: bigint = Point.Fn.ORDER;

type EdPoint = ReturnType<typeof Point.fromBytes>;

/** A point decoded as RFC 8032 §5.1.3 says, with y < p and no "negative zero" x; undefined when it is not one. */
function strictPoint(bytes: Uint8Array): EdPoint | undefined {
  try {
    return Point.fromBytes(bytes, false);
  } catch {
    return undefined;
  }
}

/** Public keys already judged (a log or an account uses a handful): the subgroup check costs one scalar multiplication. */
const KEY_VERDICTS_MAX = 256;
const keyVerdicts = new Map<string, EdPoint | null>();

/**
 * The public key as a point when the rule accepts it: strictly decoded, not the identity and in the prime-order
 * subgroup ([L]A = identity), which refuses the eight small-order points and every mixed-order point.
 */
function acceptedKey(publicKey: Uint8Array): EdPoint | undefined {
  const name = toHex(publicKey);
  const known = keyVerdicts.get(name);
  if (known !== undefined) return known ?? undefined;
  const A = strictPoint(publicKey);
  const ok = A !== undefined && !A.is0() && A.isTorsionFree();
  if (keyVerdicts.size >= KEY_VERDICTS_MAX) keyVerdicts.clear();
  keyVerdicts.set(name, ok ? A : null);
  return ok ? A : undefined;
}

/**
 * True when `signature` is an Ed25519 signature of `message` under `publicKey` by the rule of docs/proof-format.md
 * §7.2; false for anything else, including input of the wrong type or length. Never throws.
 */
export function verifyEd25519(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    if (!(signature instanceof Uint8Array) || !(message instanceof Uint8Array)) return false;
    if (!(publicKey instanceof Uint8Array)) return false;
    if (signature.length !== ED25519_SIGNATURE_LENGTH || publicKey.length !== ED25519_PUBLIC_KEY_LENGTH) {
      return false;
    }
    const encodedR = signature.subarray(0, 32);
    const s = bytesToNumberLE(signature.subarray(32, 64));
    if (s >= ED25519_ORDER) return false;
    const A = acceptedKey(publicKey);
    if (A === undefined) return false;
    const R = strictPoint(encodedR);
    if (R === undefined || R.isSmallOrder()) return false;
    const h = bytesToNumberLE(sha512(concatBytes(encodedR, publicKey, message))) % ED25519_ORDER;
    const expected = Point.BASE.multiplyUnsafe(s).subtract(A.multiplyUnsafe(h));
    return bytesEqual(expected.toBytes(), encodedR);
  } catch {
    return false;
  }
}
