// Wraps any Symbol-account signer (memory, HSM, remote) with input checks and a verify-before-release self-check.
import { createPublicKey, verify } from 'node:crypto';
import type { ExternalSigner } from '../src/anchor/external-signer.ts';
import { KeyError } from './key-error.ts';

/** Largest signing payload accepted (a Symbol aggregate header is a few hundred bytes). */
export const MAX_SYMBOL_PAYLOAD_BYTES = 1024 * 1024;

/** A signer that refuses bad input, refuses use after close, and never returns a signature that does not verify. */
export function checkedEd25519Signer(inner: ExternalSigner, isClosed: () => boolean): ExternalSigner {
  if (!(inner.publicKey instanceof Uint8Array) || inner.publicKey.length !== 32) {
    throw new KeyError('SELF_CHECK_FAILED', 'publicKey: an Ed25519 public key is 32 bytes', {
      field: 'publicKey',
    });
  }
  const publicKey = Uint8Array.from(inner.publicKey);
  const verifyKey = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey).toString('base64url') },
    format: 'jwk',
  });
  return {
    get publicKey() {
      return Uint8Array.from(publicKey);
    },
    async sign(signingPayload) {
      if (isClosed()) throw new KeyError('CLOSED', 'key provider is closed');
      if (!(signingPayload instanceof Uint8Array) || signingPayload.length === 0) {
        throw new KeyError('INVALID_INPUT', 'signingPayload: must be non-empty bytes', {
          field: 'signingPayload',
        });
      }
      if (signingPayload.length > MAX_SYMBOL_PAYLOAD_BYTES) {
        throw new KeyError('INVALID_INPUT', `signingPayload: more than ${MAX_SYMBOL_PAYLOAD_BYTES} bytes`, {
          field: 'signingPayload',
        });
      }
      const message = Uint8Array.from(signingPayload);
      let signature: Uint8Array;
      try {
        signature = await inner.sign(message);
      } catch (cause) {
        if (cause instanceof KeyError) throw cause;
        throw new KeyError('SIGN_FAILED', 'the Symbol account signer failed', { cause });
      }
      if (signature.length !== 64 || !verify(null, message, verifyKey, signature)) {
        throw new KeyError('SELF_CHECK_FAILED', 'the Symbol account signature does not verify');
      }
      return signature;
    },
  };
}
