// Runs every benchmark and prints each figure beside this machine's ceiling measured in the same run (STYLE §Habits 10).
// Usage: node bench/run.ts [--quick]. Measures and reports only: it never fails on time.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createMemoryProvider } from '../providers/memory-provider.ts';
import { leafHashOfDigest } from '../src/bundle/leaf.ts';
import { ML_DSA_65 } from '../src/crypto/algorithms.ts';
import { nativeSha256 } from '../src/crypto/native-sha256.ts';
import { withCpuShare } from './cpu.ts';
import { mlDsaRates, sha256Rate } from './crypto-ceiling.ts';
import { randomDigests } from './digests.ts';
import { healthCheckLatency, healthCheckRate } from './grpc-ceiling.ts';
import { type IngestRun, submitStream, submitUnary } from './ingest.ts';
import { lmdbConcurrentPuts, lmdbSequentialPuts, type PutRate } from './lmdb-ceiling.ts';
import { machineInfo } from './machine.ts';
import { proveLatency, verifyInProcess, verifyRpc } from './prove-verify.ts';
import { table, writeResults } from './report.ts';
import { type Ceilings, ceilingRows, cpuRows, figureRows, type Results, sealRows } from './results.ts';
import { type SealFigures, sealBench } from './seal.ts';
import { BENCH_SERVER_ENV, type BenchServer, killAllBenchServers, startBenchServer } from './server.ts';
import { median } from './stats.ts';
import { removeAllTempDirs } from './temp-dirs.ts';

/** Sizes of one run; --quick shrinks every count. */
interface Plan {
  readonly submits: number;
  readonly submitInFlight: number;
  readonly streamItems: number;
  readonly warmup: number;
  readonly proves: number;
  readonly verifyRpcs: number;
  readonly verifyRpcInFlight: number;
  readonly verifiesInProcess: number;
  readonly sealSizes: ReadonlyArray<{ readonly leaves: number; readonly repeats: number }>;
  readonly lmdbPuts: number;
  readonly lmdbWriters: number;
  readonly lmdbSequentialPuts: number;
  readonly sha256Calls: number;
  readonly mlDsaSigns: number;
  readonly mlDsaVerifies: number;
  readonly grpcCalls: number;
  readonly grpcLatencyCalls: number;
  readonly repeats: number;
}

const FULL: Plan = {
  submits: 20_000,
  submitInFlight: 64,
  streamItems: 50_000,
  warmup: 500,
  proves: 2_000,
  verifyRpcs: 2_000,
  verifyRpcInFlight: 8,
  verifiesInProcess: 1_000,
  sealSizes: [
    { leaves: 10_000, repeats: 5 },
    { leaves: 100_000, repeats: 3 },
    { leaves: 1_000_000, repeats: 1 },
  ],
  lmdbPuts: 20_000,
  lmdbWriters: 64,
  lmdbSequentialPuts: 300,
  sha256Calls: 1_000_000,
  mlDsaSigns: 300,
  mlDsaVerifies: 1_000,
  grpcCalls: 4_000,
  grpcLatencyCalls: 2_000,
  repeats: 3,
};

const QUICK: Plan = {
  ...FULL,
  submits: 3_000,
  streamItems: 5_000,
  warmup: 200,
  proves: 500,
  verifyRpcs: 500,
  verifiesInProcess: 300,
  sealSizes: [
    { leaves: 10_000, repeats: 3 },
    { leaves: 100_000, repeats: 1 },
  ],
  lmdbPuts: 5_000,
  lmdbSequentialPuts: 100,
  sha256Calls: 300_000,
  mlDsaSigns: 100,
  mlDsaVerifies: 300,
  grpcCalls: 1_500,
  grpcLatencyCalls: 500,
};

/** Upper bounds on each measured loop, ms: a slow machine reports fewer operations, never hangs. */
const LIMIT = { ingest: 180_000, rpc: 120_000, lmdb: 60_000, inProcess: 60_000 } as const;

