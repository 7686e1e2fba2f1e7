// The settings of `spark signer` (docs/remote-signer.md): flags or SPARK_SIGNER_* variables, and its own key provider.

import type { ProviderSpec } from '../../providers/create-provider.ts';
import { parseListen } from './config.ts';
import { ConfigError, type ConfigIssue } from './config-error.ts';
import { DEFAULT_LOG_LEVEL, DEFAULT_SHUTDOWN_GRACE_MS } from './defaults.ts';
import { pkcs11Spec } from './provider-spec.ts';

/** Where the signer listens unless told otherwise (loopback: a real deployment names its interface). */
export const DEFAULT_SIGNER_LISTEN = '127.0.0.1:50061';

/** The validated signer settings. */
export interface SignerConfig {
  readonly listen: { readonly host: string; readonly port: number };
  /** PEM server certificate (chain) presented to sidecars. */
  readonly tlsCertFile: string;
  /** PEM private key of that certificate. */
  readonly tlsKeyFile: string;
  /** PEM CA certificate(s) that issue client certificates. */
  readonly clientCaFile: string;
  /** JSON policy: client CN → purposes and algorithms. */
  readonly policyFile: string;
  /** The signer's own key provider: where the keys really live. */
  readonly provider: ProviderSpec;
  readonly logLevel: string;
  readonly shutdownGraceMs: number;
}

/** The signer's flags (without "--"), each with the variable that may set it instead. */
export const SIGNER_FLAGS = {
  listen: 'SPARK_SIGNER_LISTEN',
  'tls-cert': 'SPARK_SIGNER_TLS_CERT',
  'tls-key': 'SPARK_SIGNER_TLS_KEY',
  'client-ca': 'SPARK_SIGNER_CLIENT_CA',
  policy: 'SPARK_SIGNER_POLICY',
} as const;

/** A signer flag name. */
export type SignerFlag = keyof typeof SIGNER_FLAGS;

/** Why each file is required: the signer never runs without TLS, client verification and a policy. */
const REQUIRED: Readonly<Record<Exclude<SignerFlag, 'listen'>, string>> = {
  'tls-cert': 'the signer does not start without TLS',
  'tls-key': 'the signer does not start without TLS',
  'client-ca': 'the signer does not start without verifying client certificates',
  policy: 'the signer does not start without a policy naming its clients',
};

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** The key provider the signer itself uses, from SPARK_KEY_PROVIDER and the docker-secret variables. */
function providerSpec(env: Record<string, string | undefined>, issues: ConfigIssue[]): ProviderSpec {
  const kind = env['SPARK_KEY_PROVIDER'] ?? 'memory';
  switch (kind) {
    case 'memory':
      return { kind: 'memory' };
    case 'docker-secret': {
      const spec: { kind: 'docker-secret'; dir?: string; pqcSeedSecret?: string; symbolSeedSecret?: string } =
        {
          kind: 'docker-secret',
        };
      const dir = env['SPARK_SECRETS_DIR'];
      const pqc = env['SPARK_PQC_SEED_SECRET'];
      const symbol = env['SPARK_SYMBOL_SEED_SECRET'];
      if (dir !== undefined) spec.dir = dir;
      if (pqc !== undefined) spec.pqcSeedSecret = pqc;
      if (symbol !== undefined) spec.symbolSeedSecret = symbol;
      return spec;
    }
    case 'pkcs11': {
      // The same variables as the sidecar's (README §Configuration); unset ones take the same defaults.
      const settings: { -readonly [K in keyof Parameters<typeof pkcs11Spec>[0]]: string } = {};
      const names = {
        modulePath: 'SPARK_PKCS11_MODULE',
        tokenLabel: 'SPARK_PKCS11_TOKEN_LABEL',
        pinSecret: 'SPARK_PKCS11_PIN_SECRET',
        masterKeyLabel: 'SPARK_PKCS11_MASTER_KEY_LABEL',
        symbolKeyLabel: 'SPARK_PKCS11_SYMBOL_KEY_LABEL',
      } as const;
      for (const [field, name] of Object.entries(names) as [keyof typeof names, string][]) {
        const v = env[name];
        if (v !== undefined && v !== '') settings[field] = v;
      }
      const pin = settings.pinSecret;
      if (pin !== undefined && (!/^[A-Za-z0-9._-]{1,128}$/.test(pin) || pin === '.' || pin === '..')) {
        issues.push({ setting: 'SPARK_PKCS11_PIN_SECRET', problem: `"${pin}" is not a plain file name` });
      }
      return pkcs11Spec(settings, env['SPARK_SECRETS_DIR'] || undefined);
    }
    case 'remote':
      issues.push({
        setting: 'SPARK_KEY_PROVIDER',
        problem: 'the signer holds keys itself: use memory, docker-secret or pkcs11, not remote',
      });
      return { kind: 'memory' };
    default:
      issues.push({
        setting: 'SPARK_KEY_PROVIDER',
        problem: `"${kind}" is not one of memory, docker-secret, pkcs11`,
      });
      return { kind: 'memory' };
  }
}

/**
 * Builds the signer's configuration from `flags` (which win) and `env`. Throws ConfigError listing every
 * problem, each naming the flag (e.g. "--tls-cert") or variable concerned.
 */
export function loadSignerConfig(
  flags: Partial<Record<SignerFlag, string>>,
  env: Record<string, string | undefined>,
): SignerConfig {
  const issues: ConfigIssue[] = [];
  const value = (flag: SignerFlag): string | undefined => flags[flag] ?? env[SIGNER_FLAGS[flag]];
  const file = (flag: Exclude<SignerFlag, 'listen'>): string => {
    const v = value(flag);
    if (v === undefined || v === '') {
      issues.push({
        setting: `--${flag}`,
        problem: `is required (or ${SIGNER_FLAGS[flag]}): ${REQUIRED[flag]}`,
      });
      return '';
    }
    return v;
  };
  const listenRaw = value('listen') ?? DEFAULT_SIGNER_LISTEN;
  const parsed = parseListen(listenRaw);
  if (typeof parsed === 'string') issues.push({ setting: '--listen', problem: parsed });
  const config = {
    listen: typeof parsed === 'string' ? { host: '127.0.0.1', port: 0 } : parsed,
    tlsCertFile: file('tls-cert'),
    tlsKeyFile: file('tls-key'),
    clientCaFile: file('client-ca'),
    policyFile: file('policy'),
    provider: providerSpec(env, issues),
    logLevel: env['SPARK_LOG_LEVEL'] ?? DEFAULT_LOG_LEVEL,
    shutdownGraceMs: DEFAULT_SHUTDOWN_GRACE_MS,
  };
  if (!LOG_LEVELS.includes(config.logLevel)) {
    issues.push({
      setting: 'SPARK_LOG_LEVEL',
      problem: `"${config.logLevel}" is not one of ${LOG_LEVELS.join(', ')}`,
    });
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return config;
}
