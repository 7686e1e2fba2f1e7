// Durable ingest throughput over gRPC: unary Submit with many calls in flight, one SubmitStream, SubmitBatch.
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { SubmitRequestSchema } from '../src/gen/spark/v1/processor_pb.js';
import { randomDigests } from './digests.ts';
import { runPool } from './pool.ts';
import type { IngestClient } from './raw-grpc-client.ts';
import { perSecond } from './stats.ts';

/** What an ingest run achieved. */
export interface IngestRun {
  /** Submissions asked for. */
  readonly asked: number;
  /** Receipts for newly stored leaves. */
  readonly stored: number;
  /** Receipts marked duplicate (none expected: every digest is fresh). */
  readonly duplicates: number;
  /** Failed calls or per-item errors. */
  readonly errors: number;
  readonly firstError: string | undefined;
  readonly ms: number;
  /** Acknowledged submissions per second. */
  readonly perSecond: number;
  readonly timedOut: boolean;
}

type Processor = IngestClient;

type SubmitInit = MessageInitShape<typeof SubmitRequestSchema>;

const request = (digest: Uint8Array): SubmitInit => ({ payload: { case: 'digest', value: digest } });

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Unary Submit of every digest, `inFlight` calls at a time, each awaited before the worker's next. */
export async function submitUnary(
  client: Processor,
  digests: readonly Uint8Array[],
  inFlight: number,
  maxMs: number,
): Promise<IngestRun> {
  let stored = 0;
  let duplicates = 0;
  const result = await runPool(digests.length, inFlight, maxMs, async (i) => {
    const { receipt } = await client.submit(request(digests[i] as Uint8Array), { timeoutMs: 30_000 });
    if (receipt?.duplicate === true) duplicates++;
    else stored++;
  });
  const acked = stored + duplicates;
  return {
    asked: digests.length,
    stored,
    duplicates,
    errors: result.failed,
    firstError: result.failed > 0 ? describe(result.firstError) : undefined,
    ms: result.ms,
    perSecond: perSecond(acked, result.ms),
    timedOut: result.timedOut,
  };
}

/** Every digest down one bidirectional SubmitStream; timed from the first write to the last answer. */
export async function submitStream(
  client: Processor,
  digests: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  maxMs: number,
  onAck?: () => void,
): Promise<IngestRun> {
  let asked = 0;
  async function* requests(): AsyncGenerator<SubmitInit> {
    for await (const digest of digests) {
      asked++;
      yield request(digest);
    }
  }
  let stored = 0;
  let duplicates = 0;
  let errors = 0;
  let firstError: string | undefined;
  let timedOut = false;
  const signal = AbortSignal.timeout(maxMs);
  const started = performance.now();
  try {
    for await (const res of client.submitStream(requests(), { signal })) {
      if (res.result.case === 'receipt') {
        if (res.result.value.duplicate) duplicates++;
        else stored++;
        onAck?.();
      } else {
        errors++;
        firstError ??= res.result.case === 'error' ? res.result.value.message : 'empty result';
      }
    }
  } catch (error) {
    if (signal.aborted) timedOut = true;
    else {
      errors++;
      firstError ??= describe(error);
    }
  }
  const ms = performance.now() - started;
  return {
    asked,
    stored,
    duplicates,
    errors,
    firstError,
    ms,
    perSecond: perSecond(stored + duplicates, ms),
    timedOut,
  };
}

/** Fresh random digests, `chunk` at a time, until `stop` is aborted or `max` were yielded. */
export function* endlessDigests(stop: AbortSignal, max: number, chunk = 1_000): Generator<Uint8Array> {
  for (let n = 0; n < max && !stop.aborted; n += chunk) yield* randomDigests(Math.min(chunk, max - n));
}

/**
 * SubmitBatch of `requests` requests, `inFlight` at a time, request i carrying `digestsOf(i)`; each
 * acknowledged item (receipt) is reported to `onAck` as it arrives, per request.
 */
export async function submitBatches(
  client: Processor,
  requests: number,
  digestsOf: (request: number) => readonly Uint8Array[],
  inFlight: number,
  maxMs: number,
  onAck?: (items: number) => void,
): Promise<IngestRun> {
  let asked = 0;
  let stored = 0;
  let duplicates = 0;
  let itemErrors = 0;
  let firstItemError: string | undefined;
  const result = await runPool(requests, inFlight, maxMs, async (i) => {
    const digests = digestsOf(i);
    asked += digests.length;
    const res = await client.submitBatch({ items: digests.map(request) }, { timeoutMs: 60_000 });
    let acked = 0;
    for (const r of res.results) {
      if (r.result.case === 'receipt') {
        acked++;
        if (r.result.value.duplicate) duplicates++;
        else stored++;
      } else {
        itemErrors++;
        firstItemError ??= r.result.case === 'error' ? r.result.value.message : 'empty result';
      }
    }
    onAck?.(acked);
  });
  return {
    asked,
    stored,
    duplicates,
    errors: result.failed + itemErrors,
    firstError: result.failed > 0 ? describe(result.firstError) : firstItemError,
    ms: result.ms,
    perSecond: perSecond(stored + duplicates, result.ms),
    timedOut: result.timedOut,
  };
}
