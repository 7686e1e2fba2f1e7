// The settings as the README's Configuration table shows them: each concern's rows (src/config/settings/) and the
// rows not yet moved to a concern's table, in the README's order. README.md's table is generated from these rows
// (`npm run docs:settings`), and test/docs/settings-table.test.ts fails when the two differ or when a setting of
// config.ts has no row.
import type { SettingName } from './config.ts';
import { ANCHORING_SETTINGS } from './settings/anchoring.ts';
import { CHAINS_SETTINGS } from './settings/chains.ts';
import { KEYS_SETTINGS } from './settings/keys.ts';
import { PUBLICATION_SETTINGS } from './settings/publication.ts';
import { SEALING_SETTINGS } from './settings/sealing.ts';
import type { SettingDoc } from './settings/table.ts';
import { WITNESSES_SETTINGS } from './settings/witnesses.ts';

export type { SettingDoc } from './settings/table.ts';

/** Rows of settings not yet in a concern's table. */
const OTHER_ROWS: readonly SettingDoc[] = [
  {
    settings: ['SPARK_LISTEN'],
    variable: '`SPARK_LISTEN` (`--listen`)',
    default: '`127.0.0.1:50051`',
    meaning: 'gRPC, gRPC-Web and Connect on one port (HTTP/2 and HTTP/1.1)',
  },
  {
    settings: ['SPARK_HTTP_LISTEN'],
    variable: '`SPARK_HTTP_LISTEN`',
    default: "the port after gRPC's, on loopback (`127.0.0.1:50052`; ephemeral when gRPC's is 0)",
    meaning:
      'plain HTTP/1.1 port for metrics, health probes, the IPFS gateway and the web verifier; `off` disables it; a non-loopback address needs `--insecure`',
  },
  {
    settings: ['SPARK_DATA_DIR'],
    variable: '`SPARK_DATA_DIR` (`--data-dir`)',
    default: '`./data`',
    meaning: 'LMDB data directory (created with mode 0700)',
  },
  {
    settings: ['SPARK_PRESET'],
    variable: '`SPARK_PRESET`',
    default: 'none',
    meaning:
      '`bank` (1000 leaves or 1 h), `payments` (100 or 10 min, immediate allowed), `instant` (10 or 60 s, immediate allowed), `evidence` (1000 or 1 day)',
  },
  {
    settings: ['SPARK_MAX_MESSAGE_BYTES'],
    variable: '`SPARK_MAX_MESSAGE_BYTES`',
    default: '`4194304`',
    meaning: 'largest request message; beyond it RESOURCE_EXHAUSTED',
  },
  {
    settings: ['SPARK_MAX_ITEMS_PER_REQUEST'],
    variable: '`SPARK_MAX_ITEMS_PER_REQUEST`',
    default: '`1000`',
    meaning: 'most items in one `SubmitBatch`; more → RESOURCE_EXHAUSTED naming it',
  },
  {
    settings: ['SPARK_MAX_CONCURRENT_STREAMS'],
    variable: '`SPARK_MAX_CONCURRENT_STREAMS`',
    default: '`256`',
    meaning:
      'most `SubmitStream` and `WatchProof` calls open at once on the whole server, all connections together; the next → RESOURCE_EXHAUSTED naming it',
  },
  {
    settings: ['SPARK_MAX_STREAMS_PER_CONNECTION'],
    variable: '`SPARK_MAX_STREAMS_PER_CONNECTION`',
    default: '`256`',
    meaning:
      "most `SubmitStream` and `WatchProof` calls open at once on one HTTP/2 connection (1–100000); the next → RESOURCE_EXHAUSTED naming it. HTTP/2's `SETTINGS_MAX_CONCURRENT_STREAMS` is announced 100 above it, so unary calls and health checks keep room; lower it on a server shared by several clients (docs/operations.md §Many streams on one connection)",
  },
  {
    settings: ['SPARK_STREAM_RATE'],
    variable: '`SPARK_STREAM_RATE`',
    default: '`100000`',
    meaning:
      '`SubmitStream` items per second per client (certificate identity, else address); items beyond it are refused one by one with RESOURCE_EXHAUSTED naming it; `0` = unlimited',
  },
  {
    settings: ['SPARK_GRPC_FAST_PATH'],
    variable: '`SPARK_GRPC_FAST_PATH`',
    default: '`true`',
    meaning:
      'binary gRPC (`application/grpc`, `application/grpc+proto`, no compression) `Submit`, `SubmitBatch` and `SubmitStream` are served by a lean HTTP/2 path instead of connect-node, with the same answers, limits, authorization and metrics (docs/operations.md §gRPC fast path); `false` sends them through connect-node like every other call',
  },
  {
    settings: ['SPARK_LOG_LEVEL'],
    variable: '`SPARK_LOG_LEVEL`',
    default: '`info`',
    meaning: 'pino level (`fatal` … `trace`, `silent`)',
  },
  {
    settings: ['SPARK_LOG_FORMAT'],
    variable: '`SPARK_LOG_FORMAT`',
    default: '`pretty` on a terminal, else `json`',
    meaning:
      '`json`: one JSON object per line (for collectors); `pretty`: one short line each, `12:03:04.567 INFO  msg  key=value`, long values cut (`spark serve --log-format`)',
  },
  {
    settings: ['SPARK_SHUTDOWN_GRACE_MS'],
    variable: '`SPARK_SHUTDOWN_GRACE_MS`',
    default: '`10000`',
    meaning: 'how long SIGTERM waits for open streams',
  },
  {
    settings: ['SPARK_TLS_CERT'],
    variable: '`SPARK_TLS_CERT`',
    default: 'none',
    meaning:
      'PEM server certificate (chain); with `SPARK_TLS_KEY` turns on TLS 1.3 for the port, ALPN `h2` and `http/1.1` ([docs/security.md](docs/security.md))',
  },
  {
    settings: ['SPARK_TLS_KEY'],
    variable: '`SPARK_TLS_KEY`',
    default: 'none',
    meaning:
      'PEM private key of `SPARK_TLS_CERT`; refused when group or others may read it (0400 or 0600, e.g. under `/run/secrets`)',
  },
  {
    settings: ['SPARK_TLS_GROUPS'],
    variable: '`SPARK_TLS_GROUPS`',
    default: '`X25519MLKEM768:X25519:P-256`',
    meaning: 'TLS key-exchange groups in preference order (OpenSSL syntax): the post-quantum hybrid first',
  },
  {
    settings: ['SPARK_TLS_CLIENT_CA'],
    variable: '`SPARK_TLS_CLIENT_CA`',
    default: 'none',
    meaning:
      "PEM CA of client certificates: turns on client certificates; a verified CN is the caller's identity (role `client`)",
  },
  {
    settings: ['SPARK_TLS_CLIENT_AUTH'],
    variable: '`SPARK_TLS_CLIENT_AUTH`',
    default: '`required` (with a CA)',
    meaning:
      '`required` (no certificate fails the handshake, an unverified one is dropped) or `optional` (none allowed, a bad one still refused)',
  },
  {
    settings: ['SPARK_ADMIN_CERT_NAMES'],
    variable: '`SPARK_ADMIN_CERT_NAMES`',
    default: 'none',
    meaning: 'comma-separated client certificate CNs with role `admin` (may call SparkAdmin)',
  },
  {
    settings: ['SPARK_AUTH_TOKENS'],
    variable: '`SPARK_AUTH_TOKENS`',
    default: 'none',
    meaning:
      'secret file (0400/0600) of `<name> <role> <sha256-hex> [daily=N] [monthly=N] [immediate-daily=N] [price=XYM]` lines (`spark token create`, `spark token quota`); callers send `authorization: Bearer <token>`; usage per client: `spark usage` (docs/operations.md §Usage, quotas and fees)',
  },
  {
    settings: ['SPARK_INSECURE'],
    variable: '`SPARK_INSECURE` (`--insecure`)',
    default: '`false`',
    meaning: 'allow plaintext on a non-loopback `SPARK_LISTEN` (refused otherwise, exit 2); logs a warning',
  },
  {
    settings: ['SPARK_EPHEMERAL_KEYS'],
    variable: '`SPARK_EPHEMERAL_KEYS` (`--ephemeral-keys`)',
    default: '`false`',
    meaning:
      'allow the `memory` key provider on a non-loopback `SPARK_LISTEN` (refused otherwise, exit 2): its keys and Symbol account are new at every start, so no trust root can pin the server (docs/trust.md §5)',
  },
];

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
  ...OTHER_ROWS,
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
