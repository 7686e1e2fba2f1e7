// Chooses the key provider named by configuration (docs/keys.md): one line switches where keys live.
import { createDockerSecretProvider, type DockerSecretProviderOptions } from './docker-secret-provider.ts';
import type { KeyProvider } from './key-provider.ts';
import { createMemoryProvider, type MemoryProviderOptions } from './memory-provider.ts';
import type { Pkcs11ProviderOptions } from './pkcs11/pkcs11-provider.ts';
import type { RemoteProviderOptions } from './remote/remote-provider.ts';

/** Which provider, with its options. */
export type ProviderSpec =
  | ({ readonly kind: 'memory' } & MemoryProviderOptions)
  | ({ readonly kind: 'docker-secret' } & DockerSecretProviderOptions)
  | ({ readonly kind: 'pkcs11' } & Pkcs11ProviderOptions)
  | ({ readonly kind: 'remote' } & RemoteProviderOptions);

/** Provider kinds this build knows, for configuration messages. */
export const PROVIDER_KINDS = ['memory', 'docker-secret', 'pkcs11', 'remote'] as const;

/** Creates the provider `spec` names. Providers with native modules load only when chosen. */
export async function createKeyProvider(spec: ProviderSpec): Promise<KeyProvider> {
  switch (spec.kind) {
    case 'memory':
      return createMemoryProvider(spec);
    case 'docker-secret':
      return createDockerSecretProvider(spec);
    case 'pkcs11':
      // Imported here so that only a pkcs11 configuration loads pkcs11js and the PKCS#11 module.
      return (await import('./pkcs11/pkcs11-provider.ts')).createPkcs11Provider(spec);
    case 'remote':
      return (await import('./remote/remote-provider.ts')).createRemoteProvider(spec);
  }
}
