// Ceiling: the gRPC stack alone on this machine, measured with the standard health check (no storage, no crypto).
import type { Client } from '@connectrpc/connect';
import type { Health } from '../src/gen/grpc/health/v1/health_pb.js';
import { runPool } from './pool.ts';
import { percentile, perSecond } from './stats.ts';

type HealthClient = Client<typeof Health>;

/** Health.Check calls per second with `inFlight` concurrent callers. */
export async function healthCheckRate(
  client: HealthClient,
  calls: number,
  inFlight: number,
  maxMs: number,
): Promise<number> {
  const result = await runPool(calls, inFlight, maxMs, () => client.check({}, { timeoutMs: 30_000 }));
  if (result.failed > 0)
    throw new Error(`Health.Check failed ${result.failed} times`, { cause: result.firstError });
  return perSecond(result.ok, result.ms);
}

/** Latency percentiles of sequential Health.Check round trips, ms. */
export async function healthCheckLatency(
  client: HealthClient,
  calls: number,
  maxMs: number,
): Promise<{ p50: number; p99: number; calls: number }> {
  const samples: number[] = [];
  const result = await runPool(calls, 1, maxMs, async () => {
    const t = performance.now();
    await client.check({}, { timeoutMs: 30_000 });
    samples.push(performance.now() - t);
  });
  if (result.failed > 0)
    throw new Error(`Health.Check failed ${result.failed} times`, { cause: result.firstError });
  return { p50: percentile(samples, 50), p99: percentile(samples, 99), calls: samples.length };
}
