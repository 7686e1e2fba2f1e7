// The Arweave wallet: a JWK (RSA, as `arweave.wallets.generate()` and every Arweave wallet writes it) in a secret
// file (SPARK_ARWEAVE_WALLET_FILE, mode 0400 or 0600). Read once at start; problems name the file, never its
// content.
import type { JWKInterface } from 'arweave/node/lib/wallet.js';
import { ConfigError } from '../config/config-error.ts';
import { readSecretFile } from '../config/secret-file.ts';

const FIELDS = ['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi'] as const;
const B64URL = /^[A-Za-z0-9_-]+$/;

/** Reads and checks the wallet file. */
export function readArweaveWallet(path: string): JWKInterface {
  const setting = 'SPARK_ARWEAVE_WALLET_FILE';
  const fail = (problem: string): never => {
    throw new ConfigError([{ setting, problem: `${path}: ${problem}` }]);
  };
  const bytes = readSecretFile(setting, path);
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    parsed = undefined;
  } finally {
    bytes.fill(0);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return fail('not a JSON object (a JWK)');
  const jwk = parsed as Record<string, unknown>;
  if (jwk['kty'] !== 'RSA') return fail('not an RSA JWK (kty must be "RSA")');
  for (const f of FIELDS) {
    const v = jwk[f];
    if (typeof v !== 'string' || !B64URL.test(v)) return fail(`field "${f}" is missing or not base64url`);
  }
  const modulusBits = Buffer.from(jwk['n'] as string, 'base64url').length * 8;
  if (modulusBits < 2048 || modulusBits > 8192)
    return fail(`a ${modulusBits}-bit modulus (Arweave wallets are 4096-bit RSA)`);
  return Object.fromEntries(['kty', ...FIELDS].map((f) => [f, jwk[f]])) as unknown as JWKInterface;
}
