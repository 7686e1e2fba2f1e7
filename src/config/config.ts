// The only reader of environment and config files: builds and validates the Config (README.md §Configuration).

import { readFileSync } from 'node:fs';
import type { MerkleHasherKind } from '../batch/pair-hasher.ts';
import { parseGroupList } from '../service/tls-groups.ts';
import { ConfigError, type ConfigIssue } from './config-error.ts';
import * as d from './defaults.ts';
import { PRESETS } from './presets.ts';
import { ANCHORING_SETTINGS } from './settings/anchoring.ts';
import { CHAINS_SETTINGS } from './settings/chains.ts';
import { settingHelpers } from './settings/helpers.ts';
import { KEYS_SETTINGS, type KeyProviderKind } from './settings/keys.ts';
import { isLoopbackHost, parseListen } from './settings/listen.ts';
import { PUBLICATION_SETTINGS } from './settings/publication.ts';
import { type MemoryProfile, SEALING_SETTINGS } from './settings/sealing.ts';
import { WITNESSES_SETTINGS } from './settings/witnesses.ts';

export { MAX_SYMBOL_NODES } from './settings/anchoring.ts';
export { KEY_PROVIDER_KINDS, type KeyProviderKind } from './settings/keys.ts';
export { isLoopbackHost, parseListen } from './settings/listen.ts';
export { MEMORY_PROFILES, type MemoryProfile } from './settings/sealing.ts';

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

/** Every setting's variable name, as read from the environment or a JSON config file. */
export const SETTINGS = [
  'SPARK_LISTEN',
  'SPARK_HTTP_LISTEN',
  'SPARK_DATA_DIR',
  'SPARK_PRESET',
  'SPARK_MAX_MESSAGE_BYTES',
  'SPARK_MAX_ITEMS_PER_REQUEST',
  'SPARK_MAX_CONCURRENT_STREAMS',
  'SPARK_MAX_STREAMS_PER_CONNECTION',
  'SPARK_STREAM_RATE',
  'SPARK_GRPC_FAST_PATH',
  'SPARK_LOG_LEVEL',
  'SPARK_LOG_FORMAT',
  'SPARK_SHUTDOWN_GRACE_MS',
  'SPARK_TLS_CERT',
  'SPARK_TLS_KEY',
  'SPARK_TLS_CLIENT_CA',
  'SPARK_TLS_CLIENT_AUTH',
  'SPARK_TLS_GROUPS',
  'SPARK_INSECURE',
  'SPARK_EPHEMERAL_KEYS',
  'SPARK_AUTH_TOKENS',
  'SPARK_ADMIN_CERT_NAMES',
  ...ANCHORING_SETTINGS.names,
  ...PUBLICATION_SETTINGS.names,
  ...CHAINS_SETTINGS.names,
  ...WITNESSES_SETTINGS.names,
  ...KEYS_SETTINGS.names,
  ...SEALING_SETTINGS.names,
] as const;

/** A setting name. */
export type SettingName = (typeof SETTINGS)[number];

/** Raw string values by setting name. */
export type RawSettings = Partial<Record<SettingName, string>>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

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

  const helpers = settingHelpers(raw, issues);
  const { int, bool } = helpers;
  const ctx = { issues, ...helpers };

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

  const keys = KEYS_SETTINGS.parse(raw, ctx);

  const sealing = SEALING_SETTINGS.parse(raw, ctx);

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

  const anchoring = ANCHORING_SETTINGS.parse(raw, ctx);

  const httpListen = httpListenSetting(raw.SPARK_HTTP_LISTEN, listen, issues);
  const publication = PUBLICATION_SETTINGS.parse(raw, ctx);
  const chains = CHAINS_SETTINGS.parse(raw, ctx);

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
    keys.keyProvider === 'memory' &&
    typeof listen !== 'string' &&
    !isLoopbackHost(listen.host) &&
    !ephemeralKeys
  ) {
    issues.push({
      setting: 'SPARK_KEY_PROVIDER',
      problem: `memory keys (and the Symbol account) are new at every start, so nothing can pin this server: on ${listen.host} use docker-secret, pkcs11 or remote, or pass --ephemeral-keys (SPARK_EPHEMERAL_KEYS=true)`,
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

  const witnesses = WITNESSES_SETTINGS.parse(raw, ctx);
  const config: Config = {
    listen: typeof listen === 'string' ? { host: '127.0.0.1', port: 0 } : listen,
    httpListen,
    ...chains,
    ...publication,
    dataDir,
    preset: presetName,
    ...sealing,
    ...keys,
    maxMessageBytes: int('SPARK_MAX_MESSAGE_BYTES', d.DEFAULT_MAX_MESSAGE_BYTES, 1024, 64 * 1024 * 1024),
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
    logLevel,
    logFormat: logFormat === 'pretty' ? 'pretty' : 'json',
    shutdownGraceMs: int('SPARK_SHUTDOWN_GRACE_MS', d.DEFAULT_SHUTDOWN_GRACE_MS, 0, 600_000),
    ...anchoring,
    ephemeralKeys,
    ...witnesses,
    tls,
    insecure,
    authTokensFile: raw.SPARK_AUTH_TOKENS,
    adminCertNames,
  };
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
