// A signature verifier that remembers what verified: a log signs its key statement once and every bundle
// carries it, and every bundle of a batch carries the same header signature. Pure: runs in browsers.
import { bytesEqual, toHex } from '../encoding/bytes.ts';
import { createLru } from '../encoding/lru.ts';
import type { Sha256 } from './sha256.ts';
import type { SignatureVerifier } from './signature-verifier.ts';

/** Successful verifications a caching verifier remembers by default (about 5.3 KB each for ML-DSA-65). */
export const DEFAULT_VERIFIED_CACHE_SIZE = 256;

/**
 * Largest input (all parts and their lengths) remembered: the largest registry signature is 17 KB, and a bound
 * keeps the memory under capacity × 64 KiB whatever a caller verifies.
 */
export const MAX_REMEMBERED_INPUT_BYTES = 64 * 1024;

/** A verifier that remembers successful verifications, and how many it holds. */
export interface CachingVerifier extends SignatureVerifier {
  /** Verifications remembered now (at most the capacity). */
  readonly cachedVerifications: () => number;
}

function u32(n: number): Uint8Array {
  return Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

/**
 * The complete input as one injective byte string: u32be(algorithm id), then each of public key, message,
 * signature and context as u32be(length) ‖ bytes. Undefined for input no verifier accepts (left to `inner`).
 */
function encodeInput(algorithmId: number, parts: readonly unknown[]): Uint8Array | undefined {
  if (!Number.isInteger(algorithmId) || algorithmId < 0 || algorithmId > 0xffff_ffff) return undefined;
  let length = 4;
  for (const p of parts) {
    if (!(p instanceof Uint8Array)) return undefined;
    length += 4 + p.length;
  }
  const out = new Uint8Array(length);
  out.set(u32(algorithmId), 0);
  let offset = 4;
  for (const p of parts as readonly Uint8Array[]) {
    out.set(u32(p.length), offset);
    out.set(p, offset + 4);
    offset += 4 + p.length;
  }
  return out;
}

/**
 * `inner` with a memory of at most `capacity` successful verifications (least recently used dropped first).
 * An entry is named by SHA-256 of the complete input (algorithm id, public key, message, signature, context)
 * and holds a copy of that input; a hit counts only when every byte of the stored input equals the new one,
 * so no other input — a flipped signature byte, another key with the same key id — can pass through the
 * cache, even with a SHA-256 collision. Failures are not remembered: they are checked again every time.
 */
export function createCachingVerifier(
  inner: SignatureVerifier,
  options: { readonly sha256: Sha256; readonly capacity?: number },
): CachingVerifier {
  const verified = createLru<Uint8Array>(options.capacity ?? DEFAULT_VERIFIED_CACHE_SIZE);
  return {
    name: inner.name,
    cachedVerifications: () => verified.size,
    verify(algorithmId, publicKey, message, signature, context) {
      const input = encodeInput(algorithmId, [publicKey, message, signature, context]);
      if (input === undefined || input.length > MAX_REMEMBERED_INPUT_BYTES) {
        return inner.verify(algorithmId, publicKey, message, signature, context);
      }
      const name = toHex(options.sha256(input));
      const seen = verified.get(name);
      if (seen !== undefined && bytesEqual(seen, input)) return true;
      if (!inner.verify(algorithmId, publicKey, message, signature, context)) return false;
      verified.set(name, input); // `input` is a fresh copy: later changes to the caller's bytes cannot reach it
      return true;
    },
  };
}
