// Signature verification through Node's OpenSSL (3.5+): the fast path on servers and in the CLI.
import { createPublicKey, verify } from 'node:crypto';
import type { ComponentSpec } from './algorithms.ts';
import { verifyByComponents } from './component-verify.ts';
import type { SignatureVerifier } from './signature-verifier.ts';

/** One component through node:crypto: FIPS 204/205 with `context`, Ed25519 as pure RFC 8032 (no context). */
function nativeComponentVerify(
  component: ComponentSpec,
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
  context: Uint8Array,
): boolean {
  const key = createPublicKey({
    key: Buffer.from(publicKey),
    format: 'raw-public',
    asymmetricKeyType: component.nodeKeyType,
  } as never);
  // Given a context, OpenSSL would verify Ed25519ctx (RFC 8032 §5.1), not the pure Ed25519 a hybrid uses.
  const options = component.family === 'ed25519' ? key : ({ key, context } as never);
  return verify(null, message, options, signature);
}

/** Creates a verifier backed by node:crypto. */
export function createNativeVerifier(): SignatureVerifier {
  return {
    name: `node:crypto (OpenSSL ${process.versions.openssl})`,
    verify(algorithmId, publicKey, message, signature, context) {
      return verifyByComponents(algorithmId, publicKey, message, signature, context, nativeComponentVerify);
    },
  };
}
