// The seal scheduler's SealNow seals what was pending when it was called, so it returns while ingest goes on.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, test } from 'node:test';
import { createSealScheduler } from '../../src/batch/seal-scheduler.ts';
import { createLogger } from '../../src/log/logger.ts';
import { openLmdbStore } from '../../src/store/lmdb-store.ts';
import type { NewLeaf } from '../../src/store/store.ts';
import { memorySealer } from '../support/memory-sealer.ts';
import { tempDir } from '../support/spawn-server.ts';

const dir = tempDir('spark-seal-scheduler-');
after(() => dir.cleanup());

const leaf = (tag: string): NewLeaf => ({
  leafHash: Uint8Array.from(createHash('sha256').update(`leaf ${tag}`).digest()),
  digest: Uint8Array.from(createHash('sha256').update(`digest ${tag}`).digest()),
  requestId: '',
  immediate: false,
  acceptedAtMs: Date.now(),
});

test('SealNow seals the leaves pending at the call, in batches of at most maxBatchSize, while more keep arriving', async () => {
  const store = await openLmdbStore({ path: dir.path, pendingCapacity: 100_000 });
  try {
    const sealer = await memorySealer(store);
    const policy = { threshold: 1_000_000, timeoutMs: 3_600_000, maxBatchSize: 40 };
    const scheduler = createSealScheduler(store, sealer, policy, () => Date.now(), createLogger('silent'));
    await store.add(Array.from({ length: 100 }, (_, i) => leaf(`first-${i}`)));
    // A writer that keeps adding while SealNow runs: before the change SealNow followed it until it stopped.
    let stop = false;
    let added = 0;
    const writer = (async () => {
      for (let round = 0; !stop && round < 2_000; round++) {
        await store.add(Array.from({ length: 5 }, (_, i) => leaf(`late-${round}-${i}`)));
        added += 5;
      }
    })();
    const batches = await scheduler.sealNow();
    stop = true;
    await writer;
    assert.deepEqual(
      batches.map((b) => b.treeSize),
      [40, 40, 20],
    );
    assert.equal(store.pendingCount(), added, 'every leaf that arrived during SealNow is still pending');
    for (let i = 0; i < 100; i++)
      assert.ok(store.getLeaf(leaf(`first-${i}`).leafHash)?.position, `first-${i} sealed`);
    await scheduler.stop();
  } finally {
    await store.close();
  }
});
