// Signature verification through Node's OpenSSL (3.5+): the fast path on servers and in the CLI.
import { createPublicKey, verify } from 'node:crypto';
import { algorithmById } from './algorithms.ts';
import type { SignatureVerifier } from './signature-verifier.ts';

/** Creates a verifier backed by node:crypto. */
export function createNativeVerifier(): SignatureVerifier {
  return {
    name: `node:crypto (OpenSSL ${process.versions.openssl})`,
    verify(algorithmId, publicKey, message, signature, context) {
      const spec = algorithmById(algorithmId);
      if (spec === undefined) return false;
      if (publicKey.length !== spec.publicKeyLength || signature.length !== spec.signatureLength)
        return false;
      try {
        const key = createPublicKey({
          key: Buffer.from(publicKey),
          format: 'raw-public',
          asymmetricKeyType: spec.nodeKeyType,
        } as never);
        return verify(null, message, { key, context } as never, signature);
      } catch {
        return false;
      }
    },
  };
}
