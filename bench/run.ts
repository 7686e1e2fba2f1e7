// Runs every measure of the performance issue and prints each figure beside the ceiling measured in the same
// run (STYLE §Habits 10), writes bench/results.json and the plots docs/performance-ingest-10m.svg and
// docs/performance-batch-size.svg (bench/plots.ts). Usage: node bench/run.ts [--quick]. Measures and reports
// only: it never fails on time; every loop has a count and a time bound.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createMemoryProvider } from '../providers/memory-provider.ts';
import { ML_DSA_65 } from '../src/proof/crypto/algorithms.ts';
import { type CpuShare, withCpuShare } from './cpu.ts';
import { mlDsaRates, sha256BulkMs, sha256Rate } from './crypto-ceiling.ts';
import { randomDigests } from './digests.ts';
import { healthCheckRate } from './grpc-ceiling.ts';
import { type IngestRun, submitBatches, submitStream, submitUnary } from './ingest.ts';
import { lmdbBatchedPuts, lmdbRandomGet } from './lmdb-ceiling.ts';
import { machineInfo } from './machine.ts';
import {
  OVERLOAD_FULL,
  OVERLOAD_QUICK,
  OVERLOAD_SERVER_ENV,
  type OverloadPlan,
  overload,
  overloadLines,
} from './overload.ts';
import { PLOT_FILES, writePlots } from './plots.ts';
import { verifyInProcess } from './prove-verify.ts';
import type { IngestClient } from './raw-grpc-client.ts';
import { writeResults } from './report.ts';
import { ceiling, type Figure, figureLines, figuresByKey } from './results.ts';
import { ITEMS_PER_REQUEST, longIngest, type SealUnderIngest, sealUnderIngest } from './scenarios.ts';
import { type SealFigures, sealBench } from './seal.ts';
import { BENCH_SERVER_ENV, type BenchServer, killAllBenchServers, startBenchServer } from './server.ts';
import { median } from './stats.ts';
import { removeAllTempDirs } from './temp-dirs.ts';
import {
  grpcStreamEcho,
  http2UnaryRate,
  killAllNoopServers,
  rawStreamEcho,
  startNoopServer,
} from './transport-ceiling.ts';
import { verifyCorpus, verifyThroughput } from './verify-throughput.ts';

/** Sizes of one run; --quick shrinks every count. */
interface Plan {
  readonly repeats: number;
  readonly warmup: number;
  readonly submits: number;
  readonly inFlight: number;
  readonly streamItems: number;
  readonly batchRequests: number;
  readonly batchInFlight: number;
  /** The "10^6" batch sealed under ingest and proved from. */
  readonly bigBatch: number;
  readonly baselineItems: number;
  readonly proves: number;
  readonly verifies: number;
  /** The "10^7" long ingest, sealed by threshold every `longThreshold`. */
  readonly longDigests: number;
  readonly longThreshold: number;
  readonly longMaxMs: number;
  readonly sealSizes: ReadonlyArray<{ readonly leaves: number; readonly repeats: number }>;
  readonly http2Calls: number;
  readonly echoItems: number;
  readonly lmdbTransactions: number;
  readonly lmdbKeys: number;
  readonly lmdbGets: number;
  readonly sha256Calls: number;
  readonly mlDsaSigns: number;
  readonly mlDsaVerifies: number;
  /** Many SubmitStreams plus unary callers against one server (bench/overload.ts). */
  readonly overload: OverloadPlan;
}

const FULL: Plan = {
  repeats: 3,
  warmup: 1_000,
  submits: 10_000,
  inFlight: 64,
  streamItems: 60_000,
  batchRequests: 300,
  batchInFlight: 4,
  bigBatch: 1_000_000,
  baselineItems: 60_000,
  proves: 2_000,
  verifies: 1_000,
  longDigests: 10_000_000,
  longThreshold: 1_000_000,
  longMaxMs: 300_000,
  sealSizes: [
    { leaves: 1_000, repeats: 5 },
    { leaves: 10_000, repeats: 5 },
    { leaves: 100_000, repeats: 3 },
    { leaves: 1_000_000, repeats: 1 },
  ],
  http2Calls: 10_000,
  echoItems: 60_000,
  lmdbTransactions: 200,
  lmdbKeys: 300_000,
  lmdbGets: 300_000,
  sha256Calls: 1_000_000,
  mlDsaSigns: 200,
  mlDsaVerifies: 1_000,
  overload: OVERLOAD_FULL,
};

