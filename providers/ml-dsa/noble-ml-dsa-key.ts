// An ML-DSA signing key in @noble/post-quantum (FIPS 204, docs/proof-format.md §7): the portable implementation.
import { type NoblePqcScheme, noblePqcScheme } from '../../src/proof/crypto/noble-schemes.ts';
import { CheckedSigningKey, type CheckedSigningKeyOptions } from '../checked-signing-key.ts';
import { KeyError } from '../key-error.ts';
import { checkMlDsaSeed, mlDsaScheme } from './ml-dsa-algorithm.ts';

/** A key whose expanded secret key sits in a JavaScript buffer, zeroed on close. */
export class NobleMlDsaKey extends CheckedSigningKey {
  readonly #impl: NoblePqcScheme;
  #secretKey: Uint8Array | undefined;

  constructor(
    algorithmId: number,
    impl: NoblePqcScheme,
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

/** The @noble scheme of ML-DSA scheme `name`; KeyError UNSUPPORTED_ALGORITHM when there is none. */
function nobleMlDsaScheme(name: string): NoblePqcScheme {
  const impl = noblePqcScheme(name);
  if (impl === undefined) {
    throw new KeyError('UNSUPPORTED_ALGORITHM', `no portable implementation of ${name}`, {
      field: 'algorithmId',
    });
  }
  return impl;
}

/** Builds a portable ML-DSA key from a 32-byte FIPS 204 seed; the caller keeps (and wipes) `seed`. */
export function createNobleMlDsaKey(
  algorithmId: number,
  seed: Uint8Array,
  options?: CheckedSigningKeyOptions,
): NobleMlDsaKey {
  const impl = nobleMlDsaScheme(mlDsaScheme(algorithmId).name);
  checkMlDsaSeed(seed);
  const { publicKey, secretKey } = impl.keygen(seed);
  try {
    return new NobleMlDsaKey(algorithmId, impl, secretKey, publicKey, options);
  } catch (err) {
    secretKey.fill(0);
    throw err;
  }
}
