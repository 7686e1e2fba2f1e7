// Starts `spark signer` as a child process on a free loopback port and stops it by PID (test helper).
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Client, createClient } from '@connectrpc/connect';
import { createGrpcTransport, Http2SessionManager } from '@connectrpc/connect-node';
import type { KeyProvider } from '../../providers/key-provider.ts';
import { createRemoteProvider } from '../../providers/remote/remote-provider.ts';
import { SparkSigner } from '../../src/gen/spark/v1/signer_pb.js';
import { allAlgorithms } from '../../src/proof/crypto/algorithms.ts';
import { NODE, ROOT, SPARK } from '../support/spawn-server.ts';
import type { CertFiles, TestPki } from '../support/tls-certs.ts';

/** The policy most tests use: the sidecar may use every algorithm and the account, the intruder only ML-DSA-44. */
export const TEST_POLICY = {
  clients: {
    sidecar: {
      purposes: ['batch-signing', 'witness-cosigning', 'symbol-account'],
      algorithms: allAlgorithms().map((a) => a.name),
    },
    intruder: { purposes: ['batch-signing'], algorithms: ['ML-DSA-44'] },
  },
};

/** A running signer child. */
export interface SignerProcess {
  readonly child: ChildProcess;
  readonly port: number;
  readonly address: string;
  /** Every stdout line so far (JSON log lines). */
  readonly logs: string[];
  /** Everything on stderr so far. */
  stderr(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code or signal. */
  stop(graceMs?: number): Promise<number | string | null>;
}

/** Writes `policy` as JSON into the PKI's directory and returns the path. */
export function writePolicy(pki: TestPki, policy: unknown, name = 'policy.json'): string {
  const path = join(pki.dir, name);
  writeFileSync(path, typeof policy === 'string' ? policy : JSON.stringify(policy));
  return path;
}

/** The signer's arguments for `pki` with the policy file `policyFile`. */
export function signerArgs(pki: TestPki, policyFile: string): string[] {
  return [
    '--listen',
    '127.0.0.1:0',
    '--tls-cert',
    pki.server.cert,
    '--tls-key',
    pki.server.key,
    '--client-ca',
    pki.caCert,
    '--policy',
    policyFile,
  ];
}

/** Spawns `spark signer` and waits (at most `timeoutMs`) for its "listening" line. */
export async function startSignerProcess(options: {
  pki: TestPki;
  policy?: unknown;
  env?: Record<string, string>;
  timeoutMs?: number;
}): Promise<SignerProcess> {
  const policyFile = writePolicy(options.pki, options.policy ?? TEST_POLICY);
  // The signer's settings come from the test alone, not from whatever SPARK_* the test runner has.
  const inherited = Object.entries(process.env).filter(([name]) => !name.startsWith('SPARK_'));
  const env = { ...Object.fromEntries(inherited), SPARK_LOG_LEVEL: 'info', ...options.env };
  const child = spawn(NODE, [SPARK, 'signer', ...signerArgs(options.pki, policyFile)], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<number | string | null>((res) =>
    child.once('exit', (code, signal) => res(code ?? signal)),
  );
  const stop = async (graceMs = 10_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode ?? child.signalCode;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    const result = await exited;
    clearTimeout(timer);
    return result;
  };
  try {
    const port = await new Promise<number>((res, rej) => {
      const timer = setTimeout(
        () => rej(new Error(`signer did not start in time; stderr: ${stderr}`)),
        options.timeoutMs ?? 20_000,
      );
      let buf = '';
      child.stdout?.on('data', (d: Buffer) => {
        buf += d.toString();
        for (let nl = buf.indexOf('\n'); nl !== -1; nl = buf.indexOf('\n')) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          logs.push(line);
          try {
            const j = JSON.parse(line) as { msg?: string; port?: number };
            if (j.msg === 'listening' && typeof j.port === 'number') {
              clearTimeout(timer);
              res(j.port);
            }
          } catch {
            // not JSON: kept in logs
          }
        }
      });
      void exited.then((code) => {
        clearTimeout(timer);
        rej(new Error(`signer exited (${code}) before listening; stderr: ${stderr}`));
      });
    });
    return { child, port, address: `127.0.0.1:${port}`, logs, stderr: () => stderr, stop };
  } catch (err) {
    await stop(1000);
    throw err;
  }
}

/** A remote provider for `client` talking to the signer at `address`, trusting the PKI's CA. */
export function remoteProvider(
  pki: TestPki,
  address: string,
  client: CertFiles,
  extra: { serverName?: string; caFile?: string; timeoutMs?: number } = {},
): KeyProvider {
  return createRemoteProvider({
    address,
    caFile: extra.caFile ?? pki.caCert,
    certFile: client.cert,
    keyFile: client.key,
    ...(extra.serverName === undefined ? {} : { serverName: extra.serverName }),
    ...(extra.timeoutMs === undefined ? {} : { timeoutMs: extra.timeoutMs }),
  });
}

/** The parsed JSON log lines with msg `msg`. */
export function logLines(logs: readonly string[], msg: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const line of logs) {
    try {
      const j = JSON.parse(line) as Record<string, unknown>;
      if (j['msg'] === msg) out.push(j);
    } catch {
      // not JSON
    }
  }
  return out;
}

/** A plain SparkSigner client (no provider checks) presenting `client` (or no certificate) to `address`. */
export function rawSignerClient(
  address: string,
  tls: { ca: string; client?: CertFiles; maxVersion?: 'TLSv1.2' | 'TLSv1.3' },
): { client: Client<typeof SparkSigner>; close(): void } {
  const baseUrl = `https://${address}`;
  const session = new Http2SessionManager(
    baseUrl,
    {},
    {
      ca: readFileSync(tls.ca),
      ...(tls.client === undefined
        ? {}
        : { cert: readFileSync(tls.client.cert), key: readFileSync(tls.client.key) }),
      ...(tls.maxVersion === undefined ? {} : { maxVersion: tls.maxVersion }),
    },
  );
  const transport = createGrpcTransport({ baseUrl, sessionManager: session, defaultTimeoutMs: 10_000 });
  return { client: createClient(SparkSigner, transport), close: () => session.abort() };
}

/** Runs `spark signer ARGS` expecting it to exit (a refused start) within `timeoutMs`; SPARK_* come from `env` only. */
export async function runSignerCli(
  args: readonly string[],
  env: Record<string, string> = {},
  timeoutMs = 30_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const inherited = Object.entries(process.env).filter(([name]) => !name.startsWith('SPARK_'));
  const child = spawn(NODE, [SPARK, 'signer', ...args], {
    cwd: ROOT,
    env: { ...Object.fromEntries(inherited), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((res) => child.once('close', (c) => res(c)));
  clearTimeout(timer);
  return { code, stdout, stderr };
}
