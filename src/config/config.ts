// The only reader of environment and config files: builds and validates the Config (README.md §Configuration) from
// the settings tables of each concern in src/config/settings/.

import { readFileSync } from 'node:fs';
import type { MerkleHasherKind } from '../batch/pair-hasher.ts';
import { ConfigError, type ConfigIssue } from './config-error.ts';
import { ANCHORING_SETTINGS } from './settings/anchoring.ts';
import { CHAINS_SETTINGS } from './settings/chains.ts';
import { GENERAL_SETTINGS } from './settings/general.ts';
import { settingHelpers } from './settings/helpers.ts';
import { HTTP_SETTINGS } from './settings/http.ts';
import { KEYS_SETTINGS, type KeyProviderKind } from './settings/keys.ts';
import { isLoopbackHost } from './settings/listen.ts';
import { PUBLICATION_SETTINGS } from './settings/publication.ts';
import { type MemoryProfile, SEALING_SETTINGS } from './settings/sealing.ts';
import { listenSetting, TRANSPORT_SETTINGS } from './settings/transport.ts';
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

/** Every setting's variable name, as read from the environment or a JSON config file: each concern's, together. */
export const SETTINGS = [
  ...GENERAL_SETTINGS.names,
  ...TRANSPORT_SETTINGS.names,
  ...HTTP_SETTINGS.names,
  ...KEYS_SETTINGS.names,
  ...SEALING_SETTINGS.names,
  ...ANCHORING_SETTINGS.names,
  ...PUBLICATION_SETTINGS.names,
  ...CHAINS_SETTINGS.names,
  ...WITNESSES_SETTINGS.names,
] as const;

/** A setting name. */
export type SettingName = (typeof SETTINGS)[number];

/** Raw string values by setting name. */
export type RawSettings = Partial<Record<SettingName, string>>;

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

/**
 * Builds the configuration from, lowest precedence first: defaults, the preset, the
 * JSON file named by SPARK_CONFIG_FILE, the environment, then `overrides` (CLI flags).
 * Each concern parses its own settings; the checks that span concerns follow. Throws ConfigError listing every problem.
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

  const ctx = { issues, ...settingHelpers(raw, issues) };
  const general = GENERAL_SETTINGS.parse(raw, ctx);
  const transport = TRANSPORT_SETTINGS.parse(raw, ctx);
  const listen = listenSetting(raw);
  const http = HTTP_SETTINGS.parse(raw, { ...ctx, listen });
  const keys = KEYS_SETTINGS.parse(raw, ctx);
  const sealing = SEALING_SETTINGS.parse(raw, ctx);
  const anchoring = ANCHORING_SETTINGS.parse(raw, ctx);
  const publication = PUBLICATION_SETTINGS.parse(raw, ctx);
  const chains = CHAINS_SETTINGS.parse(raw, ctx);
  const witnesses = WITNESSES_SETTINGS.parse(raw, ctx);

  checkAcrossConcerns(listen, { ...general, ...transport, ...http, ...keys }, issues);
  if (issues.length > 0) throw new ConfigError(issues);
  return {
    ...transport,
    ...http,
    ...chains,
    ...publication,
    ...general,
    ...sealing,
    ...keys,
    ...anchoring,
    ...witnesses,
  };
}

/**
 * The checks that span concerns (README.md §Configuration, docs/security.md): plaintext, and keys that are new at
 * every start, may face the network only when asked for by name.
 */
function checkAcrossConcerns(
  listen: { host: string; port: number } | string,
  parts: Pick<Config, 'insecure' | 'ephemeralKeys' | 'httpListen' | 'tls' | 'keyProvider'>,
  issues: ConfigIssue[],
): void {
  const { insecure, ephemeralKeys, httpListen, tls, keyProvider } = parts;
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
}
