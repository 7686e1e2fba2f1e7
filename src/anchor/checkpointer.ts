// Signs a checkpoint of the header chain every SPARK_CHECKPOINT_INTERVAL when the head advanced, and queues it
// for anchoring (docs/anchoring.md §Checkpoints).

import { headerLogOf } from '../batch/header-log-cache.ts';
import type { KeyRing } from '../batch/key-ring.ts';
import type { Logger } from '../log/logger.ts';
import { encodeCheckpoint } from '../proof/bundle/checkpoint.ts';
import { CHECKPOINT_SIGNATURE_CONTEXT } from '../proof/crypto/contexts.ts';
import type { Sha256 } from '../proof/crypto/sha256.ts';
import type { Store } from '../store/store.ts';
import { repeatEvery } from '../timing/repeat-every.ts';
import type { AnchorStateStore, StoredCheckpoint } from './anchor-state.ts';
import type { AnchorTracker } from './symbol/anchor-tracker.ts';

/** Checkpointer settings. */
export interface CheckpointerOptions {
  readonly store: Store;
  readonly states: AnchorStateStore;
  readonly tracker: AnchorTracker;
  /** The batch-signing keys (the sealer's), used under their lock: a checkpoint is dated inside its key's window. */
  readonly keys: Pick<KeyRing, 'use'>;
  readonly sha256: Sha256;
  readonly intervalMs: number;
  readonly now: () => number;
  readonly log: Logger;
}

/** The running checkpointer. */
export interface Checkpointer {
  /** Signs and queues a checkpoint when the head advanced since the last one; returns it, or undefined. */
  checkpoint(): Promise<StoredCheckpoint | undefined>;
  start(): void;
  stop(): Promise<void>;
}

/** Creates the checkpointer; start() begins the interval timer. */
export function createCheckpointer(o: CheckpointerOptions): Checkpointer {
  async function checkpoint(): Promise<StoredCheckpoint | undefined> {
    const head = o.store.head();
    if (head === undefined) return undefined;
    const batchCount = head.sequence + 1n;
    const last = o.states.latestCheckpoint();
    if (last !== undefined && last.batchCount >= batchCount) return undefined;
    // O(n) in the number of batches: every header hash is read and the header log rebuilt. Fine at one
    // checkpoint a day; an incremental (stored) header log is the way to go when n grows large.
    const log = headerLogOf(o.store, batchCount, o.sha256);
    if (log === undefined) throw new Error(`a batch below the head ${head.sequence} is missing`);
    const stored = await o.keys.use(async ({ key, entry }): Promise<StoredCheckpoint> => {
      const body = encodeCheckpoint({
        version: 1,
        logId: o.store.logId,
        batchCount,
        headerLogRoot: log.root,
        headHeaderHash: head.headerHash,
        timeMs: BigInt(Math.max(o.now(), entry.validFromMs)),
        algorithmId: key.algorithmId,
        keyId: key.keyId,
      });
      const signature = await key.sign(body, CHECKPOINT_SIGNATURE_CONTEXT);
      return {
        batchCount,
        body,
        signatures: [{ algorithmId: key.algorithmId, keyId: key.keyId, signature }],
      };
    });
    await o.tracker.enqueueCheckpoint(stored);
    o.log.info({ batchCount: batchCount.toString() }, 'checkpoint signed and queued for anchoring');
    return stored;
  }

  const repeating = repeatEvery(o.intervalMs, checkpoint, (err) =>
    o.log.error({ err }, 'checkpoint failed; retrying at the next interval'),
  );
  return { checkpoint, start: repeating.start, stop: repeating.stop };
}
