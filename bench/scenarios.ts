// Server-side scenarios that need more than one client at once: a 10^6-leaf seal while a SubmitStream runs,
// Prove latency while a SubmitStream runs, and a long SubmitBatch ingest with the server's RSS sampled.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { nativeSha256 } from '../src/crypto/native-sha256.ts';
import { leafHashOfDigest } from '../src/proof/bundle/leaf.ts';
import { randomDigests } from './digests.ts';
import { healthCheckLatency } from './grpc-ceiling.ts';
import { endlessDigests, type IngestRun, submitBatches, submitStream } from './ingest.ts';
import { type ProveRun, proveLatency } from './prove-verify.ts';
import type { BenchServer } from './server.ts';
import { perSecond } from './stats.ts';

/** Items per SubmitBatch request. */
export const ITEMS_PER_REQUEST = 1_000;

/** An endless SubmitStream under way, counting its acknowledgements. */
interface BackgroundStream {
  acks(): number;
  /** Ends the request stream and waits for the last answer. */
  stop(): Promise<IngestRun>;
}

function backgroundStream(server: BenchServer, maxItems: number, maxMs: number): BackgroundStream {
  const stop = new AbortController();
  let acks = 0;
  const running = submitStream(server.ingest, endlessDigests(stop.signal, maxItems), maxMs, () => {
    acks++;
  });
  return {
    acks: () => acks,
    stop() {
      stop.abort();
      return running;
    },
  };
}

/** The fill of a big batch, the stream rate with and without a seal running, and Prove under ingest. */
export interface SealUnderIngest {
  readonly fill: IngestRun;
  /** The same SubmitStream before SealNow, with the big batch pending (its first fifth left out as warm-up). */
  readonly baseline: { readonly acks: number; readonly ms: number; readonly perSecond: number };
  /** Acknowledgements per second of a SubmitStream started with SealNow, until the batch's bundle exists. */
  readonly duringSealPerSecond: number;
  readonly duringSealAcks: number;
  /** duringSealPerSecond ÷ baseline.perSecond. */
  readonly share: number;
  /** From the SealNow call to WatchProof answering with the big batch's bundle. */
  readonly sealNowMs: number;
  /** Tree size of that batch (the big batch plus what the stream added before the seal began). */
  readonly sealedLeaves: number;
  readonly sealStream: IngestRun;
  readonly prove: ProveRun;
  /** The SubmitStream that ran while Prove was measured. */
  readonly proveStream: IngestRun;
  /** Sequential Health.Check round trips under the same stream, just before the Proves: their floor. */
  readonly healthUnderIngest: { readonly p50: number; readonly p99: number; readonly calls: number };
}

/** Plan of sealUnderIngest. */
export interface SealUnderIngestPlan {
  readonly leaves: number;
  readonly baselineItems: number;
  readonly inFlight: number;
  readonly proves: number;
  readonly keepBundles: number;
  readonly maxMs: number;
}

/**
 * On a server that seals only on demand: SubmitBatch `leaves − baselineItems` digests, then one SubmitStream
 * whose first `baselineItems` acks give the rate without sealing, then SealNow of everything pending (about
 * `leaves`) while that stream goes on (the rate while the batch seals), then Prove of random leaves of that
 * batch, one at a time, while another SubmitStream runs.
 */
