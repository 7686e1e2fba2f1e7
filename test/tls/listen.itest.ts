// `spark serve` on a non-loopback address: refused without TLS unless --insecure, which starts with warnings;
// TLS files that cannot be used stop the start naming the setting. (0.0.0.0 only here, and stopped at once.)
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli, startServerProcess, tempDir } from '../support/spawn-server.ts';
import { makeTestPki, type TestPki } from '../support/tls-certs.ts';

const dir = tempDir('spark-listen-');
let pki: TestPki;
before(() => {
  pki = makeTestPki();
});
after(() => {
  pki?.cleanup();
  dir.cleanup();
});

test('serve --listen 0.0.0.0:0 without TLS exits 2 naming SPARK_LISTEN and what to do', async () => {
  const r = await runCli(
    ['serve', '--listen', '0.0.0.0:0', '--data-dir', join(dir.path, 'refused')],
    30_000,
    {
      SPARK_EPHEMERAL_KEYS: 'true',
    },
  );
  assert.equal(r.code, 2);
  assert.equal(
    r.stderr,
    'spark: invalid configuration:\n  - SPARK_LISTEN: 0.0.0.0 is not a loopback address and TLS is off: set SPARK_TLS_CERT and SPARK_TLS_KEY, or pass --insecure (SPARK_INSECURE=true) to serve plaintext anyway\n',
  );
  assert.equal(r.stdout, '', 'nothing started');
});

test('with --insecure it starts, warning about plaintext and missing credentials', async () => {
  const server = await startServerProcess({
    dataDir: join(dir.path, 'insecure'),
    // The memory provider facing the network has to be asked for too (docs/trust.md §5).
    args: [
      '--listen',
      '0.0.0.0:0',
      '--data-dir',
      join(dir.path, 'insecure'),
      '--insecure',
      '--ephemeral-keys',
    ],
  });
  try {
    const lines = server.logs.map((l) => JSON.parse(l) as Record<string, unknown>);
    const listening = lines.find((l) => l['msg'] === 'listening');
    assert.equal(listening?.['host'], '0.0.0.0');
    assert.equal(listening?.['tls'], 'off');
  } finally {
    assert.equal(await server.stop(), 0);
  }
  const lines = server.logs.map((l) => JSON.parse(l) as Record<string, unknown>);
  const warnings = lines.filter((l) => l['level'] === 40).map((l) => String(l['msg']));
  assert.ok(
    warnings.some((w) => w.startsWith('serving plaintext on a non-loopback address (--insecure)')),
    warnings.join('\n'),
  );
  assert.ok(warnings.some((w) => w.startsWith('no credentials are required on a non-loopback address')));
});

test('SPARK_INSECURE=true does the same as --insecure', async () => {
  const server = await startServerProcess({
    dataDir: join(dir.path, 'env'),
    args: ['--listen', '0.0.0.0:0', '--data-dir', join(dir.path, 'env')],
    env: { SPARK_INSECURE: 'true', SPARK_EPHEMERAL_KEYS: 'true' },
  });
  assert.equal(await server.stop(), 0);
});

test('a TLS key others can read stops the start naming SPARK_TLS_KEY and the file', async () => {
  const loose = join(dir.path, 'server.key');
  copyFileSync(pki.server.key, loose);
  chmodSync(loose, 0o644);
  const r = await runCli(
    ['serve', '--listen', '127.0.0.1:0', '--data-dir', join(dir.path, 'loose')],
    30_000,
    {
      SPARK_TLS_CERT: pki.server.cert,
      SPARK_TLS_KEY: loose,
    },
  );
  assert.equal(r.code, 2);
  assert.equal(
    r.stderr,
    `spark: invalid configuration:\n  - SPARK_TLS_KEY: ${loose} has mode 0644, which lets group and others access it; use 0400 or 0600\n`,
  );
});
