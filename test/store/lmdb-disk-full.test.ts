// The LMDB store on a data volume that runs out of space (a 4 MiB tmpfs mounted by the test; skipped without the
// privilege to mount): lmdb-js's own behaviour on a failed commit, then every write path of the store refused with
// DISK_FULL, nothing acknowledged lost and nothing refused stored, reads served, no unhandled rejection, and writes
// back by themselves once space is freed.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { open } from 'lmdb';
import { openLmdbStore } from '../../src/store/lmdb-store.ts';
import type { NewLeaf, SignatureRecord, Store } from '../../src/store/store.ts';
import { StoreError } from '../../src/store/store-error.ts';
import { createTestKey, keyEntry, seedOf } from '../bundle/fixture.ts';
import { levelsOf, makeBatch } from './store-contract.ts';
import { tmpfsForTest } from './tmpfs.ts';

const MiB = 1024 * 1024;
/** Bounds of every loop below. */
const MAX_ROUNDS = 4_000;
const LIMIT_MS = 30_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function leaf(): NewLeaf {
  return {
    leafHash: randomBytes(32),
    digest: randomBytes(32),
    requestId: '',
    immediate: false,
    acceptedAtMs: Date.now(),
  };
}

/** Unhandled rejections while `run` runs (a listener here keeps one from ending the test process unnoticed). */
async function catchingUnhandled(run: () => Promise<void>): Promise<unknown[]> {
  const seen: unknown[] = [];
  const listener = (reason: unknown) => seen.push(reason);
  process.on('unhandledRejection', listener);
  try {
    await run();
    await sleep(50);
  } finally {
    process.off('unhandledRejection', listener);
  }
  return seen;
}

/** Runs `write` until it is refused (DISK_FULL) three times in a row; how many times it succeeded. */
async function topOff(write: () => Promise<unknown>): Promise<number> {
  let stored = 0;
  for (let misses = 0, i = 0; misses < 3 && i < MAX_ROUNDS; i++) {
    try {
      await write();
      stored++;
      misses = 0;
    } catch (error) {
      isDiskFull(error);
      misses++;
    }
  }
  return stored;
}

const isDiskFull = (error: unknown): boolean => {
  assert.ok(error instanceof StoreError, `expected a StoreError, got ${String(error)}`);
  assert.equal(error.code, 'DISK_FULL', error.message);
  assert.match(
    error.message,
    /^disk full: the commit to the data dir failed \((ENOSPC|EIO): .+\); nothing of this write was stored/,
  );
  return true;
};

test('lmdb-js on a full volume: "Commit failed" with the errno in commitError, later commits fail the same way, and the same environment commits again once space is freed', async (t) => {
  const fs = tmpfsForTest(t, 4);
  if (fs === undefined) return;
  const filler = fs.fill('filler', 1 * MiB);
  const root = open<Buffer, Buffer>({
    path: join(fs.path, 'db'),
    encoding: 'binary',
    keyEncoding: 'binary',
    overlappingSync: false,
    eventTurnBatching: false,
  });
  t.after(() => root.close().catch(() => undefined));
  const value = Buffer.alloc(64 * 1024, 1);
  const failures: Array<{ message: string; code: unknown }> = [];
  let stored = 0;
  const unhandled = await catchingUnhandled(async () => {
    for (let round = 0; round < MAX_ROUNDS && failures.length < 3; round++) {
      // Four transactions queued together: lmdb-js commits them as one.
      const outcomes = await Promise.allSettled(
        Array.from({ length: 4 }, (_, k) =>
          root.childTransaction(() => root.putSync(Buffer.from(`k${round}-${k}`), value)),
        ),
      );
      const rejected = outcomes.filter((o) => o.status === 'rejected');
      stored += outcomes.length - rejected.length;
      if (rejected.length === 0) continue;
      assert.equal(rejected.length, 4, 'one commit: all of its transactions fail together');
      const error = (rejected[0] as PromiseRejectedResult).reason as Error & {
        commitError?: Promise<unknown>;
      };
      assert.ok(error.commitError instanceof Promise, 'the real error is in commitError');
      const real = (await error.commitError.then(
        () => assert.fail('commitError resolved'),
        (e: unknown) => e,
      )) as { message: string; code: unknown };
      failures.push({ message: error.message, code: real.code });
    }
  });
  assert.equal(failures.length, 3, `no commit failed after ${stored} values`);
  for (const f of failures) {
    assert.equal(f.message, 'Commit failed (see commitError for details)');
    // 28: ENOSPC (nothing written); 5: EIO, LMDB's code for a short write ("filesystem full?").
    assert.ok(f.code === 28 || f.code === 5, `errno ${String(f.code)}`);
  }
  assert.deepEqual(unhandled, [], 'with event-turn batching off, no promise is left unobserved');
  // Reads go on; nothing of a failed commit is there.
  assert.equal(root.get(Buffer.from('k0-0'))?.length, value.length);
  rmSync(filler);
  await root.childTransaction(() => root.putSync(Buffer.from('after'), value));
  assert.equal(root.get(Buffer.from('after'))?.length, value.length);
  t.diagnostic(
    `${stored} values of 64 KiB stored, then ${failures.map((f) => `errno ${String(f.code)}`).join(', ')}; after freeing 1 MiB the same environment committed again`,
  );
});

