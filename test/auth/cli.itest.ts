// The CLI against a TLS + token server, run as a user would: `spark token create` makes the tokens and the file
// lines, then submit → prove → verify with --tls-ca and --token-file; missing, wrong-role and loosely stored tokens
// fail clearly; neither the tokens nor the TLS key appear in any output or log.
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { tokenFileLine } from '../../src/service/access-tokens.ts';
import { assertNoSecrets } from '../support/secret-scan.ts';
import { runCli, type ServerProcess, startServerProcess, tempDir } from '../support/spawn-server.ts';
import { makeTestPki, type TestPki } from '../support/tls-certs.ts';
import { privateKeyBytes } from '../tls/support.ts';

const dir = tempDir('spark-cli-auth-');
let pki: TestPki;
let server: ServerProcess | undefined;
const tokens = new Map<string, string>();
/** Every CLI output except `token create`'s stdout, for the secret scan. */
const outputs: string[] = [];

async function cli(args: readonly string[], env: Record<string, string> = {}) {
  const r = await runCli(args, 60_000, env);
  outputs.push(r.stdout, r.stderr);
  return r;
}

/** Creates a token with `spark token create`; returns the token and writes it to a 0600 file. */
async function createToken(name: string, role: 'client' | 'admin'): Promise<{ line: string; file: string }> {
  const r = await runCli(['token', 'create', '--name', name, '--role', role]);
  assert.equal(r.code, 0, r.stderr);
  const token = r.stdout.trim();
  assert.match(token, /^spk_[A-Za-z0-9_-]{43}$/);
  assert.equal(r.stdout, `${token}\n`, 'stdout holds the token only');
  const line = r.stderr.trim().split('\n').at(-1) as string;
  assert.equal(line, tokenFileLine(name, role, token), 'stderr ends with the exact tokens-file line');
  outputs.push(r.stderr);
  tokens.set(name, token);
  const file = join(dir.path, `${name}.token`);
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return { line, file };
}

let clientFile = '';
let adminFile = '';

before(async () => {
  pki = makeTestPki();
  const client = await createToken('ci-job', 'client');
  const admin = await createToken('operator', 'admin');
  clientFile = client.file;
  adminFile = admin.file;
  const tokensFile = join(dir.path, 'spark_tokens');
  writeFileSync(tokensFile, `# made with spark token create\n${client.line}\n${admin.line}\n`, {
    mode: 0o600,
  });
  server = await startServerProcess({
    dataDir: join(dir.path, 'data'),
    env: {
      SPARK_TLS_CERT: pki.server.cert,
      SPARK_TLS_KEY: pki.server.key,
      SPARK_AUTH_TOKENS: tokensFile,
      PQC_AGGREGATION_THRESHOLD: '1',
      SPARK_LOG_LEVEL: 'debug',
    },
  });
});
after(async () => {
  await server?.stop();
  pki?.cleanup();
  dir.cleanup();
});

function running(): ServerProcess {
  assert.ok(server !== undefined, 'server started');
  return server;
}

