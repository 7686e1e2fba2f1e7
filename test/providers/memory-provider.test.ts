// The memory provider: the KeyProvider contract for both implementations, and its own promises.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { KeyError } from '../../providers/key-error.ts';
import { createMemoryProvider } from '../../providers/memory-provider.ts';
import { ML_DSA_65 } from '../../src/proof/crypto/algorithms.ts';
import { keyProviderContract } from './key-provider-contract.ts';

keyProviderContract('memory (native)', async () => createMemoryProvider({ implementation: 'native' }));
keyProviderContract('memory (noble)', async () => createMemoryProvider({ implementation: 'noble' }));
keyProviderContract('memory (default)', async () => createMemoryProvider());

describe('memory provider', () => {
  test('has kind "memory" and keys protected in memory', async () => {
    const provider = createMemoryProvider();
    const key = await provider.open('batch-signing', ML_DSA_65);
    assert.equal(provider.kind, 'memory');
    assert.equal(key.protection, 'memory');
    await provider.close();
  });

  test('each provider generates a fresh key', async () => {
    const a = createMemoryProvider();
    const b = createMemoryProvider({ implementation: 'noble' });
    const ka = await a.open('batch-signing', ML_DSA_65);
    const kb = await b.open('batch-signing', ML_DSA_65);
    assert.notDeepEqual(ka.publicKey, kb.publicKey);
    await a.close();
    await b.close();
  });

  test('an unknown implementation or purpose is refused', async () => {
    assert.throws(
      () => createMemoryProvider({ implementation: 'wasm' as never }),
      (err) => err instanceof KeyError && err.code === 'INVALID_INPUT' && err.field === 'implementation',
    );
    const provider = createMemoryProvider();
    await assert.rejects(
      provider.open('tls' as never, ML_DSA_65),
      (err) => err instanceof KeyError && err.code === 'UNSUPPORTED_PURPOSE',
    );
    await provider.close();
  });

  test('mutating the exposed public key or key id does not affect the key', async () => {
    const provider = createMemoryProvider();
    const key = await provider.open('batch-signing', ML_DSA_65);
    const before = key.keyId;
    key.publicKey.fill(0);
    key.keyId.fill(0);
    assert.deepEqual(key.keyId, before);
    assert.ok((await key.sign(new Uint8Array([1]), new Uint8Array(0))).length > 0);
    await provider.close();
  });
});
