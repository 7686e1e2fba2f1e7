// A sealer over `store` signing with a fresh in-memory ML-DSA-65 key (generation 0, valid from 0), for tests that
// need real sealed batches without a key provider of their own.
import { createMemoryProvider } from '../../providers/memory-provider.ts';
import { makeKeyEntry } from '../../src/batch/key-entry.ts';
import { fixedKeyRing, type KeyRing } from '../../src/batch/key-ring.ts';
import { createSealer, type Sealer } from '../../src/batch/sealer.ts';
import { nativeSha256 } from '../../src/crypto/native-sha256.ts';
import { createLogger } from '../../src/log/logger.ts';
import { ML_DSA_65 } from '../../src/proof/crypto/algorithms.ts';
import type { Store } from '../../src/store/store.ts';

/** What a fixed ring offers: the key and its use under the ring's lock. */
export type MemoryKeys = Pick<KeyRing, 'current' | 'use'>;

/** A key ring of one fresh in-memory ML-DSA-65 key (generation 0, valid from 0). */
export async function memoryKeys(): Promise<MemoryKeys> {
  const key = await createMemoryProvider().open('batch-signing', ML_DSA_65);
  const entry = await makeKeyEntry({
    key,
    generation: 0,
    validFromMs: 0,
    previousKeyId: new Uint8Array(0),
    endorser: undefined,
  });
  return fixedKeyRing({ key, entry });
}

/** The sealer, signing with `keys` (a fresh ring by default); headers guarantee until 2045 and are dated by the clock. */
export async function memorySealer(store: Store, keys?: MemoryKeys): Promise<Sealer> {
  return createSealer({
    store,
    keys: keys ?? (await memoryKeys()),
    sha256: nativeSha256,
    guaranteeExpiryMs: Date.parse('2045-01-01T00:00:00Z'),
    now: () => Date.now(),
    log: createLogger('silent'),
  });
}
