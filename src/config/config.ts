// The only reader of environment and config files: builds and validates the Config (README.md §Configuration).

import { readFileSync } from 'node:fs';
import { MERKLE_HASHERS, type MerkleHasherKind } from '../batch/pair-hasher.ts';
import { algorithmByName, allAlgorithms } from '../proof/crypto/algorithms.ts';
import { parseXym } from '../proof/encoding/xym.ts';
import { parseGroupList } from '../service/tls-groups.ts';
import { ConfigError, type ConfigIssue } from './config-error.ts';
import * as d from './defaults.ts';
import { PRESETS } from './presets.ts';
import { settingHelpers } from './settings/helpers.ts';
import { isLoopbackHost, parseListen } from './settings/listen.ts';

export { isLoopbackHost, parseListen } from './settings/listen.ts';

/** The validated configuration. */
export interface Config {
  readonly listen: { readonly host: string; readonly port: number };
  /** Other-chain JSON-RPC endpoints for checking source references (docs/operations.md §Other-chain references); undefined: form only. */
  readonly chains: {
    readonly ethereumUrl: string | undefined;
    readonly polygonUrl: string | undefined;
    readonly bitcoinUrl: string | undefined;
    /** File holding Bitcoin Core's "user:password" (read at start, never logged). */
    readonly bitcoinAuthFile: string | undefined;
    /** JPYC token contract per chain, lower-case 0x addresses. */
    readonly jpycContracts: { readonly ethereum?: string; readonly polygon?: string };
    readonly timeoutMs: number;
    /** Confirmations a referenced transaction needs per chain (1: in any block). */
    readonly minConfirmations: {
      readonly bitcoin: number;
      readonly ethereum: number;
      readonly polygon: number;
    };
  };
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
  /** The HTTP port (metrics, health, IPFS gateway, web verifier); undefined when off. */
  readonly httpListen: { readonly host: string; readonly port: number } | undefined;
  readonly dataDir: string;
  readonly preset: string | undefined;
  readonly aggregationThreshold: number;
  readonly aggregationTimeoutSeconds: number;
  readonly immediateMode: boolean;
  readonly immediateFeeMultiplier: number;
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
  readonly pendingCapacity: number;
  readonly maxMessageBytes: number;
  readonly maxBatchSize: number;
  readonly maxItemsPerRequest: number;
  /** SubmitStream and WatchProof calls open at once on the whole server. */
  readonly maxConcurrentStreams: number;
  /** SubmitStream and WatchProof calls open at once on one connection. */
  readonly maxStreamsPerConnection: number;
  /** SubmitStream items per second per client; 0 = unlimited. */
  readonly streamRate: number;
  /** SPARK_GRPC_FAST_PATH: binary gRPC Submit, SubmitBatch and SubmitStream bypass connect-node. */
  readonly grpcFastPath: boolean;
  /**
   * SPARK_MEMORY_PROFILE: `fast` (default) lets V8 double its heap and maps the LMDB file whole; `lean` tunes
   * malloc, grows the heap by 30 % at a time, maps the file in chunks and halves the stream items in flight, for
   * under 400 MiB RSS under overload at 15–30 % less ingest and slower Prove (src/config/memory-profile.ts,
   * docs/PERFORMANCE.md §Memory profiles).
   */
  readonly memoryProfile: MemoryProfile;
  /** SPARK_MERKLE_HASHER: `wasm` (the WebAssembly SIMD node hasher) or `node` (one node:crypto call per node). */
  readonly merkleHasher: MerkleHasherKind;
  readonly logLevel: string;
  /** SPARK_LOG_FORMAT: `json` lines, or `pretty` ones for a person; default pretty on a terminal, else json. */
  readonly logFormat: 'json' | 'pretty';
  readonly shutdownGraceMs: number;
  /**
   * Symbol node REST URLs (SYMBOL_NODE_URLS, or the one-node form SYMBOL_NODE_URL); when any is set, sealed batches
   * are anchored on Symbol. Empty: no anchoring.
   */
  readonly symbolNodeUrls: readonly string[];
  /** Nodes that must agree on evidence and finality (SYMBOL_NODE_QUORUM; default a majority). */
  readonly symbolNodeQuorum: number;
  readonly symbolMaxFeeMultiplier: number;
  readonly symbolPollIntervalMs: number;
  readonly symbolDeadlineSeconds: number;
  readonly symbolResendAfterMs: number;
  /** SYMBOL_MIN_BALANCE in µXYM: below it the sidecar warns (log, metric); undefined: no minimum. */
  readonly symbolMinBalance: bigint | undefined;
  /**
   * SPARK_CREDIT_PRICE in µXYM per submission: prepaid credit on (docs/operations.md §Prepaid credit); undefined: off.
   */
  readonly creditPrice: bigint | undefined;
  /** SPARK_EPHEMERAL_KEYS (`--ephemeral-keys`): the memory provider's keys, which vanish at restart, accepted off loopback. */
  readonly ephemeralKeys: boolean;
  readonly anchorBatchesPerTransaction: number;
  /** Seconds between checkpoints of the header chain (only with anchoring on). */
  readonly checkpointIntervalSeconds: number;
  /**
   * SPARK_WITNESSES_FILE: JSON array of {"url", "vkey"[, "ca"]} witnesses asked to cosign each new checkpoint note
   * (docs/witnesses.md); undefined: no witnesses.
   */
  readonly witnessesFile: string | undefined;
  /** SPARK_WITNESS_QUORUM: cosignatures a checkpoint needs (default: a majority of the witnesses). */
  readonly witnessQuorum: number | undefined;
  /** SPARK_WITNESS_INTERVAL: seconds between cosigning rounds. */
  readonly witnessIntervalSeconds: number;
  /** TLS 1.3 on the listen port (docs/security.md); undefined serves plaintext. */
  readonly tls:
    | {
        readonly certFile: string;
        readonly keyFile: string;
        readonly clientCaFile: string | undefined;
        readonly clientAuth: 'none' | 'optional' | 'required';
        readonly groups: string;
      }
    | undefined;
  /** Plaintext on a non-loopback address was asked for explicitly. */
  readonly insecure: boolean;
  /** The tokens file (SPARK_AUTH_TOKENS); undefined when tokens are off. */
  readonly authTokensFile: string | undefined;
  /** Client certificate CNs with the admin role. */
  readonly adminCertNames: readonly string[];
}

