// The docker-secret key provider (docs/keys.md): keys derived from seeds in /run/secrets, read once, wiped on close.
import { join } from 'node:path';
import type { ExternalSigner } from '../src/anchor/external-signer.ts';
import { createMemoryEd25519Signer } from '../src/anchor/memory-ed25519-signer.ts';
import { checkedEd25519Signer } from './checked-ed25519-signer.ts';
import type { CheckedSigningKey } from './checked-signing-key.ts';
import { KeyError } from './key-error.ts';
import { assertBuildable, createDerivedKey } from './key-factory.ts';
import type { KeyProvider, KeyPurpose, SigningKey } from './key-provider.ts';
import { checkKeyRequest } from './key-request.ts';
import { readSeedFile } from './secret-file.ts';
import { derivedEd25519Signer, memorySeedSource } from './seed-source.ts';

/** Where Docker mounts secrets (a tmpfs). */
export const DEFAULT_SECRETS_DIR = '/run/secrets';
/** Secret holding the ML-DSA seed (FIPS 204 ξ, 32 bytes). */
export const DEFAULT_PQC_SEED_SECRET = 'spark_pqc_seed';
/** Secret holding the Symbol account's Ed25519 seed (32 bytes). */
export const DEFAULT_SYMBOL_SEED_SECRET = 'spark_symbol_seed';

/** Options of the docker-secret provider. */
export interface DockerSecretProviderOptions {
  readonly dir?: string;
  readonly pqcSeedSecret?: string;
  readonly symbolSeedSecret?: string;
}

/** Secret names are plain file names: no directories, no traversal. */
function secretPath(dir: string, name: string, option: string): string {
  if (!/^[A-Za-z0-9._-]{1,128}$/.test(name) || name === '.' || name === '..') {
    throw new KeyError('SECRET_UNUSABLE', `${option}: "${name}" is not a plain secret file name`, {
      field: option,
    });
  }
  return join(dir, name);
}

/**
 * Creates the provider. The PQC root seed is read once, at the first open, and kept (one copy) to derive
 * every key and later generation (docs/hsm.md §Derivation); close() zeroes it. The Symbol seed is the
 * account's Ed25519 private key itself, zeroed right after the signer is made. Nothing is written anywhere.
 */
export function createDockerSecretProvider(options: DockerSecretProviderOptions = {}): KeyProvider {
  const dir = options.dir ?? DEFAULT_SECRETS_DIR;
  const pqcPath = secretPath(dir, options.pqcSeedSecret ?? DEFAULT_PQC_SEED_SECRET, 'pqcSeedSecret');
  const symbolPath = secretPath(
    dir,
    options.symbolSeedSecret ?? DEFAULT_SYMBOL_SEED_SECRET,
    'symbolSeedSecret',
  );
  const keys = new Map<string, CheckedSigningKey>();
  let seeds: ReturnType<typeof memorySeedSource> | undefined;
  let account: ExternalSigner | undefined;
  let closed = false;
  const open = () => {
    if (closed) throw new KeyError('CLOSED', 'key provider is closed');
  };
  const ed25519 = new Map<string, ExternalSigner>();
  /** The PQC root seed's derivation, read at the first use. */
  const seedSource = () => {
    if (seeds === undefined) {
      const root = readSeedFile(pqcPath);
      try {
        seeds = memorySeedSource(root);
      } finally {
        root.fill(0);
      }
    }
    return seeds.source;
  };

  return {
    kind: 'docker-secret',
    async open(purpose: KeyPurpose, algorithmId: number, generation = 0): Promise<SigningKey> {
      open();
      checkKeyRequest(purpose, generation);
      assertBuildable(algorithmId);
      const slot = `${purpose}/${algorithmId}/${generation}`;
      const existing = keys.get(slot);
      if (existing !== undefined) return existing;
      const key = createDerivedKey(
        seedSource(),
        { purpose, algorithmId, generation, implementation: 'native' },
        { protection: 'file' },
      );
      keys.set(slot, key);
      return key;
    },
    async openEd25519(purpose: KeyPurpose, generation = 0): Promise<ExternalSigner> {
      open();
      checkKeyRequest(purpose, generation);
      const slot = `${purpose}/ed25519/${generation}`;
      let signer = ed25519.get(slot);
      if (signer === undefined) {
        signer = derivedEd25519Signer(seedSource(), purpose, generation, () => closed);
        ed25519.set(slot, signer);
      }
      return signer;
    },
    async openSymbolAccount(): Promise<ExternalSigner> {
      open();
      if (account !== undefined) return account;
      const seed = readSeedFile(symbolPath);
      try {
        account = checkedEd25519Signer(createMemoryEd25519Signer(seed), () => closed);
        return account;
      } finally {
        seed.fill(0);
      }
    },
    async close(): Promise<void> {
      closed = true;
      seeds?.wipe();
      seeds = undefined;
      for (const key of keys.values()) key.close();
      keys.clear();
      ed25519.clear();
      account = undefined;
    },
  };
}
