// Ed25519 verification for Symbol's signatures by the protocol's one rule (docs/proof-format.md §7.2): strict RFC 8032
// decoding, S < L, a prime-order public key, no small-order R, catapult's cofactorless equation. Portable (browsers).
import { verifyEd25519 } from '../crypto/ed25519-rule.ts';
import type { Ed25519Verifier } from './ed25519-verifier.ts';

/** A verifier applying docs/proof-format.md §7.2 (@noble/curves arithmetic); false on malformed input, never throws. */
export function createNobleEd25519Verifier(): Ed25519Verifier {
  return {
    name: '@noble/curves ed25519 (strict, cofactorless)',
    verify: (signature, message, publicKey) => verifyEd25519(signature, message, publicKey),
  };
}
