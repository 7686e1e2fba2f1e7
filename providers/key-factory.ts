// Builds a signing key of any supported algorithm from derived seeds (SPEC §8): the one place algorithms map to key classes.
import type { CheckedSigningKey, CheckedSigningKeyOptions } from './checked-signing-key.ts';
import type { KeyPurpose } from './key-provider.ts';
import { ML_DSA_SEED_LENGTH, mlDsaAlgorithm } from './ml-dsa/ml-dsa-algorithm.ts';
import { createNativeMlDsaKey } from './ml-dsa/native-ml-dsa-key.ts';
import { createNobleMlDsaKey } from './ml-dsa/noble-ml-dsa-key.ts';
import { keySeedLabel, type SeedSource } from './seed-source.ts';

/** Which implementation holds software keys. */
export type KeyImplementation = 'native' | 'noble';

/** What a derived key is. */
export interface DerivedKeyRequest {
  readonly purpose: KeyPurpose;
  readonly algorithmId: number;
  readonly generation: number;
  readonly implementation: KeyImplementation;
}

/** Checks that `algorithmId` can be built here; throws KeyError UNSUPPORTED_ALGORITHM otherwise. */
export function assertBuildable(algorithmId: number): void {
  mlDsaAlgorithm(algorithmId);
}

/**
 * Builds the key for `request` from seeds that `source` derives under labels naming purpose, algorithm and
 * generation. Every seed buffer is wiped before this returns.
 */
export function createDerivedKey(
  source: SeedSource,
  request: DerivedKeyRequest,
  options: CheckedSigningKeyOptions,
): CheckedSigningKey {
  assertBuildable(request.algorithmId);
  const seed = source(
    keySeedLabel(request.purpose, request.algorithmId, request.generation),
    ML_DSA_SEED_LENGTH,
  );
  try {
    const build = request.implementation === 'noble' ? createNobleMlDsaKey : createNativeMlDsaKey;
    return build(request.algorithmId, seed, options);
  } finally {
    seed.fill(0);
  }
}
