// The decorators and listeners that feed the metrics: a timed key signs exactly as the provider's key does and is
// counted by provider and algorithm; anchoring stages are timed from sealing once each; a failed or expired
// announcement is counted once, however many batches it carried and however often their states are told again.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMemoryProvider } from '../../providers/memory-provider.ts';
import type { BatchAnchor } from '../../src/anchor/anchor-state.ts';
import type { AnchorListener, AnchorTracker } from '../../src/anchor/symbol/anchor-tracker.ts';
import type { SealedListener, SealScheduler } from '../../src/batch/seal-scheduler.ts';
import { observeAnchoring, timedProvider } from '../../src/metrics/instrument.ts';
import { createMetrics } from '../../src/metrics/metrics.ts';
import { ML_DSA_65 } from '../../src/proof/crypto/algorithms.ts';
import type { BatchRecord } from '../../src/store/store.ts';
import { parsePrometheusText, sampleValue } from '../support/prometheus-text.ts';

test('a timed key signs as the provider key does and is counted by provider and algorithm', async () => {
  const metrics = createMetrics({ pendingLeaves: () => 0 });
  const provider = timedProvider(createMemoryProvider(), metrics);
  try {
    const key = await provider.open('batch-signing', ML_DSA_65);
    const message = new TextEncoder().encode('header');
    const context = new TextEncoder().encode('ctx');
    const signature = await key.sign(message, context);
    assert.equal(key.algorithmId, ML_DSA_65);
    assert.equal(key.protection, 'memory', 'other members pass through');
    await key.sign(message, context);
    const m = parsePrometheusText(await metrics.text());
    const labels = { provider: 'memory', algorithm: 'ML-DSA-65' };
    assert.equal(sampleValue(m, 'spark_sign_duration_seconds_count', labels), 2);
    assert.ok(sampleValue(m, 'spark_sign_duration_seconds_sum', labels) > 0);
    assert.ok(signature.length > 3000, 'an ML-DSA-65 signature');
  } finally {
    await provider.close();
  }
});

test('anchoring: stages timed once from sealing, each failed or dropped announcement counted once', async () => {
  const metrics = createMetrics({ pendingLeaves: () => 0 });
  let sealedListener: SealedListener | undefined;
  let anchorListener: AnchorListener | undefined;
  const scheduler = {
    onSealed: (l: SealedListener) => {
      sealedListener = l;
      return () => undefined;
    },
  } as unknown as SealScheduler;
  const tracker = {
    onChange: (l: AnchorListener) => {
      anchorListener = l;
      return () => undefined;
    },
  } as unknown as AnchorTracker;
  let clock = 10_000;
  observeAnchoring(scheduler, tracker, metrics, () => clock);
  const seal = (sequence: bigint) => sealedListener?.({ sequence, treeSize: 1 } as BatchRecord, 'threshold');
  const tell = (sequence: bigint, status: BatchAnchor['status'], lastFailure?: BatchAnchor['lastFailure']) =>
    anchorListener?.({
      sequence,
      status,
      immediate: false,
      txHash: undefined,
      attempts: 1,
      lastFailure,
      confirmed: undefined,
      finalizedHeight: undefined,
      history: [],
    });
  const failure = (code: string, tx: number) => ({ code, txHash: new Uint8Array(32).fill(tx), atMs: clock });
  tell(0n, 'FAILED', { code: 'Failure_Before_Start', txHash: new Uint8Array(32), atMs: 1 });

  seal(1n);
  seal(2n);
  clock += 1_000;
  // One transaction carrying batches 1 and 2 fails at the node: one failure, told for each batch.
  const refused = failure('Failure_Core_Insufficient_Balance', 1);
  tell(1n, 'FAILED', refused);
  tell(2n, 'FAILED', refused);
  clock += 1_000;
  tell(1n, 'ANNOUNCED');
  tell(1n, 'ANNOUNCED');
  clock += 2_000;
  // The retry is dropped: not on chain by its deadline, the batch goes back to SEALED with that code.
  const dropped = failure('DEADLINE_EXPIRED_NOT_ON_CHAIN', 2);
  tell(2n, 'SEALED', dropped);
  clock += 1_000;
  tell(2n, 'ANNOUNCED', dropped); // the last failure is kept after the retry
  tell(1n, 'CONFIRMED', refused);
  clock += 5_000;
  tell(1n, 'FINALIZED', refused);
  tell(1n, 'FINALIZED', refused);

  const m = parsePrometheusText(await metrics.text());
  const failures = (code: string) => sampleValue(m, 'spark_announcement_failures_total', { code });
  assert.equal(failures('failure_core_insufficient_balance'), 1);
  assert.equal(failures('deadline_expired_not_on_chain'), 1);
  assert.equal(m.samples.filter((s) => s.labels['code'] === 'failure_before_start').length, 0);
  const latency = (stage: string, what: 'count' | 'sum') =>
    sampleValue(m, `spark_anchor_latency_seconds_${what}`, { stage });
  assert.equal(latency('announced', 'count'), 2);
  assert.equal(latency('announced', 'sum'), 2 + 5);
  assert.equal(latency('confirmed', 'count'), 1);
  assert.equal(latency('confirmed', 'sum'), 5);
  assert.equal(latency('finalized', 'count'), 1);
  assert.equal(latency('finalized', 'sum'), 10);
});