/** Where keys can live (docs/keys.md). */
export const KEY_PROVIDER_KINDS = ['memory', 'docker-secret', 'pkcs11', 'remote'] as const;
/** A key provider name. */
export type KeyProviderKind = (typeof KEY_PROVIDER_KINDS)[number];

/** Every setting's variable name, as read from the environment or a JSON config file. */
export const SETTINGS = [
  'SPARK_LISTEN',
  'SPARK_HTTP_LISTEN',
  'SPARK_IPFS_KUBO_URL',
  'SPARK_ETHEREUM_RPC_URL',
  'SPARK_POLYGON_RPC_URL',
  'SPARK_BITCOIN_RPC_URL',
  'SPARK_BITCOIN_RPC_AUTH_FILE',
  'SPARK_JPYC_CONTRACTS',
  'SPARK_CHAIN_RPC_TIMEOUT_MS',
  'SPARK_CHAIN_MIN_CONFIRMATIONS',
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
  'SPARK_DATA_DIR',
  'SPARK_PRESET',
  'PQC_AGGREGATION_THRESHOLD',
  'PQC_AGGREGATION_TIMEOUT',
  'PQC_IMMEDIATE_MODE',
  'PQC_IMMEDIATE_FEE_MULTIPLIER',
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
  'SYMBOL_NODE_URL',
  'SYMBOL_NODE_URLS',
  'SYMBOL_NODE_QUORUM',
  'SYMBOL_MAX_FEE_MULTIPLIER',
  'SYMBOL_POLL_INTERVAL_MS',
  'SYMBOL_DEADLINE_SECONDS',
  'SYMBOL_RESEND_AFTER_MS',
  'SYMBOL_MIN_BALANCE',
  'SPARK_CREDIT_PRICE',
  'SPARK_ANCHOR_BATCHES_PER_TX',
  'SPARK_CHECKPOINT_INTERVAL',
  'SPARK_WITNESSES_FILE',
  'SPARK_WITNESS_QUORUM',
  'SPARK_WITNESS_INTERVAL',
  'SPARK_TLS_CERT',
  'SPARK_TLS_KEY',
  'SPARK_TLS_CLIENT_CA',
  'SPARK_TLS_CLIENT_AUTH',
  'SPARK_TLS_GROUPS',
  'SPARK_INSECURE',
  'SPARK_EPHEMERAL_KEYS',
  'SPARK_AUTH_TOKENS',
  'SPARK_ADMIN_CERT_NAMES',
] as const;