export async function sealUnderIngest(
  server: BenchServer,
  plan: SealUnderIngestPlan,
): Promise<SealUnderIngest> {
  const fillCount = Math.max(ITEMS_PER_REQUEST, plan.leaves - plan.baselineItems);
  const digests = randomDigests(fillCount);
  const requests = Math.ceil(fillCount / ITEMS_PER_REQUEST);
  const fill = await submitBatches(
    server.ingest,
    requests,
    (i) => digests.slice(i * ITEMS_PER_REQUEST, (i + 1) * ITEMS_PER_REQUEST),
    plan.inFlight,
    plan.maxMs,
  );
  // The end of the seal as a client sees it: WatchProof of the batch's last filled leaf answers with a bundle.
  // (SealNow itself returns only once nothing is pending, which a running stream keeps postponing.)
  const watchStop = new AbortController();
  const watch = server.processor
    .watchProof(
      { leafHash: leafHashOfDigest(digests[fillCount - 1] as Uint8Array, nativeSha256) },
      { signal: AbortSignal.any([watchStop.signal, AbortSignal.timeout(plan.maxMs)]) },
    )
    [Symbol.asyncIterator]();
  const first = await watch.next();
  if (first.done === true || first.value.bundle?.inclusion !== undefined)
    throw new Error('WatchProof of a pending leaf did not answer PENDING first');
  // One stream throughout: its rate over the middle of its first `baselineItems` acks is the rate without
  // sealing (with the big batch pending); SealNow is called the moment it has had them acknowledged.
  const sealing = backgroundStream(server, 50_000_000, plan.maxMs);
  const waitForAcks = async (count: number): Promise<number> => {
    const deadline = performance.now() + plan.maxMs;
    while (sealing.acks() < count && performance.now() < deadline) await sleep(2);
    return performance.now();
  };
  const tb0 = await waitForAcks(Math.floor(plan.baselineItems / 5));
  const ab0 = sealing.acks();
  const tb1 = await waitForAcks(plan.baselineItems);
  const ab1 = sealing.acks();
  const baseline = { acks: ab1 - ab0, ms: tb1 - tb0, perSecond: perSecond(ab1 - ab0, tb1 - tb0) };
  const t0 = performance.now();
  const sealNow = server.admin.sealNow({}, { timeoutMs: plan.maxMs });
  let sealedLeaves = Number.NaN;
  let duringSealAcks = 0;
  let sealNowMs = Number.NaN;
  try {
    for (let next = await watch.next(); next.done !== true; next = await watch.next()) {
      const inclusion = next.value.bundle?.inclusion;
      if (inclusion !== undefined) {
        sealNowMs = performance.now() - t0;
        duringSealAcks = sealing.acks() - ab1;
        sealedLeaves = Number(inclusion.treeSize);
        break;
      }
    }
  } finally {
    watchStop.abort();
    await watch.return?.().catch(() => undefined);
  }
  const sealStream = await sealing.stop();
  await sealNow;
  const duringSealPerSecond = perSecond(duringSealAcks, sealNowMs);

  // Random distinct leaves of the sealed batch, proved while another stream ingests.
  const picks = new Set<number>();
  const wanted = Math.min(plan.proves + 100, fill.stored);
  for (let guard = 0; picks.size < wanted && guard < wanted * 10; guard++)
    picks.add(Math.floor(Math.random() * fill.stored));
  const leafHashes = [...picks].map((i) => leafHashOfDigest(digests[i] as Uint8Array, nativeSha256));
  const proving = backgroundStream(server, 50_000_000, plan.maxMs);
  await sleep(300);
  // The floor under the same load: a no-op gRPC call (Health.Check) round trip through the same client stack.
  const healthUnderIngest = await healthCheckLatency(server.health, plan.proves, plan.maxMs);
  await proveLatency(server.processor, leafHashes.slice(plan.proves), 0, plan.maxMs);
  const prove = await proveLatency(
    server.processor,
    leafHashes.slice(0, plan.proves),
    plan.keepBundles,
    plan.maxMs,
  );
  const proveStream = await proving.stop();
  return {
    fill,
    baseline,
    duringSealPerSecond,
    duringSealAcks,
    share: duringSealPerSecond / baseline.perSecond,
    sealNowMs,
    sealedLeaves,
    sealStream,
    prove,
    proveStream,
    healthUnderIngest,
  };
}

