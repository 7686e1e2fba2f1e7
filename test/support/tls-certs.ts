// Makes a throwaway PKI with the openssl command line (test helper): the commands docs/remote-signer.md shows.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A certificate and its private key, as PEM files. */
export interface CertFiles {
  readonly cert: string;
  readonly key: string;
}

/** The files of a test PKI; `cleanup` removes them. */
export interface TestPki {
  readonly dir: string;
  /** The CA the signer trusts for clients and the sidecar trusts for the signer. */
  readonly caCert: string;
  /** The signer's server certificate: subjectAltName IP:127.0.0.1, DNS:localhost. */
  readonly server: CertFiles;
  /** Client CN=sidecar. */
  readonly sidecar: CertFiles;
  /** Client CN=intruder (a restricted policy in the tests). */
  readonly intruder: CertFiles;
  /** Client CN=sidecar issued by a second CA nobody trusts. */
  readonly rogue: CertFiles;
  /** The second CA's certificate. */
  readonly rogueCaCert: string;
  cleanup(): void;
}

function openssl(dir: string, args: readonly string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A CA: a self-signed certificate that may sign others, valid `days`. */
function makeCa(dir: string, name: string, cn: string, days: number): void {
  openssl(dir, [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.crt`,
    '-days',
    String(days),
    '-subj',
    `/CN=${cn}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
}

/** A leaf certificate for `cn` issued by CA `ca`, with the extensions in `extensions` (an openssl extfile). */
function makeLeaf(
  dir: string,
  ca: string,
  name: string,
  cn: string,
  extensions: string,
  days: number,
): CertFiles {
  writeFileSync(join(dir, `${name}.ext`), extensions);
  openssl(dir, [
    'req',
    '-new',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
    '-subj',
    `/CN=${cn}`,
  ]);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.crt`,
    '-CAkey',
    `${ca}.key`,
    '-CAcreateserial',
    '-days',
    String(days),
    '-sha256',
    '-extfile',
    `${name}.ext`,
    '-out',
    `${name}.crt`,
  ]);
  return { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
}

const SERVER_EXT = [
  'basicConstraints=critical,CA:FALSE',
  'keyUsage=critical,digitalSignature',
  'extendedKeyUsage=serverAuth',
  'subjectAltName=IP:127.0.0.1,DNS:localhost',
  '',
].join('\n');
const CLIENT_EXT = [
  'basicConstraints=critical,CA:FALSE',
  'keyUsage=critical,digitalSignature',
  'extendedKeyUsage=clientAuth',
  '',
].join('\n');

/** Makes a CA, the signer's certificate, three client certificates and an untrusted CA, valid for a day. */
export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'spark-pki-'));
  try {
    makeCa(dir, 'ca', 'Spark Test CA', 1);
    makeCa(dir, 'rogue-ca', 'Rogue CA', 1);
    return {
      dir,
      caCert: join(dir, 'ca.crt'),
      server: makeLeaf(dir, 'ca', 'server', 'spark-signer', SERVER_EXT, 1),
      sidecar: makeLeaf(dir, 'ca', 'sidecar', 'sidecar', CLIENT_EXT, 1),
      intruder: makeLeaf(dir, 'ca', 'intruder', 'intruder', CLIENT_EXT, 1),
      rogue: makeLeaf(dir, 'rogue-ca', 'rogue', 'sidecar', CLIENT_EXT, 1),
      rogueCaCert: join(dir, 'rogue-ca.crt'),
      cleanup: () => rmSync(dir, { recursive: true, force: true }),
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
