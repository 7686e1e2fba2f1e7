// Key settings (README.md §Configuration, docs/keys.md): the signature algorithm and its guarantee, where keys live
// (memory, docker-secret, pkcs11 per docs/hsm.md, remote per docs/remote-signer.md) and the rotation schedule.
import { algorithmByName, allAlgorithms } from '../../proof/crypto/algorithms.ts';
import * as d from '../defaults.ts';
import { parseListen } from './listen.ts';
import type { SettingDoc, SettingsTable } from './table.ts';

/** Where keys can live (docs/keys.md). */
export const KEY_PROVIDER_KINDS = ['memory', 'docker-secret', 'pkcs11', 'remote'] as const;
/** A key provider name. */
export type KeyProviderKind = (typeof KEY_PROVIDER_KINDS)[number];

const NAMES = [
  'PQC_ALGORITHM',
  'PQC_GUARANTEE_EXPIRY',
  'SPARK_KEY_PROVIDER',
  'SPARK_SECRETS_DIR',
  'SPARK_PQC_SEED_SECRET',
  'SPARK_SYMBOL_SEED_SECRET',
  'PQC_KEY_ROTATION_INTERVAL',
  'SPARK_PKCS11_MODULE',
  'SPARK_PKCS11_TOKEN_LABEL',
  'SPARK_PKCS11_PIN_SECRET',
  'SPARK_PKCS11_MASTER_KEY_LABEL',
  'SPARK_PKCS11_SYMBOL_KEY_LABEL',
  'SPARK_REMOTE_SIGNER',
  'SPARK_REMOTE_CA',
  'SPARK_REMOTE_CERT',
  'SPARK_REMOTE_KEY',
  'SPARK_REMOTE_SERVER_NAME',
] as const;

