// An SLH-DSA signing key in @noble/post-quantum (FIPS 205, docs/proof-format.md §7): the portable implementation.
import type { ComponentSpec } from '../../src/proof/crypto/algorithms.ts';
import { type NoblePqcScheme, noblePqcScheme } from '../../src/proof/crypto/noble-schemes.ts';
import { CheckedSigningKey, type CheckedSigningKeyOptions } from '../checked-signing-key.ts';
import { KeyError } from '../key-error.ts';
import { checkSlhDsaSeed, slhDsaScheme } from './slh-dsa-algorithm.ts';

/** A key whose 64-byte secret key (SK.seed ‖ SK.prf ‖ PK.seed ‖ PK.root) sits in a JavaScript buffer, zeroed on close. */
export class NobleSlhDsaKey extends CheckedSigningKey {
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

/**
 * Runs FIPS 205 slh_keygen_internal for SLH-DSA scheme `scheme` on a 48-byte seed with @noble: the one key
 * generation both implementations share. The caller keeps (and wipes) `seed` and owns (and wipes) `secretKey`.
 */
export function nobleSlhDsaKeyPair(
  scheme: ComponentSpec,
  seed: Uint8Array,
): { impl: NoblePqcScheme; publicKey: Uint8Array; secretKey: Uint8Array } {
  checkSlhDsaSeed(seed);
  const impl = noblePqcScheme(scheme.name);
  if (impl === undefined || scheme.family !== 'slh-dsa') {
    throw new KeyError('UNSUPPORTED_ALGORITHM', `no portable implementation of ${scheme.name}`, {
      field: 'algorithmId',
    });
  }
  const { publicKey, secretKey } = impl.keygen(seed);
  return { impl, publicKey, secretKey };
}

/** Builds a portable SLH-DSA key from a 48-byte seed; the caller keeps (and wipes) `seed`. */
export function createNobleSlhDsaKey(
  algorithmId: number,
  seed: Uint8Array,
  options?: CheckedSigningKeyOptions,
): NobleSlhDsaKey {
  const { impl, publicKey, secretKey } = nobleSlhDsaKeyPair(slhDsaScheme(algorithmId), seed);
  try {
    return new NobleSlhDsaKey(algorithmId, impl, secretKey, publicKey, options);
  } catch (err) {
    secretKey.fill(0);
    throw err;
  }
}
