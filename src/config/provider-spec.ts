// Turns the configuration into the key provider's options (the one place settings meet providers).

import { join } from 'node:path';
import type { ProviderSpec } from '../../providers/create-provider.ts';
import type { Config } from './config.ts';
import * as d from './defaults.ts';

/** The pkcs11 provider's options from its settings; the PIN file is a secret name inside `secretsDir`. */
export function pkcs11Spec(
  pkcs11: Partial<Config['pkcs11']>,
  secretsDir: string = d.DEFAULT_SECRETS_DIR,
): Extract<ProviderSpec, { kind: 'pkcs11' }> {
  return {
    kind: 'pkcs11',
    modulePath: pkcs11.modulePath ?? d.DEFAULT_PKCS11_MODULE,
    tokenLabel: pkcs11.tokenLabel ?? d.DEFAULT_PKCS11_TOKEN_LABEL,
    pinFile: join(secretsDir, pkcs11.pinSecret ?? d.DEFAULT_PKCS11_PIN_SECRET),
    masterKeyLabel: pkcs11.masterKeyLabel ?? d.DEFAULT_PKCS11_MASTER_KEY_LABEL,
    symbolKeyLabel: pkcs11.symbolKeyLabel ?? d.DEFAULT_PKCS11_SYMBOL_KEY_LABEL,
  };
}

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
    case 'pkcs11':
      return pkcs11Spec(config.pkcs11, config.secretsDir);
  }
}
