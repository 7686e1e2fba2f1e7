// Ingest and sealing as one feature (docs/operations.md): the tree builder (off the event loop, WebAssembly or
// node:crypto per SPARK_MERKLE_HASHER), the sealer (timed for the metrics), the seal scheduler (threshold, timeout,
// most leaves per batch) and ingest, which stores submissions and wakes the scheduler.
import { createIngest, type Ingest } from '../batch/ingest.ts';
import type { KeyRing } from '../batch/key-ring.ts';
import { createSealScheduler, type SealScheduler } from '../batch/seal-scheduler.ts';
import { createSealer } from '../batch/sealer.ts';
import { createTreeBuilder } from '../batch/tree-builder.ts';
import type { Config } from '../config/config.ts';
import type { Logger } from '../log/logger.ts';
import { timedSealer } from '../metrics/instrument.ts';
import type { SparkMetrics } from '../metrics/metrics.ts';
import type { Sha256 } from '../proof/crypto/sha256.ts';
import type { Store } from '../store/store.ts';

/** What the rest of the sidecar uses of ingest and sealing. */
export interface SealingFeature {
  readonly ingest: Ingest;
  readonly scheduler: SealScheduler;
  /** A batch's wait before it is sealed by time (SPARK_AGGREGATION_TIMEOUT), ms. */
  readonly timeoutMs: number;
  /** Starts sealing by threshold and time (leaves recovered from the data dir are sealed first). */
  start(): void;
  /** Stops the scheduler (a seal under way finishes), then the tree builder's worker. */
  stop(): Promise<void>;
}

/** What ingest and sealing need. */
export interface SealingDeps {
  readonly config: Config;
  readonly store: Store;
  readonly keys: KeyRing;
  readonly metrics: SparkMetrics;
  readonly sha256: Sha256;
  readonly now: () => number;
  readonly log: Logger;
}

/** Creates the feature; its tree builder's worker starts warming at once. */
export function createSealing(d: SealingDeps): SealingFeature {
  const { config, store, now } = d;
  const timeoutMs = config.aggregationTimeoutSeconds * 1000;
  const trees = createTreeBuilder(config.merkleHasher);
  void trees.warm();
  const sealer = timedSealer(
    createSealer({
      store,
      keys: d.keys,
      sha256: d.sha256,
      buildTree: trees.build,
      guaranteeExpiryMs: config.guaranteeExpiryMs,
      now,
      log: d.log.child({ module: 'sealer' }),
    }),
    d.metrics,
  );
  const scheduler = createSealScheduler(
    store,
    sealer,
    { threshold: config.aggregationThreshold, timeoutMs, maxBatchSize: config.maxBatchSize },
    now,
    d.log.child({ module: 'scheduler' }),
  );
  const ingest = createIngest({
    store,
    scheduler,
    sha256: d.sha256,
    now,
    immediateMode: config.immediateMode,
  });
  return {
    ingest,
    scheduler,
    timeoutMs,
    start: () => scheduler.start(),
    async stop() {
      await scheduler.stop();
      await trees.close();
    },
  };
}
