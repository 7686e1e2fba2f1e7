// The publishers against loopback doubles of Kubo and a Pinning Services API, driven by the worker over a real
// LMDB store: bytes checked by their hash, failures retried with backoff, a hanging service timed out, the last
// failure final, pins polled until pinned, progress surviving a reopen of the store.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, test } from 'node:test';
import { nativeSha256 } from '../../src/crypto/native-sha256.ts';
import { cidOf, parseServableCid } from '../../src/ipfs/cid.ts';
import { createPublications, type Publications } from '../../src/ipfs/publications.ts';
import { backoffMs, createPublishWorker, type PublishWorker } from '../../src/ipfs/publish-worker.ts';
import { type IpfsPublisher, kuboPublisher, pinningPublisher } from '../../src/ipfs/publishers.ts';
import { createLogger } from '../../src/log/logger.ts';
import { openLmdbStore } from '../../src/store/lmdb-store.ts';
import type { Store } from '../../src/store/store.ts';
import { tempDir } from '../support/spawn-server.ts';
import { type LoopbackIpfs, startLoopbackKubo, startLoopbackPinning } from './loopback-ipfs.ts';

const TOKEN = 'pin-token-0123456789';
const dirs: Array<{ cleanup: () => void }> = [];
const closers: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of closers.reverse()) await c();
  for (const d of dirs) d.cleanup();
});

/** A store, publication records and a worker whose clock the test moves. */
async function rig(publishers: IpfsPublisher[], o: { maxAttempts?: number; path?: string } = {}) {
  const path =
    o.path ??
    (() => {
      const d = tempDir('spark-ipfs-');
      dirs.push(d);
      return d.path;
    })();
  const store: Store = await openLmdbStore({ path, pendingCapacity: 1000 });
  let t = 1_800_000_000_000;
  const now = () => t;
  const publications: Publications = createPublications(
    store,
    publishers.map((p) => p.name),
    nativeSha256,
    now,
  );
  const worker: PublishWorker = createPublishWorker({
    publications,
    publishers,
    log: createLogger('silent'),
    now,
    intervalMs: 100,
    maxAttempts: o.maxAttempts ?? 4,
    baseBackoffMs: 1_000,
    maxBackoffMs: 60_000,
    requestTimeoutMs: 1_500,
    pinTimeoutMs: 600_000,
    random: () => 0.5,
  });
  return {
    store,
    publications,
    worker,
    path,
    advance: (ms: number) => {
      t += ms;
    },
    close: async () => {
      await worker.stop();
      await store.close();
    },
  };
}

const bundleBytes = (n: number) => new Uint8Array(5000).map((_, i) => (i * 7 + n) & 0xff);
const leaf = (n: number) => new Uint8Array(32).fill(n);

async function loopback(start: () => Promise<LoopbackIpfs>): Promise<LoopbackIpfs> {
  const s = await start();
  closers.push(() => s.close());
  return s;
}

test('CIDs: the known CID of "hello", and which CIDs the gateway accepts', () => {
  assert.equal(
    cidOf(new TextEncoder().encode('hello'), nativeSha256),
    'bafkreibm6jg3ux5qumhcn2b3flc3tyu6dmlb4xa7u5bf44yegnrjhc4yeq',
  );
  assert.deepEqual(parseServableCid('bafkqaaa'), { kind: 'empty-identity' });
  assert.match(
    String(parseServableCid('QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG')),
    /only CIDv1 with the raw codec/,
  );
  assert.equal(parseServableCid('bafy!'), 'not a CID');
  assert.equal(parseServableCid(''), 'not a CID');
});

test('backoff doubles from the base, is capped, and keeps jitter within [50 %, 100 %]', () => {
  assert.deepEqual(
    [1, 2, 3, 4, 10].map((a) => backoffMs(a, 1000, 5000, () => 0.999999)),
    [1000, 2000, 4000, 5000, 5000],
  );
  assert.equal(
    backoffMs(3, 1000, 60_000, () => 0),
    2000,
  );
});

test('Kubo: the bytes arrive whole (the node derives the same CID), after a 500 and a hung request', async () => {
  const kubo = await loopback(startLoopbackKubo);
  const r = await rig([kuboPublisher(kubo.url)]);
  closers.push(r.close);
  const bytes = bundleBytes(1);
  const p = await r.publications.add(leaf(1), 2, bytes);
  assert.equal(p.cid, cidOf(bytes, nativeSha256));
  assert.equal(
    (await r.publications.add(leaf(1), 2, bytes)).createdAtMs,
    p.createdAtMs,
    'the same bytes: the same publication',
  );
  kubo.faults.push(500, 'hang');

  await r.worker.tick();
  let s = r.publications.get(p.cid)?.publishers[0];
  assert.deepEqual([s?.state, s?.attempts], ['QUEUED', 1]);
  assert.match(s?.lastError ?? '', /kubo block\/put: HTTP 500 scripted failure 500/);
  await r.worker.tick();
  assert.equal(r.publications.get(p.cid)?.publishers[0]?.attempts, 1, 'not retried before its backoff');

  r.advance(1_000);
  await r.worker.tick();
  s = r.publications.get(p.cid)?.publishers[0];
  assert.deepEqual([s?.state, s?.attempts], ['QUEUED', 2]);
  assert.match(s?.lastError ?? '', /kubo: no answer within 1500 ms/);

  r.advance(2_000);
  await r.worker.tick();
  s = r.publications.get(p.cid)?.publishers[0];
  assert.deepEqual([s?.state, s?.attempts, s?.lastError], ['PUBLISHED', 3, '']);
  assert.deepEqual(kubo.stored.get(p.cid), bytes, 'Kubo holds exactly the published bytes');
  assert.deepEqual(r.publications.unfinished(), [], 'nothing left in the queue');
  assert.deepEqual(kubo.refused, []);
});

