// Ed25519 verification with @noble/curves: portable (browsers) and strict RFC 8032 / catapult rules (SPEC §6).
import { ed25519 } from '@noble/curves/ed25519.js';
import type { Ed25519Verifier } from './ed25519-verifier.ts';

/** A verifier that rejects non-canonical encodings (zip215 off), as catapult does. */
export function createNobleEd25519Verifier(): Ed25519Verifier {
  return {
    name: '@noble/curves ed25519',
    verify(signature, message, publicKey) {
      if (signature.length !== 64 || publicKey.length !== 32) return false;
      try {
        return ed25519.verify(signature, message, publicKey, { zip215: false });
      } catch {
        return false;
      }
    },
  };
}
