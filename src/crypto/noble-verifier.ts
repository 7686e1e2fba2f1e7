// Portable signature verification with @noble/post-quantum: the browser's and the cross-check's.
import { ml_dsa44, ml_dsa65, ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';
import { algorithmById, ML_DSA_44, ML_DSA_65, ML_DSA_87 } from './algorithms.ts';
import type { SignatureVerifier } from './signature-verifier.ts';

const IMPLEMENTATIONS = new Map([
  [ML_DSA_44, ml_dsa44],
  [ML_DSA_65, ml_dsa65],
  [ML_DSA_87, ml_dsa87],
]);

/** Creates a verifier backed by @noble/post-quantum. */
export function createNobleVerifier(): SignatureVerifier {
  return {
    name: '@noble/post-quantum',
    verify(algorithmId, publicKey, message, signature, context) {
      const spec = algorithmById(algorithmId);
      const impl = IMPLEMENTATIONS.get(algorithmId);
      if (spec === undefined || impl === undefined) return false;
      if (publicKey.length !== spec.publicKeyLength || signature.length !== spec.signatureLength)
        return false;
      try {
        return impl.verify(signature, message, publicKey, { context });
      } catch {
        return false;
      }
    },
  };
}
