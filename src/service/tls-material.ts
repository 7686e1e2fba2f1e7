// Reads the sidecar's TLS certificate, private key and client CA at start; each problem is a ConfigError naming
// its setting and file, never the file's contents. The key file must be private to its owner (mode 0400/0600).

import { createSecureContext } from 'node:tls';
import { ConfigError, type ConfigIssue } from '../config/config-error.ts';
import { readCheckedFile } from '../config/secret-file.ts';
import { parseGroupList } from './tls-groups.ts';

/** Who must show a client certificate. */
export type ClientCertificateMode = 'none' | 'optional' | 'required';

/** The TLS settings from the configuration. */
export interface ServerTlsSettings {
  readonly certFile: string;
  readonly keyFile: string;
  readonly clientCaFile: string | undefined;
  readonly clientAuth: ClientCertificateMode;
  /** OpenSSL group list in preference order (SPARK_TLS_GROUPS). */
  readonly groups: string;
}

/** The loaded material, ready for tls.createServer. */
export interface ServerTls {
  readonly cert: Buffer;
  /** PEM private key; the server zeroes it once its TLS context holds it. */
  readonly key: Buffer;
  readonly clientCa: Buffer | undefined;
  readonly clientAuth: ClientCertificateMode;
  readonly groups: string;
}

/** Largest PEM file read (a long chain is a few kilobytes). */
const MAX_PEM_BYTES = 1024 * 1024;

/**
 * Reads a PEM file through one descriptor. With `secret`, a file group or others may access is refused (naming
 * who), as secret files are. A problem is pushed to `issues` naming `setting` and the path.
 */
function readPem(setting: string, path: string, secret: boolean, issues: ConfigIssue[]): Buffer {
  let pem: Buffer;
  try {
    pem = readCheckedFile(path, { maxBytes: MAX_PEM_BYTES, ownerOnly: secret }, (problem) => {
      return new ConfigError([{ setting, problem }]);
    });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    issues.push(...err.issues);
    return Buffer.alloc(0);
  }
  if (!pem.includes('-----BEGIN ')) {
    pem.fill(0);
    issues.push({ setting, problem: `${path} holds no PEM block` });
    return Buffer.alloc(0);
  }
  return pem;
}

/** Reads and checks the files: the key must match the certificate, the CA and group list must be usable. */
export function loadServerTls(settings: ServerTlsSettings): ServerTls {
  const issues: ConfigIssue[] = [];
  const cert = readPem('SPARK_TLS_CERT', settings.certFile, false, issues);
  const key = readPem('SPARK_TLS_KEY', settings.keyFile, true, issues);
  const clientCa =
    settings.clientCaFile === undefined
      ? undefined
      : readPem('SPARK_TLS_CLIENT_CA', settings.clientCaFile, false, issues);
  const groupProblem = parseGroupList(settings.groups);
  if (typeof groupProblem === 'string') issues.push({ setting: 'SPARK_TLS_GROUPS', problem: groupProblem });
  if (issues.length > 0) {
    key.fill(0);
    throw new ConfigError(issues);
  }
  const check = (setting: string, what: string, build: () => void) => {
    try {
      build();
    } catch (err) {
      // OpenSSL's reasons ("key values mismatch", "no suitable groups") name no key material.
      issues.push({ setting, problem: `${what} (${(err as Error).message})` });
    }
  };
  check('SPARK_TLS_KEY', `${settings.keyFile} is not usable with ${settings.certFile}`, () =>
    createSecureContext({ cert, key }),
  );
  if (clientCa !== undefined) {
    check('SPARK_TLS_CLIENT_CA', `${settings.clientCaFile} is not a usable CA certificate`, () =>
      createSecureContext({ ca: clientCa }),
    );
  }
  check('SPARK_TLS_GROUPS', `"${settings.groups}" is not usable by this OpenSSL`, () =>
    createSecureContext({ ecdhCurve: settings.groups, minVersion: 'TLSv1.3' }),
  );
  if (issues.length > 0) {
    key.fill(0);
    throw new ConfigError(issues);
  }
  return { cert, key, clientCa, clientAuth: settings.clientAuth, groups: settings.groups };
}
