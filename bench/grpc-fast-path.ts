// The gRPC fast path against connect-node alone: durable SubmitStream, unary Submit (64 in flight) and SubmitBatch
// (1,000 per request, 4 in flight) on a server with SPARK_GRPC_FAST_PATH=true and one with false, medians of
// `--repeats` runs. Usage: node bench/grpc-fast-path.ts [--repeats 3] [--stream 30000] [--unary 5000]
// [--batches 100] [--modes on,off] [--cpu-prof-dir DIR] [--client connect|raw]. Measures and prints only; it never fails on time.
import { once } from 'node:events';
import http2 from 'node:http2';
import { parseArgs } from 'node:util';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import {
  SubmitRequestSchema,
  SubmitResponseSchema,
  SubmitStreamResponseSchema,
} from '../src/gen/spark/v1/processor_pb.js';
import { frameMessages, GrpcMessageReader } from '../src/service/grpc-framing.ts';
import { randomDigests } from './digests.ts';
import { type IngestRun, submitBatches, submitStream, submitUnary } from './ingest.ts';
import { runPool } from './pool.ts';
import { killAllBenchServers, startBenchServer } from './server.ts';
import { perSecond } from './stats.ts';

const { values } = parseArgs({
  options: {
    repeats: { type: 'string', default: '3' },
    stream: { type: 'string', default: '30000' },
    unary: { type: 'string', default: '5000' },
    batches: { type: 'string', default: '100' },
    modes: { type: 'string', default: 'on,off' },
    'cpu-prof-dir': { type: 'string' },
    // connect: the connect-node client the main benchmark uses; raw: node:http2 with pre-encoded frames, so the
    // client costs little and the figure is nearer the server's own limit.
    client: { type: 'string', default: 'connect' },
  },
});
const repeats = Number(values.repeats);
const streamItems = Number(values.stream);
const unaryCalls = Number(values.unary);
const batches = Number(values.batches);
const MAX_MS = 120_000;

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};

function checked(name: string, run: IngestRun): number {
  if (run.errors > 0 || run.timedOut) {
    console.log(
      `  ${name}: ${run.errors} errors (${run.firstError ?? ''})${run.timedOut ? ', timed out' : ''}`,
    );
  }
  return run.perSecond;
}

const encoded = (digests: readonly Uint8Array[]): Uint8Array[] =>
  digests.map((digest) =>
    toBinary(
      SubmitRequestSchema,
      create(SubmitRequestSchema, { payload: { case: 'digest', value: digest } }),
    ),
  );

/** gRPC over bare node:http2: one call, its request frames written with backpressure; the answers decoded. */
async function rawCall(
  session: http2.ClientHttp2Session,
  method: string,
  messages: readonly Uint8Array[],
  onAnswer: (bytes: Uint8Array) => void,
): Promise<void> {
  const req = session.request({
    ':method': 'POST',
    ':path': `/spark.v1.SparkProcessor/${method}`,
    'content-type': 'application/grpc',
    te: 'trailers',
  });
  const reader = new GrpcMessageReader(1 << 26);
  req.on('data', (chunk: Buffer) => {
    for (const m of reader.push(chunk)) onAnswer(m);
  });
  const trailers = new Promise<http2.IncomingHttpHeaders>((resolve, reject) => {
    req.once('trailers', resolve);
    req.once('error', reject);
  });
  for (let at = 0; at < messages.length; at += 256) {
    if (!req.write(frameMessages(messages.slice(at, at + 256)))) await once(req, 'drain');
  }
  req.end();
  const t = await trailers;
  if (t['grpc-status'] !== '0') throw new Error(`grpc-status ${t['grpc-status']}: ${t['grpc-message']}`);
}

async function rawStream(address: string, digests: readonly Uint8Array[]): Promise<number> {
  const session = http2.connect(`http://${address}`);
  try {
    const messages = encoded(digests);
    let receipts = 0;
    const t = performance.now();
    await rawCall(session, 'SubmitStream', messages, (bytes) => {
      if (fromBinary(SubmitStreamResponseSchema, bytes).result.case === 'receipt') receipts++;
    });
    const ms = performance.now() - t;
    if (receipts !== digests.length)
      console.log(`  raw stream: ${digests.length - receipts} items without receipt`);
    return perSecond(receipts, ms);
  } finally {
    session.destroy();
  }
}

async function rawUnary(address: string, digests: readonly Uint8Array[]): Promise<number> {
  const session = http2.connect(`http://${address}`);
  try {
    const messages = encoded(digests);
    let receipts = 0;
    const result = await runPool(messages.length, 64, MAX_MS, async (i) => {
      await rawCall(session, 'Submit', [messages[i] as Uint8Array], (bytes) => {
        if (fromBinary(SubmitResponseSchema, bytes).receipt !== undefined) receipts++;
      });
    });
    if (result.failed > 0) console.log(`  raw unary: ${result.failed} failed (${String(result.firstError)})`);
    return perSecond(receipts, result.ms);
  } finally {
    session.destroy();
  }
}

async function measure(mode: string): Promise<Record<string, number[]>> {
  const profile = values['cpu-prof-dir'];
  const server = await startBenchServer({
    SPARK_GRPC_FAST_PATH: mode === 'on' ? 'true' : 'false',
    // A CPU profile of the server, written when it exits.
    ...(profile === undefined ? {} : { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profile}` }),
  });
  const out = { submitStream: [] as number[], submit: [] as number[], submitBatch: [] as number[] };
  try {
    const c = server.processor;
    await submitStream(c, randomDigests(2_000), MAX_MS);
    await submitUnary(c, randomDigests(1_000), 64, MAX_MS);
    await submitBatches(c, 5, () => randomDigests(1_000), 4, MAX_MS);
    const raw = values.client === 'raw';
    const address = server.process.address;
    for (let r = 0; r < repeats; r++) {
      out.submitStream.push(
        raw
          ? await rawStream(address, randomDigests(streamItems))
          : checked('stream', await submitStream(c, randomDigests(streamItems), MAX_MS)),
      );
      out.submit.push(
        raw
          ? await rawUnary(address, randomDigests(unaryCalls))
          : checked('unary', await submitUnary(c, randomDigests(unaryCalls), 64, MAX_MS)),
      );
      out.submitBatch.push(
        checked('batch', await submitBatches(c, batches, () => randomDigests(1_000), 4, MAX_MS)),
      );
    }
  } finally {
    await server.close();
  }
  return out;
}

try {
  for (const mode of values.modes.split(',')) {
    const figures = await measure(mode);
    for (const [name, xs] of Object.entries(figures)) {
      console.log(
        `fast path ${mode.padEnd(3)} ${values.client} client ${name.padEnd(12)} median ${median(xs).toFixed(0).padStart(7)}/s  runs ${xs.map((x) => x.toFixed(0)).join(', ')}`,
      );
    }
  }
} finally {
  killAllBenchServers();
}
