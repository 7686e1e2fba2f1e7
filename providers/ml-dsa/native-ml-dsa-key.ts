// An ML-DSA signing key in Node's OpenSSL (FIPS 204, SPEC §8): the fast implementation.
import { createPrivateKey, createPublicKey, type KeyObject, sign } from 'node:crypto';
import { CheckedSigningKey, type CheckedSigningKeyOptions } from '../checked-signing-key.ts';
import { KeyError } from '../key-error.ts';
import { checkMlDsaSeed, mlDsaAlgorithm } from './ml-dsa-algorithm.ts';

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
    // The callback form signs on the thread pool, off the event loop.
    return new Promise((resolve, reject) => {
      sign(null, message, { key, context } as never, (err, signature) => {
        if (err !== null) reject(err);
        else resolve(new Uint8Array(signature.buffer, signature.byteOffset, signature.length));
      });
    });
  }

  protected _onClose(): void {
    this.#privateKey = undefined;
  }
}

/** Builds a native ML-DSA key from a 32-byte FIPS 204 seed; the caller keeps (and wipes) `seed`. */
export function createNativeMlDsaKey(
  algorithmId: number,
  seed: Uint8Array,
  options?: CheckedSigningKeyOptions,
): NativeMlDsaKey {
  const spec = mlDsaAlgorithm(algorithmId);
  checkMlDsaSeed(seed);
  let privateKey: KeyObject;
  let publicKey: Uint8Array;
  try {
    // A view, not Buffer.from(seed): a copy would be one more secret buffer left unwiped.
    privateKey = createPrivateKey({
      key: Buffer.from(seed.buffer, seed.byteOffset, seed.length),
      format: 'raw-seed',
      asymmetricKeyType: spec.nodeKeyType,
    } as never);
    const raw = createPublicKey(privateKey).export({ format: 'raw-public' } as never) as Buffer;
    publicKey = new Uint8Array(raw);
  } catch (err) {
    throw new KeyError('UNSUPPORTED_ALGORITHM', `node:crypto cannot build an ${spec.name} key`, {
      field: 'algorithmId',
      cause: err,
    });
  }
  return new NativeMlDsaKey(algorithmId, privateKey, publicKey, options);
}
