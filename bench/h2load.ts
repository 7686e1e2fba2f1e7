// An external load generator against the gRPC fast path: h2load (Debian's nghttp2-client) sends unary Submit and
// SubmitBatch to `spark serve` with SPARK_GRPC_FAST_PATH on and off, interleaved, and prints each run's rate and
// the ratio of the medians. h2load sends the same request body every time, so after the first request every
// digest is a duplicate: the run measures the RPC path (HTTP/2, framing, decode, validation, the store's duplicate
// lookup, encode), not durable writes. Measures and prints only; it never fails on time.
// Usage: node bench/h2load.ts [--requests 20000] [--clients 4] [--streams 16] [--batch 100] [--rounds 3]
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { create, toBinary } from '@bufbuild/protobuf';
import { SubmitBatchRequestSchema, SubmitRequestSchema } from '../src/gen/spark/v1/processor_pb.js';
import { killAllBenchServers, startBenchServer } from './server.ts';
import { benchTempDir } from './temp-dirs.ts';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i < 0 ? undefined : Number(process.argv[i + 1]);
  return v !== undefined && Number.isFinite(v) && v > 0 ? v : fallback;
}

const requests = flag('requests', 20_000);
const clients = flag('clients', 4);
const streams = flag('streams', 16);
const batch = flag('batch', 100);
const rounds = flag('rounds', 3);

/** A gRPC message: compressed flag 0, u32 length, the bytes. */
function framed(message: Uint8Array): Buffer {
  const out = Buffer.alloc(5 + message.length);
  out.writeUInt32BE(message.length, 1);
  Buffer.from(message).copy(out, 5);
  return out;
}

const digest = (i: number) => {
  const d = new Uint8Array(32);
  d.fill(0xa5);
  new DataView(d.buffer).setUint32(0, i);
  return d;
};

const dir = benchTempDir('spark-h2load-');
const bodies = {
  Submit: join(dir.path, 'submit.bin'),
  SubmitBatch: join(dir.path, 'submit-batch.bin'),
};
writeFileSync(
  bodies.Submit,
  framed(
    toBinary(
      SubmitRequestSchema,
      create(SubmitRequestSchema, { payload: { case: 'digest', value: digest(0) } }),
    ),
  ),
);
writeFileSync(
  bodies.SubmitBatch,
  framed(
    toBinary(
      SubmitBatchRequestSchema,
      create(SubmitBatchRequestSchema, {
        items: Array.from({ length: batch }, (_, i) => ({
          payload: { case: 'digest' as const, value: digest(i + 1) },
        })),
      }),
    ),
  ),
);

/** One h2load run: requests per second, and how many failed. */
function run(
  address: string,
  method: keyof typeof bodies,
): { rps: number; failed: number; statusOk: number } {
  const out = execFileSync(
    'h2load',
    [
      '-n',
      String(method === 'Submit' ? requests : Math.max(200, Math.round(requests / batch) * 4)),
      '-c',
      String(clients),
      '-m',
      String(streams),
      '-d',
      bodies[method],
      '-H',
      'content-type: application/grpc',
      '-H',
      'te: trailers',
      `http://${address}/spark.v1.SparkProcessor/${method}`,
    ],
    { encoding: 'utf8', timeout: 300_000 },
  );
  const rps = Number(/finished in [\d.]+\w+, ([\d.]+) req\/s/.exec(out)?.[1] ?? Number.NaN);
  const failed = Number(/requests: .*?(\d+) failed/.exec(out)?.[1] ?? Number.NaN);
  const statusOk = Number(/status codes: (\d+) 2xx/.exec(out)?.[1] ?? Number.NaN);
  return { rps, failed, statusOk };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

try {
  const version = execFileSync('h2load', ['--version'], { encoding: 'utf8' }).trim().split('\n')[0];
  console.log(
    `${version}; ${requests} Submit / ${Math.max(200, Math.round(requests / batch) * 4)} SubmitBatch of ${batch} per run, ${clients} connections × ${streams} streams, ${rounds} rounds interleaved`,
  );
  const results: Record<string, number[]> = {};
  for (let r = 0; r < rounds; r++) {
    for (const fastPath of [true, false]) {
      const server = await startBenchServer({ SPARK_GRPC_FAST_PATH: String(fastPath) });
      try {
        // One ordinary request first, so that the digests are stored and every run measures the same path.
        run(server.process.address, 'Submit');
        run(server.process.address, 'SubmitBatch');
        for (const method of ['Submit', 'SubmitBatch'] as const) {
          const res = run(server.process.address, method);
          const key = `${method} fast path ${fastPath ? 'on' : 'off'}`;
          results[key] = [...(results[key] ?? []), res.rps];
          console.log(
            `round ${r + 1}: ${key}: ${Math.round(res.rps)} req/s (${method === 'SubmitBatch' ? `${Math.round(res.rps * batch)} items/s, ` : ''}${res.statusOk} 2xx, ${res.failed} failed)`,
          );
        }
      } finally {
        await server.close();
      }
    }
  }
  for (const method of ['Submit', 'SubmitBatch']) {
    const on = median(results[`${method} fast path on`] ?? []);
    const off = median(results[`${method} fast path off`] ?? []);
    console.log(
      `${method}: median on ${Math.round(on)} req/s, off ${Math.round(off)} req/s, ratio ${(on / off).toFixed(2)}×`,
    );
  }
} finally {
  killAllBenchServers();
  dir.cleanup();
}
