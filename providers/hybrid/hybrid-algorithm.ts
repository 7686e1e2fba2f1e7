// Which algorithm ids the hybrid keys serve (docs/proof-format.md §7), and the seed each component is built from.
import { type AlgorithmSpec, algorithmById, type ComponentSpec } from '../../src/proof/crypto/algorithms.ts';
import { KeyError } from '../key-error.ts';
import { ML_DSA_SEED_LENGTH } from '../ml-dsa/ml-dsa-algorithm.ts';
import { SLH_DSA_SEED_LENGTH } from '../slh-dsa/slh-dsa-algorithm.ts';

/** Length of an Ed25519 private key (RFC 8032 §5.1.5: the 32-byte seed). */
export const ED25519_SEED_LENGTH = 32;

/** The hybrid algorithm with id `algorithmId`; KeyError UNSUPPORTED_ALGORITHM otherwise. */
export function hybridAlgorithm(algorithmId: number): AlgorithmSpec {
  const spec = algorithmById(algorithmId);
  if (spec === undefined || spec.family !== 'hybrid') {
    throw new KeyError('UNSUPPORTED_ALGORITHM', `algorithm id ${algorithmId} is not a hybrid`, {
      field: 'algorithmId',
    });
  }
  return spec;
}

/** Seed length of a component: 32 (FIPS 204 ξ), 48 (FIPS 205 3n for the 128-bit sets) or 32 (Ed25519). */
export function componentSeedLength(component: ComponentSpec): number {
  switch (component.family) {
    case 'ml-dsa':
      return ML_DSA_SEED_LENGTH;
    case 'slh-dsa':
      return SLH_DSA_SEED_LENGTH;
    case 'ed25519':
      return ED25519_SEED_LENGTH;
  }
}

/** Rejects seeds that are not one per component of `spec`, each of its length (names lengths, never bytes). */
export function checkHybridSeeds(spec: AlgorithmSpec, seeds: readonly Uint8Array[]): void {
  if (!Array.isArray(seeds) || seeds.length !== spec.components.length) {
    throw new KeyError('INVALID_INPUT', `${spec.name} needs ${spec.components.length} seeds`, {
      field: 'seed',
    });
  }
  spec.components.forEach((c, i) => {
    const seed = seeds[i];
    const length = componentSeedLength(c);
    if (!(seed instanceof Uint8Array) || seed.length !== length) {
      throw new KeyError('INVALID_INPUT', `seed ${i} (${c.name}) must be ${length} bytes`, { field: 'seed' });
    }
  });
}
