// Anchoring on Symbol as one feature (docs/anchoring.md): the Symbol account from the key provider, the anchoring
// states and outbox, the node pool, the tracker (with the prepaid-credit watch following its rounds), the
// checkpointer, the "sealed" event that queues each batch (an immediate one after its sealed bundles are
// published), and the readiness and on-chain checks over the same nodes. Made only when Symbol nodes are set.

import type { KeyProvider } from '../../providers/key-provider.ts';
import { anchorStateStore } from '../anchor/anchor-state.ts';
import { type Checkpointer, createCheckpointer } from '../anchor/checkpointer.ts';
import { type AnchorTracker, createAnchorTracker } from '../anchor/symbol/anchor-tracker.ts';
import { createNodePool } from '../anchor/symbol/node-pool.ts';
import { type OnlineCheck, onChainChecker } from '../anchor/symbol/online-check.ts';
import { createSymbolRestClient } from '../anchor/symbol/rest-client.ts';
import type { KeyRing } from '../batch/key-ring.ts';
import type { SealScheduler } from '../batch/seal-scheduler.ts';
import type { Config } from '../config/config.ts';
import { createCreditWatch } from '../credit/credit-watch.ts';
import type { SealedPublication } from '../ipfs/sealed-publication.ts';
import type { Logger } from '../log/logger.ts';
import { observeAnchoring } from '../metrics/instrument.ts';
import type { SparkMetrics } from '../metrics/metrics.ts';
import { createNobleEd25519Verifier } from '../proof/anchor/noble-ed25519-verifier.ts';
import type { Sha256 } from '../proof/crypto/sha256.ts';
import type { Store } from '../store/store.ts';

/** What the rest of the sidecar uses of anchoring. */
export interface AnchoringFeature {
  readonly tracker: AnchorTracker;
  /** The Verify RPC's on-chain check, over the same nodes as the tracker. */
  readonly onlineCheck: OnlineCheck;
  /** Readiness: resolves when enough nodes answer to reach the quorum, else rejects saying how many do. */
  ready(): Promise<void>;
  /** Backfills and starts the tracker's rounds, then the checkpointer. */
  start(): Promise<void>;
  /** Stops the checkpointer, then the tracker (a round under way finishes). */
  stop(): Promise<void>;
}

/** What anchoring needs. */
export interface AnchoringDeps {
  readonly config: Config;
  readonly store: Store;
  readonly provider: KeyProvider;
  readonly keys: Pick<KeyRing, 'use'>;
  readonly scheduler: SealScheduler;
  readonly sealed: SealedPublication;
  readonly metrics: SparkMetrics;
  readonly sha256: Sha256;
  readonly now: () => number;
  readonly log: Logger;
}

/** Creates the feature, or undefined when no Symbol node is set (batches then stop at SEALED). */
export async function createAnchoring(d: AnchoringDeps): Promise<AnchoringFeature | undefined> {
  const { config, store, metrics, now, log } = d;
  if (config.symbolNodeUrls.length === 0) return undefined;
  // One REST client per node, shared by the tracker's pool and the Verify RPC's on-chain check.
  const clients = config.symbolNodeUrls.map((url) => createSymbolRestClient({ url }));
  // The Symbol account key comes from the key provider as an external signer (an HSM can hold it).
  const signer = await d.provider.openSymbolAccount();
  // A batch's fee is split among its clients in the write that records it FINALIZED (src/usage/fee-split.ts).
  const states = anchorStateStore(store, {
    immediateFeeMultiplier: config.immediateFeeMultiplier,
    now,
    onSplit: (split) => {
      for (const share of split.shares) metrics.clientFee(share.client, share.feePaid);
    },
  });
  const anchorLog = log.child({ module: 'anchor' });
  const tracker = createAnchorTracker({
    store,
    states,
    pool: createNodePool({
      clients,
      quorum: config.symbolNodeQuorum,
      now,
      log: anchorLog,
      onRejected: (check) => metrics.symbolAnswerRejected(check),
    }),
    signer,
    maxFeeMultiplier: config.symbolMaxFeeMultiplier,
    pollIntervalMs: config.symbolPollIntervalMs,
    deadlineMs: config.symbolDeadlineSeconds * 1000,
    resendAfterMs: config.symbolResendAfterMs,
    maxBatchesPerAggregate: config.anchorBatchesPerTransaction,
    ...(config.symbolMinBalance === undefined ? {} : { minBalance: config.symbolMinBalance }),
    onBalance: (amount, low) => metrics.symbolBalance(amount, low),
    now,
    log: anchorLog,
    publishSealed: d.sealed.publish,
    // Prepaid credit follows the tracker's rounds: transfers to the anchoring account, credited once final.
    followers:
      config.creditPrice === undefined
        ? []
        : [
            createCreditWatch({
              store,
              ed25519: createNobleEd25519Verifier(),
              log: log.child({ module: 'credit' }),
              onCredit: (topUp) => metrics.clientCredit(topUp.client, topUp.amount),
            }),
          ],
  });
  observeAnchoring(d.scheduler, tracker, metrics, now);
  metrics.watchSymbolNodes(() => tracker.nodes());
  const checkpointer: Checkpointer = createCheckpointer({
    store,
    states,
    tracker,
    keys: d.keys,
    sha256: d.sha256,
    intervalMs: config.checkpointIntervalSeconds * 1000,
    now,
    log: log.child({ module: 'checkpoint' }),
  });
  d.scheduler.onSealed((batch, reason) => {
    const immediate = reason === 'immediate';
    const sequence = batch.sequence.toString();
    // Queued first: once its anchoring state is stored (immediate or not), a crash cannot lose the batch's anchor.
    // Then the "sealed" event publishes an immediate batch's sealed bundles; the announcer, woken by the queueing,
    // shares that publication (or makes it, after a crash) and names exactly the stored CIDs.
    tracker.enqueue(batch, immediate).then(
      async () => {
        if (!immediate) return;
        await d.sealed.publish(batch).catch((err: unknown) => {
          log.warn({ err, sequence }, 'sealed bundles not published yet: the anchor round tries again');
        });
      },
      (err: unknown) => {
        // The batch is sealed durably; the tracker writes its state again each round until the store takes it.
        log.error({ err, sequence }, 'could not queue the batch for anchoring');
      },
    );
  });
  log.info(
    {
      symbolNodes: config.symbolNodeUrls,
      quorum: config.symbolNodeQuorum,
      signerPublicKey: Buffer.from(signer.publicKey).toString('hex'),
    },
    'anchoring on Symbol enabled',
  );
  // Readiness asks each node with a short timeout of its own.
  const probes = config.symbolNodeUrls.map((url) => createSymbolRestClient({ url, timeoutMs: 2_000 }));
  return {
    tracker,
    onlineCheck: onChainChecker(clients),
    async ready() {
      const answers = await Promise.allSettled(probes.map((n) => n.chainInfo()));
      const up = answers.filter((a) => a.status === 'fulfilled').length;
      if (up < config.symbolNodeQuorum) {
        throw new Error(`${up} of ${probes.length} Symbol nodes answer, ${config.symbolNodeQuorum} needed`);
      }
    },
    async start() {
      await tracker.start();
      checkpointer.start();
    },
    async stop() {
      await checkpointer.stop();
      await tracker.stop();
    },
  };
}
