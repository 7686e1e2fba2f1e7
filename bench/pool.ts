// Runs a fixed number of async tasks with a bounded number in flight, stopping early at a deadline.

/** What a bounded concurrent run did. */
export interface PoolResult {
  /** Tasks that resolved. */
  readonly ok: number;
  /** Tasks that rejected. */
  readonly failed: number;
  /** The first rejection, for the report. */
  readonly firstError: unknown;
  /** Wall time from the first start to the last settle, ms. */
  readonly ms: number;
  /** True when the deadline stopped the run before `count` tasks started. */
  readonly timedOut: boolean;
}

/**
 * Starts tasks 0…count-1, at most `concurrency` at once: each worker awaits its task before taking
 * the next index. No task starts after `maxMs`; tasks already running are awaited.
 */
export async function runPool(
  count: number,
  concurrency: number,
  maxMs: number,
  task: (index: number) => Promise<unknown>,
): Promise<PoolResult> {
  let next = 0;
  let ok = 0;
  let failed = 0;
  let firstError: unknown;
  let timedOut = false;
  const started = performance.now();
  const deadline = started + maxMs;
  const worker = async (): Promise<void> => {
    while (next < count) {
      if (performance.now() > deadline) {
        timedOut = true;
        return;
      }
      const i = next++;
      try {
        await task(i);
        ok++;
      } catch (error) {
        if (failed === 0) firstError = error;
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return { ok, failed, firstError, ms: performance.now() - started, timedOut };
}