const ROWS: readonly SettingDoc<(typeof NAMES)[number]>[] = [
  {
    settings: ['PQC_ALGORITHM'],
    variable: '`PQC_ALGORITHM`',
    default: '`ML-DSA-65`',
    meaning:
      '`ML-DSA-44`, `ML-DSA-65`, `ML-DSA-87`, `SLH-DSA-SHA2-128s`, `SLH-DSA-SHA2-128f`, or the hybrids `ML-DSA-65+Ed25519` and `ML-DSA-65+SLH-DSA-SHA2-128s` (any case; registry in [docs/proof-format.md §7](docs/proof-format.md)); changing it rotates into the new algorithm at the next start, endorsed by the old key',
  },
  {
    settings: ['PQC_KEY_ROTATION_INTERVAL'],
    variable: '`PQC_KEY_ROTATION_INTERVAL`',
    default: '`2592000` (30 days)',
    meaning:
      'seconds a batch-signing key signs before it is rotated (the new key endorsed by the old); `0` turns the schedule off; on demand: `spark keys rotate` ([docs/keys.md](docs/keys.md))',
  },
  {
    settings: ['PQC_GUARANTEE_EXPIRY'],
    variable: '`PQC_GUARANTEE_EXPIRY`',
    default:
      'per algorithm (ML-DSA-44 2040, -65 2045, -87 2050; SLH-DSA 2050; ML-DSA-65+Ed25519 2045, ML-DSA-65+SLH-DSA-SHA2-128s 2050)',
    meaning: 'ISO date written into each header: until when the algorithm is relied on',
  },
  {
    settings: ['SPARK_KEY_PROVIDER'],
    variable: '`SPARK_KEY_PROVIDER`',
    default: '`memory`',
    meaning:
      'where keys live: `memory` (fresh keys at each start, each recorded in the key history), `docker-secret` (root seed read once from a secret file, wiped on close), `pkcs11` (an HSM, [docs/hsm.md](docs/hsm.md)) or `remote` (a `spark signer` over mutual TLS, [docs/remote-signer.md](docs/remote-signer.md))',
  },
  {
    settings: ['SPARK_SECRETS_DIR'],
    variable: '`SPARK_SECRETS_DIR`',
    default: '`/run/secrets`',
    meaning:
      'docker-secret: directory of the secret files (files must be 0400 or 0600: group- or world-readable ones are refused)',
  },
  {
    settings: ['SPARK_PQC_SEED_SECRET'],
    variable: '`SPARK_PQC_SEED_SECRET`',
    default: '`spark_pqc_seed`',
    meaning: 'docker-secret: file with the ML-DSA seed (32 raw bytes or 64 hex digits)',
  },
  {
    settings: ['SPARK_SYMBOL_SEED_SECRET'],
    variable: '`SPARK_SYMBOL_SEED_SECRET`',
    default: '`spark_symbol_seed`',
    meaning: "docker-secret: file with the Symbol account's Ed25519 seed (same format)",
  },
  {
    settings: ['SPARK_PKCS11_MODULE'],
    variable: '`SPARK_PKCS11_MODULE`',
    default: '`/usr/lib/softhsm/libsofthsm2.so`',
    meaning: 'pkcs11: the PKCS#11 module',
  },
  {
    settings: ['SPARK_PKCS11_TOKEN_LABEL'],
    variable: '`SPARK_PKCS11_TOKEN_LABEL`',
    default: '`spark`',
    meaning: 'pkcs11: label of the token holding the keys',
  },
  {
    settings: ['SPARK_PKCS11_PIN_SECRET'],
    variable: '`SPARK_PKCS11_PIN_SECRET`',
    default: '`spark_pkcs11_pin`',
    meaning: 'pkcs11: secret file (in `SPARK_SECRETS_DIR`, mode 0400/0600) with the user PIN',
  },
  {
    settings: ['SPARK_PKCS11_MASTER_KEY_LABEL'],
    variable: '`SPARK_PKCS11_MASTER_KEY_LABEL`',
    default: '`spark-seed-master`',
    meaning: 'pkcs11: the non-extractable HMAC key seeds are derived under (made on first use)',
  },
  {
    settings: ['SPARK_PKCS11_SYMBOL_KEY_LABEL'],
    variable: '`SPARK_PKCS11_SYMBOL_KEY_LABEL`',
    default: '`spark-symbol-account`',
    meaning: 'pkcs11: the Ed25519 key pair of the Symbol account (made on first use, never extractable)',
  },
  {
    settings: ['SPARK_REMOTE_SIGNER'],
    variable: '`SPARK_REMOTE_SIGNER`',
    default: 'none',
    meaning: "remote: the signer's HOST:PORT",
  },
  {
    settings: ['SPARK_REMOTE_CA', 'SPARK_REMOTE_CERT', 'SPARK_REMOTE_KEY'],
    variable: '`SPARK_REMOTE_CA` / `SPARK_REMOTE_CERT` / `SPARK_REMOTE_KEY`',
    default: 'none',
    meaning:
      "remote: PEM files — the CA that issued the signer's certificate, this sidecar's client certificate and its key",
  },
  {
    settings: ['SPARK_REMOTE_SERVER_NAME'],
    variable: '`SPARK_REMOTE_SERVER_NAME`',
    default: 'the host of `SPARK_REMOTE_SIGNER`',
    meaning: "remote: the name the signer's certificate must carry",
  },
];

/** The keys part of the Config. */
export interface KeysPart {
  readonly algorithmId: number;
  readonly algorithmName: string;
  /** ms since the Unix epoch. */
  readonly guaranteeExpiryMs: number;
  readonly keyProvider: KeyProviderKind;
  /** docker-secret and pkcs11: the secrets directory and the secret file names in it. */
  readonly secretsDir: string;
  readonly pqcSeedSecret: string;
  readonly symbolSeedSecret: string;
  /** pkcs11 settings (docs/hsm.md). */
  readonly pkcs11: {
    readonly modulePath: string;
    readonly tokenLabel: string;
    readonly pinSecret: string;
    readonly masterKeyLabel: string;
    readonly symbolKeyLabel: string;
  };
  /** remote settings (docs/remote-signer.md); address undefined unless the provider is remote. */
  readonly remote: {
    readonly address: string | undefined;
    readonly caFile: string | undefined;
    readonly certFile: string | undefined;
    readonly keyFile: string | undefined;
    readonly serverName: string | undefined;
  };
  /** Seconds between scheduled key rotations; 0 when off. */
  readonly keyRotationIntervalSeconds: number;
}