/** A setting name. */
export type SettingName = (typeof SETTINGS)[number];

/** Raw string values by setting name. */
export type RawSettings = Partial<Record<SettingName, string>>;

/** Largest accepted SPARK_MAX_BATCH_SIZE, and so largest PQC_AGGREGATION_THRESHOLD. */
const MAX_BATCH_SIZE_LIMIT = 10_000_000;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** SPARK_MEMORY_PROFILE values: throughput first, or memory first. */
export const MEMORY_PROFILES = ['fast', 'lean'] as const;
/** A memory profile. */
export type MemoryProfile = (typeof MEMORY_PROFILES)[number];

function isMemoryProfile(value: string): value is MemoryProfile {
  return (MEMORY_PROFILES as readonly string[]).includes(value);
}

/** Reads SPARK_CONFIG_FILE (a JSON object of setting names to values) if set. */
function readConfigFile(path: string, issues: ConfigIssue[]): RawSettings {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    issues.push({
      setting: 'SPARK_CONFIG_FILE',
      problem: `cannot read ${path} as JSON: ${(e as Error).message}`,
    });
    return {};
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    issues.push({ setting: 'SPARK_CONFIG_FILE', problem: `${path} must hold a JSON object` });
    return {};
  }
  const out: RawSettings = {};
  for (const [k, v] of Object.entries(parsed)) {
    if (!(SETTINGS as readonly string[]).includes(k)) {
      issues.push({ setting: 'SPARK_CONFIG_FILE', problem: `unknown setting "${k}" in ${path}` });
    } else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
      out[k as SettingName] = String(v);
    } else {
      issues.push({ setting: k, problem: `value in ${path} must be a string, number or boolean` });
    }
  }
  return out;
}

/** The TLS settings: both of SPARK_TLS_CERT and SPARK_TLS_KEY, or none of the TLS settings. */
function tlsSettings(raw: RawSettings, issues: ConfigIssue[]): Config['tls'] {
  const certFile = raw.SPARK_TLS_CERT;
  const keyFile = raw.SPARK_TLS_KEY;
  const clientCaFile = raw.SPARK_TLS_CLIENT_CA;
  const groups = raw.SPARK_TLS_GROUPS ?? d.DEFAULT_TLS_GROUPS;
  const authRaw = raw.SPARK_TLS_CLIENT_AUTH;
  if (certFile === undefined || keyFile === undefined) {
    if (certFile !== undefined || keyFile !== undefined) {
      const missing = certFile === undefined ? 'SPARK_TLS_CERT' : 'SPARK_TLS_KEY';
      issues.push({
        setting: missing,
        problem: 'is missing: TLS needs both SPARK_TLS_CERT and SPARK_TLS_KEY',
      });
    }
    for (const name of ['SPARK_TLS_CLIENT_CA', 'SPARK_TLS_CLIENT_AUTH', 'SPARK_TLS_GROUPS'] as const) {
      if (raw[name] !== undefined)
        issues.push({ setting: name, problem: 'needs TLS: set SPARK_TLS_CERT and SPARK_TLS_KEY' });
    }
    return undefined;
  }
  let clientAuth: 'none' | 'optional' | 'required' = clientCaFile === undefined ? 'none' : 'required';
  if (authRaw !== undefined) {
    if (clientCaFile === undefined) {
      issues.push({
        setting: 'SPARK_TLS_CLIENT_AUTH',
        problem: 'needs SPARK_TLS_CLIENT_CA (the CA of client certificates)',
      });
    } else if (authRaw === 'optional' || authRaw === 'required') {
      clientAuth = authRaw;
    } else {
      issues.push({ setting: 'SPARK_TLS_CLIENT_AUTH', problem: `"${authRaw}" is not optional or required` });
    }
  }
  const tuples = parseGroupList(groups);
  if (typeof tuples === 'string') issues.push({ setting: 'SPARK_TLS_GROUPS', problem: tuples });
  return { certFile, keyFile, clientCaFile, clientAuth, groups };
}

