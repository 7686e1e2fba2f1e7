// Overload: many SubmitStreams plus unary Submit callers against one server for a while, its memory sampled from
// /proc every 250 ms — idle before, the peak during, and what is left after the drain — with its anonymous part
// (heap, buffers: memory the process owns) beside the file-backed part (LMDB's mapped pages). Part of
// `npm run bench`; on its own: node bench/overload.ts [--streams 260] [--connections 2] [--unary 100]
// [--seconds 60] [--settle 10] [--fast-path true|false] [--memory-profile fast|lean] [--rounds 1] (rounds: the same overload again on the same
// server, to see whether memory left after one is reused by the next). Measures and prints only: it never fails
// on figures.
import { parseArgs } from 'node:util';
import { rssMB } from './scenarios.ts';
import { type BenchServer, killAllBenchServers, startBenchServer } from './server.ts';
import { median } from './stats.ts';
import { runStreamLoad, type StreamLoadResult } from './stream-load.ts';
import { removeAllTempDirs } from './temp-dirs.ts';

/** The load. */
export interface OverloadPlan {
  readonly streams: number;
  readonly connections: number;
  readonly unaryCallers: number;
  readonly seconds: number;
  /** After the load and the sealing of its backlog, how long the idle server is left before "after drain" is read. */
  readonly settleSeconds: number;
}

/** The outsider's overload: 260 streams and 100 unary callers for 60 s. */
export const OVERLOAD_FULL: OverloadPlan = {
  streams: 260,
  connections: 2,
  unaryCallers: 100,
  seconds: 60,
  settleSeconds: 10,
};

/**
 * `npm run bench -- --quick`, and the test in test/e2e/many-streams.itest.ts: 100 streams, where 60 left too small
 * a gap between the old server (100 × 4,096 items in flight) and the bounded one to test for.
 */
export const OVERLOAD_QUICK: OverloadPlan = {
  streams: 100,
  connections: 1,
  unaryCallers: 20,
  seconds: 10,
  settleSeconds: 2,
};

/** Leaves a batch, as deployed by default. */
const THRESHOLD = 1000;

/** Server settings as deployed by default (seals every 1,000 leaves), not the benchmark's seal-on-demand. */
export const OVERLOAD_SERVER_ENV: Readonly<Record<string, string>> = {
  PQC_AGGREGATION_THRESHOLD: String(THRESHOLD),
  SPARK_MAX_BATCH_SIZE: '100000',
  SPARK_PENDING_CAPACITY: '1000000',
  SPARK_STREAM_RATE: '100000',
};

/** Memory in MiB (2^20 bytes): the resident set and its anonymous part. */
export interface Memory {
  readonly rssMiB: number;
  readonly anonMiB: number;
}

/** The figures of one overload run. */
export interface OverloadFigures {
  readonly plan: OverloadPlan;
  /** Median of the samples over 2 s before the load. */
  readonly idle: Memory;
  /** Largest samples during the load (the two maxima may come from different samples). */
  readonly peak: Memory;
  /** The last sample, `settleSeconds` after the load ended and its pending leaves were sealed. */
  readonly afterDrain: Memory;
  /** From the end of the load until fewer leaves than one batch were pending (the sealing backlog), s. */
  readonly backlogSeconds: number;
  readonly load: StreamLoadResult;
  /** Every sample: seconds since the load started (negative before), MiB. */
  readonly samples: ReadonlyArray<{ readonly seconds: number } & Memory>;
}

const SAMPLE_MS = 250;
const IDLE_MS = 2_000;
/** Streams and calls still open this long after sending stopped are cancelled. */
const DRAIN_MS = 60_000;
/** Longest wait for the sealing backlog after the load. */
const BACKLOG_MS = 180_000;

const MIB_PER_MB = 1e6 / 2 ** 20;

