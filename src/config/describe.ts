// The effective configuration as a log-safe object: what the sidecar runs with, never a secret's value.
import type { Config } from './config.ts';

/**
 * Keys that name a secret value: ending in pin, token, password, passphrase, seed or private/secret key, or
 * "secret" itself. Keys naming where a secret is kept end otherwise (pinSecret, pinFile, tokensFile) and stay.
 */
const SECRET_NAME = /(pin|token|password|passphrase|seed|private_?key|secret_?key)$|^secret$/i;

/** Replaces any string value under a secret-looking key by "[redacted]", at any depth. */
export function redactSecrets(value: unknown, key = ''): unknown {
  if (typeof value === 'string') return SECRET_NAME.test(key) ? '[redacted]' : value;
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, key));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactSecrets(v, k)]));
  }
  return value;
}

/**
 * The configuration for the start-up log line. Secrets never live in the configuration (only the names and
 * paths of the files holding them), but the dump is redacted by key anyway, so a future setting cannot leak.
 */
export function describeConfig(config: Config): Record<string, unknown> {
  const c = config.chains;
  // Hosted Ethereum/Polygon endpoints carry an API key in the path: the log shows scheme and host only.
  const chains = {
    ...c,
    ethereumUrl: originOf(c.ethereumUrl),
    polygonUrl: originOf(c.polygonUrl),
    bitcoinUrl: originOf(c.bitcoinUrl),
  };
  return redactSecrets({ ...config, chains }) as Record<string, unknown>;
}

/** "https://host:port" of a URL, with "/[path redacted]" when it had a path. */
function originOf(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const u = new URL(url);
  return u.pathname === '/' ? u.origin : `${u.origin}/[path redacted]`;
}