test('Kubo unreachable: each attempt fails, and the last one is final', async () => {
  const closed = await new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
  const r = await rig([kuboPublisher(`http://127.0.0.1:${closed}`)], { maxAttempts: 3 });
  closers.push(r.close);
  const p = await r.publications.add(leaf(2), 2, bundleBytes(2));
  for (let i = 0; i < 3; i++) {
    await r.worker.tick();
    r.advance(60_000);
  }
  const s = r.publications.get(p.cid)?.publishers[0];
  assert.deepEqual([s?.state, s?.attempts], ['FAILED', 3]);
  assert.match(s?.lastError ?? '', /fetch failed|ECONNREFUSED/);
  assert.deepEqual(r.publications.unfinished(), []);
});

test('Pinning: a bad token is refused and retried; the pin is requested, polled and confirmed', async () => {
  const pinning = await loopback(() => startLoopbackPinning(TOKEN, { pollsUntilPinned: 2 }));
  const wrong = await rig([pinningPublisher(pinning.url, 'wrong-token')], { maxAttempts: 2 });
  closers.push(wrong.close);
  const bad = await wrong.publications.add(leaf(3), 2, bundleBytes(3));
  await wrong.worker.tick();
  wrong.advance(10_000);
  await wrong.worker.tick();
  const refused = wrong.publications.get(bad.cid)?.publishers[0];
  assert.equal(refused?.state, 'FAILED');
  assert.match(refused?.lastError ?? '', /pinning POST \/pins: HTTP 401/);
  assert.doesNotMatch(refused?.lastError ?? '', /wrong-token/, 'the token never appears in an error');

  const r = await rig([pinningPublisher(pinning.url, TOKEN, ['/ip4/127.0.0.1/tcp/4001/p2p/QmOrigin'])]);
  closers.push(r.close);
  const p = await r.publications.add(leaf(4), 5, bundleBytes(4));
  await r.worker.tick();
  let s = r.publications.get(p.cid)?.publishers[0];
  assert.deepEqual([s?.state, s?.requestId], ['PUBLISHING', 'req-1']);
  for (let i = 0; i < 3 && s?.state === 'PUBLISHING'; i++) {
    r.advance(100);
    await r.worker.tick();
    s = r.publications.get(p.cid)?.publishers[0];
  }
  assert.equal(s?.state, 'PUBLISHED');
  assert.ok(pinning.stored.has(p.cid));
  assert.deepEqual(pinning.calls.slice(-4), [
    'POST /pins',
    'GET /pins/req-1',
    'GET /pins/req-1',
    'GET /pins/req-1',
  ]);
});

test('Pinning: a pin the service reports failed is requested again, then FAILED', async () => {
  const pinning = await loopback(() => startLoopbackPinning(TOKEN, { fail: true }));
  const r = await rig([pinningPublisher(pinning.url, TOKEN)], { maxAttempts: 2 });
  closers.push(r.close);
  const p = await r.publications.add(leaf(5), 2, bundleBytes(5));
  for (let i = 0; i < 6; i++) {
    await r.worker.tick();
    r.advance(10_000);
  }
  const s = r.publications.get(p.cid)?.publishers[0];
  assert.equal(s?.state, 'FAILED');
  assert.match(s?.lastError ?? '', /pinning: the service reports the pin failed/);
  assert.equal(pinning.calls.filter((c) => c === 'POST /pins').length, 2);
});

test('progress survives a restart: a queued publication is published by the next process', async () => {
  const kubo = await loopback(startLoopbackKubo);
  const first = await rig([kuboPublisher(kubo.url)]);
  kubo.faults.push(503);
  const p = await first.publications.add(leaf(6), 2, bundleBytes(6));
  await first.worker.tick();
  await first.close();
  const second = await rig([kuboPublisher(kubo.url)], { path: first.path });
  closers.push(second.close);
  assert.deepEqual(
    second.publications.unfinished().map((x) => x.cid),
    [p.cid],
  );
  assert.equal(second.publications.get(p.cid)?.publishers[0]?.attempts, 1);
  second.advance(5_000);
  await second.worker.tick();
  assert.equal(second.publications.get(p.cid)?.publishers[0]?.state, 'PUBLISHED');
  assert.deepEqual(second.publications.bytes(p.cid), bundleBytes(6));
});
