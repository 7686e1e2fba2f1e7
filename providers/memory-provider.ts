// The memory key provider (docs/keys.md): keys derived from a random root generated at start, living only in this process.
import { randomFillSync } from 'node:crypto';
import type { ExternalSigner } from '../src/anchor/external-signer.ts';
import { createMemoryEd25519Signer } from '../src/anchor/memory-ed25519-signer.ts';
import { checkedEd25519Signer } from './checked-ed25519-signer.ts';
import type { CheckedSigningKey } from './checked-signing-key.ts';
import { KeyError } from './key-error.ts';
import { assertBuildable, createDerivedKey, type KeyImplementation } from './key-factory.ts';
import type { KeyProvider, KeyPurpose, SigningKey } from './key-provider.ts';
import { checkKeyRequest } from './key-request.ts';
import { derivedEd25519Signer, memorySeedSource } from './seed-source.ts';

/** Implementation used unless configured otherwise: OpenSSL is the faster. */
export const DEFAULT_MEMORY_IMPLEMENTATION: KeyImplementation = 'native';

/** Options of the memory provider. */
export interface MemoryProviderOptions {
  readonly implementation?: KeyImplementation;
}

/** Creates a provider whose keys (one per purpose, algorithm and generation) die with the process. */
export function createMemoryProvider(options: MemoryProviderOptions = {}): KeyProvider {
  const implementation = options.implementation ?? DEFAULT_MEMORY_IMPLEMENTATION;
  if (implementation !== 'native' && implementation !== 'noble') {
    throw new KeyError('INVALID_INPUT', 'implementation must be "native" or "noble"', {
      field: 'implementation',
    });
  }
  // An unpooled buffer of its own, so wiping it wipes the only copy.
  const root = randomFillSync(new Uint8Array(32));
  const seeds = memorySeedSource(root);
  root.fill(0);
  const keys = new Map<string, CheckedSigningKey>();
  const ed25519 = new Map<string, ExternalSigner>();
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
    async openEd25519(purpose: KeyPurpose, generation = 0): Promise<ExternalSigner> {
      if (closed) throw new KeyError('CLOSED', 'key provider is closed');
      checkKeyRequest(purpose, generation);
      const slot = `${purpose}/ed25519/${generation}`;
      let signer = ed25519.get(slot);
      if (signer === undefined) {
        signer = derivedEd25519Signer(seeds.source, purpose, generation, () => closed);
        ed25519.set(slot, signer);
      }
      return signer;
    },
    async open(purpose: KeyPurpose, algorithmId: number, generation = 0): Promise<SigningKey> {
      if (closed) throw new KeyError('CLOSED', 'key provider is closed');
      checkKeyRequest(purpose, generation);
      assertBuildable(algorithmId);
      const slot = `${purpose}/${algorithmId}/${generation}`;
      const existing = keys.get(slot);
      if (existing !== undefined) return existing;
      const key = createDerivedKey(
        seeds.source,
        { purpose, algorithmId, generation, implementation },
        { protection: 'memory' },
      );
      keys.set(slot, key);
      return key;
    },
    async close(): Promise<void> {
      closed = true;
      seeds.wipe();
      for (const key of keys.values()) key.close();
      keys.clear();
      ed25519.clear();
      account = undefined;
    },
  };
}
