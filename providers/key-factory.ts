// Builds a signing key of any supported algorithm from derived seeds (docs/proof-format.md §7): the one place algorithms map to key classes.
import { type AlgorithmSpec, algorithmById } from '../src/proof/crypto/algorithms.ts';
import type { CheckedSigningKey, CheckedSigningKeyOptions } from './checked-signing-key.ts';
import { componentSeedLength } from './hybrid/hybrid-algorithm.ts';
import { createNativeHybridKey } from './hybrid/native-hybrid-key.ts';
import { createNobleHybridKey } from './hybrid/noble-hybrid-key.ts';
import { KeyError } from './key-error.ts';
import type { KeyPurpose } from './key-provider.ts';
import { createNativeMlDsaKey } from './ml-dsa/native-ml-dsa-key.ts';
import { createNobleMlDsaKey } from './ml-dsa/noble-ml-dsa-key.ts';
import { keySeedLabel, type SeedSource } from './seed-source.ts';
import { createNativeSlhDsaKey } from './slh-dsa/native-slh-dsa-key.ts';
import { createNobleSlhDsaKey } from './slh-dsa/noble-slh-dsa-key.ts';

/** Which implementation holds software keys. */
export type KeyImplementation = 'native' | 'noble';

/** What a derived key is. */
export interface DerivedKeyRequest {
  readonly purpose: KeyPurpose;
  readonly algorithmId: number;
  readonly generation: number;
  readonly implementation: KeyImplementation;
}

type Build = (
  algorithmId: number,
  seeds: readonly Uint8Array[],
  options: CheckedSigningKeyOptions,
) => CheckedSigningKey;

/** Adapts a single-algorithm factory (one seed) to the seed list. */
function oneSeed(
  create: (algorithmId: number, seed: Uint8Array, options: CheckedSigningKeyOptions) => CheckedSigningKey,
): Build {
  return (algorithmId, seeds, options) => {
    const [seed] = seeds;
    if (seeds.length !== 1 || seed === undefined) {
      throw new KeyError('INVALID_INPUT', 'a single algorithm takes one seed', { field: 'seed' });
    }
    return create(algorithmId, seed, options);
  };
}

/** Key builders by algorithm family and implementation. */
const BUILDERS: Readonly<Record<AlgorithmSpec['family'], Readonly<Record<KeyImplementation, Build>>>> = {
  'ml-dsa': { native: oneSeed(createNativeMlDsaKey), noble: oneSeed(createNobleMlDsaKey) },
  'slh-dsa': { native: oneSeed(createNativeSlhDsaKey), noble: oneSeed(createNobleSlhDsaKey) },
  hybrid: { native: createNativeHybridKey, noble: createNobleHybridKey },
};

/** The algorithm `algorithmId` if keys of it can be built here; throws KeyError UNSUPPORTED_ALGORITHM otherwise. */
export function assertBuildable(algorithmId: number): AlgorithmSpec {
  const spec = algorithmById(algorithmId);
  if (spec === undefined || !Object.hasOwn(BUILDERS, spec.family)) {
    throw new KeyError('UNSUPPORTED_ALGORITHM', `unknown algorithm id ${algorithmId}`, {
      field: 'algorithmId',
    });
  }
  return spec;
}

/**
 * Builds the key for `request` from seeds that `source` derives under labels naming purpose, algorithm and
 * generation (and, for a hybrid, each component: "ml-dsa", "slh-dsa", "ed25519"). Every seed buffer is wiped
 * before this returns.
 */
export function createDerivedKey(
  source: SeedSource,
  request: DerivedKeyRequest,
  options: CheckedSigningKeyOptions,
): CheckedSigningKey {
  const spec = assertBuildable(request.algorithmId);
  const { purpose, algorithmId, generation } = request;
  const seeds: Uint8Array[] = [];
  try {
    for (const c of spec.components) {
      const label =
        spec.family === 'hybrid'
          ? keySeedLabel(purpose, algorithmId, generation, c.family)
          : keySeedLabel(purpose, algorithmId, generation);
      seeds.push(source(label, componentSeedLength(c)));
    }
    const build = BUILDERS[spec.family][request.implementation === 'noble' ? 'noble' : 'native'];
    return build(algorithmId, seeds, options);
  } finally {
    for (const seed of seeds) seed.fill(0);
  }
}
