// Reads the sidecar's TLS certificate, private key and client CA at start; each problem is a ConfigError naming
// its setting and file, never the file's contents. The key file must be private to its owner (mode 0400/0600).
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { ConfigError, type ConfigIssue } from '../config/config-error.ts';
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
  /** `groups` as tuples of group ids, for predicting the negotiated group. */
  readonly groupTuples: readonly (readonly number[])[];
}

/** Largest PEM file read (a long chain is a few kilobytes). */
const MAX_PEM_BYTES = 1024 * 1024;

/**
 * Reads a PEM file through one descriptor. With `secret`, a file group or others may access is refused (naming
 * who), as secret files are. A problem is pushed to `issues` naming `setting` and the path.
 */
function readPem(setting: string, path: string, secret: boolean, issues: ConfigIssue[]): Buffer {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    issues.push({
      setting,
      problem: `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    });
    return Buffer.alloc(0);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) {
      issues.push({ setting, problem: `${path} is not a regular file` });
      return Buffer.alloc(0);
    }
    const who = [st.mode & 0o070 ? 'group' : '', st.mode & 0o007 ? 'others' : ''].filter((w) => w !== '');
    if (secret && who.length > 0) {
      const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
      issues.push({
        setting,
        problem: `${path}: mode ${mode} lets ${who.join(' and ')} access it; use 0400 or 0600`,
      });
      return Buffer.alloc(0);
    }
    if (st.size > MAX_PEM_BYTES) {
      issues.push({ setting, problem: `${path} is larger than 1 MiB` });
      return Buffer.alloc(0);
    }
    const bytes = Buffer.alloc(st.size);
    const n = readSync(fd, bytes, 0, bytes.length, 0);
    const pem = bytes.subarray(0, n);
    if (!pem.includes('-----BEGIN ')) {
      bytes.fill(0);
      issues.push({ setting, problem: `${path} holds no PEM block` });
      return Buffer.alloc(0);
    }
    return pem;
  } finally {
    closeSync(fd);
  }
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
  const groupTuples = parseGroupList(settings.groups);
  if (typeof groupTuples === 'string') issues.push({ setting: 'SPARK_TLS_GROUPS', problem: groupTuples });
  if (issues.length > 0 || typeof groupTuples === 'string') {
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
  return { cert, key, clientCa, clientAuth: settings.clientAuth, groups: settings.groups, groupTuples };
}
