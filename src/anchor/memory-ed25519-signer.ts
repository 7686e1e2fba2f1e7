// An ExternalSigner whose Ed25519 key lives only in this process (node:crypto), the default "memory" provider (docs/keys.md).
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { AnchorError } from '../proof/anchor/anchor-error.ts';
import type { ExternalSigner } from './external-signer.ts';

// PKCS#8 DER prefix of an Ed25519 private key (RFC 8410); the 32-byte seed follows.
const PKCS8_ED25519_PREFIX = Uint8Array.of(
  0x30,
  0x2e,
  0x02,
  0x01,
  0x00,
  0x30,
  0x05,
  0x06,
  0x03,
  0x2b,
  0x65,
  0x70,
  0x04,
  0x22,
  0x04,
  0x20,
);

function keyFromSeed(seed: Uint8Array): KeyObject {
  if (seed.length !== 32)
    throw new AnchorError('INVALID_ARGUMENT', 'seed must be 32 bytes', { field: 'seed' });
  const der = new Uint8Array(PKCS8_ED25519_PREFIX.length + 32);
  der.set(PKCS8_ED25519_PREFIX, 0);
  der.set(seed, PKCS8_ED25519_PREFIX.length);
  try {
    return createPrivateKey({ key: Buffer.from(der.buffer), format: 'der', type: 'pkcs8' });
  } finally {
    der.fill(0);
  }
}

/** A memory signer: a fresh random key by default, or one derived from a 32-byte seed (the caller wipes it). */
export function createMemoryEd25519Signer(seed?: Uint8Array): ExternalSigner {
  const privateKey = seed === undefined ? generateKeyPairSync('ed25519').privateKey : keyFromSeed(seed);
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  const publicKey = new Uint8Array(Buffer.from(String(jwk.x), 'base64url'));
  return {
    publicKey,
    async sign(signingPayload) {
      return new Uint8Array(sign(null, signingPayload, privateKey));
    },
  };
}
