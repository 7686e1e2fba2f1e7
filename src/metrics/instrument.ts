// Connects the sidecar's parts to its metrics without changing them: decorators (a key provider whose signatures
// are timed, a sealer whose seals are timed) and listeners on events the parts already publish.
import type { KeyProvider, SigningKey } from '../../providers/key-provider.ts';
import type { AnchorStatus } from '../anchor/anchor-state.ts';
import type { AnchorTracker } from '../anchor/symbol/anchor-tracker.ts';
import type { SealScheduler } from '../batch/seal-scheduler.ts';
import type { Sealer } from '../batch/sealer.ts';
import { algorithmById } from '../proof/crypto/algorithms.ts';
import { toHex } from '../proof/encoding/bytes.ts';
import type { AnchorStage, SparkMetrics } from './metrics.ts';

const seconds = (startMs: number): number => (performance.now() - startMs) / 1000;

/** The key provider, with every signature of the keys it opens timed. */
export function timedProvider(provider: KeyProvider, metrics: SparkMetrics): KeyProvider {
  const timedKey = (key: SigningKey): SigningKey => {
    const algorithm = algorithmById(key.algorithmId)?.name ?? String(key.algorithmId);
    const sign = async (message: Uint8Array, context: Uint8Array): Promise<Uint8Array> => {
      const t = performance.now();
      const signature = await key.sign(message, context);
      metrics.signed(provider.kind, algorithm, seconds(t));
      return signature;
    };
    // A proxy keeps every other member (and getters) of the provider's key object as it is.
    return new Proxy(key, {
      get: (target, prop) => (prop === 'sign' ? sign : Reflect.get(target, prop, target)),
    });
  };
  return {
    kind: provider.kind,
    openSymbolAccount: () => provider.openSymbolAccount(),
    open: async (purpose, algorithmId, generation) =>
      timedKey(await provider.open(purpose, algorithmId, generation)),
    close: () => provider.close(),
  };
}

/** The sealer, with each seal's duration and batch size recorded. */
export function timedSealer(sealer: Sealer, metrics: SparkMetrics): Sealer {
  return {
    ...sealer,
    async seal(limit) {
      const t = performance.now();
      const batch = await sealer.seal(limit);
      if (batch !== undefined) metrics.sealed(batch.treeSize, seconds(t));
      return batch;
    },
  };
}

const STAGES: Partial<Record<AnchorStatus, AnchorStage>> = {
  ANNOUNCED: 'announced',
  CONFIRMED: 'confirmed',
  FINALIZED: 'finalized',
};

/** Most sealing times remembered while their batches travel to finality (the oldest are dropped first). */
const MAX_TRACKED = 100_000;

/**
 * Measures each batch's time from sealing to announced, confirmed and finalized, and counts failed announcements
 * by code: the node's failure code, or DEADLINE_EXPIRED_NOT_ON_CHAIN for one the node dropped (not on chain by its
 * deadline). Batches sealed before this process started are not timed.
 */
export function observeAnchoring(
  scheduler: SealScheduler,
  tracker: AnchorTracker,
  metrics: SparkMetrics,
  now: () => number = Date.now,
): void {
  const sealedAt = new Map<bigint, number>();
  const seen = new Map<bigint, Set<AnchorStage>>();
  scheduler.onSealed((batch) => {
    if (sealedAt.size >= MAX_TRACKED) {
      const oldest = sealedAt.keys().next().value as bigint;
      sealedAt.delete(oldest);
      seen.delete(oldest);
    }
    sealedAt.set(batch.sequence, now());
  });
  // A failure is told once per announcement (a transaction carrying several batches fails for each of them, and
  // a batch keeps its last failure after the retry); failures from before this process started are not counted.
  const startedAt = now();
  const failed = new Set<string>();
  tracker.onChange((state) => {
    const failure = state.lastFailure;
    if (failure !== undefined && failure.atMs >= startedAt) {
      const key = `${toHex(failure.txHash)}:${failure.atMs}`;
      if (!failed.has(key)) {
        if (failed.size >= MAX_TRACKED) failed.delete(failed.values().next().value as string);
        failed.add(key);
        metrics.announcementFailed(failure.code);
      }
    }
    if (state.status === 'FAILED') return;
    const stage = STAGES[state.status];
    const at = sealedAt.get(state.sequence);
    if (stage === undefined || at === undefined) return;
    const stages = seen.get(state.sequence) ?? new Set<AnchorStage>();
    if (stages.has(stage)) return;
    stages.add(stage);
    seen.set(state.sequence, stages);
    metrics.anchorStage(stage, (now() - at) / 1000);
    if (stage === 'finalized') {
      sealedAt.delete(state.sequence);
      seen.delete(state.sequence);
    }
  });
}
