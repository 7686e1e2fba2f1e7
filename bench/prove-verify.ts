// Proof serving and checking: Prove latency over gRPC, verifyBundle in-process, and the Verify RPC.
import type { Client } from '@connectrpc/connect';
import { nativeSha256 } from '../src/crypto/native-sha256.ts';
import { createNativeVerifier } from '../src/crypto/native-verifier.ts';
import { Status } from '../src/gen/spark/v1/bundle_pb.js';
import type { SparkProcessor } from '../src/gen/spark/v1/processor_pb.js';
import { encodeBundle } from '../src/proof/bundle/codec.ts';
import { createBundleVerifier } from '../src/proof/bundle/verify.ts';
import { runPool } from './pool.ts';
import { percentile, perSecond } from './stats.ts';

type Processor = Client<typeof SparkProcessor>;

/** Prove latency and the bundles it returned. */
export interface ProveRun {
  readonly calls: number;
  readonly failed: number;
  readonly firstError: string | undefined;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Encoded bundles of the first leaves proved (for the Verify figures). */
  readonly bundles: Uint8Array[];
  /** Mean encoded bundle size, bytes. */
  readonly bundleBytes: number;
}

/** Sequential unary Prove of `leafHashes` in order; every answer must be SEALED with a bundle. */
export async function proveLatency(
  client: Processor,
  leafHashes: readonly Uint8Array[],
  keepBundles: number,
  maxMs: number,
): Promise<ProveRun> {
  const samples: number[] = [];
  const bundles: Uint8Array[] = [];
  let totalBytes = 0;
  const result = await runPool(leafHashes.length, 1, maxMs, async (i) => {
    const t = performance.now();
    const res = await client.prove({ leafHash: leafHashes[i] as Uint8Array }, { timeoutMs: 30_000 });
    samples.push(performance.now() - t);
    if (res.status !== Status.SEALED || res.bundle === undefined)
      throw new Error(`Prove answered status ${Status[res.status]} without a bundle for a sealed leaf`);
    const bytes = encodeBundle(res.bundle);
    totalBytes += bytes.length;
    if (bundles.length < keepBundles) bundles.push(bytes);
  });
  return {
    calls: samples.length,
    failed: result.failed,
    firstError: result.failed > 0 ? String(result.firstError) : undefined,
    p50Ms: percentile(samples, 50),
    p99Ms: percentile(samples, 99),
    maxMs: percentile(samples, 100),
    bundles,
    bundleBytes: samples.length > 0 ? totalBytes / samples.length : Number.NaN,
  };
}

/** A verification rate and how many bundles came out invalid (none expected). */
export interface VerifyRun {
  readonly calls: number;
  readonly invalid: number;
  readonly failed: number;
  readonly perSecond: number;
}

/**
 * A bundle verifier (createBundleVerifier: the Verify RPC's path) with the native verifier, cycling through
 * `bundles`, one at a time on this thread. Bundles of one batch share the header signature and the key
 * statement, so past the first of each, no ML-DSA verification is left; bench/verify-throughput.ts also measures
 * bundles under distinct headers (one ML-DSA verification each) and the path that remembers nothing.
 */
export function verifyInProcess(bundles: readonly Uint8Array[], calls: number, maxMs: number): VerifyRun {
  const verifier = createBundleVerifier({ verifier: createNativeVerifier(), sha256: nativeSha256 });
  let invalid = 0;
  let done = 0;
  const started = performance.now();
  const deadline = started + maxMs;
  for (; done < calls && performance.now() < deadline; done++) {
    if (!verifier.verify(bundles[done % bundles.length] as Uint8Array).valid) invalid++;
  }
  return { calls: done, invalid, failed: 0, perSecond: perSecond(done, performance.now() - started) };
}

/** The Verify RPC with `inFlight` calls at a time, cycling through `bundles`. */
export async function verifyRpc(
  client: Processor,
  bundles: readonly Uint8Array[],
  calls: number,
  inFlight: number,
  maxMs: number,
): Promise<VerifyRun> {
  let invalid = 0;
  const result = await runPool(calls, inFlight, maxMs, async (i) => {
    const res = await client.verify(
      { bundle: bundles[i % bundles.length] as Uint8Array },
      { timeoutMs: 30_000 },
    );
    if (!res.valid) invalid++;
  });
  return { calls: result.ok, invalid, failed: result.failed, perSecond: perSecond(result.ok, result.ms) };
}
