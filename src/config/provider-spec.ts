// Turns the configuration into the key provider's options (the one place settings meet providers).
import type { ProviderSpec } from '../../providers/create-provider.ts';
import type { Config } from './config.ts';

/** The provider and options `config` names. */
export function providerSpecOf(config: Config): ProviderSpec {
  switch (config.keyProvider) {
    case 'memory':
      return { kind: 'memory' };
    case 'docker-secret':
      return {
        kind: 'docker-secret',
        dir: config.secretsDir,
        pqcSeedSecret: config.pqcSeedSecret,
        symbolSeedSecret: config.symbolSeedSecret,
      };
    case 'remote': {
      const r = config.remote;
      // loadConfig refuses a remote provider without these; this guards the type.
      if (
        r.address === undefined ||
        r.caFile === undefined ||
        r.certFile === undefined ||
        r.keyFile === undefined
      ) {
        throw new Error('remote key provider settings are incomplete');
      }
      return {
        kind: 'remote',
        address: r.address,
        caFile: r.caFile,
        certFile: r.certFile,
        keyFile: r.keyFile,
        ...(r.serverName === undefined ? {} : { serverName: r.serverName }),
      };
    }
    default:
      throw new Error(`key provider ${config.keyProvider} is not wired yet`);
  }
}