/** One sample of the long ingest. */
export interface LongRunSample {
  /** Seconds since the ingest started. */
  readonly seconds: number;
  /** Digests acknowledged so far. */
  readonly acked: number;
  /** Acknowledgements per second over the last second (trailing window). */
  readonly perSecond: number;
  /** The server's resident set, MB (10^6 bytes); NaN where /proc is unavailable. */
  readonly rssMB: number;
  /** Its anonymous part (heap, stacks, native allocations): memory the process owns. */
  readonly anonMB: number;
  /** Its file-backed part: pages of the LMDB data file mapped and touched (page cache the kernel can reclaim). */
  readonly fileMB: number;
}

/** The long SubmitBatch ingest with its samples. */
export interface LongRun {
  readonly run: IngestRun;
  readonly intervalMs: number;
  readonly samples: readonly LongRunSample[];
  readonly rssMaxMB: number;
  readonly rssFirstHalfMaxMB: number;
  readonly rssLastHalfMaxMB: number;
  /** Last half's max ÷ first half's max: about 1 when RSS is flat. */
  readonly rssGrowth: number;
  readonly anonMaxMB: number;
  /** The same ratio for the anonymous part. */
  readonly anonGrowth: number;
}

/** VmRSS of `pid` and its anonymous and file-backed parts, MB; NaN when they cannot be read. */
export function rssMB(pid: number | undefined): { rssMB: number; anonMB: number; fileMB: number } {
  const none = { rssMB: Number.NaN, anonMB: Number.NaN, fileMB: Number.NaN };
  if (pid === undefined) return none;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string): number => {
      const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
      return match === null ? Number.NaN : (Number(match[1]) * 1024) / 1e6;
    };
    return { rssMB: field('VmRSS'), anonMB: field('RssAnon'), fileMB: field('RssFile') };
  } catch {
    return none;
  }
}

const maxOf = (values: readonly number[]) => Math.max(...values.filter(Number.isFinite));

/** SubmitBatch of `total` fresh digests, `inFlight` requests at once, sampling acks and RSS every `intervalMs`. */
export async function longIngest(
  server: BenchServer,
  total: number,
  inFlight: number,
  maxMs: number,
  intervalMs = 250,
): Promise<LongRun> {
  const pid = server.process.child.pid;
  let acked = 0;
  const raw: Array<{ seconds: number; acked: number; rssMB: number; anonMB: number; fileMB: number }> = [];
  const started = performance.now();
  const sample = () => raw.push({ seconds: (performance.now() - started) / 1000, acked, ...rssMB(pid) });
  sample();
  const timer = setInterval(sample, intervalMs);
  let run: IngestRun;
  try {
    run = await submitBatches(
      server.ingest,
      Math.ceil(total / ITEMS_PER_REQUEST),
      (i) => randomDigests(Math.min(ITEMS_PER_REQUEST, total - i * ITEMS_PER_REQUEST)),
      inFlight,
      maxMs,
      (n) => {
        acked += n;
      },
    );
  } finally {
    clearInterval(timer);
  }
  sample();
  const samples = raw.map((s, i): LongRunSample => {
    let j = i;
    while (j > 0 && s.seconds - (raw[j - 1] as (typeof raw)[number]).seconds <= 1.0001) j--;
    const from = raw[j] as (typeof raw)[number];
    return {
      ...s,
      perSecond: j === i ? 0 : perSecond(s.acked - from.acked, (s.seconds - from.seconds) * 1000),
    };
  });
  const half = Math.floor(samples.length / 2);
  const first = maxOf(samples.slice(0, half).map((s) => s.rssMB));
  const last = maxOf(samples.slice(half).map((s) => s.rssMB));
  return {
    run,
    intervalMs,
    samples,
    rssMaxMB: maxOf(samples.map((s) => s.rssMB)),
    rssFirstHalfMaxMB: first,
    rssLastHalfMaxMB: last,
    rssGrowth: last / first,
    anonMaxMB: maxOf(samples.map((s) => s.anonMB)),
    anonGrowth:
      maxOf(samples.slice(half).map((s) => s.anonMB)) / maxOf(samples.slice(0, half).map((s) => s.anonMB)),
  };
}
