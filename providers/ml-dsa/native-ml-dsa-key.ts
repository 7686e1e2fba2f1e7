// An ML-DSA signing key in Node's OpenSSL (FIPS 204, docs/proof-format.md §7): the fast implementation.
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import type { ComponentSpec } from '../../src/proof/crypto/algorithms.ts';
import { CheckedSigningKey, type CheckedSigningKeyOptions } from '../checked-signing-key.ts';
import { KeyError } from '../key-error.ts';
import { signWithKeyObject } from '../native-sign.ts';
import { checkMlDsaSeed, mlDsaScheme } from './ml-dsa-algorithm.ts';

/** A key held as a node:crypto KeyObject. */
export class NativeMlDsaKey extends CheckedSigningKey {
  // OpenSSL owns the key bytes: close() drops the only reference so the KeyObject can be freed.
  #privateKey: KeyObject | undefined;

  constructor(
    algorithmId: number,
    privateKey: KeyObject,
    publicKey: Uint8Array,
    options?: CheckedSigningKeyOptions,
  ) {
    super(algorithmId, publicKey, options);
    this.#privateKey = privateKey;
  }

  protected _onSign(message: Uint8Array, context: Uint8Array): Promise<Uint8Array> {
    const key = this.#privateKey;
    if (key === undefined) return Promise.reject(new KeyError('CLOSED', 'signing key is closed'));
    return signWithKeyObject(key, message, context);
  }

  protected _onClose(): void {
    this.#privateKey = undefined;
  }
}

/**
 * The OpenSSL key pair of ML-DSA scheme `scheme` for a 32-byte FIPS 204 seed (ξ); also a hybrid's ML-DSA
 * component. The caller keeps (and wipes) `seed`.
 */
export function nativeMlDsaKeyPair(
  scheme: ComponentSpec,
  seed: Uint8Array,
): { privateKey: KeyObject; publicKey: Uint8Array } {
  checkMlDsaSeed(seed);
  try {
    // A view, not Buffer.from(seed): a copy would be one more secret buffer left unwiped.
    const privateKey = createPrivateKey({
      key: Buffer.from(seed.buffer, seed.byteOffset, seed.length),
      format: 'raw-seed',
      asymmetricKeyType: scheme.nodeKeyType,
    } as never);
    const raw = createPublicKey(privateKey).export({ format: 'raw-public' } as never) as Buffer;
    return { privateKey, publicKey: new Uint8Array(raw) };
  } catch (err) {
    throw new KeyError('UNSUPPORTED_ALGORITHM', `node:crypto cannot build an ${scheme.name} key`, {
      field: 'algorithmId',
      cause: err,
    });
  }
}

/** Builds a native ML-DSA key from a 32-byte FIPS 204 seed; the caller keeps (and wipes) `seed`. */
export function createNativeMlDsaKey(
  algorithmId: number,
  seed: Uint8Array,
  options?: CheckedSigningKeyOptions,
): NativeMlDsaKey {
  const { privateKey, publicKey } = nativeMlDsaKeyPair(mlDsaScheme(algorithmId), seed);
  return new NativeMlDsaKey(algorithmId, privateKey, publicKey, options);
}
