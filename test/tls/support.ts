// Helpers for the TLS and auth tests: a sidecar in this process with its log captured, and TLS clients whose
// sockets the test can ask for the negotiated group.
import { createPrivateKey } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import type net from 'node:net';
import { Writable } from 'node:stream';
import tls from 'node:tls';
import type { Interceptor } from '@connectrpc/connect';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger, type Logger } from '../../src/log/logger.ts';
import { type App, createApp } from '../../src/main.ts';
import { type Role, tokenFileLine } from '../../src/service/access-tokens.ts';
import { tempDir } from '../support/spawn-server.ts';

/** A logger whose JSON lines are kept. */
export interface CapturedLog {
  readonly log: Logger;
  /** Every line so far, parsed. */
  entries(): Array<Record<string, unknown>>;
  /** Every line so far, as written. */
  text(): string;
}

/** A logger at `level` writing into memory. */
export function captureLog(level = 'debug'): CapturedLog {
  const lines: string[] = [];
  let partial = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      partial += chunk.toString();
      let nl = partial.indexOf('\n');
      while (nl !== -1) {
        lines.push(partial.slice(0, nl));
        partial = partial.slice(nl + 1);
        nl = partial.indexOf('\n');
      }
      done();
    },
  });
  return {
    log: createLogger(level, sink),
    entries: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
    text: () => lines.join('\n') + partial,
  };
}

/** A sidecar started in this process on a loopback port. */
export interface TestApp {
  readonly app: App;
  readonly port: number;
  readonly logs: CapturedLog;
  stop(): Promise<void>;
}

/** Starts the sidecar with `env` on 127.0.0.1:0 in a fresh data dir, logging at debug into memory. */
export async function startApp(env: Record<string, string>): Promise<TestApp> {
  const dir = tempDir('spark-tls-');
  const logs = captureLog('debug');
  try {
    const config = loadConfig({
      SPARK_LISTEN: '127.0.0.1:0',
      SPARK_DATA_DIR: dir.path,
      // Keep-alive HTTP/1.1 connections would otherwise hold the close for the default 10 s.
      SPARK_SHUTDOWN_GRACE_MS: '300',
      ...env,
    });
    const app = await createApp(config, logs.log);
    return {
      app,
      port: app.address.port,
      logs,
      async stop() {
        await app.close();
        dir.cleanup();
      },
    };
  } catch (err) {
    dir.cleanup();
    throw err;
  }
}

/** Client TLS options for a test PKI: trust `caFile`, optionally present a client certificate. */
export function clientTls(caFile: string, client?: { cert: string; key: string }): tls.ConnectionOptions {
  return {
    ca: readFileSync(caFile),
    ...(client === undefined ? {} : { cert: readFileSync(client.cert), key: readFileSync(client.key) }),
  };
}

/**
 * A `createConnection` for Node's http2 (and so for Connect's gRPC transport) that dials TLS itself with
 * `options` and keeps every socket, so the test can read the negotiated group from the client side.
 */
export function recordingConnection(options: tls.ConnectionOptions): {
  sockets: tls.TLSSocket[];
  createConnection: (authority: URL) => tls.TLSSocket;
} {
  const sockets: tls.TLSSocket[] = [];
  return {
    sockets,
    createConnection(authority) {
      const socket = tls.connect({
        host: authority.hostname,
        port: Number(authority.port),
        ALPNProtocols: ['h2'],
        ...options,
      });
      sockets.push(socket);
      return socket;
    },
  };
}

/** The server's "tls connection" debug lines. */
export function tlsConnectionLines(logs: CapturedLog): Array<Record<string, unknown>> {
  return logs.entries().filter((e) => e['msg'] === 'tls connection');
}

/** The server's "tls connection" line for the client socket `socket` (matched by the client's port). */
export function serverLineFor(logs: CapturedLog, socket: net.Socket): Record<string, unknown> | undefined {
  return tlsConnectionLines(logs).find((e) => e['remotePort'] === socket.localPort);
}

/** The private key in `keyFile` as raw bytes in the forms it could leak: DER, and the private scalar. */
export function privateKeyBytes(keyFile: string): Map<string, Uint8Array> {
  const key = createPrivateKey(readFileSync(keyFile));
  const der = key.export({ format: 'der', type: 'pkcs8' });
  const d = key.export({ format: 'jwk' }).d;
  const out = new Map<string, Uint8Array>([['TLS private key (PKCS#8 DER)', der]]);
  if (d !== undefined) out.set('TLS private key scalar', Buffer.from(d, 'base64url'));
  return out;
}

/** A Connect interceptor sending `authorization: Bearer <token>`. */
export function bearer(token: string): Interceptor {
  return (next) => (req) => {
    req.header.set('authorization', `Bearer ${token}`);
    return next(req);
  };
}

/** Writes the tokens file for `clients` (name → [role, token]) with mode 0600; returns its path. */
export function writeTokensFile(path: string, clients: Record<string, [Role, string]>): string {
  const lines = Object.entries(clients).map(([name, [role, token]]) => tokenFileLine(name, role, token));
  writeFileSync(path, `# test clients\n${lines.join('\n')}\n`, { mode: 0o600 });
  return path;
}
