// Failed commits without a full disk: how lmdb-js's rejections are told apart (disk full, I/O error, not storage at
// all), the failing state with its probe and resume rule, readiness's sentence, and the metrics read from it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMetrics } from '../../src/metrics/metrics.ts';
import { codeName, commitFailureOf, formatBytes, resumeBytes } from '../../src/store/commit-failure.ts';
import type { StoreWriteHealth } from '../../src/store/store.ts';
import { isFailedCommit, StoreError } from '../../src/store/store-error.ts';
import { checkStoreReady, WriteHealth } from '../../src/store/write-health.ts';
import { parsePrometheusText, sampleValue } from '../support/prometheus-text.ts';

const MiB = 1024 * 1024;

/** What lmdb-js rejects a write's promise with when its transaction's commit fails. */
function lmdbCommitFailure(code: number, text: string): Error & { commitError: Promise<never> } {
  const real = Object.assign(new Error(text), { code });
  const commitError = Promise.reject(real);
  commitError.catch(() => undefined);
  return Object.assign(new Error('Commit failed (see commitError for details)'), { commitError });
}

test('a failed commit is told apart: ENOSPC is a full disk, EIO is one only when the volume has no room left', async () => {
  const enospc = lmdbCommitFailure(28, 'No space left on device');
  const full = await commitFailureOf(enospc, () => true);
  assert.deepEqual(full, {
    reason: 'disk_full',
    cause: 'ENOSPC: No space left on device',
    key: enospc.commitError,
  });
  const eio = lmdbCommitFailure(5, 'Input/output error');
  assert.equal((await commitFailureOf(eio, () => true))?.reason, 'io_error');
  // LMDB's code for a short write ("filesystem full?") is EIO.
  assert.equal((await commitFailureOf(eio, () => false))?.reason, 'disk_full');
  assert.equal((await commitFailureOf(eio, () => false))?.cause, 'EIO: Input/output error');
  // Thrown inside a transaction rather than at its commit.
  const mapFull = Object.assign(new Error('MDB_MAP_FULL: Environment mapsize limit reached'), {
    code: -30792,
  });
  assert.deepEqual(await commitFailureOf(mapFull, () => true), {
    reason: 'disk_full',
    cause: 'MDB_MAP_FULL: MDB_MAP_FULL: Environment mapsize limit reached',
    key: mapFull,
  });
  // Not storage: left as they are.
  assert.equal(
    await commitFailureOf(new StoreError('CONFLICT', 'batch 3 is already committed'), () => true),
    undefined,
  );
  assert.equal(await commitFailureOf(new RangeError('bad'), () => true), undefined);
  assert.equal(await commitFailureOf('text', () => true), undefined);
  assert.equal(await commitFailureOf(Object.assign(new Error('x'), { code: 2 }), () => true), undefined);
  assert.equal(codeName(28), 'ENOSPC');
  assert.equal(codeName(-1), 'code -1');
});

