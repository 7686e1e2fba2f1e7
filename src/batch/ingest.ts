// Accepts submissions: durable store first, acknowledgement after (docs/operations.md §What is durable when). A write the disk refuses
// (StoreError DISK_FULL or IO) rejects the whole call, which no receipt then acknowledges: nothing of it was stored.

import { creditMessage } from '../credit/credit.ts';
import { RequestError } from '../errors/request-error.ts';
import { leafHashOfDigest } from '../proof/bundle/leaf.ts';
import { encodeSource, type SourceReference } from '../proof/bundle/source-reference.ts';
import type { Sha256 } from '../proof/crypto/sha256.ts';
import type { LeafRecord, NewLeaf, Store } from '../store/store.ts';
import { isFailedCommit } from '../store/store-error.ts';
import { ANONYMOUS_CLIENT, type ClientQuota, quotaMessage } from '../usage/usage.ts';
import type { SealScheduler } from './seal-scheduler.ts';

/** One validated submission. */
export interface Submission {
  readonly digest: Uint8Array;
  readonly requestId: string;
  readonly immediate: boolean;
  /** The other-chain reference, already checked (block set) or form-only; bound into the leaf. */
  readonly source?: SourceReference | undefined;
  /** Who submits it (src/usage/usage.ts); absent: `anonymous`. */
  readonly client?: string | undefined;
  /** That client's quota; absent: none. */
  readonly quota?: ClientQuota | undefined;
  /** With prepaid credit on: what it costs its client, µXYM (src/credit/credit.ts); absent: nothing is debited. */
  readonly price?: bigint | undefined;
}

/** An acknowledged submission. */
export interface Acknowledgement {
  readonly record: LeafRecord;
  readonly duplicate: boolean;
}

/** Ingest settings. */
export interface IngestOptions {
  readonly store: Store;
  readonly scheduler: SealScheduler;
  readonly sha256: Sha256;
  readonly now: () => number;
  readonly immediateMode: boolean;
}

/** The submission path. */
export interface Ingest {
  /** Stores each submission durably; returns one acknowledgement or error per item, in order. */
  submit(items: readonly Submission[]): Promise<Array<Acknowledgement | RequestError>>;
  /** Refuses new submissions and waits for those in flight. */
  close(): Promise<void>;
}

/** Creates the ingest path. */
export function createIngest(o: IngestOptions): Ingest {
  let closed = false;
  const inFlight = new Set<Promise<unknown>>();

  async function run(items: readonly Submission[]): Promise<Array<Acknowledgement | RequestError>> {
    const results: Array<Acknowledgement | RequestError | undefined> = new Array(items.length);
    const toStore: NewLeaf[] = [];
    const slots: number[] = [];
    const acceptedAtMs = o.now();
    items.forEach((item, i) => {
      if (item.immediate && !o.immediateMode) {
        results[i] = new RequestError(
          'IMMEDIATE_DISABLED',
          'immediate: immediate sealing is disabled on this server (PQC_IMMEDIATE_MODE=false); submit without immediate',
          { field: 'immediate' },
        );
        return;
      }
      const source = item.source === undefined ? undefined : encodeSource(item.source);
      toStore.push({
        leafHash: leafHashOfDigest(item.digest, o.sha256, source),
        digest: item.digest,
        ...(source === undefined ? {} : { source }),
        requestId: item.requestId,
        immediate: item.immediate,
        acceptedAtMs,
        client: item.client,
        quota: item.quota,
        ...(item.price === undefined ? {} : { price: item.price }),
      });
      slots.push(i);
    });
    const outcomes = toStore.length > 0 ? await o.store.add(toStore) : [];
    let immediate = false;
    outcomes.forEach((outcome, k) => {
      const slot = slots[k] as number;
      if (outcome.kind === 'full') {
        results[slot] = new RequestError(
          'PENDING_FULL',
          `pending store is full (SPARK_PENDING_CAPACITY=${outcome.capacity}); retry after the next batch is sealed`,
        );
      } else if (outcome.kind === 'quota') {
        results[slot] = new RequestError(
          'QUOTA_EXCEEDED',
          quotaMessage(items[slot]?.client ?? ANONYMOUS_CLIENT, outcome.refusal),
        );
      } else if (outcome.kind === 'credit') {
        results[slot] = new RequestError(
          'CREDIT_EXHAUSTED',
          creditMessage(items[slot]?.client ?? ANONYMOUS_CLIENT, outcome.refusal),
        );
      } else {
        results[slot] = { record: outcome.record, duplicate: outcome.kind === 'duplicate' };
        if (outcome.kind === 'stored' && items[slot]?.immediate === true) immediate = true;
      }
    });
    if (immediate) {
      // The leaves are stored: a seal the disk refuses leaves them pending (the scheduler seals them once writes
      // work again), and their receipts, without a batch, are still owed to the client.
      await o.scheduler.sealNow('immediate').catch((err: unknown) => {
        if (!isFailedCommit(err)) throw err;
      });
      // Re-read so the receipts of immediate items show their batch.
      results.forEach((r, i) => {
        if (r !== undefined && !(r instanceof RequestError)) {
          const fresh = o.store.getLeaf(r.record.leafHash);
          if (fresh !== undefined) results[i] = { record: fresh, duplicate: r.duplicate };
        }
      });
    } else if (outcomes.length > 0) {
      o.scheduler.notifyAdded();
    }
    return results as Array<Acknowledgement | RequestError>;
  }

  return {
    submit(items) {
      if (closed) {
        return Promise.reject(
          new RequestError('SHUTTING_DOWN', 'server is shutting down; retry on another instance'),
        );
      }
      const p = run(items);
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p)).catch(() => undefined);
      return p;
    },
    async close() {
      closed = true;
      await Promise.allSettled([...inFlight]);
    },
  };
}
