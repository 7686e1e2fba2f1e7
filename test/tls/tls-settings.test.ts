// TLS settings: what the configuration accepts and refuses, and how the certificate, key and CA files are checked.
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isLoopbackHost, loadConfig } from '../../src/config/config.ts';
import { ConfigError } from '../../src/config/config-error.ts';
import { DEFAULT_TLS_GROUPS } from '../../src/config/defaults.ts';
import { loadServerTls, type ServerTlsSettings } from '../../src/service/tls-material.ts';
import { makeTestPki, type TestPki } from '../support/tls-certs.ts';

/** The issues of the ConfigError `fn` throws, as "SETTING: problem" lines. */
function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.issues.map((i) => `${i.setting}: ${i.problem}`);
  }
  assert.fail('expected a ConfigError');
}

describe('configuration', () => {
  test('loopback addresses', () => {
    for (const host of ['127.0.0.1', '127.8.9.10', '::1', '0:0:0:0:0:0:0:1', 'localhost', 'LOCALHOST']) {
      assert.equal(isLoopbackHost(host), true, host);
    }
    for (const host of ['0.0.0.0', '::', '10.0.0.1', '128.0.0.1', 'example.com', '::ffff:10.0.0.1']) {
      assert.equal(isLoopbackHost(host), false, host);
    }
  });

  test('no TLS by default; both files turn it on with the hybrid group first', () => {
    const plain = loadConfig({});
    assert.equal(plain.tls, undefined);
    assert.equal(plain.insecure, false);
    assert.equal(plain.authTokensFile, undefined);
    const c = loadConfig({ SPARK_TLS_CERT: '/c.pem', SPARK_TLS_KEY: '/run/secrets/k.pem' });
    assert.deepEqual(c.tls, {
      certFile: '/c.pem',
      keyFile: '/run/secrets/k.pem',
      clientCaFile: undefined,
      clientAuth: 'none',
      groups: DEFAULT_TLS_GROUPS,
    });
    assert.equal(DEFAULT_TLS_GROUPS, 'X25519MLKEM768:X25519:P-256');
  });

  test('a client CA makes certificates required unless SPARK_TLS_CLIENT_AUTH says optional', () => {
    const base = { SPARK_TLS_CERT: '/c', SPARK_TLS_KEY: '/k', SPARK_TLS_CLIENT_CA: '/ca' };
    assert.equal(loadConfig(base).tls?.clientAuth, 'required');
    assert.equal(loadConfig({ ...base, SPARK_TLS_CLIENT_AUTH: 'optional' }).tls?.clientAuth, 'optional');
    const c = loadConfig({ ...base, SPARK_ADMIN_CERT_NAMES: ' ops-1, ops-2 ,' });
    assert.deepEqual(c.adminCertNames, ['ops-1', 'ops-2']);
  });

  test('a non-loopback address without TLS refuses to start unless insecure', () => {
    const issues = issuesOf(() =>
      loadConfig({ SPARK_LISTEN: '0.0.0.0:50051', SPARK_EPHEMERAL_KEYS: 'true' }),
    );
    assert.deepEqual(issues, [
      'SPARK_LISTEN: 0.0.0.0 is not a loopback address and TLS is off: set SPARK_TLS_CERT and SPARK_TLS_KEY, or pass --insecure (SPARK_INSECURE=true) to serve plaintext anyway',
    ]);
    const ephemeral = { SPARK_EPHEMERAL_KEYS: 'true' };
    assert.equal(
      loadConfig({ ...ephemeral, SPARK_LISTEN: '0.0.0.0:50051', SPARK_INSECURE: 'true' }).insecure,
      true,
    );
    assert.equal(loadConfig(ephemeral, { SPARK_LISTEN: '[::]:1', SPARK_INSECURE: 'true' }).listen.host, '::');
    assert.ok(
      loadConfig({ ...ephemeral, SPARK_LISTEN: '0.0.0.0:1', SPARK_TLS_CERT: '/c', SPARK_TLS_KEY: '/k' }).tls,
    );
    // Memory keys facing the network are refused on their own (docs/trust.md §5).
    assert.deepEqual(
      issuesOf(() =>
        loadConfig({ SPARK_LISTEN: '0.0.0.0:1', SPARK_TLS_CERT: '/c', SPARK_TLS_KEY: '/k' }),
      ).map((i) => i.slice(0, 'SPARK_KEY_PROVIDER: memory keys'.length)),
      ['SPARK_KEY_PROVIDER: memory keys'],
    );
    assert.ok(loadConfig({ SPARK_LISTEN: 'localhost:1' }));
  });

  test('every TLS and auth mistake is listed together', () => {
    const issues = issuesOf(() =>
      loadConfig({
        SPARK_TLS_CERT: '/c',
        SPARK_TLS_CLIENT_CA: '/ca',
        SPARK_TLS_CLIENT_AUTH: 'sometimes',
        SPARK_TLS_GROUPS: 'X25519:Curve1174',
        SPARK_INSECURE: 'perhaps',
        SPARK_ADMIN_CERT_NAMES: 'ops',
      }),
    );
    assert.deepEqual(issues.map((i) => i.split(':')[0]).sort(), [
      'SPARK_ADMIN_CERT_NAMES',
      'SPARK_INSECURE',
      'SPARK_TLS_CLIENT_AUTH',
      'SPARK_TLS_CLIENT_CA',
      'SPARK_TLS_GROUPS',
      'SPARK_TLS_KEY',
    ]);
    assert.ok(issues.includes('SPARK_TLS_KEY: is missing: TLS needs both SPARK_TLS_CERT and SPARK_TLS_KEY'));
    const withTls = issuesOf(() =>
      loadConfig({
        SPARK_TLS_CERT: '/c',
        SPARK_TLS_KEY: '/k',
        SPARK_TLS_CLIENT_AUTH: 'optional',
        SPARK_TLS_GROUPS: 'X25519:Curve1174',
        SPARK_ADMIN_CERT_NAMES: 'ops',
      }),
    );
    assert.deepEqual(withTls.sort(), [
      'SPARK_ADMIN_CERT_NAMES: needs client certificates (SPARK_TLS_CLIENT_CA)',
      'SPARK_TLS_CLIENT_AUTH: needs SPARK_TLS_CLIENT_CA (the CA of client certificates)',
      `SPARK_TLS_GROUPS: "Curve1174" is not a known TLS group (known: ${'P-256'}, P-384, P-521, X25519, X448, brainpoolP256r1tls13, brainpoolP384r1tls13, brainpoolP512r1tls13, ffdhe2048, ffdhe3072, ffdhe4096, ffdhe6144, ffdhe8192, MLKEM512, MLKEM768, MLKEM1024, SecP256r1MLKEM768, X25519MLKEM768, SecP384r1MLKEM1024)`,
    ]);
  });
});

