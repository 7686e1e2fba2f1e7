// Which algorithm ids the SLH-DSA keys serve (FIPS 205), and the seed they are built from.
import { type AlgorithmSpec, algorithmById, type ComponentSpec } from '../../src/proof/crypto/algorithms.ts';
import { KeyError } from '../key-error.ts';

/**
 * Length of a FIPS 205 key-generation seed for the 128-bit parameter sets: SK.seed ‖ SK.prf ‖ PK.seed,
 * 3n = 48 bytes (slh_keygen_internal).
 */
export const SLH_DSA_SEED_LENGTH = 48;

/** The SLH-DSA algorithm with id `algorithmId`; KeyError UNSUPPORTED_ALGORITHM otherwise. */
export function slhDsaAlgorithm(algorithmId: number): AlgorithmSpec {
  const spec = algorithmById(algorithmId);
  if (spec === undefined || spec.family !== 'slh-dsa') {
    throw new KeyError('UNSUPPORTED_ALGORITHM', `algorithm id ${algorithmId} is not SLH-DSA`, {
      field: 'algorithmId',
    });
  }
  return spec;
}

/** The FIPS 205 scheme of SLH-DSA algorithm `algorithmId`; KeyError UNSUPPORTED_ALGORITHM otherwise. */
export function slhDsaScheme(algorithmId: number): ComponentSpec {
  const scheme = slhDsaAlgorithm(algorithmId).components[0];
  if (scheme === undefined) {
    throw new KeyError('UNSUPPORTED_ALGORITHM', `algorithm id ${algorithmId} has no scheme`, {
      field: 'algorithmId',
    });
  }
  return scheme;
}

/** Rejects anything but a 48-byte seed (the message names the length, never the bytes). */
export function checkSlhDsaSeed(seed: Uint8Array): void {
  if (!(seed instanceof Uint8Array) || seed.length !== SLH_DSA_SEED_LENGTH) {
    throw new KeyError('INVALID_INPUT', `seed must be ${SLH_DSA_SEED_LENGTH} bytes`, { field: 'seed' });
  }
}
