// Signature verification through Node's OpenSSL (3.5+): the fast path on servers and in the CLI. A hybrid's Ed25519
// component is checked by the protocol's own rule (docs/proof-format.md §7.2), not by OpenSSL: OpenSSL versions
// disagree on edge cases (Node 20's accepts the identity key that Node 24's refuses).
import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import type { ComponentSpec } from '../proof/crypto/algorithms.ts';
import { verifyByComponents } from '../proof/crypto/component-verify.ts';
import { verifyEd25519 } from '../proof/crypto/ed25519-rule.ts';
import type { SignatureVerifier } from '../proof/crypto/signature-verifier.ts';
import { createLru } from '../proof/encoding/lru.ts';

/** Imported public keys a native verifier keeps by default (a log has a handful of keys over its life). */
export const DEFAULT_KEY_CACHE_SIZE = 64;

/** A node:crypto verifier and how many imported public keys it holds. */
export interface NativeVerifier extends SignatureVerifier {
  /** Imported public keys held now (at most the key cache size). */
  readonly cachedKeys: () => number;
}

/**
 * Creates a verifier backed by node:crypto. Importing a raw ML-DSA-65 public key costs about a third of a
 * verification and a log signs with one key for months, so it keeps up to `keyCacheSize` imported keys
 * (KeyObject), least recently used dropped first. An entry's name is the key type and every byte of the raw
 * key: two different keys never share an entry, and a malformed key (import throws) is never stored.
 */
export function createNativeVerifier(options: { readonly keyCacheSize?: number } = {}): NativeVerifier {
  const keys = createLru<KeyObject>(options.keyCacheSize ?? DEFAULT_KEY_CACHE_SIZE);
  const importKey = (keyType: string, publicKey: Uint8Array): KeyObject => {
    const raw = Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.byteLength);
    const name = `${keyType}:${raw.toString('latin1')}`;
    const cached = keys.get(name);
    if (cached !== undefined) return cached;
    const key = createPublicKey({
      key: Buffer.from(raw), // a copy: the caller's bytes may change after this call
      format: 'raw-public',
      asymmetricKeyType: keyType,
    } as never);
    keys.set(name, key);
    return key;
  };
  /** One component: FIPS 204/205 with `context` through OpenSSL, Ed25519 (no context) by the protocol's rule. */
  const verifyComponent = (
    component: ComponentSpec,
    publicKey: Uint8Array,
    message: Uint8Array,
    signature: Uint8Array,
    context: Uint8Array,
  ): boolean => {
    if (component.family === 'ed25519') return verifyEd25519(signature, message, publicKey);
    const key = importKey(component.nodeKeyType, publicKey);
    return verify(null, message, { key, context } as never, signature);
  };
  return {
    name: `node:crypto (OpenSSL ${process.versions.openssl})`,
    cachedKeys: () => keys.size,
    verify(algorithmId, publicKey, message, signature, context) {
      return verifyByComponents(algorithmId, publicKey, message, signature, context, verifyComponent);
    },
  };
}