describe('certificate, key and CA files', () => {
  let pki: TestPki;
  before(() => {
    pki = makeTestPki();
  });
  after(() => pki.cleanup());
  const settings = (over: Partial<ServerTlsSettings> = {}): ServerTlsSettings => ({
    certFile: pki.server.cert,
    keyFile: pki.server.key,
    clientCaFile: undefined,
    clientAuth: 'none',
    groups: DEFAULT_TLS_GROUPS,
    ...over,
  });

  test('good files load; the group list is read into tuples', () => {
    const tls = loadServerTls(settings({ clientCaFile: pki.caCert, clientAuth: 'required' }));
    assert.ok(tls.cert.includes('BEGIN CERTIFICATE'));
    assert.ok(tls.key.includes('PRIVATE KEY'));
    assert.ok(tls.clientCa?.includes('BEGIN CERTIFICATE'));
    assert.equal(tls.groups, DEFAULT_TLS_GROUPS);
  });

  test('a key file group or others may read is refused, naming the file and who', () => {
    const loose = join(pki.dir, 'loose.key');
    copyFileSync(pki.server.key, loose);
    chmodSync(loose, 0o644);
    assert.deepEqual(
      issuesOf(() => loadServerTls(settings({ keyFile: loose }))),
      [`SPARK_TLS_KEY: ${loose} has mode 0644, which lets group and others access it; use 0400 or 0600`],
    );
    chmodSync(loose, 0o640);
    assert.match(
      issuesOf(() => loadServerTls(settings({ keyFile: loose })))[0] as string,
      /lets group access/,
    );
    chmodSync(loose, 0o400);
    assert.ok(loadServerTls(settings({ keyFile: loose })));
  });

  test('missing, non-PEM and mismatched files are named; the key never appears in a message', () => {
    const junk = join(pki.dir, 'junk.pem');
    writeFileSync(junk, 'not a certificate', { mode: 0o600 });
    const missing = issuesOf(() =>
      loadServerTls(settings({ certFile: join(pki.dir, 'nope.crt'), clientCaFile: junk })),
    );
    assert.deepEqual(missing, [
      `SPARK_TLS_CERT: cannot read ${join(pki.dir, 'nope.crt')} (ENOENT)`,
      `SPARK_TLS_CLIENT_CA: ${junk} holds no PEM block`,
    ]);
    const mismatch = issuesOf(() => loadServerTls(settings({ keyFile: pki.sidecar.key })));
    assert.equal(mismatch.length, 1);
    assert.match(mismatch[0] as string, /^SPARK_TLS_KEY: .*sidecar\.key is not usable with .*server\.crt \(/);
    assert.ok(!mismatch[0]?.includes('PRIVATE'), 'no key material in the message');
  });
});
