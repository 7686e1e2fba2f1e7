// The gRPC fast path against connect-node alone: durable SubmitStream, unary Submit (64 in flight) and SubmitBatch
// (1,000 per request, 4 in flight) on a server with SPARK_GRPC_FAST_PATH=true and one with false, medians of
// `--repeats` runs. Usage: node bench/grpc-fast-path.ts [--repeats 3] [--stream 30000] [--unary 5000]
// [--batches 100] [--modes on,off] [--cpu-prof-dir DIR]. Measures and prints only; it never fails on time.
import { parseArgs } from 'node:util';
import { randomDigests } from './digests.ts';
import { type IngestRun, submitBatches, submitStream, submitUnary } from './ingest.ts';
import { killAllBenchServers, startBenchServer } from './server.ts';

const { values } = parseArgs({
  options: {
    repeats: { type: 'string', default: '3' },
    stream: { type: 'string', default: '30000' },
    unary: { type: 'string', default: '5000' },
    batches: { type: 'string', default: '100' },
    modes: { type: 'string', default: 'on,off' },
    'cpu-prof-dir': { type: 'string' },
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
    for (let r = 0; r < repeats; r++) {
      out.submitStream.push(checked('stream', await submitStream(c, randomDigests(streamItems), MAX_MS)));
      out.submit.push(checked('unary', await submitUnary(c, randomDigests(unaryCalls), 64, MAX_MS)));
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
        `fast path ${mode.padEnd(3)} ${name.padEnd(12)} median ${median(xs).toFixed(0).padStart(7)}/s  runs ${xs.map((x) => x.toFixed(0)).join(', ')}`,
      );
    }
  }
} finally {
  killAllBenchServers();
}
