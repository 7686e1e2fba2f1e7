// Publication settings (README.md §Configuration, docs/ipfs.md, docs/publication.md): the IPFS publishers (Kubo, a
// pinning service) with their retries, and the Arweave publisher.
import type { SettingDoc, SettingsTable } from './table.ts';

const NAMES = [
  'SPARK_IPFS_KUBO_URL',
  'SPARK_IPFS_PINNING_URL',
  'SPARK_IPFS_PINNING_TOKEN_FILE',
  'SPARK_IPFS_PINNING_ORIGINS',
  'SPARK_IPFS_MAX_ATTEMPTS',
  'SPARK_IPFS_RETRY_BASE_MS',
  'SPARK_IPFS_POLL_INTERVAL_MS',
  'SPARK_ARWEAVE_URL',
  'SPARK_ARWEAVE_WALLET_FILE',
  'SPARK_ARWEAVE_CONFIRMATIONS',
  'SPARK_ARWEAVE_MAX_REWARD',
] as const;

const ROWS: readonly SettingDoc<(typeof NAMES)[number]>[] = [
  {
    settings: ['SPARK_IPFS_KUBO_URL'],
    variable: '`SPARK_IPFS_KUBO_URL`',
    default: 'unset',
    meaning: 'Kubo RPC address; published bundles are pushed with `block/put` and pinned (docs/ipfs.md)',
  },
  {
    settings: ['SPARK_IPFS_PINNING_URL', 'SPARK_IPFS_PINNING_TOKEN_FILE', 'SPARK_IPFS_PINNING_ORIGINS'],
    variable: '`SPARK_IPFS_PINNING_URL`, `SPARK_IPFS_PINNING_TOKEN_FILE`, `SPARK_IPFS_PINNING_ORIGINS`',
    default: 'unset',
    meaning:
      'an IPFS Pinning Services API endpoint, the file (0400/0600) holding its bearer token, and comma-separated multiaddrs that provide the content',
  },
  {
    settings: ['SPARK_ARWEAVE_URL', 'SPARK_ARWEAVE_WALLET_FILE'],
    variable: '`SPARK_ARWEAVE_URL`, `SPARK_ARWEAVE_WALLET_FILE`',
    default: 'none',
    meaning:
      "an Arweave gateway and the wallet (JWK, secret file 0400/0600) that pays for each published bundle's data transaction (docs/publication.md)",
  },
  {
    settings: ['SPARK_ARWEAVE_CONFIRMATIONS', 'SPARK_ARWEAVE_MAX_REWARD'],
    variable: '`SPARK_ARWEAVE_CONFIRMATIONS`, `SPARK_ARWEAVE_MAX_REWARD`',
    default: '`15`, `10000000000`',
    meaning:
      'confirmations before an Arweave copy counts; most winston one transaction may pay (a higher quoted price is refused)',
  },
  {
    settings: ['SPARK_IPFS_MAX_ATTEMPTS', 'SPARK_IPFS_RETRY_BASE_MS', 'SPARK_IPFS_POLL_INTERVAL_MS'],
    variable: '`SPARK_IPFS_MAX_ATTEMPTS`, `SPARK_IPFS_RETRY_BASE_MS`, `SPARK_IPFS_POLL_INTERVAL_MS`',
    default: '`8`, `1000`, `5000`',
    meaning:
      "publisher attempts before FAILED, first backoff (doubling, jittered, ≤ 5 min), and the worker's round / pin-poll interval",
  },
];

/** The publication part of the Config. */
export interface PublicationPart {
  /** IPFS publishers (docs/ipfs.md); the gateway on the HTTP port needs no setting. */
  readonly ipfs: {
    readonly kuboUrl: string | undefined;
    readonly pinningUrl: string | undefined;
    /** File holding the pinning service's bearer token (read at start, never logged). */
    readonly pinningTokenFile: string | undefined;
    readonly pinningOrigins: readonly string[];
    readonly maxAttempts: number;
    readonly retryBaseMs: number;
    readonly pollIntervalMs: number;
  };
  /** The Arweave publisher (docs/publication.md); undefined when SPARK_ARWEAVE_URL is not set. */
  readonly arweave:
    | {
        readonly url: string;
        /** File holding the wallet's JWK (read at start, never logged). */
        readonly walletFile: string;
        readonly confirmations: number;
        /** Most winston one transaction may pay. */
        readonly maxReward: bigint;
      }
    | undefined;
}