function memoryOf(pid: number | undefined): Memory {
  const m = rssMB(pid);
  return { rssMiB: m.rssMB * MIB_PER_MB, anonMiB: m.anonMB * MIB_PER_MB };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs the overload against `server` and samples its memory. */
export async function overload(
  server: BenchServer,
  plan: OverloadPlan,
  progress: (line: string) => void = () => undefined,
): Promise<OverloadFigures> {
  const pid = server.process.child.pid;
  const samples: Array<{ seconds: number } & Memory> = [];
  let loadStart = performance.now() + IDLE_MS;
  const sample = () => samples.push({ seconds: (performance.now() - loadStart) / 1000, ...memoryOf(pid) });
  const timer = setInterval(sample, SAMPLE_MS);
  let load: StreamLoadResult;
  let loadEnd: number;
  let backlogSeconds: number;
  try {
    sample();
    await sleep(IDLE_MS);
    loadStart = performance.now();
    load = await runStreamLoad({
      address: server.process.address,
      streams: plan.streams,
      connections: plan.connections,
      sendMs: plan.seconds * 1000,
      unaryCallers: plan.unaryCallers,
      healthEveryMs: 1_000,
      drainMs: DRAIN_MS,
      onSecond: (p) => {
        if (Math.round(p.seconds) % 10 === 0)
          progress(
            `overload ${Math.round(p.seconds)} s: ${p.answers} stream answers, ${p.streamsAnswered} streams answered, ${p.unaryOk} unary, RSS ${Math.round(memoryOf(pid).rssMiB)} MiB`,
          );
      },
    });
    loadEnd = samples.length;
    const drained = performance.now();
    // Sealing goes on after the load (PQC_AGGREGATION_THRESHOLD leaves a batch): wait for it before "idle".
    while (performance.now() - drained < BACKLOG_MS) {
      const inventory = await server.processor.getInventory({}, { timeoutMs: 10_000 });
      if (inventory.pendingLeaves < BigInt(THRESHOLD)) break;
      await sleep(1_000);
    }
    backlogSeconds = (performance.now() - drained) / 1000;
    await sleep(plan.settleSeconds * 1000);
    sample();
  } finally {
    clearInterval(timer);
  }
  const idle = samples.filter((s) => s.seconds < 0);
  const during = samples.slice(idle.length, loadEnd);
  const last = samples[samples.length - 1] as { seconds: number } & Memory;
  return {
    plan,
    idle: { rssMiB: median(idle.map((s) => s.rssMiB)), anonMiB: median(idle.map((s) => s.anonMiB)) },
    peak: {
      rssMiB: Math.max(...during.map((s) => s.rssMiB)),
      anonMiB: Math.max(...during.map((s) => s.anonMiB)),
    },
    afterDrain: { rssMiB: last.rssMiB, anonMiB: last.anonMiB },
    backlogSeconds,
    load,
    samples,
  };
}

const n = (x: number) => Math.round(x).toLocaleString('en-US');

/** The report lines of one run. */
export function overloadLines(f: OverloadFigures, fastPath: boolean, memoryProfile = 'fast'): string[] {
  const p = f.plan;
  const l = f.load;
  const failures = Object.entries(l.streams.failures)
    .map(([why, count]) => `${count} × ${why}`)
    .join('; ');
  const mem = (m: Memory) => `${n(m.rssMiB)} MiB (anonymous ${n(m.anonMiB)} MiB)`;
  return [
    `overload: ${p.streams} SubmitStreams on ${p.connections} HTTP/2 connection${p.connections === 1 ? '' : 's'} + ${p.unaryCallers} unary Submit callers for ${p.seconds} s (fast path ${fastPath ? 'on' : 'off'}, SPARK_MEMORY_PROFILE=${memoryProfile})`,
    `  server RSS idle ${mem(f.idle)}; peak ${mem(f.peak)}; after the drain ${mem(f.afterDrain)} (pending leaves sealed ${Math.round(f.backlogSeconds)} s after the load, then ${p.settleSeconds} s idle)`,
    `  streams: ${l.streams.complete} answered in full${failures === '' ? '' : `, ${failures}`}; ${l.streams.neverAnswered} never answered; latest first answer ${n(l.streams.firstAnswerMaxMs)} ms; ${n(l.streams.answers)} answers to ${n(l.streams.itemsSent)} items (${n(l.streams.itemErrors)} item errors)`,
    `  unary: ${n(l.unary.ok)} ok, ${n(l.unary.failed)} failed${l.unary.firstError === undefined ? '' : ` (first: ${l.unary.firstError})`}; Health.Check on a streams' connection: ${l.health.calls} calls, p50 ${n(l.health.p50Ms)} ms, max ${n(l.health.maxMs)} ms, ${l.health.failed} failed`,
  ];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      streams: { type: 'string', default: String(OVERLOAD_FULL.streams) },
      connections: { type: 'string', default: String(OVERLOAD_FULL.connections) },
      unary: { type: 'string', default: String(OVERLOAD_FULL.unaryCallers) },
      seconds: { type: 'string', default: String(OVERLOAD_FULL.seconds) },
      settle: { type: 'string', default: String(OVERLOAD_FULL.settleSeconds) },
      'fast-path': { type: 'string', default: 'true' },
      'memory-profile': { type: 'string', default: 'fast' },
      rounds: { type: 'string', default: '1' },
    },
  });
  const plan: OverloadPlan = {
    streams: Number(values.streams),
    connections: Number(values.connections),
    unaryCallers: Number(values.unary),
    seconds: Number(values.seconds),
    settleSeconds: Number(values.settle),
  };
  const fastPath = values['fast-path'] !== 'false';
  const memoryProfile = values['memory-profile'];
  const server = await startBenchServer({
    ...OVERLOAD_SERVER_ENV,
    SPARK_GRPC_FAST_PATH: String(fastPath),
    SPARK_MEMORY_PROFILE: memoryProfile,
  });
  try {
    const rounds = Math.max(1, Math.min(10, Number(values.rounds)));
    for (let round = 1; round <= rounds; round++) {
      const figures = await overload(server, plan, (line) => process.stderr.write(`· ${line}\n`));
      if (rounds > 1) console.log(`round ${round} of ${rounds} on the same server:`);
      for (const line of overloadLines(figures, fastPath, memoryProfile)) console.log(line);
    }
    const errors = server.errorLogs();
    if (errors.length > 0)
      console.log(`WARNING the server logged ${errors.length} errors; first: ${errors[0]}`);
  } finally {
    await server.close();
  }
}

if (import.meta.main) {
  main()
    .catch((error: unknown) => {
      console.error('overload benchmark aborted:', error);
      process.exitCode = 1;
    })
    .finally(() => {
      killAllBenchServers();
      removeAllTempDirs();
    });
}