/** The key settings. */
export const KEYS_SETTINGS: SettingsTable<typeof NAMES, KeysPart> = {
  names: NAMES,
  rows: ROWS,
  parse(raw, { issues, int, label, secretName }) {
    const algorithmName = raw.PQC_ALGORITHM ?? d.DEFAULT_ALGORITHM;
    const algorithm = algorithmByName(algorithmName);
    if (algorithm === undefined) {
      issues.push({
        setting: 'PQC_ALGORITHM',
        problem: `"${algorithmName}" is not one of ${allAlgorithms()
          .map((a) => a.name)
          .join(', ')}`,
      });
    }

    const expiryRaw = raw.PQC_GUARANTEE_EXPIRY ?? algorithm?.defaultGuaranteeExpiry ?? '2045-01-01T00:00:00Z';
    const guaranteeExpiryMs = Date.parse(expiryRaw);
    if (!/^\d{4}-\d{2}-\d{2}/.test(expiryRaw) || Number.isNaN(guaranteeExpiryMs)) {
      issues.push({ setting: 'PQC_GUARANTEE_EXPIRY', problem: `"${expiryRaw}" is not an ISO 8601 date` });
    } else if (guaranteeExpiryMs <= Date.now()) {
      issues.push({
        setting: 'PQC_GUARANTEE_EXPIRY',
        problem: `${expiryRaw} has passed: the algorithm is no longer guaranteed`,
      });
    }

    const keyProviderRaw = raw.SPARK_KEY_PROVIDER ?? d.DEFAULT_KEY_PROVIDER;
    const keyProvider = KEY_PROVIDER_KINDS.find((k) => k === keyProviderRaw) ?? 'memory';
    if (keyProvider !== keyProviderRaw) {
      issues.push({
        setting: 'SPARK_KEY_PROVIDER',
        problem: `"${keyProviderRaw}" is not one of ${KEY_PROVIDER_KINDS.join(', ')}`,
      });
    }
    const remoteSetting = (name: (typeof NAMES)[number]): string | undefined => {
      const v = raw[name];
      if (keyProvider === 'remote' && v === undefined && name !== 'SPARK_REMOTE_SERVER_NAME') {
        issues.push({ setting: name, problem: 'is required when SPARK_KEY_PROVIDER is remote' });
      }
      return v;
    };
    const remoteAddress = remoteSetting('SPARK_REMOTE_SIGNER');
    if (remoteAddress !== undefined && typeof parseListen(remoteAddress) === 'string') {
      issues.push({ setting: 'SPARK_REMOTE_SIGNER', problem: `"${remoteAddress}" is not HOST:PORT` });
    }

    return {
      algorithmId: algorithm?.id ?? 0,
      algorithmName: algorithm?.name ?? algorithmName,
      guaranteeExpiryMs,
      keyProvider,
      secretsDir: raw.SPARK_SECRETS_DIR ?? d.DEFAULT_SECRETS_DIR,
      pqcSeedSecret: secretName('SPARK_PQC_SEED_SECRET', d.DEFAULT_PQC_SEED_SECRET),
      symbolSeedSecret: secretName('SPARK_SYMBOL_SEED_SECRET', d.DEFAULT_SYMBOL_SEED_SECRET),
      pkcs11: {
        modulePath: raw.SPARK_PKCS11_MODULE ?? d.DEFAULT_PKCS11_MODULE,
        tokenLabel: label('SPARK_PKCS11_TOKEN_LABEL', d.DEFAULT_PKCS11_TOKEN_LABEL),
        pinSecret: secretName('SPARK_PKCS11_PIN_SECRET', d.DEFAULT_PKCS11_PIN_SECRET),
        masterKeyLabel: label('SPARK_PKCS11_MASTER_KEY_LABEL', d.DEFAULT_PKCS11_MASTER_KEY_LABEL),
        symbolKeyLabel: label('SPARK_PKCS11_SYMBOL_KEY_LABEL', d.DEFAULT_PKCS11_SYMBOL_KEY_LABEL),
      },
      remote: {
        address: remoteAddress,
        caFile: remoteSetting('SPARK_REMOTE_CA'),
        certFile: remoteSetting('SPARK_REMOTE_CERT'),
        keyFile: remoteSetting('SPARK_REMOTE_KEY'),
        serverName: remoteSetting('SPARK_REMOTE_SERVER_NAME'),
      },
      keyRotationIntervalSeconds: int(
        'PQC_KEY_ROTATION_INTERVAL',
        d.DEFAULT_KEY_ROTATION_INTERVAL_SECONDS,
        0,
        10 * 366 * 86_400,
      ),
    };
  },
};