/**
 * Builds the configuration from, lowest precedence first: defaults, the preset, the
 * JSON file named by SPARK_CONFIG_FILE, the environment, then `overrides` (CLI flags).
 * Throws ConfigError listing every problem.
 */
export function loadConfig(env: Record<string, string | undefined>, overrides: RawSettings = {}): Config {
  const issues: ConfigIssue[] = [];
  const fromFile = env['SPARK_CONFIG_FILE'] ? readConfigFile(env['SPARK_CONFIG_FILE'], issues) : {};
  const raw: RawSettings = { ...fromFile };
  for (const name of SETTINGS) {
    const v = env[name];
    if (v !== undefined && v !== '') raw[name] = v;
  }
  Object.assign(raw, overrides);

  const { int, num, bool, label, secretName, httpUrl } = settingHelpers(raw, issues);

  const presetName = raw.SPARK_PRESET;
  const preset = presetName === undefined ? undefined : PRESETS[presetName];
  if (presetName !== undefined && preset === undefined) {
    issues.push({
      setting: 'SPARK_PRESET',
      problem: `"${presetName}" is not one of ${Object.keys(PRESETS).join(', ')}`,
    });
  }

  const listenRaw = raw.SPARK_LISTEN ?? d.DEFAULT_LISTEN;
  const listen = parseListen(listenRaw);
  if (typeof listen === 'string') issues.push({ setting: 'SPARK_LISTEN', problem: listen });

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
  const remoteSetting = (name: SettingName): string | undefined => {
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

  const memoryProfile = raw.SPARK_MEMORY_PROFILE ?? 'fast';
  if (!isMemoryProfile(memoryProfile)) {
    issues.push({
      setting: 'SPARK_MEMORY_PROFILE',
      problem: `"${memoryProfile}" is not one of ${MEMORY_PROFILES.join(', ')}`,
    });
  }

  const merkleHasher = raw.SPARK_MERKLE_HASHER ?? 'wasm';
  const hasherKind = MERKLE_HASHERS.find((k) => k === merkleHasher);
  if (hasherKind === undefined) {
    issues.push({
      setting: 'SPARK_MERKLE_HASHER',
      problem: `"${merkleHasher}" is not one of ${MERKLE_HASHERS.join(', ')}`,
    });
  }

  const logLevel = raw.SPARK_LOG_LEVEL ?? d.DEFAULT_LOG_LEVEL;
  if (!LOG_LEVELS.includes(logLevel)) {
    issues.push({
      setting: 'SPARK_LOG_LEVEL',
      problem: `"${logLevel}" is not one of ${LOG_LEVELS.join(', ')}`,
    });
  }

  const logFormat = raw.SPARK_LOG_FORMAT ?? (process.stdout.isTTY === true ? 'pretty' : 'json');
  if (logFormat !== 'json' && logFormat !== 'pretty') {
    issues.push({ setting: 'SPARK_LOG_FORMAT', problem: `"${logFormat}" is not one of json, pretty` });
  }

  const symbolNodeUrls = symbolNodesSetting(raw.SYMBOL_NODE_URL, raw.SYMBOL_NODE_URLS, issues);
  const symbolNodeQuorum = quorumSetting(raw.SYMBOL_NODE_QUORUM, symbolNodeUrls.length, issues);

  const httpListen = httpListenSetting(raw.SPARK_HTTP_LISTEN, listen, issues);
  const pinningUrl = httpUrl('SPARK_IPFS_PINNING_URL');
  /** A chain's JSON-RPC endpoint: credentials never in the URL (it is logged at start, path masked). */
  const rpcUrl = (name: SettingName): string | undefined => {
    const v = httpUrl(name);
    if (v !== undefined && /^https?:\/\/[^/]*@/.test(v)) {
      issues.push({
        setting: name,
        problem:
          "holds credentials (user@ or user:password@); Bitcoin Core's go in SPARK_BITCOIN_RPC_AUTH_FILE",
      });
      return undefined;
    }
    return v;
  };
  const bitcoinUrl = rpcUrl('SPARK_BITCOIN_RPC_URL');
  if (raw.SPARK_BITCOIN_RPC_AUTH_FILE !== undefined && raw.SPARK_BITCOIN_RPC_URL === undefined) {
    issues.push({
      setting: 'SPARK_BITCOIN_RPC_AUTH_FILE',
      problem: 'set without SPARK_BITCOIN_RPC_URL, the endpoint it authenticates to',
    });
  }
  const jpycContracts: { ethereum?: string; polygon?: string } = {};
  for (const part of (raw.SPARK_JPYC_CONTRACTS ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')) {
    const m = /^(ethereum|polygon):(0x[0-9a-fA-F]{40})$/.exec(part);
    if (m === null) {
      issues.push({
        setting: 'SPARK_JPYC_CONTRACTS',
        problem: `"${part}" is not CHAIN:0xADDRESS (chain ethereum or polygon)`,
      });
    } else jpycContracts[m[1] as 'ethereum' | 'polygon'] = (m[2] as string).toLowerCase();
  }
  const minConfirmations = { bitcoin: 1, ethereum: 1, polygon: 1 };
  for (const part of (raw.SPARK_CHAIN_MIN_CONFIRMATIONS ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')) {
    const m = /^(bitcoin|ethereum|polygon):([0-9]{1,5})$/.exec(part);
    const n = Number(m?.[2]);
    if (m === null || n < 1 || n > 10_000) {
      issues.push({
        setting: 'SPARK_CHAIN_MIN_CONFIRMATIONS',
        problem: `"${part}" is not CHAIN:N (chain bitcoin, ethereum or polygon; N from 1 to 10000)`,
      });
    } else minConfirmations[m[1] as keyof typeof minConfirmations] = n;
  }
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

  const tls = tlsSettings(raw, issues);
  const insecure = bool('SPARK_INSECURE', false);
  if (httpListen !== undefined && !insecure && !isLoopbackHost(httpListen.host)) {
    issues.push({
      setting: 'SPARK_HTTP_LISTEN',
      problem: `${httpListen.host} is not a loopback address and the HTTP port is plaintext: keep it on loopback behind a TLS proxy, or pass --insecure (SPARK_INSECURE=true)`,
    });
  }
  if (typeof listen !== 'string' && tls === undefined && !insecure && !isLoopbackHost(listen.host)) {
    issues.push({
      setting: 'SPARK_LISTEN',
      problem: `${listen.host} is not a loopback address and TLS is off: set SPARK_TLS_CERT and SPARK_TLS_KEY, or pass --insecure (SPARK_INSECURE=true) to serve plaintext anyway`,
    });
  }
  // Keys that vanish at every restart are for development: facing the network, that has to be asked for by name.
  const ephemeralKeys = bool('SPARK_EPHEMERAL_KEYS', false);
  if (
    keyProvider === 'memory' &&
    typeof listen !== 'string' &&
    !isLoopbackHost(listen.host) &&
    !ephemeralKeys
  ) {
    issues.push({
      setting: 'SPARK_KEY_PROVIDER',
      problem: `memory keys (and the Symbol account) are new at every start, so nothing can pin this server: on ${listen.host} use docker-secret, pkcs11 or remote, or pass --ephemeral-keys (SPARK_EPHEMERAL_KEYS=true)`,
    });
  }
  const symbolMinBalance = xymSetting('SYMBOL_MIN_BALANCE', raw.SYMBOL_MIN_BALANCE, issues);
  const creditPrice = xymSetting('SPARK_CREDIT_PRICE', raw.SPARK_CREDIT_PRICE, issues);
  if (creditPrice !== undefined && symbolNodeUrls.length === 0) {
    issues.push({
      setting: 'SPARK_CREDIT_PRICE',
      problem: 'prepaid credit is read from Symbol transfers: set SYMBOL_NODE_URL (or SYMBOL_NODE_URLS) too',
    });
  }
  const adminCertNames = (raw.SPARK_ADMIN_CERT_NAMES ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
  if (adminCertNames.some((n) => n.length > 64 || [...n].some((c) => c < ' '))) {
    issues.push({
      setting: 'SPARK_ADMIN_CERT_NAMES',
      problem: 'each name must be 1–64 printable characters',
    });
  }
  if (raw.SPARK_ADMIN_CERT_NAMES !== undefined && tls?.clientCaFile === undefined) {
    issues.push({
      setting: 'SPARK_ADMIN_CERT_NAMES',
      problem: 'needs client certificates (SPARK_TLS_CLIENT_CA)',
    });
  }

  const dataDir = raw.SPARK_DATA_DIR ?? d.DEFAULT_DATA_DIR;
  if (dataDir.trim() === '' || dataDir.includes('\0')) {
    issues.push({ setting: 'SPARK_DATA_DIR', problem: 'must be a directory path' });
  }

  const config: Config = {
    listen: typeof listen === 'string' ? { host: '127.0.0.1', port: 0 } : listen,
    httpListen,
    chains: {
      ethereumUrl: rpcUrl('SPARK_ETHEREUM_RPC_URL'),
      polygonUrl: rpcUrl('SPARK_POLYGON_RPC_URL'),
      bitcoinUrl,
      bitcoinAuthFile: raw.SPARK_BITCOIN_RPC_AUTH_FILE,
      jpycContracts,
      timeoutMs: int('SPARK_CHAIN_RPC_TIMEOUT_MS', 5_000, 100, 120_000),
      minConfirmations,
    },
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
    dataDir,
    preset: presetName,
    aggregationThreshold: int(
      'PQC_AGGREGATION_THRESHOLD',
      preset?.aggregationThreshold ?? d.DEFAULT_AGGREGATION_THRESHOLD,
      1,
      // The same bound as SPARK_MAX_BATCH_SIZE; the threshold must not exceed the configured batch size (below).
      MAX_BATCH_SIZE_LIMIT,
    ),
    aggregationTimeoutSeconds: int(
      'PQC_AGGREGATION_TIMEOUT',
      preset?.aggregationTimeoutSeconds ?? d.DEFAULT_AGGREGATION_TIMEOUT_SECONDS,
      1,
      366 * 86_400,
    ),
    immediateMode: bool('PQC_IMMEDIATE_MODE', preset?.immediateMode ?? d.DEFAULT_IMMEDIATE_MODE),
    immediateFeeMultiplier: num('PQC_IMMEDIATE_FEE_MULTIPLIER', d.DEFAULT_IMMEDIATE_FEE_MULTIPLIER, 1, 1000),
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
    pendingCapacity: int('SPARK_PENDING_CAPACITY', d.DEFAULT_PENDING_CAPACITY, 1, 100_000_000),
    maxMessageBytes: int('SPARK_MAX_MESSAGE_BYTES', d.DEFAULT_MAX_MESSAGE_BYTES, 1024, 64 * 1024 * 1024),
    maxBatchSize: int('SPARK_MAX_BATCH_SIZE', d.DEFAULT_MAX_BATCH_SIZE, 1, MAX_BATCH_SIZE_LIMIT),
    maxItemsPerRequest: int('SPARK_MAX_ITEMS_PER_REQUEST', d.DEFAULT_MAX_ITEMS_PER_REQUEST, 1, 100_000),
    maxConcurrentStreams: int('SPARK_MAX_CONCURRENT_STREAMS', d.DEFAULT_MAX_CONCURRENT_STREAMS, 1, 100_000),
    maxStreamsPerConnection: int(
      'SPARK_MAX_STREAMS_PER_CONNECTION',
      d.DEFAULT_MAX_STREAMS_PER_CONNECTION,
      1,
      100_000,
    ),
    streamRate: int('SPARK_STREAM_RATE', d.DEFAULT_STREAM_RATE, 0, 100_000_000),
    grpcFastPath: bool('SPARK_GRPC_FAST_PATH', true),
    memoryProfile: isMemoryProfile(memoryProfile) ? memoryProfile : 'fast',
    merkleHasher: hasherKind ?? 'wasm',
    logLevel,
    logFormat: logFormat === 'pretty' ? 'pretty' : 'json',
    shutdownGraceMs: int('SPARK_SHUTDOWN_GRACE_MS', d.DEFAULT_SHUTDOWN_GRACE_MS, 0, 600_000),
    symbolNodeUrls,
    symbolNodeQuorum,
    symbolMaxFeeMultiplier: int(
      'SYMBOL_MAX_FEE_MULTIPLIER',
      d.DEFAULT_SYMBOL_MAX_FEE_MULTIPLIER,
      1,
      1_000_000,
    ),
    symbolPollIntervalMs: int('SYMBOL_POLL_INTERVAL_MS', d.DEFAULT_SYMBOL_POLL_INTERVAL_MS, 50, 600_000),
    symbolDeadlineSeconds: int('SYMBOL_DEADLINE_SECONDS', d.DEFAULT_SYMBOL_DEADLINE_SECONDS, 10, 6 * 3600),
    symbolResendAfterMs: int('SYMBOL_RESEND_AFTER_MS', d.DEFAULT_SYMBOL_RESEND_AFTER_MS, 100, 3_600_000),
    symbolMinBalance,
    creditPrice,
    ephemeralKeys,
    anchorBatchesPerTransaction: int('SPARK_ANCHOR_BATCHES_PER_TX', d.DEFAULT_ANCHOR_BATCHES_PER_TX, 1, 20),
    checkpointIntervalSeconds: int(
      'SPARK_CHECKPOINT_INTERVAL',
      d.DEFAULT_CHECKPOINT_INTERVAL_SECONDS,
      1,
      366 * 86_400,
    ),
    witnessesFile: raw.SPARK_WITNESSES_FILE,
    witnessQuorum:
      raw.SPARK_WITNESS_QUORUM === undefined ? undefined : int('SPARK_WITNESS_QUORUM', 1, 1, 1000),
    witnessIntervalSeconds: int('SPARK_WITNESS_INTERVAL', d.DEFAULT_WITNESS_INTERVAL_SECONDS, 1, 86_400),
    tls,
    insecure,
    authTokensFile: raw.SPARK_AUTH_TOKENS,
    adminCertNames,
  };
  if (config.aggregationThreshold > config.maxBatchSize) {
    issues.push({
      setting: 'PQC_AGGREGATION_THRESHOLD',
      problem: `${config.aggregationThreshold} exceeds SPARK_MAX_BATCH_SIZE ${config.maxBatchSize}`,
    });
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return config;
}

/**
 * SPARK_HTTP_LISTEN: "host:port", or "off". Unset, it is the next port after gRPC's (an ephemeral port when gRPC's
 * is 0, so two sidecars started with different gRPC ports never fight over it), on gRPC's host when that is a
 * loopback address and on 127.0.0.1 otherwise.
 */
function httpListenSetting(
  raw: string | undefined,
  grpc: { host: string; port: number } | string,
  issues: ConfigIssue[],
): { host: string; port: number } | undefined {
  if (raw === 'off') return undefined;
  if (raw === undefined) {
    if (typeof grpc === 'string') return undefined;
    if (grpc.port === 65535) {
      issues.push({
        setting: 'SPARK_HTTP_LISTEN',
        problem: 'gRPC uses port 65535: set the HTTP port explicitly or "off"',
      });
      return undefined;
    }
    // On loopback even when gRPC faces the network: exposing plaintext HTTP has to be asked for by name.
    const host = isLoopbackHost(grpc.host) ? grpc.host : '127.0.0.1';
    return { host, port: grpc.port === 0 ? 0 : grpc.port + 1 };
  }
  const parsed = parseListen(raw);
  if (typeof parsed === 'string') {
    issues.push({ setting: 'SPARK_HTTP_LISTEN', problem: `${parsed} (or "off")` });
    return undefined;
  }
  if (
    typeof grpc !== 'string' &&
    parsed.port !== 0 &&
    parsed.port === grpc.port &&
    parsed.host === grpc.host
  ) {
    issues.push({ setting: 'SPARK_HTTP_LISTEN', problem: `must differ from SPARK_LISTEN (${raw})` });
  }
  return parsed;
}

/** An amount of XYM (up to six decimals, e.g. "12.5") as µXYM; undefined when unset. */
function xymSetting(name: SettingName, value: string | undefined, issues: ConfigIssue[]): bigint | undefined {
  if (value === undefined) return undefined;
  const micro = parseXym(value);
  if (micro === undefined) {
    issues.push({
      setting: name,
      problem: `"${value}" is not an amount of XYM (e.g. 25 or 12.5, at most 6 decimals)`,
    });
  }
  return micro;
}

/** Most Symbol nodes one sidecar reads (each is asked about every open anchor each round). */
export const MAX_SYMBOL_NODES = 16;

const HTTP_URL = /^https?:\/\/[^\s,]+$/;

/** SYMBOL_NODE_URLS (comma-separated) or its one-node form SYMBOL_NODE_URL; not both. */
function symbolNodesSetting(
  one: string | undefined,
  list: string | undefined,
  issues: ConfigIssue[],
): readonly string[] {
  if (one !== undefined && list !== undefined) {
    issues.push({
      setting: 'SYMBOL_NODE_URLS',
      problem: 'set either SYMBOL_NODE_URLS or its one-node form SYMBOL_NODE_URL, not both',
    });
    return [];
  }
  if (one !== undefined) {
    if (!HTTP_URL.test(one)) {
      issues.push({ setting: 'SYMBOL_NODE_URL', problem: `"${one}" is not an http(s) URL` });
      return [];
    }
    return [one];
  }
  if (list === undefined) return [];
  const urls = list.split(',').map((u) => u.trim());
  const bad = urls.filter((u) => !HTTP_URL.test(u));
  if (bad.length > 0) {
    issues.push({
      setting: 'SYMBOL_NODE_URLS',
      problem: `${bad.map((u) => `"${u}"`).join(', ')} ${bad.length === 1 ? 'is not an http(s) URL' : 'are not http(s) URLs'} (comma-separated list)`,
    });
    return [];
  }
  const normal = urls.map((u) => u.replace(/\/+$/, ''));
  if (new Set(normal).size !== normal.length) {
    issues.push({ setting: 'SYMBOL_NODE_URLS', problem: 'a node is listed twice' });
    return [];
  }
  if (urls.length > MAX_SYMBOL_NODES) {
    issues.push({
      setting: 'SYMBOL_NODE_URLS',
      problem: `${urls.length} nodes; at most ${MAX_SYMBOL_NODES}`,
    });
    return [];
  }
  return urls;
}

/** SYMBOL_NODE_QUORUM: 1..number of nodes; a majority by default. */
function quorumSetting(value: string | undefined, nodes: number, issues: ConfigIssue[]): number {
  const majority = Math.floor(nodes / 2) + 1;
  if (value === undefined) return nodes === 0 ? 0 : majority;
  if (nodes === 0) {
    issues.push({
      setting: 'SYMBOL_NODE_QUORUM',
      problem: 'set without SYMBOL_NODE_URLS or SYMBOL_NODE_URL',
    });
    return 0;
  }
  if (!/^\d{1,2}$/.test(value) || Number(value) < 1 || Number(value) > nodes) {
    issues.push({
      setting: 'SYMBOL_NODE_QUORUM',
      problem: `"${value}" is not a whole number of nodes from 1 to ${nodes}`,
    });
    return majority;
  }
  return Number(value);
}