/** ML-DSA signatures verifyBundle checks in a bundle from a log with one key: header and key self-signature. */
const SIGNATURES_PER_BUNDLE = 2;

const RESULTS_PATH = join(import.meta.dirname, 'results', 'latest.json');

function progress(message: string): void {
  process.stderr.write(`· ${message}\n`);
}

/** Anything unexpected (errors, invalid bundles, early stops), printed after the tables. */
const warnings: string[] = [];

function checkServerLogs(name: string, server: BenchServer): void {
  const lines = server.errorLogs();
  if (lines.length > 0) warnings.push(`${name} logged ${lines.length} errors; first: ${lines[0]}`);
}

function checkIngest(name: string, run: IngestRun): void {
  if (run.errors > 0) warnings.push(`${name}: ${run.errors} errors (first: ${run.firstError})`);
  if (run.duplicates > 0)
    warnings.push(`${name}: ${run.duplicates} receipts marked duplicate for fresh digests`);
  if (run.timedOut)
    warnings.push(`${name}: stopped at the ${LIMIT.ingest / 1000} s bound after ${run.stored} receipts`);
}

async function repeat<T>(times: number, run: () => Promise<T> | T): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < times; i++) out.push(await run());
  return out;
}

async function measureCeilings(
  plan: Plan,
): Promise<Omit<Ceilings, 'grpcNoopPerSecond' | 'grpcNoopCpu' | 'grpcNoopLatency'>> {
  progress('ceilings: SHA-256, ML-DSA-65');
  const sha256PerSecond = median(await repeat(plan.repeats, () => sha256Rate(plan.sha256Calls)));
  const mlDsa = await repeat(plan.repeats, () => mlDsaRates(plan.mlDsaSigns, plan.mlDsaVerifies));
  progress('ceilings: LMDB durable puts');
  const concurrent: PutRate[] = await repeat(plan.repeats, () =>
    lmdbConcurrentPuts(plan.lmdbPuts, plan.lmdbWriters, LIMIT.lmdb),
  );
  const sequential: PutRate[] = await repeat(plan.repeats, () =>
    lmdbSequentialPuts(plan.lmdbSequentialPuts, LIMIT.lmdb),
  );
  return {
    lmdbWriters: plan.lmdbWriters,
    lmdbConcurrentPerSecond: median(concurrent.map((r) => r.perSecond)),
    lmdbConcurrentRuns: concurrent,
    lmdbSequentialPerSecond: median(sequential.map((r) => r.perSecond)),
    lmdbSequentialRuns: sequential,
    sha256PerSecond,
    mlDsaSignPerSecond: median(mlDsa.map((r) => r.signPerSecond)),
    mlDsaVerifyPerSecond: median(mlDsa.map((r) => r.verifyPerSecond)),
    mlDsaVerifyWithImportPerSecond: median(mlDsa.map((r) => r.verifyWithImportPerSecond)),
    grpcInFlight: plan.submitInFlight,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
  const quick = values.quick === true;
  const plan = quick ? QUICK : FULL;
  const machine = machineInfo();
  const started = performance.now();
  progress(`${quick ? 'quick' : 'full'} run on ${machine.cpuModel} × ${machine.cores}, Node ${machine.node}`);

  // Ceilings first, on a quiet machine.
  const local = await measureCeilings(plan);

  // Unary Submit, and the gRPC stack's own ceiling on the same server, each after a warm-up.
  progress(`server A: warm-ups, gRPC no-op ceiling, ${plan.submits} unary Submits`);
  const a = await startBenchServer();
  const pidA = a.process.child.pid;
  let submit: [IngestRun, Results['submitCpu']];
  let grpc: [number, Results['submitCpu']];
  let grpcLatency: Ceilings['grpcNoopLatency'];
  try {
    checkIngest(
      'Submit warm-up',
      await submitUnary(a.processor, randomDigests(plan.warmup), plan.submitInFlight, LIMIT.ingest),
    );
    await healthCheckRate(a.health, plan.warmup, plan.submitInFlight, LIMIT.rpc);
    const [rates, grpcCpu] = await withCpuShare(pidA, () =>
      repeat(plan.repeats, () => healthCheckRate(a.health, plan.grpcCalls, plan.submitInFlight, LIMIT.rpc)),
    );
    grpc = [median(rates), grpcCpu];
    grpcLatency = await healthCheckLatency(a.health, plan.grpcLatencyCalls, LIMIT.rpc);
    const digests = randomDigests(plan.submits);
    submit = await withCpuShare(pidA, () =>
      submitUnary(a.processor, digests, plan.submitInFlight, LIMIT.ingest),
    );
    checkIngest('Submit', submit[0]);
  } finally {
    await a.close();
    checkServerLogs('server A', a);
  }

  // SubmitStream, then seal everything and serve proofs from the same server.
  progress(
    `server B: ${plan.streamItems} items on one SubmitStream, SealNow, ${plan.proves} Proves, Verify RPC`,
  );
  const b = await startBenchServer();
  const pidB = b.process.child.pid;
  let stream: [IngestRun, Results['streamCpu']];
  let sealNowRpc: Results['sealNowRpc'];
  let prove: Awaited<ReturnType<typeof proveLatency>>;
  let proveUncompressed: Results['proveUncompressed'];
  let rpcVerify: [Awaited<ReturnType<typeof verifyRpc>>, Results['verifyRpcCpu']];
  try {
    checkIngest(
      'SubmitStream warm-up',
      await submitStream(b.processor, randomDigests(plan.warmup), LIMIT.ingest),
    );
    const digests = randomDigests(plan.streamItems);
    stream = await withCpuShare(pidB, () => submitStream(b.processor, digests, LIMIT.ingest));
    checkIngest('SubmitStream', stream[0]);
    const t = performance.now();
    const sealed = await b.admin.sealNow({}, { timeoutMs: LIMIT.rpc });
    sealNowRpc = { leaves: sealed.treeSize.toString(), ms: performance.now() - t };
    // Distinct leaves from across the whole tree in random order; a short warm-up on others first.
    const order = Array.from({ length: digests.length }, (_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }
    const leafHash = (i: number) => leafHashOfDigest(digests[i] as Uint8Array, nativeSha256);
    await proveLatency(b.processor, order.slice(plan.proves, plan.proves + 100).map(leafHash), 0, LIMIT.rpc);
    prove = await proveLatency(b.processor, order.slice(0, plan.proves).map(leafHash), 64, LIMIT.rpc);
    if (prove.failed > 0) warnings.push(`Prove: ${prove.failed} calls failed (first: ${prove.firstError})`);
    // The same leaves again through a client that does not accept gzip: what response compression costs.
    const uncompressed = order.slice(0, plan.proves).map(leafHash);
    await proveLatency(b.processorUncompressed, uncompressed.slice(0, 100), 0, LIMIT.rpc);
    const plain = await proveLatency(b.processorUncompressed, uncompressed, 0, LIMIT.rpc);
    if (plain.failed > 0)
      warnings.push(`Prove (uncompressed): ${plain.failed} calls failed (first: ${plain.firstError})`);
    const { bundles: _none, ...plainFigures } = plain;
    proveUncompressed = plainFigures;
    if (prove.bundles.length === 0) throw new Error('no bundle came back from Prove: cannot measure Verify');
    const bundles = prove.bundles;
    await verifyRpc(b.processor, bundles, 100, plan.verifyRpcInFlight, LIMIT.rpc);
    rpcVerify = await withCpuShare(pidB, () =>
      verifyRpc(b.processor, bundles, plan.verifyRpcs, plan.verifyRpcInFlight, LIMIT.rpc),
    );
    if (rpcVerify[0].failed > 0) warnings.push(`Verify RPC: ${rpcVerify[0].failed} calls failed`);
    if (rpcVerify[0].invalid > 0)
      warnings.push(`Verify RPC: ${rpcVerify[0].invalid} bundles from Prove reported invalid`);
  } finally {
    await b.close();
    checkServerLogs('server B', b);
  }

  progress(`in-process verifyBundle × ${plan.verifiesInProcess} (${plan.repeats} repeats)`);
  const inProcess = await repeat(plan.repeats, () =>
    verifyInProcess(prove.bundles, plan.verifiesInProcess, LIMIT.inProcess),
  );
  const invalidInProcess = inProcess.reduce((sum, r) => sum + r.invalid, 0);
  if (invalidInProcess > 0)
    warnings.push(`verifyBundle: ${invalidInProcess} bundles from Prove reported invalid`);

  // In-process seal on a fresh LMDB store per size, with the memory provider's native ML-DSA-65 key.
  const provider = createMemoryProvider();
  const seals: SealFigures[] = [];
  try {
    const key = await provider.open('batch-signing', ML_DSA_65);
    for (const { leaves, repeats } of plan.sealSizes) {
      progress(`seal of ${leaves.toLocaleString('en-US')} leaves × ${repeats}`);
      seals.push(await sealBench(key, leaves, repeats));
    }
  } finally {
    await provider.close();
  }

  const { bundles: kept, ...proveFigures } = prove;
  const results: Results = {
    machine,
    command: quick ? 'npm run bench -- --quick' : 'npm run bench',
    quick,
    plan,
    serverEnv: BENCH_SERVER_ENV,
    totalSeconds: (performance.now() - started) / 1000,
    ceilings: { ...local, grpcNoopPerSecond: grpc[0], grpcNoopCpu: grpc[1], grpcNoopLatency: grpcLatency },
    submitInFlight: plan.submitInFlight,
    submit: submit[0],
    submitCpu: submit[1],
    stream: stream[0],
    streamCpu: stream[1],
    sealNowRpc,
    seals,
    prove: { ...proveFigures, bundlesKept: kept.length },
    proveUncompressed,
    signaturesPerBundle: SIGNATURES_PER_BUNDLE,
    verifyInProcessPerSecond: median(inProcess.map((r) => r.perSecond)),
    verifyRpcInFlight: plan.verifyRpcInFlight,
    verifyRpc: rpcVerify[0],
    verifyRpcCpu: rpcVerify[1],
    warnings,
  };

  console.log(`\nSpark Processor benchmarks (${quick ? 'quick' : 'full'}), ${machine.date}`);
  console.log(
    `${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB; Node ${machine.node}, OpenSSL ${machine.openssl}, lmdb ${machine.lmdb}; ${machine.os}\n`,
  );
  console.log(table(figureRows(results)));
  console.log('\nCeilings measured in this run (median of repeats where cheap):\n');
  console.log(table(ceilingRows(results)));
  console.log('\nSeal breakdown (medians):\n');
  console.log(table(sealRows(results)));
  console.log('\nCPU while the gRPC figures ran (client and server share the cores):\n');
  console.log(table(cpuRows(results)));
  console.log(
    `\nSealNow over RPC of ${sealNowRpc.leaves} leaves: ${Math.round(sealNowRpc.ms)} ms; mean bundle ${Math.round(prove.bundleBytes)} bytes; total ${results.totalSeconds.toFixed(0)} s`,
  );
  for (const w of warnings) console.log(`WARNING ${w}`);
  writeResults(RESULTS_PATH, { ...results, rows: figureRows(results) });
  console.log(`\nwrote ${RESULTS_PATH}`);
}

/** On the way out, however it ends: kill server children by PID, then remove temporary data dirs. */
function cleanUp(): void {
  killAllBenchServers();
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
