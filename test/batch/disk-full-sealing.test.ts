// Sealing and ingest when the store's commits fail (the store's side is test/store/lmdb-disk-full.test.ts): a
// refused seal keeps the leaves pending and no batch appears; the scheduler does not seal while the store reports
// failing writes and resumes by itself after; an immediate submission stored before a refused seal still gets its
// receipt; a refused add gets no receipt and reaches the client as UNAVAILABLE with reason DISK_FULL.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { after, test } from 'node:test';
import { Code } from '@connectrpc/connect';
import { createMemoryProvider } from '../../providers/memory-provider.ts';
import { createIngest } from '../../src/batch/ingest.ts';
import { openKeyRing } from '../../src/batch/key-ring.ts';
import { createSealScheduler } from '../../src/batch/seal-scheduler.ts';
import { createSealer } from '../../src/batch/sealer.ts';
import { nativeSha256 } from '../../src/crypto/native-sha256.ts';
import { ErrorDetailSchema } from '../../src/gen/spark/v1/processor_pb.js';
import { createLogger } from '../../src/log/logger.ts';
import { ML_DSA_65 } from '../../src/proof/crypto/algorithms.ts';
import { toConnectError } from '../../src/service/error-map.ts';
import { openLmdbStore } from '../../src/store/lmdb-store.ts';
import type { NewLeaf, Store, StoreWriteHealth } from '../../src/store/store.ts';
import { StoreError } from '../../src/store/store-error.ts';
import { tempDir } from '../support/spawn-server.ts';

const dir = tempDir('spark-disk-full-sealing-');
after(() => dir.cleanup());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sha = (s: string) => Uint8Array.from(createHash('sha256').update(s).digest());
const leaf = (tag: string): NewLeaf => ({
  leafHash: sha(`leaf ${tag}`),
  digest: sha(`digest ${tag}`),
  requestId: '',
  immediate: false,
  acceptedAtMs: Date.now(),
});
const diskFull = () =>
  new StoreError(
    'DISK_FULL',
    'disk full: the commit to the data dir failed (ENOSPC: No space left on device); nothing of this write was stored; retry once the server is ready again',
  );

/**
 * A real store whose commits the test refuses at will. As the LMDB store, it reports failing writes from the first
 * refused commit until the test says space is back (`failing` = false).
 */
function refusing(store: Store) {
  const state = { adds: false, seals: false, sealAttempts: 0, failing: false };
  const refuse = () => {
    state.failing = true;
    return Promise.reject(diskFull());
  };
  const failing = (): StoreWriteHealth['failing'] =>
    state.failing
      ? { reason: 'disk_full', message: 'disk full: commits to the data dir /x fail', sinceMs: 0 }
      : undefined;
  const wrapped = new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'add')
        return (leaves: readonly NewLeaf[]) => (state.adds ? refuse() : target.add(leaves));
      if (property === 'commitBatch')
        return (...args: Parameters<Store['commitBatch']>) => {
          state.sealAttempts++;
          return state.seals ? refuse() : target.commitBatch(...args);
        };
      if (property === 'writeHealth')
        return (): StoreWriteHealth => ({ ...target.writeHealth(), failing: failing() });
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { store: wrapped, state };
}

/** A refusing store, a sealer with a memory key and a scheduler, all stopped after test `t`. */
async function setUp(
  t: { after(fn: () => Promise<void>): void },
  name: string,
  policy: { threshold: number; timeoutMs: number; maxBatchSize: number },
) {
  const real = await openLmdbStore({ path: `${dir.path}/${name}`, pendingCapacity: 100_000 });
  const { store, state } = refusing(real);
  const lines: string[] = [];
  const log = createLogger(
    'info',
    new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  );
  // The ring of the running server: its first key entry goes through the store's key history.
  const keys = await openKeyRing({
    store: real,
    provider: createMemoryProvider(),
    algorithmId: ML_DSA_65,
    headTimeMs: () => 0,
    now: () => Date.now(),
    log,
  });
  const sealer = createSealer({
    store,
    keys,
    sha256: nativeSha256,
    guaranteeExpiryMs: Date.parse('2045-01-01T00:00:00Z'),
    now: () => Date.now(),
    log,
  });
  const scheduler = createSealScheduler(store, sealer, policy, () => Date.now(), log);
  t.after(async () => {
    await scheduler.stop();
    await real.close();
  });
  return { store, state, scheduler, lines };
}

