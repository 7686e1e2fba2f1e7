// A sealed batch whose first anchoring state the store refuses (a full disk) is not forgotten until a restart: the
// tracker writes it again at its next round, and a round that is refused again goes on with the rest.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type AnchorStateStore, anchorStateStore } from '../../src/anchor/anchor-state.ts';
import { createMemoryEd25519Signer } from '../../src/anchor/memory-ed25519-signer.ts';
import { createAnchorTracker } from '../../src/anchor/symbol/anchor-tracker.ts';
import { createNodePool } from '../../src/anchor/symbol/node-pool.ts';
import { createSymbolRestClient } from '../../src/anchor/symbol/rest-client.ts';
import { openLmdbStore } from '../../src/store/lmdb-store.ts';
import type { BatchRecord } from '../../src/store/store.ts';
import { StoreError } from '../../src/store/store-error.ts';
import { startSymbolTestNode } from '../fakes/symbol-node/symbol-test-node.ts';
import { capturedLog } from '../support/captured-log.ts';
import { tempDir } from '../support/spawn-server.ts';

test('a refused first state is written again at the next round', async (t) => {
  const dir = tempDir('spark-refused-state-');
  const node = await startSymbolTestNode({ blockIntervalMs: 0 });
  const store = await openLmdbStore({ path: dir.path, pendingCapacity: 100 });
  t.after(async () => {
    await store.close();
    await node.close();
    dir.cleanup();
  });
  const real = anchorStateStore(store);
  let refuse = 2;
  const states: AnchorStateStore = {
    ...real,
    write(...args) {
      if (refuse > 0) {
        refuse -= 1;
        return Promise.reject(new StoreError('DISK_FULL', 'disk full: test'));
      }
      return real.write(...args);
    },
  };
  const { log, lines } = capturedLog();
  const tracker = createAnchorTracker({
    store,
    states,
    pool: createNodePool({
      clients: [createSymbolRestClient({ url: node.url })],
      quorum: 1,
      now: Date.now,
      log,
    }),
    signer: createMemoryEd25519Signer(),
    maxFeeMultiplier: 1000,
    pollIntervalMs: 60_000,
    deadlineMs: 3_600_000,
    resendAfterMs: 30_000,
    maxBatchesPerAggregate: 20,
    now: Date.now,
    log,
  });
  const batch = { sequence: 0n } as BatchRecord;
  await assert.rejects(tracker.enqueue(batch, false), /disk full/);
  assert.equal(real.batch(0n), undefined);
  // The next round is refused too: logged, the round goes on, nothing thrown.
  await tracker.tick();
  assert.equal(real.batch(0n), undefined);
  assert.ok(lines.some((l) => l['msg'] === 'sealed batches still wait for their anchoring state'));
  await tracker.tick();
  assert.equal(real.batch(0n)?.status, 'SEALED', 'written at the round after the store took writes again');
  assert.ok(lines.some((l) => l['msg'] === 'sealed batches queued for anchoring after a refused write'));
});