test('one failed transaction counts once however many calls it carried; writes work again only after a commit with room free', async (t) => {
  let space = { total: 32 * MiB, available: 0 };
  let probes = 0;
  let now = Date.parse('2030-01-02T03:04:05.000Z');
  const health = new WriteHealth({
    path: '/data',
    probe: async () => {
      probes++;
      health.committed();
    },
    now: () => now,
    probeIntervalMs: 20,
    space: () => space,
  });
  t.after(() => health.stop());
  const sameCommit = lmdbCommitFailure(28, 'No space left on device');
  const f = (await commitFailureOf(sameCommit, () => health.roomLeft())) as NonNullable<
    Awaited<ReturnType<typeof commitFailureOf>>
  >;
  assert.equal(health.failed(f), true);
  assert.equal(health.failed(f), false, 'a second caller of the same transaction');
  now += 1000;
  const other = await commitFailureOf(lmdbCommitFailure(5, 'Input/output error'), () => health.roomLeft());
  assert.equal(health.failed(other as NonNullable<typeof other>), true);
  const snap = health.snapshot();
  assert.deepEqual(snap.failedCommits, { disk_full: 2, io_error: 0 });
  assert.equal(snap.availableBytes, 0);
  assert.equal(snap.failing?.reason, 'disk_full');
  assert.equal(snap.failing?.sinceMs, Date.parse('2030-01-02T03:04:05.000Z'));
  assert.equal(
    snap.failing?.message,
    'disk full: commits to the data dir /data fail (EIO: Input/output error); 2 commits failed since 2030-01-02T03:04:05.000Z; reads are served; 0 B available on its volume; writes resume by themselves once 4.0 MiB is',
  );
  assert.throws(
    () => checkStoreReady({ pendingCount: () => 0, writeHealth: () => health.snapshot() }),
    new Error(snap.failing?.message),
  );

  // No room: a small commit that fits in freed pages does not end it, and the probe does not try.
  health.committed();
  assert.ok(health.isFailing());
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(probes, 0, 'no probe without the room to resume');
  // Room back (4 MiB of a 32 MiB volume): the probe's commit ends it, and probing stops.
  space = { total: 32 * MiB, available: 4 * MiB };
  for (let i = 0; i < 50 && health.isFailing(); i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(health.isFailing(), false);
  const probed = probes;
  assert.ok(probed >= 1);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(probes, probed, 'no probe once writes work');
  assert.equal(health.snapshot().failing, undefined);
  assert.deepEqual(health.snapshot().failedCommits, { disk_full: 2, io_error: 0 }, 'counts stay');
  checkStoreReady({ pendingCount: () => 0, writeHealth: () => health.snapshot() });
});

test('an I/O error with room free is a storage error, and a volume that does not report space is judged by commits alone', async (t) => {
  const health = new WriteHealth({ path: '/data', probe: async () => undefined, space: () => undefined });
  t.after(() => health.stop());
  const f = await commitFailureOf(lmdbCommitFailure(30, 'Read-only file system'), () => health.roomLeft());
  assert.equal(f?.reason, 'io_error');
  health.failed(f as NonNullable<typeof f>);
  assert.match(
    health.snapshot().failing?.message ?? '',
    /^storage error: commits to the data dir \/data fail \(EROFS: Read-only file system\); 1 commit failed since .+; reads are served; writes resume by themselves once a commit succeeds$/,
  );
  health.committed();
  assert.equal(health.snapshot().failing, undefined);
});

test('sizes: the resume room and byte counts as people read them', () => {
  assert.equal(resumeBytes(32 * MiB), 4 * MiB);
  assert.equal(resumeBytes(100 * 1024 * MiB), 8 * MiB);
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(4 * MiB), '4.0 MiB');
  assert.equal(formatBytes(150 * 1024), '150 KiB');
  assert.equal(formatBytes(3 * 1024 * MiB), '3.0 GiB');
  assert.equal(isFailedCommit(new StoreError('DISK_FULL', 'x')), true);
  assert.equal(isFailedCommit(new StoreError('IO', 'x')), true);
  assert.equal(isFailedCommit(new StoreError('CONFLICT', 'x')), false);
  assert.equal(isFailedCommit(new Error('x')), false);
});

test('metrics: spark_store_commit_failures_total follows the store by reason, spark_data_volume_available_bytes its volume', async () => {
  let health: StoreWriteHealth = {
    failing: undefined,
    failedCommits: { disk_full: 0, io_error: 0 },
    availableBytes: 10 * MiB,
  };
  const metrics = createMetrics({ pendingLeaves: () => 0, storeWrites: () => health });
  const scrape = async () => parsePrometheusText(await metrics.text());
  let e = await scrape();
  assert.equal(sampleValue(e, 'spark_store_commit_failures_total', { reason: 'disk_full' }), 0);
  assert.equal(sampleValue(e, 'spark_store_commit_failures_total', { reason: 'io_error' }), 0);
  assert.equal(sampleValue(e, 'spark_data_volume_available_bytes'), 10 * MiB);
  health = { ...health, failedCommits: { disk_full: 3, io_error: 1 }, availableBytes: 0 };
  e = await scrape();
  assert.equal(sampleValue(e, 'spark_store_commit_failures_total', { reason: 'disk_full' }), 3);
  assert.equal(sampleValue(e, 'spark_store_commit_failures_total', { reason: 'io_error' }), 1);
  assert.equal(sampleValue(e, 'spark_data_volume_available_bytes'), 0);
  health = { ...health, failedCommits: { disk_full: 5, io_error: 1 } };
  e = await scrape();
  e = await scrape();
  assert.equal(sampleValue(e, 'spark_store_commit_failures_total', { reason: 'disk_full' }), 5);
});