test('sealing on a full disk: refused cleanly, leaves kept pending, no attempts while the store reports failing writes, resumed by itself after', async (t) => {
  const { store, state, scheduler, lines } = await setUp(t, 'scheduler', {
    threshold: 10,
    timeoutMs: 100,
    maxBatchSize: 1000,
  });
  scheduler.start();
  await store.add(Array.from({ length: 25 }, (_, i) => leaf(`a${i}`)));
  state.seals = true;
  scheduler.notifyAdded();
  for (let i = 0; i < 50 && state.sealAttempts === 0; i++) await sleep(20);
  assert.equal(state.sealAttempts, 1, 'one attempt, refused');
  // The timer ticks every 50 ms: over 600 ms, no further attempt while writes fail.
  await sleep(600);
  assert.equal(state.sealAttempts, 1, 'no seal is attempted while the store reports failing writes');
  assert.equal(store.head(), undefined, 'no half-sealed batch');
  assert.equal(store.pendingCount(), 25, 'the leaves stay pending');
  assert.ok(lines.some((l) => l.includes('store writes are failing: sealing paused, pending leaves kept')));

  state.seals = false;
  state.failing = false;
  for (let i = 0; i < 100 && store.pendingCount() > 0; i++) await sleep(20);
  assert.equal(store.pendingCount(), 0, 'sealed once writes work again');
  // The refused attempt left no trace: the batches from sequence 0 hold the 25 leaves exactly once.
  let sealed = 0;
  for (let seq = 0n; seq <= (store.head()?.sequence ?? -1n); seq++)
    sealed += store.getBatch(seq)?.treeSize ?? 0;
  assert.equal(sealed, 25);
  assert.ok(lines.some((l) => l.includes('store writes work again: sealing resumes')));
});

test('ingest on a full disk: an immediate submission stored before a refused seal keeps its receipt; a refused add gets none and reaches the client as UNAVAILABLE/DISK_FULL', async (t) => {
  const { store, state, scheduler } = await setUp(t, 'ingest', {
    threshold: 1000,
    timeoutMs: 3_600_000,
    maxBatchSize: 1000,
  });
  const ingest = createIngest({
    store,
    scheduler,
    sha256: nativeSha256,
    now: () => Date.now(),
    immediateMode: true,
  });
  state.seals = true;
  const [ack] = await ingest.submit([{ digest: sha('immediate'), requestId: '', immediate: true }]);
  assert.ok(ack !== undefined && !(ack instanceof Error), 'the stored leaf is acknowledged');
  assert.equal(ack.record.position, undefined, 'pending: its seal was refused');
  assert.equal(state.sealAttempts, 1);
  assert.equal(store.pendingCount(), 1);

  state.adds = true;
  const refused = await ingest.submit([{ digest: sha('refused'), requestId: '', immediate: false }]).then(
    () => assert.fail('a refused add was acknowledged'),
    (err: unknown) => err,
  );
  assert.ok(refused instanceof StoreError && refused.code === 'DISK_FULL');
  assert.equal(store.pendingCount(), 1, 'nothing of the refused call was stored');
  const wire = toConnectError(refused);
  assert.equal(wire.code, Code.Unavailable);
  const detail = wire.findDetails(ErrorDetailSchema)[0];
  assert.equal(detail?.code, 'UNAVAILABLE');
  assert.equal(detail?.reason, 'DISK_FULL');
  assert.match(
    detail?.message ?? '',
    /^disk full: .*nothing of this write was stored; retry once the server is ready again$/,
  );
  await ingest.close();
});
