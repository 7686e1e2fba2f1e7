// Which algorithm ids the ML-DSA keys serve (FIPS 204), and the seed they are built from.
import { type AlgorithmSpec, algorithmById, type ComponentSpec } from '../../src/proof/crypto/algorithms.ts';
import { KeyError } from '../key-error.ts';

/** Length of a FIPS 204 key-generation seed (ξ). */
export const ML_DSA_SEED_LENGTH = 32;

/** The ML-DSA algorithm with id `algorithmId`; KeyError UNSUPPORTED_ALGORITHM otherwise. */
export function mlDsaAlgorithm(algorithmId: number): AlgorithmSpec {
  const spec = algorithmById(algorithmId);
  if (spec === undefined || spec.family !== 'ml-dsa') {
    throw new KeyError('UNSUPPORTED_ALGORITHM', `algorithm id ${algorithmId} is not ML-DSA`, {
      field: 'algorithmId',
    });
  }
  return spec;
}

/** The FIPS 204 scheme of ML-DSA algorithm `algorithmId`; KeyError UNSUPPORTED_ALGORITHM otherwise. */
export function mlDsaScheme(algorithmId: number): ComponentSpec {
  const scheme = mlDsaAlgorithm(algorithmId).components[0];
  if (scheme === undefined) {
    throw new KeyError('UNSUPPORTED_ALGORITHM', `algorithm id ${algorithmId} has no scheme`, {
      field: 'algorithmId',
    });
  }
  return scheme;
}

/** Rejects anything but a 32-byte seed (the message names the length, never the bytes). */
export function checkMlDsaSeed(seed: Uint8Array): void {
  if (!(seed instanceof Uint8Array) || seed.length !== ML_DSA_SEED_LENGTH) {
    throw new KeyError('INVALID_INPUT', `seed must be ${ML_DSA_SEED_LENGTH} bytes`, { field: 'seed' });
  }
}
