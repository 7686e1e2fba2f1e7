// A Symbol node down for 30 s, in fake time: the anchor tracker backs off (a handful of rounds, not one per poll
// interval), announces nothing while the node is away, logs the outage once, resumes when it is back, and every
// batch is FINALIZED in exactly one confirmed anchor. The tracker's rounds run on mocked timers and a virtual clock
// (the pool's and the tracker's `now`); the node test double, LMDB and the HTTP calls are real, blocks come when the
// test makes them. About 2 s of wall time for 30 s of outage.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mock, test } from 'node:test';
import { anchorStateStore } from '../../src/anchor/anchor-state.ts';
import { createMemoryEd25519Signer } from '../../src/anchor/memory-ed25519-signer.ts';
import { createAnchorTracker } from '../../src/anchor/symbol/anchor-tracker.ts';
import { createNodePool } from '../../src/anchor/symbol/node-pool.ts';
import { createSymbolRestClient, type SymbolRestClient } from '../../src/anchor/symbol/rest-client.ts';
import { openLmdbStore } from '../../src/store/lmdb-store.ts';
import type { BatchRecord } from '../../src/store/store.ts';
import { startSymbolTestNode } from '../fakes/symbol-node/symbol-test-node.ts';
import { capturedLog } from '../support/captured-log.ts';
import { memorySealer } from '../support/memory-sealer.ts';
import { tempDir } from '../support/spawn-server.ts';
import { confirmedAnchorsByHeader, hex, logsWith } from './support.ts';

/** The real setTimeout, kept before the timers are mocked: the test waits on it for HTTP answers to arrive. */
const realSetTimeout = globalThis.setTimeout;
const settle = () => new Promise((resolve) => realSetTimeout(resolve, 3));

const POLL_MS = 1_000;

test('node down for 30 s (fake time): the tracker backs off, resumes, and every batch is finalized once', async (t) => {
  const dir = tempDir('spark-outage-');
  const node = await startSymbolTestNode({ blockIntervalMs: 0, finalizationLagBlocks: 2 });
  const store = await openLmdbStore({ path: dir.path, pendingCapacity: 1_000 });
  t.after(async () => {
    mock.timers.reset();
    await store.close();
    await node.close();
    dir.cleanup();
  });
  const { log, lines } = capturedLog();
  let virtual = Date.now();
  const now = () => virtual;
  const rest = createSymbolRestClient({ url: node.url, timeoutMs: 2_000 });
  // Every request the tracker makes of the node, counted (a refused connection counts too).
  let requests = 0;
  const counted = Object.fromEntries(
    Object.entries(rest).map(([name, value]) => [
      name,
      typeof value === 'function'
        ? (...args: unknown[]) => {
            requests++;
            return (value as (...a: unknown[]) => unknown)(...args);
          }
        : value,
    ]),
  ) as unknown as SymbolRestClient;
  const signer = createMemoryEd25519Signer();
  const tracker = createAnchorTracker({
    store,
    states: anchorStateStore(store),
    pool: createNodePool({ clients: [counted], quorum: 1, now, log }),
    signer,
    maxFeeMultiplier: 1000,
    pollIntervalMs: POLL_MS,
    deadlineMs: 3_600_000,
    resendAfterMs: 30_000,
    maxBatchesPerAggregate: 20,
    now,
    log,
  });
  const sealer = await memorySealer(store);
  const seal = async (leaves: number): Promise<BatchRecord> => {
    await store.add(
      Array.from({ length: leaves }, () => ({
        leafHash: new Uint8Array(randomBytes(32)),
        digest: new Uint8Array(randomBytes(32)),
        requestId: '',
        immediate: false,
        acceptedAtMs: virtual,
      })),
    );
    const batch = await sealer.seal(leaves);
    assert.ok(batch);
    await tracker.enqueue(batch, false);
    return batch;
  };
  /** Moves the virtual clock and the mocked timers by `ms` in 100 ms steps, letting real I/O happen in between. */
  const advance = async (ms: number, each?: () => void) => {
    for (let passed = 0; passed < ms; passed += 100) {
      virtual += 100;
      mock.timers.tick(100);
      each?.();
      await settle();
    }
  };
  const status = (b: BatchRecord) => tracker.state(b.sequence)?.status ?? 'SEALED';

  mock.timers.enable({ apis: ['setTimeout'] });
  await tracker.start();
  t.after(() => tracker.stop());
  const first = await seal(5);
  await advance(3_000);
  assert.equal(status(first), 'ANNOUNCED', 'the first batch is in flight when the node goes away');

  await node.faults.down();
  const before = requests;
  const whileDown = [await seal(3), await seal(3)];
  await advance(30_000);
  const attempts = requests - before;
  t.diagnostic(
    `${attempts} requests reached for the node in 30 s of outage (rounds every ${POLL_MS} ms when healthy)`,
  );
  assert.ok(
    attempts >= 2 && attempts <= 12,
    `backed off: ${attempts} requests in 30 s, not one or more per second`,
  );
  for (const b of whileDown) assert.equal(status(b), 'SEALED', 'nothing is announced while the node is down');
  assert.equal(logsWith(lines, /unreachable; backing off/).length, 1, 'the outage is logged once');

  await node.faults.up();
  const batches = [first, ...whileDown];
  let sinceBlock = 0;
  for (let s = 0; s < 120 && !batches.every((b) => status(b) === 'FINALIZED'); s++) {
    await advance(1_000, () => {
      sinceBlock += 100;
      if (sinceBlock >= 500) {
        sinceBlock = 0;
        node.produceBlock();
      }
    });
  }
  assert.deepEqual(
    batches.map(status),
    ['FINALIZED', 'FINALIZED', 'FINALIZED'],
    'every batch finalized after the node came back',
  );
  assert.ok(logsWith(lines, 'Symbol node reachable again').length >= 1);
  // Each batch's header is in exactly one confirmed anchor: the one its state names.
  const anchors = confirmedAnchorsByHeader(node, signer.publicKey);
  for (const b of batches) {
    const carriers = anchors.get(hex(b.header)) ?? [];
    assert.equal(carriers.length, 1, `batch ${b.sequence} in ${carriers.length} confirmed anchors`);
    assert.equal(carriers[0], hex(tracker.state(b.sequence)?.confirmed?.txHash ?? new Uint8Array(0)));
  }
});
