// Starts `spark serve` as a child process for a benchmark, with clients, and makes sure it is killed by PID.
import { type Client, createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { Health } from '../src/gen/grpc/health/v1/health_pb.js';
import { SparkAdmin } from '../src/gen/spark/v1/admin_pb.js';
import { SparkProcessor } from '../src/gen/spark/v1/processor_pb.js';
import { type ServerProcess, startServerProcess } from '../test/support/spawn-server.ts';
import { createRawIngestClient, type IngestClient } from './raw-grpc-client.ts';
import { benchTempDir } from './temp-dirs.ts';

/** Seal only on demand during a benchmark: neither the threshold nor the timeout is reached. */
export const BENCH_SERVER_ENV: Readonly<Record<string, string>> = {
  PQC_AGGREGATION_THRESHOLD: '1000000',
  PQC_AGGREGATION_TIMEOUT: '3600',
  SPARK_MAX_BATCH_SIZE: '1000000',
  SPARK_PENDING_CAPACITY: '4000000',
  SPARK_MAX_ITEMS_PER_REQUEST: '1000',
  // No per-client stream rate limit: the benchmark is one client measuring the server.
  SPARK_STREAM_RATE: '0',
  SPARK_LOG_LEVEL: 'info',
};

/** A benchmark server and its clients (default clients share one HTTP/2 connection). */
export interface BenchServer {
  readonly process: ServerProcess;
  readonly processor: Client<typeof SparkProcessor>;
  /** The ingest calls over a lean HTTP/2 client on its own connection (bench/raw-grpc-client.ts). */
  readonly ingest: IngestClient;
  /** The same service through a client that accepts no response compression (a second connection). */
  readonly processorUncompressed: Client<typeof SparkProcessor>;
  readonly admin: Client<typeof SparkAdmin>;
  readonly health: Client<typeof Health>;
  /** The server's log lines at level error or above so far (pino: 50 and up). */
  errorLogs(): string[];
  /** SIGTERM (SIGKILL after a grace) and removes the data dir. */
  close(): Promise<void>;
}

function isErrorLine(line: string): boolean {
  try {
    const level = (JSON.parse(line) as { level?: unknown }).level;
    return typeof level === 'number' && level >= 50;
  } catch {
    return false;
  }
}

/** Children still running, so that an interrupted run kills them. */
const live = new Set<ServerProcess>();

/** Kills every benchmark child still running, by PID. */
export function killAllBenchServers(): void {
  for (const server of live) {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
  }
  live.clear();
}

/** Starts a server on a fresh data dir, with BENCH_SERVER_ENV overridden by `env`. */
export async function startBenchServer(env: Readonly<Record<string, string>> = {}): Promise<BenchServer> {
  const dir = benchTempDir('spark-bench-server-');
  let server: ServerProcess;
  try {
    server = await startServerProcess({
      dataDir: dir.path,
      env: { ...BENCH_SERVER_ENV, ...env },
      timeoutMs: 30_000,
    });
  } catch (error) {
    dir.cleanup();
    throw error;
  }
  live.add(server);
  const transport = createGrpcTransport({ baseUrl: `http://${server.address}` });
  const rawClient = createRawIngestClient(server.address);
  return {
    process: server,
    processor: createClient(SparkProcessor, transport),
    ingest: rawClient,
    processorUncompressed: createClient(
      SparkProcessor,
      createGrpcTransport({ baseUrl: `http://${server.address}`, acceptCompression: [] }),
    ),
    admin: createClient(SparkAdmin, transport),
    health: createClient(Health, transport),
    errorLogs() {
      return server.logs.filter(isErrorLine);
    },
    async close() {
      rawClient.close();
      try {
        await server.stop(10_000);
      } finally {
        live.delete(server);
        if (server.child.exitCode === null && server.child.signalCode === null) await server.kill();
        dir.cleanup();
      }
    },
  };
}
