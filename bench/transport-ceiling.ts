// Ceilings of the transport alone, against bench/noop-server.ts in a child process (client and server share
// the machine as in the real figures): raw HTTP/2 unary round trips, and a connect-node SubmitStream echo.
import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:http2';
import { join } from 'node:path';
import { createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { SparkProcessor } from '../src/gen/spark/v1/processor_pb.js';
import { type CpuShare, withCpuShare } from './cpu.ts';
import { randomDigests } from './digests.ts';
import { type IngestRun, submitStream } from './ingest.ts';
import { runPool } from './pool.ts';
import { createRawIngestClient } from './raw-grpc-client.ts';
import { perSecond } from './stats.ts';

/** A no-op child server and its ports. */
export interface NoopServer {
  readonly child: ChildProcess;
  readonly http2Port: number;
  readonly grpcPort: number;
  close(): Promise<void>;
}

const live = new Set<ChildProcess>();

/** Kills every no-op child still running, by PID. */
export function killAllNoopServers(): void {
  for (const child of live) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  live.clear();
}

/** Starts bench/noop-server.ts and waits (at most `timeoutMs`) for its ports. */
export async function startNoopServer(timeoutMs = 20_000): Promise<NoopServer> {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'noop-server.ts')], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  live.add(child);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const ports = await new Promise<{ http2Port: number; grpcPort: number }>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no-op server did not start; stderr: ${stderr}`)),
        timeoutMs,
      );
      let buf = '';
      child.stdout?.on('data', (d: Buffer) => {
        buf += d.toString();
        const nl = buf.indexOf('\n');
        if (nl === -1) return;
        clearTimeout(timer);
        try {
          resolve(JSON.parse(buf.slice(0, nl)) as { http2Port: number; grpcPort: number });
        } catch (error) {
          reject(error);
        }
      });
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`no-op server exited before listening; stderr: ${stderr}`));
      });
    });
    return {
      child,
      ...ports,
      async close() {
        live.delete(child);
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      },
    };
  } catch (error) {
    live.delete(child);
    child.kill('SIGKILL');
    throw error;
  }
}

/** Raw HTTP/2 unary round trips (a POST of 34 bytes, an empty 200) per second with `inFlight` at once. */
export async function http2UnaryRate(
  server: NoopServer,
  calls: number,
  inFlight: number,
  maxMs: number,
): Promise<[number, CpuShare]> {
  const session = connect(`http://127.0.0.1:${server.http2Port}`);
  const body = Buffer.alloc(34);
  const once = () =>
    new Promise<void>((resolve, reject) => {
      const req = session.request({
        ':method': 'POST',
        ':path': '/noop',
        'content-type': 'application/grpc',
      });
      req.setTimeout(30_000, () => req.close());
      req.on('response', () => undefined);
      req.on('data', () => undefined);
      req.on('end', resolve);
      req.on('error', reject);
      req.end(body);
    });
  try {
    await runPool(Math.min(500, calls), inFlight, maxMs, once);
    const [result, cpu] = await withCpuShare(server.child.pid, () => runPool(calls, inFlight, maxMs, once));
    if (result.failed > 0)
      throw new Error(`raw HTTP/2: ${result.failed} calls failed`, { cause: result.firstError });
    return [perSecond(result.ok, result.ms), cpu];
  } finally {
    session.close();
  }
}

/** One connect-node SubmitStream answered by the no-op server without storage. */
export async function grpcStreamEcho(
  server: NoopServer,
  items: number,
  maxMs: number,
): Promise<[IngestRun, CpuShare]> {
  const client = createClient(
    SparkProcessor,
    createGrpcTransport({ baseUrl: `http://127.0.0.1:${server.grpcPort}` }),
  );
  await submitStream(client, randomDigests(Math.min(2_000, items)), maxMs);
  return withCpuShare(server.child.pid, () => submitStream(client, randomDigests(items), maxMs));
}

/** One SubmitStream from the lean client answered by the raw no-op server: HTTP/2, framing and protobuf only. */
export async function rawStreamEcho(
  server: NoopServer,
  items: number,
  maxMs: number,
): Promise<[IngestRun, CpuShare]> {
  const client = createRawIngestClient(`127.0.0.1:${server.http2Port}`);
  try {
    await submitStream(client, randomDigests(Math.min(2_000, items)), maxMs);
    return await withCpuShare(server.child.pid, () => submitStream(client, randomDigests(items), maxMs));
  } finally {
    client.close();
  }
}
