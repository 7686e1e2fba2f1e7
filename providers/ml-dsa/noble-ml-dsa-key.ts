// An ML-DSA signing key in @noble/post-quantum (FIPS 204, SPEC §8): the portable implementation.
import { ml_dsa44, ml_dsa65, ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';
import { ML_DSA_44, ML_DSA_65, ML_DSA_87 } from '../../src/crypto/algorithms.ts';
import { CheckedSigningKey, type CheckedSigningKeyOptions } from '../checked-signing-key.ts';
import { KeyError } from '../key-error.ts';
import { checkMlDsaSeed, mlDsaAlgorithm } from './ml-dsa-algorithm.ts';

type MlDsa = typeof ml_dsa65;

const IMPLEMENTATIONS = new Map<number, MlDsa>([
  [ML_DSA_44, ml_dsa44],
  [ML_DSA_65, ml_dsa65],
  [ML_DSA_87, ml_dsa87],
]);

/** A key whose expanded secret key sits in a JavaScript buffer, zeroed on close. */
export class NobleMlDsaKey extends CheckedSigningKey {
  readonly #impl: MlDsa;
  #secretKey: Uint8Array | undefined;

  constructor(
    algorithmId: number,
    impl: MlDsa,
    secretKey: Uint8Array,
    publicKey: Uint8Array,
    options?: CheckedSigningKeyOptions,
  ) {
    super(algorithmId, publicKey, options);
    this.#impl = impl;
    this.#secretKey = secretKey;
  }

  protected async _onSign(message: Uint8Array, context: Uint8Array): Promise<Uint8Array> {
    const secretKey = this.#secretKey;
    if (secretKey === undefined) throw new KeyError('CLOSED', 'signing key is closed');
    return this.#impl.sign(message, secretKey, { context });
  }

  protected _onClose(): void {
    this.#secretKey?.fill(0);
    this.#secretKey = undefined;
  }
}

/** Builds a portable ML-DSA key from a 32-byte FIPS 204 seed; the caller keeps (and wipes) `seed`. */
export function createNobleMlDsaKey(
  algorithmId: number,
  seed: Uint8Array,
  options?: CheckedSigningKeyOptions,
): NobleMlDsaKey {
  mlDsaAlgorithm(algorithmId);
  checkMlDsaSeed(seed);
  const impl = IMPLEMENTATIONS.get(algorithmId);
  if (impl === undefined) {
    throw new KeyError('UNSUPPORTED_ALGORITHM', `no portable implementation of algorithm id ${algorithmId}`, {
      field: 'algorithmId',
    });
  }
  const { publicKey, secretKey } = impl.keygen(seed);
  try {
    return new NobleMlDsaKey(algorithmId, impl, secretKey, publicKey, options);
  } catch (err) {
    secretKey.fill(0);
    throw err;
  }
}