describe('CLI over TLS with tokens', () => {
  test('token create: bad names and roles are usage errors', async () => {
    const role = await runCli(['token', 'create', '--name', 'x', '--role', 'root']);
    assert.equal(role.code, 2);
    assert.match(role.stderr, /--role: "root" is not client or admin/);
    const name = await runCli(['token', 'create', '--name', 'has space']);
    assert.equal(name.code, 2);
    assert.equal((await runCli(['token', 'create'])).code, 2);
    assert.equal(role.stdout, '', 'no token printed on a usage error');
  });

  test('submit → prove → verify with --tls-ca and --token-file', async () => {
    const s = running();
    const data = join(dir.path, 'contract.txt');
    writeFileSync(data, 'a contract worth proving\n');
    const tlsFlags = ['--server', s.address, '--tls-ca', pki.caCert, '--token-file', clientFile];
    const sub = await cli(['submit', ...tlsFlags, '--file', data, '--json']);
    assert.equal(sub.code, 0, sub.stderr);
    const leaf = (JSON.parse(sub.stdout) as { leafHash: string }).leafHash;
    const bundle = join(dir.path, 'contract.spark');
    const prove = await cli(['prove', ...tlsFlags, '--leaf', leaf, '--wait', '30', '--out', bundle]);
    assert.equal(prove.code, 0, prove.stderr);
    assert.match(prove.stdout, /^SEALED: bundle written to /);
    const verify = await cli(['verify', bundle, '--data', data]);
    assert.equal(verify.code, 0, verify.stdout);
    assert.match(verify.stdout, /VALID/);
  });

  test('SPARK_TOKEN_FILE works like --token-file', async () => {
    const r = await cli(['keys', 'list', '--server', running().address, '--tls-ca', pki.caCert], {
      SPARK_TOKEN_FILE: clientFile,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /ML-DSA-65/);
  });

  test('no token: exit 1, UNAUTHENTICATED with the fixed message', async () => {
    const r = await cli(['keys', 'list', '--server', running().address, '--tls-ca', pki.caCert], {
      SPARK_TOKEN_FILE: '',
    });
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'spark: server answered Unauthenticated: valid credentials are required\n');
  });

  test('keys rotate needs an admin token', async () => {
    const base = ['keys', 'rotate', '--server', running().address, '--tls-ca', pki.caCert];
    const denied = await cli([...base, '--token-file', clientFile]);
    assert.equal(denied.code, 1);
    assert.equal(
      denied.stderr,
      'spark: server answered PermissionDenied: this credential may not call spark.v1.SparkAdmin\n',
    );
    const ok = await cli([...base, '--token-file', adminFile]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^rotated: /);
  });

  test('a token file others can read is refused before anything is sent', async () => {
    const loose = join(dir.path, 'loose.token');
    writeFileSync(loose, `${tokens.get('ci-job')}\n`);
    chmodSync(loose, 0o644);
    const r = await cli([
      'keys',
      'list',
      '--server',
      running().address,
      '--tls-ca',
      pki.caCert,
      '--token-file',
      loose,
    ]);
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr,
      `spark: --token-file: ${loose} has mode 0644, which lets group and others access it; use 0400 or 0600\n`,
    );
  });

  test('TLS flag mistakes are usage errors; plaintext to the TLS port fails', async () => {
    const s = running();
    const half = await cli([
      'keys',
      'list',
      '--server',
      s.address,
      '--tls-ca',
      pki.caCert,
      '--tls-cert',
      pki.sidecar.cert,
    ]);
    assert.equal(half.code, 2);
    assert.match(half.stderr, /--tls-cert and --tls-key go together/);
    const missing = await cli([
      'keys',
      'list',
      '--server',
      s.address,
      '--tls-ca',
      join(dir.path, 'nope.crt'),
    ]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--tls-ca: cannot read .*nope\.crt \(ENOENT\)/);
    const plain = await cli(['keys', 'list', '--server', s.address, '--token-file', clientFile]);
    // The TLS port refuses the plaintext handshake with an alert: the client sees either a reset (exit 3) or its
    // stream closed (exit 1), depending on timing; both say to pass --tls-ca.
    assert.ok(plain.code === 3 || plain.code === 1, plain.stderr);
    assert.match(
      plain.stderr,
      /^spark: (cannot connect to .* If it serves TLS there, pass --tls-ca\. \(ECONNRESET\)|server answered \w+: .*\(if it serves TLS there, pass --tls-ca\))$/m,
    );
  });

  test('no token and no TLS key in the server log or any CLI output', () => {
    const s = running();
    const secrets = new Map<string, Uint8Array>(privateKeyBytes(pki.server.key));
    for (const [name, token] of tokens) {
      secrets.set(`${name} token`, Buffer.from(token));
      secrets.set(`${name} token body`, Buffer.from(token.slice(4), 'base64url'));
    }
    const log = `${s.logs.join('\n')}\n${s.stderr()}`;
    assert.ok(
      s.logs.some((l) => l.includes('"msg":"tls connection"')),
      'debug TLS lines were captured',
    );
    assert.ok(
      s.logs.some((l) => l.includes('call refused')),
      'refusals were captured',
    );
    assertNoSecrets(log, secrets, 'server output');
    assertNoSecrets(outputs.join('\n'), secrets, 'CLI output');
  });
});
