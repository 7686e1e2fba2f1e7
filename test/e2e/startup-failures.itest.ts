// Every start-up failure ends `spark serve`: exit 2 within 2 s of the failure, one line on stderr saying why, and the
// process gone (docs/operations.md, "Start-up failures"). Before, a port in use or a bad Symbol seed left a worker
// alive and the process hung, listening on nothing.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { NODE, ROOT, SPARK, tempDir } from '../support/spawn-server.ts';

const dir = tempDir('spark-startup-');
after(() => dir.cleanup());

/** How long a failed start may take after it failed. */
const EXIT_WITHIN_MS = 2000;
/** Bound on one whole attempt (module loading on a busy machine included). */
const ATTEMPT_LIMIT_MS = 20_000;

interface Outcome {
  readonly code: number | null;
  readonly stderr: string;
  /** From the 'start-up failed' log line (or the first output, when the failure is before logging) to the exit. */
  readonly exitAfterFailureMs: number;
}

/** Runs `spark serve` until it exits (killed by PID after the bound, which fails the test). */
async function serve(args: readonly string[], env: Record<string, string>): Promise<Outcome> {
  const child = spawn(NODE, [SPARK, 'serve', ...args], {
    cwd: ROOT,
    env: { ...process.env, SPARK_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let failedAt: number | undefined;
  let firstOutput: number | undefined;
  child.stdout.on('data', (d: Buffer) => {
    firstOutput ??= Date.now();
    if (d.toString().includes('"start-up failed"')) failedAt ??= Date.now();
  });
  child.stderr.on('data', (d: Buffer) => {
    firstOutput ??= Date.now();
    stderr += d.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), ATTEMPT_LIMIT_MS);
  try {
    const code = await new Promise<number | null>((res) => child.once('close', (c) => res(c)));
    const exitedAt = Date.now();
    return { code, stderr, exitAfterFailureMs: exitedAt - (failedAt ?? firstOutput ?? exitedAt) };
  } finally {
    clearTimeout(timer);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

function assertFailedCleanly(o: Outcome, reason: RegExp): void {
  assert.equal(o.code, 2, `exit 2; stderr: ${o.stderr}`);
  assert.ok(o.exitAfterFailureMs < EXIT_WITHIN_MS, `exited ${o.exitAfterFailureMs} ms after the failure`);
  // One line, or a setting found wrong at start in the configuration listing: one line per setting.
  const lines = o.stderr.trim().split('\n');
  const listing =
    lines[0] === 'spark: invalid configuration:' && lines.slice(1).every((l) => /^ {2}- [A-Z_]+: /.test(l));
  assert.ok(lines.length === 1 || listing, `one line (or the configuration listing): ${o.stderr}`);
  assert.match(lines[0] ?? '', /^spark: /);
  assert.match(o.stderr, reason);
  assert.doesNotMatch(o.stderr, /^\s+at /m, 'no stack trace');
}

function listening(): Promise<{ server: Server; port: number }> {
  return new Promise((res) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      res({ server, port: typeof a === 'object' && a !== null ? a.port : 0 });
    });
  });
}

/** A secrets dir for the docker-secret provider; `symbol` writes (or leaves out) the Symbol seed. */
function secrets(name: string, symbol?: { content: string | Uint8Array; mode: number }): string {
  const path = join(dir.path, name);
  mkdirSync(path, { mode: 0o700 });
  writeFileSync(join(path, 'spark_pqc_seed'), randomBytes(32).toString('hex'), { mode: 0o400 });
  if (symbol !== undefined) {
    writeFileSync(join(path, 'spark_symbol_seed'), symbol.content, { mode: 0o400 });
    chmodSync(join(path, 'spark_symbol_seed'), symbol.mode);
  }
  return path;
}

const dataDir = (name: string) => join(dir.path, `${name}-data`);

test('the gRPC port in use: exit 2 naming the address, the HTTP port it had opened closed again', async () => {
  const taken = await listening();
  try {
    const o = await serve(['--listen', `127.0.0.1:${taken.port}`, '--data-dir', dataDir('grpc-port')], {
      SPARK_HTTP_LISTEN: '127.0.0.1:0',
    });
    assertFailedCleanly(
      o,
      new RegExp(
        `cannot start: listen EADDRINUSE: 127\\.0\\.0\\.1:${taken.port} is already in use — is another spark serve`,
      ),
    );
  } finally {
    taken.server.close();
  }
});

test('the HTTP port in use: exit 2 naming it', async () => {
  const taken = await listening();
  try {
    const o = await serve(['--listen', '127.0.0.1:0', '--data-dir', dataDir('http-port')], {
      SPARK_HTTP_LISTEN: `127.0.0.1:${taken.port}`,
    });
    assertFailedCleanly(o, /cannot start: .*EADDRINUSE/);
  } finally {
    taken.server.close();
  }
});

for (const [name, symbol, reason] of [
  ['missing', undefined, /spark_symbol_seed/],
  [
    'with trailing text',
    { content: `${randomBytes(32).toString('hex')}\nextra`, mode: 0o400 },
    /spark_symbol_seed/,
  ],
  [
    'readable by others (0644)',
    { content: randomBytes(32).toString('hex'), mode: 0o644 },
    /spark_symbol_seed/,
  ],
] as const) {
  test(`docker-secret with anchoring on, Symbol seed ${name}: exit 2 naming the secret`, async () => {
    const o = await serve(['--listen', '127.0.0.1:0', '--data-dir', dataDir(`seed-${name.split(' ')[0]}`)], {
      SPARK_KEY_PROVIDER: 'docker-secret',
      SPARK_SECRETS_DIR: secrets(`secrets-${name.split(' ')[0]}`, symbol),
      SYMBOL_NODE_URL: 'http://127.0.0.1:9',
      SPARK_HTTP_LISTEN: '127.0.0.1:0',
    });
    assertFailedCleanly(o, reason);
    assert.doesNotMatch(o.stderr, /[0-9a-f]{64}/, 'no seed in the message');
  });
}

test('an HSM that cannot be reached (no such PKCS#11 module): exit 2 naming the module', async () => {
  const pin = join(dir.path, 'pin');
  writeFileSync(pin, '1234', { mode: 0o400 });
  const o = await serve(['--listen', '127.0.0.1:0', '--data-dir', dataDir('hsm')], {
    SPARK_KEY_PROVIDER: 'pkcs11',
    SPARK_PKCS11_MODULE: join(dir.path, 'no-such-module.so'),
    SPARK_SECRETS_DIR: dir.path,
    SPARK_PKCS11_PIN_SECRET: 'pin',
    SPARK_HTTP_LISTEN: '127.0.0.1:0',
  });
  assertFailedCleanly(o, /no-such-module|PKCS#11|pkcs11/i);
  assert.doesNotMatch(o.stderr, /1234/, 'no PIN in the message');
});

test('a TLS certificate that is not one: exit 2 naming the file', async () => {
  const cert = join(dir.path, 'bad-cert.pem');
  const key = join(dir.path, 'bad-key.pem');
  writeFileSync(cert, 'not a certificate');
  writeFileSync(key, 'not a key', { mode: 0o400 });
  const o = await serve(['--listen', '127.0.0.1:0', '--data-dir', dataDir('tls')], {
    SPARK_TLS_CERT: cert,
    SPARK_TLS_KEY: key,
    SPARK_HTTP_LISTEN: '127.0.0.1:0',
  });
  assertFailedCleanly(o, /bad-cert\.pem|bad-key\.pem|certificate|key/i);
});

test('a corrupt data directory: exit 2 saying what is wrong with it', async () => {
  const data = dataDir('corrupt');
  mkdirSync(data, { mode: 0o700 });
  writeFileSync(join(data, 'data.mdb'), randomBytes(64 * 1024));
  const o = await serve(['--listen', '127.0.0.1:0', '--data-dir', data], {
    SPARK_HTTP_LISTEN: '127.0.0.1:0',
  });
  assertFailedCleanly(o, /data|store|mdb|LMDB/i);
});
