// Portable signature verification with @noble/post-quantum and @noble/curves: the browser's and the cross-check's.
import { verifyByComponents } from './component-verify.ts';
import { nobleComponentVerify } from './noble-schemes.ts';
import type { SignatureVerifier } from './signature-verifier.ts';

/** Creates a verifier backed by @noble/post-quantum (and @noble/curves for a hybrid's Ed25519 part). */
export function createNobleVerifier(): SignatureVerifier {
  return {
    name: '@noble/post-quantum',
    verify(algorithmId, publicKey, message, signature, context) {
      return verifyByComponents(algorithmId, publicKey, message, signature, context, nobleComponentVerify);
    },
  };
}