test('the store on a full volume: every write path refused with DISK_FULL, nothing acknowledged lost, nothing refused stored, writes back by themselves once space is freed', async (t) => {
  const fs = tmpfsForTest(t, 4);
  if (fs === undefined) return;
  const filler = fs.fill('filler', 1536 * 1024);
  const path = join(fs.path, 'data');
  let store: Store | undefined = await openLmdbStore({ path, pendingCapacity: 1_000_000 });
  t.after(() => store?.close().catch(() => undefined));
  const acked: NewLeaf[] = [];
  const refused: NewLeaf[] = [];
  let refusals = 0;
  let beforeFull = 0;
  const started = Date.now();

  const unhandled = await catchingUnhandled(async () => {
    const s = store as Store;
    // Flood: 16 concurrent adds of 50 leaves a round, until a whole round is refused.
    for (let round = 0; round < MAX_ROUNDS && Date.now() - started < LIMIT_MS; round++) {
      const calls = Array.from({ length: 16 }, () => Array.from({ length: 50 }, leaf));
      const outcomes = await Promise.allSettled(calls.map((leaves) => s.add(leaves)));
      outcomes.forEach((o, i) => {
        const leaves = calls[i] as NewLeaf[];
        if (o.status === 'fulfilled') {
          assert.ok(o.value.every((r) => r.kind === 'stored'));
          acked.push(...leaves);
        } else {
          isDiskFull(o.reason);
          refusals++;
          refused.push(...leaves);
        }
      });
      if (outcomes.every((o) => o.status === 'rejected')) break;
    }
    assert.ok(refusals > 0, `the volume never filled (${acked.length} leaves stored)`);
    beforeFull = acked.length;
    // Small adds after that: on a volume that cannot grow, a commit of one leaf can still fit in pages LMDB freed
    // earlier. Each is either acknowledged (and then durable) or refused (and then not stored).
    for (let i = 0; i < 200; i++) {
      const one = leaf();
      await s.add([one]).then(
        () => acked.push(one),
        (error: unknown) => {
          isDiskFull(error);
          refusals++;
          refused.push(one);
        },
      );
    }
    const health = s.writeHealth();
    assert.equal(health.failing?.reason, 'disk_full');
    assert.match(
      health.failing?.message ?? '',
      new RegExp(`^disk full: commits to the data dir ${path} fail`),
    );
    assert.match(
      health.failing?.message ?? '',
      /available on its volume; writes resume by themselves once 512 KiB is$/,
    );
    assert.ok(health.failedCommits.disk_full >= 1);
    assert.ok(
      health.failedCommits.disk_full <= refusals,
      'counted once per failed transaction, not once per call',
    );
    assert.equal(health.failedCommits.io_error, 0);

    // The counters are the committed state: every acknowledged leaf is pending, nothing refused is stored.
    assert.equal(s.pendingCount(), acked.length);
    for (const l of acked) assert.ok(s.getLeaf(l.leafHash), 'an acknowledged leaf is readable');
    for (const l of refused) assert.equal(s.getLeaf(l.leafHash), undefined, 'a refused leaf was not stored');

    // A batch of everything pending, its record made large (a 256 KiB signature) so that it needs new pages:
    // refused, the leaves stay pending, no batch.
    const sealed = s.pendingLeaves(acked.length);
    const large = makeBatch(0n, sealed.length);
    const big = {
      ...large,
      signatures: [{ ...(large.signatures[0] as SignatureRecord), signature: randomBytes(256 * 1024) }],
    };
    await assert.rejects(s.commitBatch(big, levelsOf(sealed)), isDiskFull);
    assert.equal(s.head(), undefined);
    assert.equal(s.pendingCount(), acked.length);
    // Documents (an IPFS block, as a publication writes) and key history: refused the same way.
    await assert.rejects(
      s.putDocs([{ table: 'ipfs-blocks', key: 'big', value: randomBytes(256 * 1024) }]),
      isDiskFull,
    );
    assert.equal(s.getDoc('ipfs-blocks', 'big'), undefined);
    // A key entry (about 5 KB) fits where a leaf does not: the volume is topped off with documents of that size first.
    let doc = 0;
    await topOff(() => s.putDocs([{ table: 'outbox', key: `filler-${doc++}`, value: randomBytes(5_000) }]));
    await assert.rejects(s.appendKey(keyEntry(createTestKey(seedOf(1)), { validFromMs: 1 })), isDiskFull);
    assert.deepEqual(s.keyHistory(), []);
  });
  assert.deepEqual(unhandled, [], 'no rejection left unobserved');

  // Space back: the store's probe finds out within a few seconds, with no write from here.
  rmSync(filler);
  const freedAt = Date.now();
  const s = store;
  while (s.writeHealth().failing !== undefined && Date.now() - freedAt < 10_000) await sleep(100);
  const resumedMs = Date.now() - freedAt;
  assert.equal(s.writeHealth().failing, undefined, 'writes did not resume after space was freed');
  const late = Array.from({ length: 10 }, leaf);
  await s.add(late);
  acked.push(...late);
  const all = s.pendingLeaves(acked.length);
  assert.equal(all.length, acked.length);
  await s.commitBatch(makeBatch(0n, all.length), levelsOf(all));
  assert.equal(s.pendingCount(), 0);
  await s.close();
  store = undefined;

  // Reopened: every acknowledged leaf is there and sealed, in arrival order; none of the refused ones.
  const reopened = await openLmdbStore({ path, pendingCapacity: 1_000_000 });
  try {
    for (const [i, l] of acked.entries())
      assert.deepEqual(reopened.getLeaf(l.leafHash)?.position, { sequence: 0n, index: i });
    for (const l of refused) assert.equal(reopened.getLeaf(l.leafHash), undefined);
  } finally {
    await reopened.close();
  }
  t.diagnostic(
    `${beforeFull} leaves acknowledged before the 4 MiB volume was full, then ${acked.length - late.length - beforeFull} of 200 one-leaf adds; ${refusals} add calls refused; writes resumed ${resumedMs} ms after 1.5 MiB was freed`,
  );
});
