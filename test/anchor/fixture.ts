// Shared test inputs for the anchor tests: real v1 headers and records with ML-DSA-sized signatures.

import { encodeAnchorRecord } from '../../src/proof/anchor/anchor-record.ts';
import { encodeHeader, HEADER_FORMAT_VERSION, ZERO_HASH } from '../../src/proof/bundle/header.ts';
import { algorithmById, ML_DSA_65 } from '../../src/proof/crypto/algorithms.ts';
import { createPrng } from '../merkle/prng.ts';

/** A valid header for `keyId` and `algorithmId` at `sequence`. */
export function headerFor(keyId: Uint8Array, algorithmId = ML_DSA_65, sequence = 0n): Uint8Array {
  return encodeHeader({
    formatVersion: HEADER_FORMAT_VERSION,
    logId: new Uint8Array(32).fill(0x5a),
    sequence,
    previousHeaderHash: sequence === 0n ? ZERO_HASH : new Uint8Array(32).fill(7),
    root: new Uint8Array(32).fill(0x11),
    treeSize: 3n,
    timeMs: 1_760_000_000_000n,
    algorithmId,
    keyId,
    guaranteeExpiryMs: 2_000_000_000_000n,
  });
}

/** A record whose one signature has the algorithm's real length (random bytes: format tests only). */
export function recordFor(algorithmId = ML_DSA_65, seed = 1, sequence = 0n): Uint8Array {
  const prng = createPrng(seed);
  const keyId = prng.bytes(32);
  const length = algorithmById(algorithmId)?.signatureLength ?? 100;
  return encodeAnchorRecord({
    header: headerFor(keyId, algorithmId, sequence),
    signatures: [{ algorithmId, keyId, signature: prng.bytes(length) }],
  });
}

/** Fisher–Yates shuffle with a seeded PRNG. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const prng = createPrng(seed);
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = prng.below(i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** Flips the low bit of byte `i` in place. */
export function flip(bytes: Uint8Array, i: number): void {
  bytes[i] = (bytes[i] ?? 0) ^ 1;
}