const QUICK: Plan = {
  ...FULL,
  repeats: 1,
  warmup: 300,
  submits: 2_000,
  streamItems: 10_000,
  batchRequests: 40,
  bigBatch: 100_000,
  baselineItems: 10_000,
  proves: 300,
  verifies: 300,
  longDigests: 400_000,
  longThreshold: 100_000,
  longMaxMs: 30_000,
  sealSizes: [
    { leaves: 1_000, repeats: 3 },
    { leaves: 10_000, repeats: 3 },
    { leaves: 100_000, repeats: 1 },
  ],
  http2Calls: 3_000,
  echoItems: 10_000,
  lmdbTransactions: 40,
  lmdbKeys: 50_000,
  lmdbGets: 100_000,
  sha256Calls: 200_000,
  mlDsaSigns: 50,
  mlDsaVerifies: 300,
  overload: OVERLOAD_QUICK,
};

/** Upper bounds on each measured loop, ms: a slow machine reports fewer operations, never hangs. */
const LIMIT = { ingest: 180_000, rpc: 120_000, inProcess: 60_000 } as const;

/** ML-DSA signatures checked per bundle of another header once the key's self-signature is remembered. */
const SIGNATURES_PER_BUNDLE = 1;

const RESULTS_PATH = join(import.meta.dirname, 'results.json');

function progress(message: string): void {
  process.stderr.write(`· ${new Date().toISOString().slice(11, 19)} ${message}\n`);
}

/** Anything unexpected (errors, invalid bundles, early stops), printed after the figures. */
const warnings: string[] = [];

function checkServerLogs(name: string, server: BenchServer): void {
  const lines = server.errorLogs();
  if (lines.length > 0) warnings.push(`${name} logged ${lines.length} errors; first: ${lines[0]}`);
}

function checkIngest(name: string, run: IngestRun): void {
  if (run.errors > 0) warnings.push(`${name}: ${run.errors} errors (first: ${run.firstError})`);
  if (run.duplicates > 0)
    warnings.push(`${name}: ${run.duplicates} receipts marked duplicate for fresh digests`);
  if (run.timedOut) warnings.push(`${name}: stopped at its time bound after ${run.stored} receipts`);
}

async function repeat<T>(times: number, run: () => Promise<T> | T): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < times; i++) out.push(await run());
  return out;
}

async function withServer<T>(
  name: string,
  env: Record<string, string>,
  run: (s: BenchServer) => Promise<T>,
): Promise<T> {
  const server = await startBenchServer(env);
  try {
    return await run(server);
  } finally {
    await server.close();
    checkServerLogs(name, server);
  }
}

const n = (x: number) => x.toLocaleString('en-US');

