// Hybrid keys in Node's OpenSSL (docs/proof-format.md §7): each component a node:crypto KeyObject, signing on the thread pool.
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import type { ComponentSpec } from '../../src/proof/crypto/algorithms.ts';
import type { CheckedSigningKeyOptions } from '../checked-signing-key.ts';
import { KeyError } from '../key-error.ts';
import { nativeMlDsaKeyPair } from '../ml-dsa/native-ml-dsa-key.ts';
import { signWithKeyObject } from '../native-sign.ts';
import { nativeSlhDsaKeyPair } from '../slh-dsa/native-slh-dsa-key.ts';
import type { ComponentSigner } from './component-signer.ts';
import { ED25519_SEED_LENGTH } from './hybrid-algorithm.ts';
import { createHybridKey, type HybridKey } from './hybrid-key.ts';

/** The OpenSSL Ed25519 key pair of a 32-byte RFC 8032 private key; the caller keeps (and wipes) `seed`. */
function nativeEd25519KeyPair(seed: Uint8Array): { privateKey: KeyObject; publicKey: Uint8Array } {
  if (seed.length !== ED25519_SEED_LENGTH) {
    throw new KeyError('INVALID_INPUT', `seed must be ${ED25519_SEED_LENGTH} bytes`, { field: 'seed' });
  }
  try {
    // A view, not Buffer.from(seed): a copy would be one more secret buffer left unwiped.
    const privateKey = createPrivateKey({
      key: Buffer.from(seed.buffer, seed.byteOffset, seed.length),
      format: 'raw-private',
      asymmetricKeyType: 'ed25519',
    } as never);
    const raw = createPublicKey(privateKey).export({ format: 'raw-public' } as never) as Buffer;
    return { privateKey, publicKey: new Uint8Array(raw) };
  } catch (err) {
    throw new KeyError('UNSUPPORTED_ALGORITHM', 'node:crypto cannot build an Ed25519 key', {
      field: 'algorithmId',
      cause: err,
    });
  }
}

/** The native signer of one hybrid component; the caller keeps (and wipes) `seed`. */
export function nativeComponentSigner(component: ComponentSpec, seed: Uint8Array): ComponentSigner {
  const pair =
    component.family === 'ml-dsa'
      ? nativeMlDsaKeyPair(component, seed)
      : component.family === 'slh-dsa'
        ? nativeSlhDsaKeyPair(component, seed)
        : nativeEd25519KeyPair(seed);
  // OpenSSL owns the key bytes: wipe() drops the only reference so the KeyObject can be freed.
  let privateKey: KeyObject | undefined = pair.privateKey;
  const usesContext = component.family !== 'ed25519';
  return {
    component,
    publicKey: pair.publicKey,
    sign(message, context) {
      if (privateKey === undefined) return Promise.reject(new KeyError('CLOSED', 'signing key is closed'));
      return signWithKeyObject(privateKey, message, usesContext ? context : undefined);
    },
    wipe() {
      privateKey = undefined;
    },
  };
}

/** Builds a native hybrid key from one seed per component (in the algorithm's order); the caller wipes `seeds`. */
export function createNativeHybridKey(
  algorithmId: number,
  seeds: readonly Uint8Array[],
  options?: CheckedSigningKeyOptions,
): HybridKey {
  return createHybridKey(algorithmId, seeds, nativeComponentSigner, options);
}
