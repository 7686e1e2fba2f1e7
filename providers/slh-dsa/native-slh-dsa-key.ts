// An SLH-DSA signing key in Node's OpenSSL (FIPS 205, docs/proof-format.md §7): the fast implementation.
import { createPrivateKey, type KeyObject } from 'node:crypto';
import type { ComponentSpec } from '../../src/proof/crypto/algorithms.ts';
import { CheckedSigningKey, type CheckedSigningKeyOptions } from '../checked-signing-key.ts';
import { KeyError } from '../key-error.ts';
import { signWithKeyObject } from '../native-sign.ts';
import { nobleSlhDsaKeyPair } from './noble-slh-dsa-key.ts';
import { slhDsaScheme } from './slh-dsa-algorithm.ts';

/** A key held as a node:crypto KeyObject. */
export class NativeSlhDsaKey extends CheckedSigningKey {
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
 * The OpenSSL key pair of SLH-DSA scheme `scheme` for a 48-byte seed; also a hybrid's SLH-DSA component.
 * Node cannot import an SLH-DSA seed, so @noble runs key generation and OpenSSL imports the 64-byte secret
 * key (SK.seed ‖ SK.prf ‖ PK.seed ‖ PK.root), which is wiped at once. The caller keeps (and wipes) `seed`.
 */
export function nativeSlhDsaKeyPair(
  scheme: ComponentSpec,
  seed: Uint8Array,
): { privateKey: KeyObject; publicKey: Uint8Array } {
  const { publicKey, secretKey } = nobleSlhDsaKeyPair(scheme, seed);
  try {
    // A view, not Buffer.from(secretKey): a copy would be one more secret buffer left unwiped.
    const privateKey = createPrivateKey({
      key: Buffer.from(secretKey.buffer, secretKey.byteOffset, secretKey.length),
      format: 'raw-private',
      asymmetricKeyType: scheme.nodeKeyType,
    } as never);
    return { privateKey, publicKey };
  } catch (err) {
    throw new KeyError('UNSUPPORTED_ALGORITHM', `node:crypto cannot build an ${scheme.name} key`, {
      field: 'algorithmId',
      cause: err,
    });
  } finally {
    secretKey.fill(0);
  }
}

/** Builds a native SLH-DSA key from a 48-byte seed; the caller keeps (and wipes) `seed`. */
export function createNativeSlhDsaKey(
  algorithmId: number,
  seed: Uint8Array,
  options?: CheckedSigningKeyOptions,
): NativeSlhDsaKey {
  const { privateKey, publicKey } = nativeSlhDsaKeyPair(slhDsaScheme(algorithmId), seed);
  return new NativeSlhDsaKey(algorithmId, privateKey, publicKey, options);
}
