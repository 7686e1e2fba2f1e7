// Reads the signer's certificate, key and client CA at start; each problem is a ConfigError naming its flag.
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { ConfigError, type ConfigIssue } from '../config/config-error.ts';
import { readSecretFile } from '../config/secret-file.ts';
import type { SignerConfig } from '../config/signer-config.ts';
import type { TlsMaterial } from './tls-server.ts';

/** Largest PEM file read (a long chain is a few kilobytes). */
const MAX_PEM_BYTES = 1024 * 1024;

/** Reads one PEM file; a problem names `flag` and the path, never the contents. */
function readPem(flag: string, path: string, issues: ConfigIssue[]): Buffer {
  try {
    const bytes = readFileSync(path);
    if (bytes.length > MAX_PEM_BYTES) issues.push({ setting: flag, problem: `${path} is larger than 1 MiB` });
    else if (!bytes.includes('-----BEGIN '))
      issues.push({ setting: flag, problem: `${path} holds no PEM block` });
    return bytes;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    issues.push({ setting: flag, problem: `cannot read ${path} (${code})` });
    return Buffer.alloc(0);
  }
}

/** Reads the private key: a secret file (mode 0400 or 0600, regular, at most 1 MiB) holding a PEM block. */
function readKey(path: string, issues: ConfigIssue[]): Buffer {
  try {
    const bytes = readSecretFile('--tls-key', path);
    if (!bytes.includes('-----BEGIN '))
      issues.push({ setting: '--tls-key', problem: `${path} holds no PEM block` });
    return bytes;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    issues.push(...err.issues);
    return Buffer.alloc(0);
  }
}

/** Reads and checks the TLS files of `config`: the key must match the certificate and the CA must parse. */
export function loadTlsMaterial(config: SignerConfig): TlsMaterial {
  const issues: ConfigIssue[] = [];
  const cert = readPem('--tls-cert', config.tlsCertFile, issues);
  const key = readKey(config.tlsKeyFile, issues);
  const clientCa = readPem('--client-ca', config.clientCaFile, issues);
  if (issues.length > 0) throw new ConfigError(issues);
  try {
    createSecureContext({ cert, key });
  } catch (err) {
    // OpenSSL's reason ("key values mismatch", "bad decrypt") names no key material.
    throw new ConfigError([
      { setting: '--tls-key', problem: `not usable with --tls-cert (${(err as Error).message})` },
    ]);
  }
  try {
    createSecureContext({ ca: clientCa });
  } catch (err) {
    throw new ConfigError([
      { setting: '--client-ca', problem: `not a usable CA certificate (${(err as Error).message})` },
    ]);
  }
  return { cert, key, clientCa };
}