async function measureCeilings(plan: Plan, bigBatch: number) {
  progress('ceilings: SHA-256 (per call and bulk), ML-DSA-65');
  const sha256PerSecond = median(await repeat(plan.repeats, () => sha256Rate(plan.sha256Calls)));
  const sha256BulkMsBig = median(await repeat(plan.repeats, () => sha256BulkMs(bigBatch)));
  const mlDsa = await repeat(plan.repeats, () => mlDsaRates(plan.mlDsaSigns, plan.mlDsaVerifies));
  progress('ceilings: LMDB batched durable puts, random gets');
  const puts = await repeat(plan.repeats, () =>
    lmdbBatchedPuts(plan.lmdbTransactions, ITEMS_PER_REQUEST, plan.batchInFlight, LIMIT.inProcess),
  );
  const gets = await lmdbRandomGet(plan.lmdbKeys, plan.lmdbGets, LIMIT.inProcess);
  progress('ceilings: raw HTTP/2 unary no-op, stream echoes without storage (child process)');
  const noop = await startNoopServer();
  let http2: [number, CpuShare];
  let echo: [IngestRun, CpuShare];
  let rawEcho: [IngestRun, CpuShare];
  try {
    const http2Runs = await repeat(plan.repeats, () =>
      http2UnaryRate(noop, plan.http2Calls, plan.inFlight, LIMIT.rpc),
    );
    http2 = [median(http2Runs.map((r) => r[0])), http2Runs[http2Runs.length >> 1]?.[1] as CpuShare];
    echo = await grpcStreamEcho(noop, plan.echoItems, LIMIT.ingest);
    checkIngest('stream echo', echo[0]);
    rawEcho = await rawStreamEcho(noop, plan.echoItems, LIMIT.ingest);
    checkIngest('raw stream echo', rawEcho[0]);
  } finally {
    await noop.close();
  }
  return {
    sha256CallsPerSecond: sha256PerSecond,
    sha256BulkMs: sha256BulkMsBig,
    sha256BulkLeaves: bigBatch,
    mlDsaSignPerSecond: median(mlDsa.map((r) => r.signPerSecond)),
    mlDsaVerifyPerSecond: median(mlDsa.map((r) => r.verifyPerSecond)),
    mlDsaVerifyWithImportPerSecond: median(mlDsa.map((r) => r.verifyWithImportPerSecond)),
    lmdbBatchedPutsPerSecond: median(puts.map((r) => r.perSecond)),
    lmdbBatchedPutRuns: puts,
    lmdbRandomGetMicroseconds: gets.microseconds,
    lmdbRandomGetKeys: plan.lmdbKeys,
    http2UnaryPerSecond: http2[0],
    http2UnaryCpu: http2[1],
    grpcStreamEchoPerSecond: echo[0].perSecond,
    grpcStreamEchoCpu: echo[1],
    rawStreamEchoPerSecond: rawEcho[0].perSecond,
    rawStreamEchoCpu: rawEcho[1],
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
  const quick = values.quick === true;
  const plan = quick ? QUICK : FULL;
  const machine = machineInfo();
  const started = performance.now();
  progress(`${quick ? 'quick' : 'full'} run on ${machine.cpuModel} × ${machine.cores}, Node ${machine.node}`);

  // Ceilings first, on a machine the benchmark does not load otherwise.
  const c = await measureCeilings(plan, plan.bigBatch);

  progress(
    `server A: ${n(plan.submits)} unary Submits, ${n(plan.streamItems)} on one SubmitStream, ${n(plan.batchRequests)} SubmitBatch × ${ITEMS_PER_REQUEST}`,
  );
  const a = await withServer('server A', {}, async (s) => {
    const pid = s.process.child.pid;
    const batchOf = () => randomDigests(ITEMS_PER_REQUEST);
    // The headline figures load the server with the lean client (bench/raw-grpc-client.ts); the same calls from
    // connect-node's client follow, since its own cost on the shared cores caps them lower.
    const ingestWith = async (client: IngestClient, name: string) => {
      checkIngest(
        `${name} Submit warm-up`,
        await submitUnary(client, randomDigests(plan.warmup), plan.inFlight, LIMIT.ingest),
      );
      const unary = await withCpuShare(pid, () =>
        submitUnary(client, randomDigests(plan.submits), plan.inFlight, LIMIT.ingest),
      );
      checkIngest(`${name} Submit`, unary[0]);
      checkIngest(
        `${name} SubmitStream warm-up`,
        await submitStream(client, randomDigests(plan.warmup), LIMIT.ingest),
      );
      const stream = await withCpuShare(pid, () =>
        submitStream(client, randomDigests(plan.streamItems), LIMIT.ingest),
      );
      checkIngest(`${name} SubmitStream`, stream[0]);
      checkIngest(
        `${name} SubmitBatch warm-up`,
        await submitBatches(client, 5, batchOf, plan.batchInFlight, LIMIT.ingest),
      );
      const batch = await withCpuShare(pid, () =>
        submitBatches(client, plan.batchRequests, batchOf, plan.batchInFlight, LIMIT.ingest),
      );
      checkIngest(`${name} SubmitBatch`, batch[0]);
      return { unary, stream, batch };
    };
    await healthCheckRate(s.health, plan.warmup, plan.inFlight, LIMIT.rpc);
    const health = await healthCheckRate(s.health, plan.http2Calls, plan.inFlight, LIMIT.rpc);
    const lean = await ingestWith(s.ingest, 'lean client');
    const viaConnect = await ingestWith(s.processor, 'connect-node client');
    return { ...lean, connect: viaConnect, health };
  });

  // Seals only on demand: the threshold and the batch size are above anything this server receives.
  progress(
    `server B: ${n(plan.bigBatch)}-leaf batch sealed by SealNow while a SubmitStream runs; ${n(plan.proves)} Proves under ingest`,
  );
  const big = await withServer(
    'server B',
    {
      PQC_AGGREGATION_THRESHOLD: '10000000',
      SPARK_MAX_BATCH_SIZE: '10000000',
      SPARK_PENDING_CAPACITY: '20000000',
    },
    (s) =>
      withCpuShare(s.process.child.pid, () =>
        sealUnderIngest(s, {
          leaves: plan.bigBatch,
          baselineItems: plan.baselineItems,
          inFlight: plan.batchInFlight,
          proves: plan.proves,
          keepBundles: 50,
          maxMs: LIMIT.ingest,
        }),
      ),
  );
  const b: SealUnderIngest = big[0];
  checkIngest('server B fill', b.fill);
  checkIngest('server B stream before and during the seal', b.sealStream);
  checkIngest('server B stream during Prove', b.proveStream);
  if (b.prove.failed > 0)
    warnings.push(`Prove: ${b.prove.failed} calls failed (first: ${b.prove.firstError})`);

  progress(
    `server C: ${n(plan.longDigests)} digests by SubmitBatch, sealed every ${n(plan.longThreshold)} by threshold, RSS every 250 ms`,
  );
  const longCpu = await withServer(
    'server C',
    {
      PQC_AGGREGATION_THRESHOLD: String(plan.longThreshold),
      SPARK_MAX_BATCH_SIZE: String(plan.longThreshold),
    },
    (s) =>
      withCpuShare(s.process.child.pid, () =>
        longIngest(s, plan.longDigests, plan.batchInFlight, plan.longMaxMs),
      ),
  );
  const long = longCpu[0];
  checkIngest('long ingest', long.run);

  const o = plan.overload;
  progress(
    `server D: overload, ${o.streams} SubmitStreams on ${o.connections} connection(s) + ${o.unaryCallers} unary callers for ${o.seconds} s, memory every 250 ms`,
  );
  const over = await withServer('server D', OVERLOAD_SERVER_ENV, (s) => overload(s, o, progress));

  progress(`offline verifyBundle × ${plan.verifies} (${plan.repeats} repeats), one core`);
  if (b.prove.bundles.length === 0) throw new Error('no bundle came back from Prove: cannot measure Verify');
  const verifies = await repeat(plan.repeats, () =>
    verifyInProcess(b.prove.bundles, plan.verifies, LIMIT.inProcess),
  );
  const invalid = verifies.reduce((sum, r) => sum + r.invalid, 0);
  if (invalid > 0) warnings.push(`verifyBundle: ${invalid} bundles from Prove reported invalid`);
  // The headline: bundles each under another header (one ML-DSA-65 check each, the key's self-signature
  // remembered), beside the same batch's bundles and nothing remembered (bench/verify-throughput.ts).
  const throughput = verifyThroughput(plan.verifies, plan.repeats, verifyCorpus());
  if (throughput.invalid > 0) warnings.push(`verify corpus: ${throughput.invalid} bundles reported invalid`);
  const verifyPerSecond = throughput.distinctHeaders;
  const verifyProvePerSecond = median(verifies.map((r) => r.perSecond));

  // In-process seal on a fresh LMDB store per size, with the memory provider's native ML-DSA-65 key.
  const provider = createMemoryProvider();
  const seals: SealFigures[] = [];
  try {
    const key = await provider.open('batch-signing', ML_DSA_65);
    for (const { leaves, repeats } of plan.sealSizes) {
      progress(`in-process seal of ${n(leaves)} leaves × ${repeats}`);
      seals.push(await sealBench(key, leaves, repeats));
    }
  } finally {
    await provider.close();
  }

  const bulkMs = (leaves: number) => (c.sha256BulkMs * (leaves - 1)) / (c.sha256BulkLeaves - 1);
  const callsMs = (leaves: number) => ((leaves - 1) * 1000) / c.sha256CallsPerSecond;
  const largest = seals[seals.length - 1] as SealFigures;
  const longRate = long.run.perSecond;
  const figures: Figure[] = [
    {
      key: 'submitStream',
      figure: `SubmitStream, one stream, durable (${n(a.stream[0].stored)} digests, lean HTTP/2 client)`,
      value: a.stream[0].perSecond,
      unit: '/s',
      target: '≥ 30,000/s',
      ceiling: ceiling(
        c.rawStreamEchoPerSecond,
        '/s',
        'the same client against a node:http2 SubmitStream echo, no storage',
        a.stream[0].perSecond,
      ),
      otherCeilings: [],
    },
    {
      key: 'submitStreamConnect',
      figure: `SubmitStream from connect-node's client (${n(a.connect.stream[0].stored)} digests)`,
      value: a.connect.stream[0].perSecond,
      unit: '/s',
      target: '—',
      ceiling: ceiling(
        c.grpcStreamEchoPerSecond,
        '/s',
        'connect-node client and server, SubmitStream echo, no storage',
        a.connect.stream[0].perSecond,
      ),
      otherCeilings: [],
    },
    {
      key: 'submitBatchConnect',
      figure: `SubmitBatch from connect-node's client (${n(a.connect.batch[0].stored)} digests)`,
      value: a.connect.batch[0].perSecond,
      unit: '/s',
      target: '—',
      ceiling: ceiling(c.lmdbBatchedPutsPerSecond, '/s', 'LMDB durable puts', a.connect.batch[0].perSecond),
      otherCeilings: [],
    },
    {
      key: 'submitUnaryConnect',
      figure: `Submit, unary, ${plan.inFlight} in flight, from connect-node's client (${n(a.connect.unary[0].stored)} digests)`,
      value: a.connect.unary[0].perSecond,
      unit: '/s',
      target: '—',
      ceiling: ceiling(
        a.health,
        '/s',
        `gRPC Health.Check no-op through connect-node, ${plan.inFlight} in flight`,
        a.connect.unary[0].perSecond,
      ),
      otherCeilings: [],
    },
    {
      key: 'submitBatch',
      figure: `SubmitBatch, ${n(ITEMS_PER_REQUEST)} per request, ${plan.batchInFlight} in flight, durable (${n(a.batch[0].stored)} digests, lean client)`,
      value: a.batch[0].perSecond,
      unit: '/s',
      target: '≥ 150,000/s',
      ceiling: ceiling(
        c.lmdbBatchedPutsPerSecond,
        '/s',
        `LMDB durable puts, ${n(ITEMS_PER_REQUEST)} per transaction, ${plan.batchInFlight} queued`,
        a.batch[0].perSecond,
      ),
      otherCeilings: [],
    },
    {
      key: 'submitUnary',
      figure: `Submit, unary, ${plan.inFlight} in flight, durable (${n(a.unary[0].stored)} digests, lean client)`,
      value: a.unary[0].perSecond,
      unit: '/s',
      target: '≥ 5,000/s',
      ceiling: ceiling(
        c.http2UnaryPerSecond,
        '/s',
        `raw node:http2 unary no-op, ${plan.inFlight} in flight`,
        a.unary[0].perSecond,
      ),
      otherCeilings: [
        ceiling(
          a.health,
          '/s',
          `gRPC Health.Check no-op on the same server, ${plan.inFlight} in flight`,
          a.unary[0].perSecond,
        ),
      ],
    },
    {
      key: 'seal',
      figure: `seal of ${n(largest.leaves)} leaves, in-process, call to durable commit`,
      value: largest.sealMs,
      unit: 'ms',
      target: '≤ 1,500 ms at 10^6',
      ceiling: ceiling(
        bulkMs(largest.leaves),
        'ms',
        'SHA-256 bulk, 2 blocks per interior node (SHA-NI bound)',
        largest.sealMs,
      ),
      otherCeilings: [
        ceiling(callsMs(largest.leaves), 'ms', 'SHA-256 one call per interior node', largest.sealMs),
      ],
    },
    {
      key: 'sealNowRpc',
      figure: `seal through the server, ${n(b.sealedLeaves)} leaves, while a SubmitStream runs (SealNow call → WatchProof bundle)`,
      value: b.sealNowMs,
      unit: 'ms',
      target: '≤ 1,500 ms at 10^6',
      ceiling: ceiling(bulkMs(b.sealedLeaves), 'ms', 'SHA-256 bulk, 2 blocks per interior node', b.sealNowMs),
      otherCeilings: [
        ceiling(callsMs(b.sealedLeaves), 'ms', 'SHA-256 one call per interior node', b.sealNowMs),
      ],
    },
    {
      key: 'proveP50',
      figure: `Prove p50, leaves of a ${n(b.sealedLeaves)}-leaf batch, during SubmitStream ingest (${n(b.prove.calls)} calls)`,
      value: b.prove.p50Ms,
      unit: 'ms',
      target: '—',
      ceiling: ceiling(
        b.healthUnderIngest.p50,
        'ms',
        `Health.Check no-op round trip p50 under the same stream, ${n(b.healthUnderIngest.calls)} calls`,
        b.prove.p50Ms,
      ),
      otherCeilings: [
        ceiling(
          c.lmdbRandomGetMicroseconds / 1000,
          'ms',
          `LMDB random get among ${n(c.lmdbRandomGetKeys)} keys`,
          b.prove.p50Ms,
        ),
      ],
    },
    {
      key: 'proveP99',
      figure: 'Prove p99, same calls',
      value: b.prove.p99Ms,
      unit: 'ms',
      target: '≤ 5 ms',
      ceiling: ceiling(
        b.healthUnderIngest.p99,
        'ms',
        'Health.Check no-op round trip p99 under the same stream',
        b.prove.p99Ms,
      ),
      otherCeilings: [ceiling(c.lmdbRandomGetMicroseconds / 1000, 'ms', 'LMDB random get', b.prove.p99Ms)],
    },
    {
      key: 'verifyProveBundles',
      figure: `offline verify of the bundles Prove returned (one batch: both signatures remembered after the first), one core`,
      value: verifyProvePerSecond,
      unit: '/s',
      target: '—',
      ceiling: ceiling(c.mlDsaVerifyPerSecond, '/s', 'native ML-DSA-65 verify', verifyProvePerSecond),
      otherCeilings: [],
    },
    {
      key: 'verifyUncached',
      figure:
        'offline verifyBundle remembering nothing (key imported, 2 ML-DSA-65 checks per bundle), one core',
      value: throughput.uncached,
      unit: '/s',
      target: '—',
      ceiling: ceiling(c.mlDsaVerifyPerSecond, '/s', 'native ML-DSA-65 verify', throughput.uncached),
      otherCeilings: [],
    },
    {
      key: 'verify',
      figure: `offline verify, ML-DSA-65 bundles each under another header (${SIGNATURES_PER_BUNDLE} ML-DSA check each), one core`,
      value: verifyPerSecond,
      unit: '/s',
      target: '≥ 2,000/s',
      ceiling: ceiling(
        c.mlDsaVerifyPerSecond,
        '/s',
        'native ML-DSA-65 verify, pre-imported KeyObject',
        verifyPerSecond,
      ),
      otherCeilings: [
        ceiling(
          c.mlDsaVerifyWithImportPerSecond,
          '/s',
          'native ML-DSA-65 verify with raw key import',
          verifyPerSecond,
        ),
      ],
    },
    {
      key: 'rssAnonMax',
      figure: `server anonymous memory (RssAnon) max while ingesting ${n(long.run.stored)} digests (sampled every ${long.intervalMs} ms); last half ÷ first half ${long.anonGrowth.toFixed(2)}`,
      value: long.anonMaxMB,
      unit: 'MB',
      target: '≤ 300 MB, flat',
      ceiling: undefined,
      otherCeilings: [],
    },
    {
      key: 'rssMax',
      figure: `server RSS max, including the LMDB file's mapped pages (RssFile), same run`,
      value: long.rssMaxMB,
      unit: 'MB',
      target: '—',
      ceiling: undefined,
      otherCeilings: [],
    },
    {
      key: 'rssGrowth',
      figure: `RSS flatness: max of last half ${Math.round(long.rssLastHalfMaxMB)} MB ÷ max of first half ${Math.round(long.rssFirstHalfMaxMB)} MB`,
      value: long.rssGrowth,
      unit: '×',
      target: '≈ 1 (flat)',
      ceiling: undefined,
      otherCeilings: [],
    },
    {
      key: 'longIngest',
      figure: `SubmitBatch over the long run, sealed every ${n(plan.longThreshold)} by threshold (${n(long.run.stored)} digests)`,
      value: longRate,
      unit: '/s',
      target: '—',
      ceiling: ceiling(
        c.lmdbBatchedPutsPerSecond,
        '/s',
        `LMDB durable puts, ${n(ITEMS_PER_REQUEST)} per transaction`,
        longRate,
      ),
      otherCeilings: [],
    },
    {
      key: 'ingestDuringSeal',
      figure: `SubmitStream while ${n(b.sealedLeaves)} leaves seal (${n(b.duringSealAcks)} acks in ${Math.round(b.sealNowMs)} ms)`,
      value: b.duringSealPerSecond,
      unit: '/s',
      target: '≥ 80 % of the rate without sealing',
      ceiling: ceiling(
        b.baseline.perSecond,
        '/s',
        "the same server's SubmitStream without sealing",
        b.duringSealPerSecond,
      ),
      otherCeilings: [],
    },
    ...(
      [
        ['overloadRssPeak', 'server RSS, peak', over.peak.rssMiB, over.idle.rssMiB, 'RSS'],
        [
          'overloadAnonPeak',
          'server anonymous memory, peak',
          over.peak.anonMiB,
          over.idle.anonMiB,
          'anonymous memory',
        ],
        [
          'overloadRssAfterDrain',
          'server RSS after the drain',
          over.afterDrain.rssMiB,
          over.idle.rssMiB,
          'RSS',
        ],
        [
          'overloadAnonAfterDrain',
          'server anonymous memory after the drain',
          over.afterDrain.anonMiB,
          over.idle.anonMiB,
          'anonymous memory',
        ],
      ] as const
    ).map(
      ([key, what, value, idle, part]): Figure => ({
        key,
        figure: `${what}, overload of ${o.streams} SubmitStreams + ${o.unaryCallers} unary callers for ${o.seconds} s`,
        value,
        unit: 'MiB',
        target: key === 'overloadRssPeak' ? '≤ 400 MiB' : '—',
        ceiling: ceiling(idle, 'MiB', `the same server's ${part}, idle before the load`, value),
        otherCeilings: [],
      }),
    ),
    ...seals.map(
      (s): Figure => ({
        key: `sealCost${s.leaves}`,
        figure: `seal cost, ${n(s.leaves)} leaves (median of ${s.repeats}; ${((s.sealMs * 1000) / s.leaves).toFixed(2)} µs per leaf)`,
        value: s.sealMs,
        unit: 'ms',
        target: '—',
        ceiling: ceiling(bulkMs(s.leaves), 'ms', 'SHA-256 bulk bound', s.sealMs),
        otherCeilings: [ceiling(callsMs(s.leaves), 'ms', 'SHA-256 one call per hash', s.sealMs)],
      }),
    ),
  ];

  const totalSeconds = (performance.now() - started) / 1000;
  console.log(`\nSpark Processor benchmarks (${quick ? 'quick' : 'full'}), ${machine.date}`);
  console.log(
    `${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB; Node ${machine.node}, OpenSSL ${machine.openssl}, lmdb ${machine.lmdb}; ${machine.os}\n`,
  );
  for (const f of figures) for (const line of figureLines(f)) console.log(line);
  const pct = (x: number | undefined) => (x === undefined ? 'n/a' : `${Math.round(x * 100)} %`);
  const cpuLine = (name: string, cpu: CpuShare) =>
    console.log(`  ${name}: server ${pct(cpu.server)} / client ${pct(cpu.client)} of a core`);
  console.log('\nCPU while the gRPC figures ran (client and server share the cores):');
  cpuLine('Submit', a.unary[1]);
  cpuLine('SubmitStream', a.stream[1]);
  cpuLine('SubmitBatch', a.batch[1]);
  cpuLine('server B scenario (fill, seal, Prove)', big[1]);
  cpuLine('long SubmitBatch ingest', longCpu[1]);
  cpuLine('raw HTTP/2 no-op ceiling', c.http2UnaryCpu);
  cpuLine('stream echo ceiling', c.grpcStreamEchoCpu);
  console.log('\nSeal breakdown (in-process, medians):');
  for (const s of seals)
    console.log(
      `  ${n(s.leaves)}: seal ${s.sealMs.toFixed(1)} ms = read pending ${s.readPendingMs.toFixed(1)} + sign ${s.signMs.toFixed(1)} + commit ${s.commitMs.toFixed(1)} + other ${s.otherMs.toFixed(1)}; tree alone ${s.treeOnlyMs.toFixed(1)} ms; event loop blocked up to ${s.longestBlockMs.toFixed(0)} ms`,
    );
  console.log(
    `\nSubmitStream kept ${(b.share * 100).toFixed(0)} % of its rate while sealing (target ≥ 80 %); RSS max ${Math.round(long.rssMaxMB)} MB, last half ÷ first half ${long.rssGrowth.toFixed(2)} (${long.rssGrowth <= 1.1 ? 'flat' : 'growing'})`,
  );
  console.log('');
  for (const line of overloadLines(over, true)) console.log(line);
  for (const w of warnings) console.log(`WARNING ${w}`);

  const plotPaths = writePlots(long, seals, c);
  const { bundles: _bundles, ...prove } = b.prove;
  writeResults(RESULTS_PATH, {
    schema: 1,
    command: quick ? 'npm run bench -- --quick' : 'npm run bench',
    quick,
    machine,
    totalSeconds,
    plan,
    serverEnv: BENCH_SERVER_ENV,
    figures: figuresByKey(figures),
    ceilings: c,
    cpu: {
      submit: a.unary[1],
      submitStream: a.stream[1],
      submitBatch: a.batch[1],
      sealUnderIngest: big[1],
      longIngest: longCpu[1],
    },
    runs: { submit: a.unary[0], submitStream: a.stream[0], submitBatch: a.batch[0] },
    sealUnderIngest: { ...b, prove },
    seals,
    longIngest: long,
    overload: over,
    signaturesPerBundle: SIGNATURES_PER_BUNDLE,
    plots: PLOT_FILES,
    warnings,
  });
  console.log(`\ntotal ${totalSeconds.toFixed(0)} s; wrote ${RESULTS_PATH}, ${plotPaths.join(', ')}`);
}

/** On the way out, however it ends: kill server children by PID, then remove temporary data dirs. */
function cleanUp(): void {
  killAllBenchServers();
  killAllNoopServers();
  removeAllTempDirs();
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    cleanUp();
    process.exit(130);
  });
}
process.once('exit', cleanUp);

main().catch((error: unknown) => {
  cleanUp();
  console.error('benchmark aborted:', error);
  process.exitCode = 1;
});
