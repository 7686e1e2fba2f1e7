// The memory key provider (SPEC §7): fresh ML-DSA keys generated at start, living only in this process.
import { randomFillSync } from 'node:crypto';
import type { ExternalSigner } from '../src/anchor/external-signer.ts';
import { createMemoryEd25519Signer } from '../src/anchor/memory-ed25519-signer.ts';
import { checkedEd25519Signer } from './checked-ed25519-signer.ts';
import type { CheckedSigningKey } from './checked-signing-key.ts';
import { KeyError } from './key-error.ts';
import type { KeyProvider, KeyPurpose, SigningKey } from './key-provider.ts';
import { ML_DSA_SEED_LENGTH, mlDsaAlgorithm } from './ml-dsa/ml-dsa-algorithm.ts';
import { createNativeMlDsaKey } from './ml-dsa/native-ml-dsa-key.ts';
import { createNobleMlDsaKey } from './ml-dsa/noble-ml-dsa-key.ts';

/** Which ML-DSA implementation holds the keys. */
export type MlDsaImplementation = 'native' | 'noble';

/** Implementation used unless configured otherwise: OpenSSL is the faster. */
export const DEFAULT_MEMORY_IMPLEMENTATION: MlDsaImplementation = 'native';

/** Options of the memory provider. */
export interface MemoryProviderOptions {
  readonly implementation?: MlDsaImplementation;
}

const FACTORIES = {
  native: createNativeMlDsaKey,
  noble: createNobleMlDsaKey,
} as const;

const PURPOSES: readonly KeyPurpose[] = ['batch-signing'];

/** Creates a provider that generates one key per purpose and algorithm on first open. */
export function createMemoryProvider(options: MemoryProviderOptions = {}): KeyProvider {
  const implementation = options.implementation ?? DEFAULT_MEMORY_IMPLEMENTATION;
  if (implementation !== 'native' && implementation !== 'noble') {
    throw new KeyError('INVALID_INPUT', 'implementation must be "native" or "noble"', {
      field: 'implementation',
    });
  }
  const build = FACTORIES[implementation];
  const keys = new Map<string, CheckedSigningKey>();
  let closed = false;
  let account: ExternalSigner | undefined;

  return {
    kind: 'memory',
    async openSymbolAccount(): Promise<ExternalSigner> {
      if (closed) throw new KeyError('CLOSED', 'key provider is closed');
      // Like the ML-DSA keys: generated at start, only in this process (a funded account needs another provider).
      account ??= checkedEd25519Signer(createMemoryEd25519Signer(), () => closed);
      return account;
    },
    async open(purpose: KeyPurpose, algorithmId: number): Promise<SigningKey> {
      if (closed) throw new KeyError('CLOSED', 'key provider is closed');
      if (!PURPOSES.includes(purpose)) {
        throw new KeyError('UNSUPPORTED_PURPOSE', 'unsupported key purpose', { field: 'purpose' });
      }
      mlDsaAlgorithm(algorithmId);
      const slot = `${purpose}/${algorithmId}`;
      const existing = keys.get(slot);
      if (existing !== undefined) return existing;
      // An unpooled buffer of its own, so wiping it wipes the only copy.
      const seed = randomFillSync(new Uint8Array(ML_DSA_SEED_LENGTH));
      let key: CheckedSigningKey;
      try {
        key = build(algorithmId, seed, { protection: 'memory' });
      } finally {
        seed.fill(0);
      }
      keys.set(slot, key);
      return key;
    },
    async close(): Promise<void> {
      closed = true;
      for (const key of keys.values()) key.close();
      keys.clear();
      account = undefined;
    },
  };
}
