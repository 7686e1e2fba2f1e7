// The settings as the README's Configuration table shows them: each concern's rows (src/config/settings/), in the
// README's order. README.md's table is generated from these rows (`npm run docs:settings`), and
// test/docs/settings-table.test.ts fails when the two differ or when a setting of config.ts has no row.
import type { SettingName } from './config.ts';
import { ANCHORING_SETTINGS } from './settings/anchoring.ts';
import { CHAINS_SETTINGS } from './settings/chains.ts';
import { GENERAL_SETTINGS } from './settings/general.ts';
import { HTTP_SETTINGS } from './settings/http.ts';
import { KEYS_SETTINGS } from './settings/keys.ts';
import { PUBLICATION_SETTINGS } from './settings/publication.ts';
import { SEALING_SETTINGS } from './settings/sealing.ts';
import type { SettingDoc } from './settings/table.ts';
import { TRANSPORT_SETTINGS } from './settings/transport.ts';
import { WITNESSES_SETTINGS } from './settings/witnesses.ts';

export type { SettingDoc } from './settings/table.ts';

/**
 * The README's row order, by each row's first setting: the README groups settings by what an operator looks for,
 * which interleaves the concerns. A row missing here goes last, and the README test fails until it is placed.
 */
const README_ORDER: readonly SettingName[] = [
  'SPARK_LISTEN',
  'SPARK_HTTP_LISTEN',
  'SPARK_IPFS_KUBO_URL',
  'SPARK_IPFS_PINNING_URL',
  'SPARK_ARWEAVE_URL',
  'SPARK_ARWEAVE_CONFIRMATIONS',
  'SPARK_IPFS_MAX_ATTEMPTS',
  'SPARK_ETHEREUM_RPC_URL',
  'SPARK_BITCOIN_RPC_URL',
  'SPARK_JPYC_CONTRACTS',
  'SPARK_CHAIN_RPC_TIMEOUT_MS',
  'SPARK_CHAIN_MIN_CONFIRMATIONS',
  'SPARK_DATA_DIR',
  'SPARK_PRESET',
  'PQC_AGGREGATION_THRESHOLD',
  'PQC_AGGREGATION_TIMEOUT',
  'PQC_IMMEDIATE_MODE',
  'PQC_IMMEDIATE_FEE_MULTIPLIER',
  'PQC_ALGORITHM',
  'PQC_KEY_ROTATION_INTERVAL',
  'PQC_GUARANTEE_EXPIRY',
  'SPARK_KEY_PROVIDER',
  'SPARK_SECRETS_DIR',
  'SPARK_PQC_SEED_SECRET',
  'SPARK_SYMBOL_SEED_SECRET',
  'SPARK_PKCS11_MODULE',
  'SPARK_PKCS11_TOKEN_LABEL',
  'SPARK_PKCS11_PIN_SECRET',
  'SPARK_PKCS11_MASTER_KEY_LABEL',
  'SPARK_PKCS11_SYMBOL_KEY_LABEL',
  'SPARK_REMOTE_SIGNER',
  'SPARK_REMOTE_CA',
  'SPARK_REMOTE_SERVER_NAME',
  'SPARK_PENDING_CAPACITY',
  'SPARK_MAX_MESSAGE_BYTES',
  'SPARK_MAX_BATCH_SIZE',
  'SPARK_MAX_ITEMS_PER_REQUEST',
  'SPARK_MAX_CONCURRENT_STREAMS',
  'SPARK_MAX_STREAMS_PER_CONNECTION',
  'SPARK_STREAM_RATE',
  'SPARK_GRPC_FAST_PATH',
  'SPARK_MEMORY_PROFILE',
  'SPARK_MERKLE_HASHER',
  'SPARK_LOG_LEVEL',
  'SPARK_LOG_FORMAT',
  'SPARK_SHUTDOWN_GRACE_MS',
  'SYMBOL_NODE_URLS',
  'SYMBOL_NODE_URL',
  'SYMBOL_NODE_QUORUM',
  'SYMBOL_MAX_FEE_MULTIPLIER',
  'SYMBOL_POLL_INTERVAL_MS',
  'SYMBOL_DEADLINE_SECONDS',
  'SYMBOL_RESEND_AFTER_MS',
  'SYMBOL_MIN_BALANCE',
  'SPARK_CREDIT_PRICE',
  'SPARK_ANCHOR_BATCHES_PER_TX',
  'SPARK_CHECKPOINT_INTERVAL',
  'SPARK_TLS_CERT',
  'SPARK_TLS_KEY',
  'SPARK_TLS_GROUPS',
  'SPARK_TLS_CLIENT_CA',
  'SPARK_TLS_CLIENT_AUTH',
  'SPARK_ADMIN_CERT_NAMES',
  'SPARK_AUTH_TOKENS',
  'SPARK_INSECURE',
  'SPARK_WITNESSES_FILE',
  'SPARK_WITNESS_QUORUM',
  'SPARK_WITNESS_INTERVAL',
  'SPARK_EPHEMERAL_KEYS',
];

function readmeRank(row: SettingDoc): number {
  const i = README_ORDER.indexOf(row.settings[0] as SettingName);
  return i === -1 ? README_ORDER.length : i;
}

/** The rows, in the order the README shows them. */
export const SETTING_DOCS: readonly SettingDoc[] = [
  ...GENERAL_SETTINGS.rows,
  ...TRANSPORT_SETTINGS.rows,
  ...HTTP_SETTINGS.rows,
  ...KEYS_SETTINGS.rows,
  ...SEALING_SETTINGS.rows,
  ...ANCHORING_SETTINGS.rows,
  ...PUBLICATION_SETTINGS.rows,
  ...CHAINS_SETTINGS.rows,
  ...WITNESSES_SETTINGS.rows,
].toSorted((a, b) => readmeRank(a) - readmeRank(b));

/** The markdown table of `docs`. */
export function settingsTable(docs: readonly SettingDoc[] = SETTING_DOCS): string {
  return [
    '| variable | default | meaning |',
    '|---|---|---|',
    ...docs.map((d) => `| ${d.variable} | ${d.default} | ${d.meaning} |`),
  ].join('\n');
}
