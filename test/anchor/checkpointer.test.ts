// The checkpointer on mocked timers with a real LMDB store (docs/anchoring.md §9): every SPARK_CHECKPOINT_INTERVAL it
// signs the head of the header chain and queues it for anchoring — once per head: while no batch is sealed no
// further checkpoint is made, however many intervals pass — and a failed interval is logged and the next one tries.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mock, test } from 'node:test';
import { anchorStateStore, type StoredCheckpoint } from '../../src/anchor/anchor-state.ts';
import { createCheckpointer } from '../../src/anchor/checkpointer.ts';
import type { AnchorTracker } from '../../src/anchor/symbol/anchor-tracker.ts';
import { nativeSha256 } from '../../src/crypto/native-sha256.ts';
import { type CheckpointFields, decodeCheckpoint } from '../../src/proof/bundle/checkpoint.ts';
import { openLmdbStore } from '../../src/store/lmdb-store.ts';
import type { NewLeaf } from '../../src/store/store.ts';
import { capturedLog } from '../support/captured-log.ts';
import { memoryKeys, memorySealer } from '../support/memory-sealer.ts';
import { tempDir } from '../support/spawn-server.ts';

const leaf = (tag: string): NewLeaf => ({
  leafHash: Uint8Array.from(createHash('sha256').update(`leaf ${tag}`).digest()),
  digest: Uint8Array.from(createHash('sha256').update(`digest ${tag}`).digest()),
  requestId: '',
  immediate: false,
  acceptedAtMs: 0,
});

/** The fields of a queued checkpoint (it must decode). */
function fieldsOf(c: StoredCheckpoint | undefined): CheckpointFields {
  assert.ok(c);
  const f = decodeCheckpoint(c.body);
  assert.ok(typeof f !== 'string', String(f));
  return f;
}

/** A few real milliseconds for the run a timer started (its store reads and writes and its signing are real). */
const realSetTimeout = globalThis.setTimeout;
const settle = () => new Promise((resolve) => realSetTimeout(resolve, 3));

test('one checkpoint per head: none while nothing is sealed, one per interval once batches come, none again until the head moves', async (t) => {
  const dir = tempDir('spark-checkpointer-');
  const store = await openLmdbStore({ path: dir.path, pendingCapacity: 100 });
  t.after(async () => {
    mock.timers.reset();
    await store.close();
    dir.cleanup();
  });
  const keys = await memoryKeys();
  const sealer = await memorySealer(store, keys);
  const states = anchorStateStore(store);
  const queued: StoredCheckpoint[] = [];
  let refuse = false;
  const tracker: Pick<AnchorTracker, 'enqueueCheckpoint'> = {
    async enqueueCheckpoint(c) {
      if (refuse) throw new Error('disk full');
      await states.write([], [], [], { checkpoints: [c] });
      queued.push(c);
    },
  };
  const { log, lines } = capturedLog();
  mock.timers.enable({ apis: ['setTimeout'], now: 1_000_000 });
  const checkpointer = createCheckpointer({
    store,
    states,
    tracker: tracker as AnchorTracker,
    keys,
    sha256: nativeSha256,
    intervalMs: 60_000,
    now: () => Date.now(),
    log,
  });
  checkpointer.start();
  const failures = () =>
    lines.filter((l) => l['msg'] === 'checkpoint failed; retrying at the next interval').length;
  /**
   * Moves the clock one interval and waits (bounded) for what the run it started should end in. A run with nothing to
   * sign ends on two synchronous reads, so one turn of the event loop sees it through.
   */
  const interval = async (outcome: 'none' | 'checkpoint' | 'failure') => {
    const [q, f] = [queued.length, failures()];
    mock.timers.tick(60_000);
    for (let i = 0; i < 1_000; i++) {
      await settle();
      if (outcome === 'none' || queued.length > q || failures() > f) break;
    }
  };
  await interval('none');
  assert.equal(queued.length, 0, 'no batch yet: nothing to sign');

  await store.add([leaf('a'), leaf('b')]);
  await sealer.seal(10);
  await store.add([leaf('c')]);
  await sealer.seal(10);
  mock.timers.tick(59_999);
  await settle();
  assert.equal(queued.length, 0, 'not before the interval');
  mock.timers.tick(1);
  for (let i = 0; i < 1_000 && queued.length === 0; i++) await settle();
  assert.equal(queued.length, 1);
  const first = fieldsOf(queued[0]);
  assert.equal(first.batchCount, 2n);
  assert.deepEqual(first.headHeaderHash, store.head()?.headerHash);

  for (let i = 0; i < 5; i++) await interval('none');
  assert.equal(queued.length, 1, 'five intervals with the head unchanged: no further checkpoint');

  await store.add([leaf('d')]);
  await sealer.seal(10);
  refuse = true;
  await interval('failure');
  assert.equal(queued.length, 1);
  assert.equal(failures(), 1, 'the failed interval is logged');
  refuse = false;
  await interval('checkpoint');
  assert.equal(queued.length, 2, 'the next interval tries again');
  assert.equal(fieldsOf(queued[1]).batchCount, 3n);
  await checkpointer.stop();
});
