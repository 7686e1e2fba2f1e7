// Decides when to seal: count threshold, age of the oldest pending leaf, or on demand (README.md §Configuration).
import type { Logger } from '../log/logger.ts';
import type { BatchRecord, Store } from '../store/store.ts';
import type { Sealer } from './sealer.ts';

/** Sealing policy. */
export interface SealPolicy {
  /** Seal a batch of exactly this many leaves whenever that many are pending. */
  readonly threshold: number;
  /** Seal everything pending once the oldest pending leaf is this old, ms. */
  readonly timeoutMs: number;
  /** Most leaves in one batch. */
  readonly maxBatchSize: number;
}

/** Why a batch was sealed. */
export type SealReason = 'threshold' | 'timeout' | 'immediate' | 'admin';

/** Listens for new batches. */
export type SealedListener = (batch: BatchRecord, reason: SealReason) => void;

/** Runs the sealing policy. */
export interface SealScheduler {
  /** Called after leaves were stored: seals if the threshold is reached. */
  notifyAdded(): void;
  /**
   * Seals what is pending when called (several batches past maxBatchSize), not what arrives meanwhile, so that
   * it returns under continuous ingest; returns the batches.
   */
  sealNow(reason?: SealReason): Promise<BatchRecord[]>;
  /** Subscribes to sealed batches; returns the unsubscribe function. */
  onSealed(listener: SealedListener): () => void;
  /**
   * Starts the age timer and seals what restart recovery left due. While the store's commits fail (disk full),
   * nothing is sealed by the timer or the threshold: the pending leaves stay pending, and sealing resumes at the
   * first tick after the store reports writes working again (docs/operations.md "Disk full").
   */
  start(): void;
  /** Stops timers and waits for a running seal to finish. */
  stop(): Promise<void>;
}

/** Creates the scheduler. Sealing runs one batch at a time through `sealer`. */
export function createSealScheduler(
  store: Store,
  sealer: Sealer,
  policy: SealPolicy,
  now: () => number,
  log: Logger,
): SealScheduler {
  const listeners = new Set<SealedListener>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  /** Sealing waits for the store's writes to work again; logged once each way. */
  let paused = false;

  async function sealAndPublish(limit: number, reason: SealReason): Promise<BatchRecord | undefined> {
    const batch = await sealer.seal(limit);
    if (batch !== undefined) for (const l of listeners) l(batch, reason);
    return batch;
  }

  function due(): boolean {
    if (store.pendingCount() >= policy.threshold) return true;
    const oldest = store.oldestPendingMs();
    return oldest !== undefined && now() - oldest >= policy.timeoutMs;
  }

  /** Whether the store takes writes; logs when that changes. */
  function writable(): boolean {
    const failing = store.writeHealth().failing;
    if (failing !== undefined && !paused) {
      paused = true;
      log.error(
        { reason: failing.reason, problem: failing.message, pending: store.pendingCount() },
        'store writes are failing: sealing paused, pending leaves kept',
      );
    } else if (failing === undefined && paused) {
      paused = false;
      log.info({ pending: store.pendingCount() }, 'store writes work again: sealing resumes');
    }
    return failing === undefined;
  }

  async function drain(): Promise<void> {
    do {
      again = false;
      while (!stopped && writable() && due()) {
        const byCount = store.pendingCount() >= policy.threshold;
        await sealAndPublish(
          byCount ? policy.threshold : policy.maxBatchSize,
          byCount ? 'threshold' : 'timeout',
        );
      }
    } while (again && !stopped);
  }

  function kick(): void {
    if (stopped) return;
    if (running !== undefined) {
      again = true;
      return;
    }
    running = drain()
      .catch((err: unknown) => log.error({ err }, 'sealing failed; pending leaves are kept and retried'))
      .finally(() => {
        running = undefined;
      });
  }

  return {
    notifyAdded() {
      if (store.pendingCount() >= policy.threshold) kick();
    },
    async sealNow(reason = 'admin') {
      let left = store.pendingCount();
      await running;
      // The running drain may have sealed some of them; batches take the oldest leaves first either way.
      left = Math.min(left, store.pendingCount());
      const batches: BatchRecord[] = [];
      while (left > 0) {
        const b = await sealAndPublish(Math.min(left, policy.maxBatchSize), reason);
        if (b === undefined) break;
        batches.push(b);
        left -= b.treeSize;
      }
      return batches;
    },
    onSealed(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    start() {
      const period = Math.max(50, Math.min(1000, Math.floor(policy.timeoutMs / 4)));
      timer = setInterval(() => {
        if (writable() && due()) kick();
      }, period);
      timer.unref();
      if (due()) kick();
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clearInterval(timer);
      await running;
    },
  };
}
