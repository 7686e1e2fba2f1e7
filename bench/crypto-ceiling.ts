// Ceilings: native SHA-256 call rate and ML-DSA-65 sign/verify rates through node:crypto (OpenSSL).
import {
  createHash,
  createPublicKey,
  generateKeyPairSync,
  hash,
  randomBytes,
  sign,
  verify,
} from 'node:crypto';
import { HEADER_LENGTH } from '../src/proof/bundle/header.ts';
import { HEADER_SIGNATURE_CONTEXT } from '../src/proof/crypto/contexts.ts';
import { perSecond } from './stats.ts';

/** SHA-256 one-shot calls per second over a 64-byte input (an inner node is 65 bytes). */
export function sha256Rate(calls: number): number {
  const input = randomBytes(64);
  let sink = 0;
  const started = performance.now();
  for (let i = 0; i < calls; i++) sink ^= hash('sha256', input, 'buffer')[0] as number;
  const ms = performance.now() - started;
  if (sink === -1) console.log(sink); // keeps the loop observable
  return perSecond(calls, ms);
}

/** ML-DSA-65 rates over a header-sized message with the header context; "with import" also parses the raw public key each time, as a verifier of bundles must. */
export function mlDsaRates(
  signs: number,
  verifies: number,
): { signPerSecond: number; verifyPerSecond: number; verifyWithImportPerSecond: number } {
  const { privateKey, publicKey } = generateKeyPairSync('ml-dsa-65' as never);
  const rawPublic = publicKey.export({ format: 'raw-public' } as never) as Buffer;
  const message = randomBytes(HEADER_LENGTH);
  const context = HEADER_SIGNATURE_CONTEXT;
  let signature = sign(null, message, { key: privateKey, context } as never);
  let started = performance.now();
  for (let i = 0; i < signs; i++) signature = sign(null, message, { key: privateKey, context } as never);
  const signMs = performance.now() - started;
  let valid = 0;
  started = performance.now();
  for (let i = 0; i < verifies; i++)
    if (verify(null, message, { key: publicKey, context } as never, signature)) valid++;
  const verifyMs = performance.now() - started;
  started = performance.now();
  for (let i = 0; i < verifies; i++) {
    const key = createPublicKey({
      key: rawPublic,
      format: 'raw-public',
      asymmetricKeyType: 'ml-dsa-65',
    } as never);
    if (verify(null, message, { key, context } as never, signature)) valid++;
  }
  const importMs = performance.now() - started;
  if (valid !== 2 * verifies)
    throw new Error(`ML-DSA-65 ceiling: ${2 * verifies - valid} of ${2 * verifies} verifications failed`);
  return {
    signPerSecond: perSecond(signs, signMs),
    verifyPerSecond: perSecond(verifies, verifyMs),
    verifyWithImportPerSecond: perSecond(verifies, importMs),
  };
}

/** Bytes SHA-256 compresses for one interior node: 65 bytes of message padded to two 64-byte blocks. */
const INTERIOR_NODE_BLOCK_BYTES = 128;

/**
 * The SHA-NI bound of a tree of `leaves` leaves: ms to hash as many bytes as its leaves − 1 interior
 * nodes compress (two blocks each), in 1 MiB calls, so call overhead vanishes.
 */
export function sha256BulkMs(leaves: number): number {
  const total = (leaves - 1) * INTERIOR_NODE_BLOCK_BYTES;
  const chunk = randomBytes(1 << 20);
  const started = performance.now();
  const h = createHash('sha256');
  for (let done = 0; done < total; done += chunk.length)
    h.update(done + chunk.length <= total ? chunk : chunk.subarray(0, total - done));
  h.digest();
  return performance.now() - started;
}