/** The publication settings. */
export const PUBLICATION_SETTINGS: SettingsTable<typeof NAMES, PublicationPart> = {
  names: NAMES,
  rows: ROWS,
  parse(raw, { issues, int, httpUrl }) {
    const pinningUrl = httpUrl('SPARK_IPFS_PINNING_URL');
    if (pinningUrl !== undefined && raw.SPARK_IPFS_PINNING_TOKEN_FILE === undefined) {
      issues.push({
        setting: 'SPARK_IPFS_PINNING_TOKEN_FILE',
        problem: "needed with SPARK_IPFS_PINNING_URL (the bearer token's file)",
      });
    }
    const pinningOrigins = (raw.SPARK_IPFS_PINNING_ORIGINS ?? '')
      .split(',')
      .map((o) => o.trim())
      .filter((o) => o !== '');
    if (pinningOrigins.some((o) => !/^\/[\x21-\x7e]{1,300}$/.test(o)) || pinningOrigins.length > 20) {
      issues.push({
        setting: 'SPARK_IPFS_PINNING_ORIGINS',
        problem: 'a comma-separated list of at most 20 multiaddrs (each starting with "/")',
      });
    }

    const arweaveUrl = httpUrl('SPARK_ARWEAVE_URL');
    if (raw.SPARK_ARWEAVE_URL !== undefined && raw.SPARK_ARWEAVE_WALLET_FILE === undefined) {
      issues.push({
        setting: 'SPARK_ARWEAVE_WALLET_FILE',
        problem: "needed with SPARK_ARWEAVE_URL (the wallet's JWK file)",
      });
    }
    if (raw.SPARK_ARWEAVE_WALLET_FILE !== undefined && raw.SPARK_ARWEAVE_URL === undefined) {
      issues.push({
        setting: 'SPARK_ARWEAVE_WALLET_FILE',
        problem: 'set without SPARK_ARWEAVE_URL, the gateway it pays',
      });
    }
    const maxRewardRaw = raw.SPARK_ARWEAVE_MAX_REWARD ?? '10000000000';
    if (!/^\d{1,20}$/.test(maxRewardRaw) || BigInt(maxRewardRaw) === 0n) {
      issues.push({
        setting: 'SPARK_ARWEAVE_MAX_REWARD',
        problem: `"${maxRewardRaw}" is not a positive number of winston`,
      });
    }
    const arweaveConfirmations = int('SPARK_ARWEAVE_CONFIRMATIONS', 15, 1, 1000);

    return {
      ipfs: {
        kuboUrl: httpUrl('SPARK_IPFS_KUBO_URL'),
        pinningUrl,
        pinningTokenFile: raw.SPARK_IPFS_PINNING_TOKEN_FILE,
        pinningOrigins,
        maxAttempts: int('SPARK_IPFS_MAX_ATTEMPTS', 8, 1, 100),
        retryBaseMs: int('SPARK_IPFS_RETRY_BASE_MS', 1_000, 10, 3_600_000),
        pollIntervalMs: int('SPARK_IPFS_POLL_INTERVAL_MS', 5_000, 10, 3_600_000),
      },
      arweave:
        arweaveUrl === undefined || raw.SPARK_ARWEAVE_WALLET_FILE === undefined
          ? undefined
          : {
              url: arweaveUrl,
              walletFile: raw.SPARK_ARWEAVE_WALLET_FILE,
              confirmations: arweaveConfirmations,
              maxReward: /^\d{1,20}$/.test(maxRewardRaw) ? BigInt(maxRewardRaw) : 0n,
            },
    };
  },
};
