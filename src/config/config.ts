// The only reader of environment and config files: builds and validates the Config (README.md §Configuration) from
// the settings tables of each concern in src/config/settings/.

import { readFileSync } from 'node:fs';
import { ConfigError, type ConfigIssue } from './config-error.ts';
import { ANCHORING_SETTINGS, type AnchoringPart } from './settings/anchoring.ts';
import { CHAINS_SETTINGS, type ChainsPart } from './settings/chains.ts';
import { GENERAL_SETTINGS, type GeneralPart } from './settings/general.ts';
import { settingHelpers } from './settings/helpers.ts';
import { HTTP_SETTINGS, type HttpPart } from './settings/http.ts';
import { KEYS_SETTINGS, type KeysPart } from './settings/keys.ts';
import { isLoopbackHost } from './settings/listen.ts';
import { PUBLICATION_SETTINGS, type PublicationPart } from './settings/publication.ts';
import { SEALING_SETTINGS, type SealingPart } from './settings/sealing.ts';
import { listenSetting, TRANSPORT_SETTINGS, type TransportPart } from './settings/transport.ts';
import { WITNESSES_SETTINGS, type WitnessesPart } from './settings/witnesses.ts';

export { isLoopbackHost, parseListen } from './settings/listen.ts';

/** The validated configuration: each concern's part (src/config/settings/), together. */
export type Config = GeneralPart &
  TransportPart &
  HttpPart &
  KeysPart &
  SealingPart &
  AnchoringPart &
  PublicationPart &
  ChainsPart &
  WitnessesPart;

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
