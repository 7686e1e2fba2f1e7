// The Store contract suite: every Store implementation runs it through a harness that can reopen the same data.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { buildLevels, inclusionPath, levelReader, levelSizes } from '../../src/proof/merkle/tree.ts';
import type { BatchRecord, KeyHistoryEntry, LeafRecord, NewLeaf, Store } from '../../src/store/store.ts';
import { StoreError } from '../../src/store/store-error.ts';
import { testBatchRecord } from '../support/batch-record.ts';

/** Opens stores over one data location, which persists until cleanup(). */
export interface StoreHarness {
  /** Opens (or reopens) the store at this harness's location. */
  open(options?: { readonly pendingCapacity?: number }): Promise<Store>;
  /** Removes the location; every store must be closed first. */
  cleanup(): Promise<void>;
}

const sha = (data: string | Uint8Array): Uint8Array =>
  Uint8Array.from(createHash('sha256').update(data).digest());

/** A deterministic leaf; `requestId` defaults to "". */
export function makeLeaf(tag: string, requestId = '', acceptedAtMs = 1_700_000_000_000): NewLeaf {
  return {
    leafHash: sha(`leaf:${tag}`),
    digest: sha(`digest:${tag}`),
    requestId,
    immediate: false,
    acceptedAtMs,
  };
}

/** A batch record with plausible header, hash and signatures. */
export function makeBatch(sequence: bigint, treeSize: number): BatchRecord {
  return testBatchRecord(
    sequence,
    treeSize,
    [
      { algorithmId: 2, keyId: sha('key-a'), signature: Uint8Array.from(randomBytes(3309)) },
      { algorithmId: 7, keyId: sha('key-b').subarray(0, 8), signature: new Uint8Array(0) },
    ],
    { timeMs: BigInt(Date.now()) },
  );
}

/** Tree levels over `leaves`, as the sealer builds them. */
export function levelsOf(leaves: readonly NewLeaf[]): Uint8Array[] {
  const flat = new Uint8Array(leaves.length * 32);
  leaves.forEach((leaf, i) => {
    flat.set(leaf.leafHash, i * 32);
  });
  return buildLevels(flat);
}

function keyEntry(n: number, validFromMs: number): KeyHistoryEntry {
  return {
    algorithmId: 2,
    generation: n,
    keyId: sha(`key-${n}`),
    publicKey: Uint8Array.from(randomBytes(1952)),
    validFromMs,
    validUntilMs: 0,
    previousKeyId: n === 0 ? new Uint8Array(0) : sha(`key-${n - 1}`),
    endorsement: n === 0 ? new Uint8Array(0) : Uint8Array.from(randomBytes(3309)),
    protection: n % 2 === 0 ? 'memory' : 'pkcs11',
    selfSignature: Uint8Array.from(randomBytes(3309)),
  };
}

function isCode(code: string): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof StoreError, `expected a StoreError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return true;
  };
}

function expectRecord(
  actual: LeafRecord | undefined,
  leaf: NewLeaf,
  position?: LeafRecord['position'],
): void {
  assert.ok(actual, 'record exists');
  assert.deepEqual(actual, { ...leaf, leafHash: leaf.leafHash, position });
}

const hex = (l: { leafHash: Uint8Array }): string => Buffer.from(l.leafHash).toString('hex');

/** Every node of every level of batch `sequence` reads back as `levels` has it, and one past the end is refused. */
function expectNodes(store: Store, sequence: bigint, levels: readonly Uint8Array[]): void {
  levels.forEach((level, l) => {
    const count = level.length / 32;
    const all = new Uint8Array(level.length);
    for (let i = 0; i < count; i++) all.set(store.readNode(sequence, l, i), i * 32);
    assert.deepEqual(all, level, `batch ${sequence}, level ${l}`);
    assert.throws(() => store.readNode(sequence, l, count), RangeError);
  });
}

async function addOne(store: Store, leaf: NewLeaf): Promise<string> {
  const [outcome] = await store.add([leaf]);
  assert.ok(outcome);
  return outcome.kind;
}

/** Registers the Store contract tests for an implementation. */
export function storeContract(name: string, makeHarness: () => StoreHarness): void {
  describe(`Store contract: ${name}`, () => {
    let harness: StoreHarness;
    const opened: Store[] = [];
    const open = async (pendingCapacity = 100_000): Promise<Store> => {
      const store = await harness.open({ pendingCapacity });
      opened.push(store);
      return store;
    };
    const closeAll = async (): Promise<void> => {
      for (const store of opened.splice(0)) await store.close().catch(() => undefined);
    };

    beforeEach(() => {
      harness = makeHarness();
    });
    afterEach(async () => {
      await closeAll();
      await harness.cleanup();
    });

    test('a new store is empty and has a 32-byte log id', async () => {
      const store = await open();
      assert.equal(store.logId.length, 32);
      assert.equal(store.pendingCount(), 0);
      assert.deepEqual(store.pendingLeaves(10), []);
      assert.equal(store.oldestPendingMs(), undefined);
      assert.equal(store.head(), undefined);
      assert.equal(store.getBatch(0n), undefined);
      assert.deepEqual(store.keyHistory(), []);
      assert.equal(store.getLeaf(makeLeaf('x').leafHash), undefined);
      assert.equal(store.getByRequestId('nope'), undefined);
      assert.equal(store.getByRequestId(''), undefined);
    });

    test('documents: atomic puts and deletes, listed per table in key order, kept across reopen', async () => {
      let store = await open();
      const bytes = (t: string) => new TextEncoder().encode(t);
      await store.putDocs([
        { table: 'anchors', key: '00000000000000000002', value: bytes('two') },
        { table: 'anchors', key: '00000000000000000001', value: bytes('one') },
        { table: 'outbox', key: 'ab', value: bytes('tx') },
      ]);
      assert.deepEqual(
        store.listDocs('anchors').map((d) => [d.key, new TextDecoder().decode(d.value)]),
        [
          ['00000000000000000001', 'one'],
          ['00000000000000000002', 'two'],
        ],
      );
      assert.deepEqual(store.listDocs('anchor-meta'), []);
      await store.putDocs([
        { table: 'anchors', key: '00000000000000000001', value: undefined },
        { table: 'outbox', key: 'ab', value: bytes('tx2') },
      ]);
      await store.close();
      store = await open();
      assert.equal(store.getDoc('anchors', '00000000000000000001'), undefined);
      assert.equal(new TextDecoder().decode(store.getDoc('outbox', 'ab')), 'tx2');
      assert.equal(store.listDocs('anchors').length, 1);
    });

    test('IPFS documents: published bytes kept exactly per CID, tables apart, queue removal atomic, across reopen', async () => {
      let store = await open();
      const cid = 'bafkreibayislsxqpt26dpbgeh2x57vbxj2m3nq2uirckc7tubdndngu2r4';
      const block = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff); // zeros and high bytes
      const record = new TextEncoder().encode('{"cid":"x"}');
      await store.putDocs([
        { table: 'ipfs-blocks', key: cid, value: block },
        { table: 'ipfs-publications', key: cid, value: record },
        { table: 'ipfs-queue', key: cid, value: new Uint8Array(0) },
      ]);
      assert.deepEqual(store.getDoc('ipfs-blocks', cid), block);
      assert.deepEqual(store.getDoc('ipfs-publications', cid), record);
      assert.deepEqual(
        store.listDocs('ipfs-queue').map((d) => [d.key, d.value.length]),
        [[cid, 0]],
      );
      // The publisher's last step: the record updated and the queue entry dropped in one write.
      const updated = new TextEncoder().encode('{"cid":"x","done":true}');
      await store.putDocs([
        { table: 'ipfs-publications', key: cid, value: updated },
        { table: 'ipfs-queue', key: cid, value: undefined },
      ]);
      await store.close();
      store = await open();
      assert.deepEqual(store.getDoc('ipfs-blocks', cid), block);
      assert.deepEqual(store.getDoc('ipfs-publications', cid), updated);
      assert.deepEqual(store.listDocs('ipfs-queue'), []);
      assert.equal(store.getDoc('ipfs-blocks', 'bafkqaaa'), undefined);
    });

    test('add stores leaves and reads them back by leaf hash and request id', async () => {
      const store = await open();
      const a = { ...makeLeaf('a', 'req-a', 1000), immediate: true };
      const b = makeLeaf('b', '', 1001);
      const outcomes = await store.add([a, b]);
      assert.deepEqual(
        outcomes.map((o) => o.kind),
        ['stored', 'stored'],
      );
      const first = outcomes[0];
      assert.ok(first?.kind === 'stored');
      expectRecord(first.record, a);
      expectRecord(store.getLeaf(a.leafHash), a);
      expectRecord(store.getLeaf(b.leafHash), b);
      expectRecord(store.getByRequestId('req-a'), a);
      assert.equal(store.pendingCount(), 2);
    });

    test('a repeated leaf hash or request id returns the first record as duplicate', async () => {
      const store = await open();
      const a = makeLeaf('a', 'req-a', 1000);
      assert.equal(await addOne(store, a), 'stored');
      const sameHash = await store.add([{ ...a, requestId: 'other', acceptedAtMs: 2000 }]);
      assert.equal(sameHash[0]?.kind, 'duplicate');
      assert.ok(sameHash[0]?.kind === 'duplicate');
      expectRecord(sameHash[0].record, a);
      const sameId = await store.add([makeLeaf('b', 'req-a', 3000)]);
      assert.ok(sameId[0]?.kind === 'duplicate');
      expectRecord(sameId[0].record, a);
      assert.equal(store.getLeaf(makeLeaf('b').leafHash), undefined);
      assert.equal(store.getByRequestId('other'), undefined, 'a duplicate does not register its request id');
      // Within one call, and empty request ids never collide.
      const c = makeLeaf('c');
      const d = makeLeaf('d');
      const mixed = await store.add([c, c, d]);
      assert.deepEqual(
        mixed.map((o) => o.kind),
        ['stored', 'duplicate', 'stored'],
      );
      assert.equal(store.pendingCount(), 3);
    });

    test('concurrent adds of one leaf hash or one request id store it exactly once', async () => {
      const store = await open();
      const a = makeLeaf('a');
      const byHash = await Promise.all(Array.from({ length: 20 }, () => store.add([a])));
      assert.equal(byHash.filter(([o]) => o?.kind === 'stored').length, 1);
      assert.equal(byHash.filter(([o]) => o?.kind === 'duplicate').length, 19);
      const byId = await Promise.all(
        Array.from({ length: 20 }, (_, i) => store.add([makeLeaf(`id-${i}`, 'shared-id')])),
      );
      const stored = byId.flatMap(([o]) => (o?.kind === 'stored' ? [o.record] : []));
      assert.equal(stored.length, 1);
      for (const [o] of byId) {
        assert.ok(o?.kind === 'stored' || o?.kind === 'duplicate');
        assert.deepEqual(o.record, stored[0]);
      }
      assert.equal(store.pendingCount(), 2);
      // Many distinct concurrent adds all land.
      const many = await Promise.all(Array.from({ length: 300 }, (_, i) => store.add([makeLeaf(`m-${i}`)])));
      assert.ok(many.every(([o]) => o?.kind === 'stored'));
      assert.equal(store.pendingCount(), 302);
      assert.equal(store.pendingLeaves(1000).length, 302);
    });

    test("new leaves past the pending capacity are 'full'; duplicates are still answered", async () => {
      const store = await open(3);
      const leaves = Array.from({ length: 5 }, (_, i) => makeLeaf(`l-${i}`, `r-${i}`));
      const outcomes = await store.add(leaves);
      assert.deepEqual(
        outcomes.map((o) => o.kind),
        ['stored', 'stored', 'stored', 'full', 'full'],
      );
      assert.deepEqual(outcomes[3], { kind: 'full', capacity: 3 });
      assert.equal(store.getLeaf(makeLeaf('l-3').leafHash), undefined);
      const concurrent = await Promise.all([store.add([makeLeaf('x')]), store.add([makeLeaf('y')])]);
      assert.ok(concurrent.every(([o]) => o?.kind === 'full'));
      assert.equal((await store.add([leaves[0] as NewLeaf]))[0]?.kind, 'duplicate');
      assert.equal((await store.add([makeLeaf('z', 'r-1')]))[0]?.kind, 'duplicate');
      assert.equal(store.pendingCount(), 3);
      // Sealing frees room.
      const sealed = leaves.slice(0, 2);
      await store.commitBatch(makeBatch(0n, 2), levelsOf(sealed));
      assert.equal(store.pendingCount(), 1);
      assert.deepEqual(
        (await store.add(leaves.slice(3))).map((o) => o.kind),
        ['stored', 'stored'],
      );
      assert.equal((await store.add([makeLeaf('w')]))[0]?.kind, 'full');
    });

    test('a leaf with an other-chain reference keeps its 79 source bytes through pending, sealing and reopen', async () => {
      let store = await open();
      // Any 79 bytes: the store keeps them as given (their meaning is docs/proof-format.md §2.1's).
      const source = Uint8Array.from({ length: 79 }, (_, i) => (i * 37 + 1) & 0xff);
      const withSource: NewLeaf = { ...makeLeaf('src', 'r-src', 7000), source };
      const plain = makeLeaf('plain', '', 7001);
      await store.add([withSource, plain]);
      expectRecord(store.getLeaf(withSource.leafHash), withSource);
      expectRecord(store.getByRequestId('r-src'), withSource);
      assert.deepEqual(store.pendingLeaves(2)[0]?.source, source);
      assert.equal(store.pendingLeaves(2)[1]?.source, undefined);
      await store.commitBatch(makeBatch(0n, 2), levelsOf([withSource, plain]));
      await store.close();
      store = await open();
      expectRecord(store.getLeaf(withSource.leafHash), withSource, { sequence: 0n, index: 0 });
      expectRecord(store.getLeaf(plain.leafHash), plain, { sequence: 0n, index: 1 });
    });

    test('pendingLeaves is oldest first; oldestPendingMs is the first acceptance time', async () => {
      const store = await open();
      const leaves = Array.from({ length: 10 }, (_, i) => makeLeaf(`p-${i}`, '', 5000 + i));
      await store.add(leaves.slice(0, 4));
      await store.add(leaves.slice(4, 5));
      await store.add(leaves.slice(5));
      assert.deepEqual(store.pendingLeaves(100).map(hex), leaves.map(hex));
      assert.deepEqual(store.pendingLeaves(3).map(hex), leaves.slice(0, 3).map(hex));
      assert.deepEqual(store.pendingLeaves(0), []);
      assert.equal(store.oldestPendingMs(), 5000);
      await store.commitBatch(makeBatch(0n, 3), levelsOf(leaves.slice(0, 3)));
      assert.deepEqual(store.pendingLeaves(100).map(hex), leaves.slice(3).map(hex));
      assert.equal(store.oldestPendingMs(), 5003);
      await store.commitBatch(makeBatch(1n, 7), levelsOf(leaves.slice(3)));
      assert.equal(store.oldestPendingMs(), undefined);
      assert.equal(store.pendingCount(), 0);
    });

    test('commitBatch records the batch, positions and head, and removes the leaves from pending', async () => {
      const store = await open();
      const leaves = Array.from({ length: 5 }, (_, i) => makeLeaf(`c-${i}`, `rc-${i}`));
      await store.add(leaves);
      const order = leaves.slice(0, 3);
      const batch = makeBatch(0n, 3);
      await store.commitBatch(batch, levelsOf(order));
      assert.deepEqual(store.getBatch(0n), batch);
      assert.deepEqual(store.head(), batch);
      order.forEach((leaf, index) => {
        expectRecord(store.getLeaf(leaf.leafHash), leaf, { sequence: 0n, index });
      });
      expectRecord(store.getByRequestId('rc-2'), leaves[2] as NewLeaf, { sequence: 0n, index: 2 });
      expectRecord(store.getLeaf((leaves[3] as NewLeaf).leafHash), leaves[3] as NewLeaf);
      assert.equal(store.pendingCount(), 2);
      const dup = await store.add([leaves[1] as NewLeaf]);
      assert.ok(dup[0]?.kind === 'duplicate');
      assert.deepEqual(dup[0].record.position, { sequence: 0n, index: 1 });
      const next = makeBatch(1n, 2);
      await store.commitBatch(next, levelsOf([leaves[3] as NewLeaf, leaves[4] as NewLeaf]));
      expectRecord(store.getLeaf((leaves[4] as NewLeaf).leafHash), leaves[4] as NewLeaf, {
        sequence: 1n,
        index: 1,
      });
      assert.deepEqual(store.head(), next);
      assert.deepEqual(store.getBatch(0n), batch);
      assert.equal(store.getBatch(2n), undefined);
      assert.equal(store.pendingCount(), 0);
    });

    test('commitBatch refuses with CONFLICT and changes nothing', async () => {
      const store = await open();
      const leaves = Array.from({ length: 4 }, (_, i) => makeLeaf(`k-${i}`));
      await store.add(leaves.slice(0, 3));
      const snapshot = (): unknown => [store.pendingCount(), store.pendingLeaves(10), store.head()];
      const before = snapshot();
      await assert.rejects(
        store.commitBatch(makeBatch(1n, 1), levelsOf(leaves.slice(0, 1))),
        isCode('CONFLICT'),
      );
      await assert.rejects(
        store.commitBatch(makeBatch(0n, 2), levelsOf([leaves[0] as NewLeaf, leaves[3] as NewLeaf])),
        isCode('CONFLICT'),
        'a leaf that was never stored',
      );
      await assert.rejects(
        store.commitBatch(makeBatch(0n, 2), levelsOf([leaves[0] as NewLeaf, leaves[0] as NewLeaf])),
        isCode('CONFLICT'),
        'the same leaf twice',
      );
      await assert.rejects(
        store.commitBatch(makeBatch(0n, 2), levelsOf([leaves[1] as NewLeaf, leaves[0] as NewLeaf])),
        isCode('CONFLICT'),
        'pending leaves out of arrival order',
      );
      await assert.rejects(
        store.commitBatch(makeBatch(0n, 1), levelsOf([leaves[1] as NewLeaf])),
        isCode('CONFLICT'),
        'a pending leaf that is not the oldest',
      );
      await assert.rejects(
        store.commitBatch(makeBatch(0n, 4), levelsOf([...leaves.slice(0, 3), makeLeaf('k-late')])),
        isCode('CONFLICT'),
        'more leaves than are pending',
      );
      assert.deepEqual(snapshot(), before);
      const batch = makeBatch(0n, 1);
      await store.commitBatch(batch, levelsOf(leaves.slice(0, 1)));
      await assert.rejects(store.commitBatch(batch, levelsOf(leaves.slice(0, 1))), isCode('CONFLICT'));
      await assert.rejects(
        store.commitBatch(makeBatch(1n, 2), levelsOf([leaves[1] as NewLeaf, leaves[0] as NewLeaf])),
        isCode('CONFLICT'),
        'a leaf sealed already',
      );
      await assert.rejects(
        store.commitBatch(makeBatch(3n, 1), levelsOf(leaves.slice(1, 2))),
        isCode('CONFLICT'),
      );
      await assert.rejects(
        store.commitBatch(makeBatch(0n, 1), levelsOf(leaves.slice(1, 2))),
        isCode('CONFLICT'),
      );
      assert.equal(store.pendingCount(), 2);
      expectRecord(store.getLeaf((leaves[1] as NewLeaf).leafHash), leaves[1] as NewLeaf);
      // Two racing commits of the same sequence: exactly one wins.
      const results = await Promise.allSettled([
        store.commitBatch(makeBatch(1n, 1), levelsOf(leaves.slice(1, 2))),
        store.commitBatch(makeBatch(1n, 1), levelsOf(leaves.slice(2, 3))),
      ]);
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      const lost = results.find((r) => r.status === 'rejected');
      assert.ok(lost?.status === 'rejected' && isCode('CONFLICT')(lost.reason));
      assert.equal(store.pendingCount(), 1);
      assert.equal(store.head()?.sequence, 1n);
    });

    test('pendingHashes gives the oldest leaf hashes in arrival order across separate and concurrent adds', async () => {
      const store = await open();
      const leaves = Array.from({ length: 40 }, (_, i) => makeLeaf(`ph-${i}`));
      await store.add(leaves.slice(0, 3));
      // Concurrent adds (one write transaction may take several) keep the order in which add() was called.
      await Promise.all([
        store.add(leaves.slice(3, 10)),
        store.add([leaves[10] as NewLeaf]),
        store.add(leaves.slice(11, 25)),
      ]);
      await store.add(leaves.slice(25));
      const flat = (ls: readonly NewLeaf[]): string => ls.map(hex).join('');
      assert.equal(Buffer.from(store.pendingHashes(100)).toString('hex'), flat(leaves));
      assert.equal(Buffer.from(store.pendingHashes(12)).toString('hex'), flat(leaves.slice(0, 12)));
      assert.equal(store.pendingHashes(0).length, 0);
      assert.throws(() => store.pendingHashes(-1), RangeError);
    });

    test('a malformed leaf fails only its own add, not concurrent adds that share a write', async () => {
      const store = await open();
      const good = makeLeaf('mg-good');
      const bad = { ...makeLeaf('mg-bad'), source: new Uint8Array(5) };
      const [ok, refused] = await Promise.allSettled([store.add([good]), store.add([bad])]);
      assert.equal(ok.status, 'fulfilled');
      assert.ok(refused.status === 'rejected' && refused.reason instanceof RangeError);
      expectRecord(store.getLeaf(good.leafHash), good);
      assert.equal(store.getLeaf(bad.leafHash), undefined);
      assert.equal(store.pendingCount(), 1);
    });

    test('pendingHashes while adds are being committed returns a consistent oldest-first prefix, never an error', async () => {
      const store = await open(1_000_000);
      const leaves = Array.from({ length: 6_000 }, (_, i) => makeLeaf(`race-${i}`));
      const all = Buffer.concat(leaves.map((l) => Buffer.from(l.leafHash)));
      let reads = 0;
      const writing = (async () => {
        for (let at = 0; at < leaves.length; at += 50) await store.add(leaves.slice(at, at + 50));
      })();
      let done = false;
      void writing.finally(() => {
        done = true;
      });
      while (!done && reads < 5_000) {
        const got = store.pendingHashes(1_000_000);
        assert.equal(got.length % 32, 0);
        assert.equal(
          Buffer.compare(Buffer.from(got), all.subarray(0, got.length)),
          0,
          'a prefix, oldest first',
        );
        reads++;
        await new Promise((resolve) => setImmediate(resolve));
      }
      await writing;
      assert.ok(reads > 0);
      assert.equal(Buffer.compare(Buffer.from(store.pendingHashes(1_000_000)), all), 0);
    });

    test('batches that split and join add runs give every leaf its position, kept across reopen', async () => {
      let store = await open();
      const leaves = Array.from({ length: 30 }, (_, i) =>
        makeLeaf(`sr-${i}`, i % 3 === 0 ? `sr-id-${i}` : ''),
      );
      await store.add(leaves.slice(0, 10));
      await Promise.all([store.add(leaves.slice(10, 17)), store.add(leaves.slice(17, 23))]);
      await store.add(leaves.slice(23));
      // Batch sizes that cut through runs: 4 | 9 | 12 | 5.
      const cuts = [0, 4, 13, 25, 30];
      for (let b = 0; b + 1 < cuts.length; b++) {
        const part = leaves.slice(cuts[b], cuts[b + 1]);
        assert.equal(Buffer.from(store.pendingHashes(part.length)).toString('hex'), part.map(hex).join(''));
        await store.commitBatch(makeBatch(BigInt(b), part.length), levelsOf(part));
        assert.equal(store.pendingCount(), 30 - (cuts[b + 1] as number));
      }
      const check = (s: Store): void => {
        for (let b = 0; b + 1 < cuts.length; b++)
          expectNodes(s, BigInt(b), levelsOf(leaves.slice(cuts[b], cuts[b + 1])));
        for (let b = 0; b + 1 < cuts.length; b++)
          for (let i = cuts[b] as number; i < (cuts[b + 1] as number); i++)
            expectRecord(s.getLeaf((leaves[i] as NewLeaf).leafHash), leaves[i] as NewLeaf, {
              sequence: BigInt(b),
              index: i - (cuts[b] as number),
            });
        expectRecord(s.getByRequestId('sr-id-27'), leaves[27] as NewLeaf, { sequence: 3n, index: 2 });
      };
      check(store);
      await store.close();
      store = await open();
      check(store);
      // New leaves after reopen never take an arrival a sealed run refers to.
      const late = makeLeaf('sr-late');
      await store.add([late]);
      expectRecord(store.getLeaf(late.leafHash), late);
      check(store);
      await store.commitBatch(makeBatch(4n, 1), levelsOf([late]));
      expectRecord(store.getLeaf(late.leafHash), late, { sequence: 4n, index: 0 });
      check(store);
    });

    test('commitBatch rejects levels that are not the tree of treeSize leaves', async () => {
      const store = await open();
      const leaves = [makeLeaf('v-0'), makeLeaf('v-1')];
      await store.add(leaves);
      await assert.rejects(store.commitBatch(makeBatch(0n, 3), levelsOf(leaves)), RangeError);
      await assert.rejects(store.commitBatch(makeBatch(0n, 2), levelsOf(leaves).slice(0, 1)), RangeError);
      assert.equal(store.pendingCount(), 2);
    });

    test('readNode returns every stored node and serves inclusion paths', async () => {
      const store = await open();
      const sizes = [1, 2, 3, 255, 256, 257, 1000];
      const built: Uint8Array[][] = [];
      for (const [s, size] of sizes.entries()) {
        const leaves = Array.from({ length: size }, (_, i) => makeLeaf(`t${size}-${i}`));
        await store.add(leaves);
        const levels = levelsOf(leaves);
        built.push(levels);
        await store.commitBatch(makeBatch(BigInt(s), size), levels);
      }
      for (const [s, size] of sizes.entries()) {
        const levels = built[s] as Uint8Array[];
        const sequence = BigInt(s);
        const read = (level: number, index: number): Uint8Array => store.readNode(sequence, level, index);
        levelSizes(size).forEach((count, level) => {
          const all = new Uint8Array(count * 32);
          for (let i = 0; i < count; i++) all.set(read(level, i), i * 32);
          assert.deepEqual(all, levels[level], `batch of ${size}, level ${level}`);
          assert.throws(() => read(level, count), RangeError);
        });
        const reference = levelReader(levels);
        const indexes =
          size <= 300 ? Array.from({ length: size }, (_, i) => i) : [0, 1, 255, 256, 511, 998, 999];
        for (const index of indexes) {
          assert.deepEqual(inclusionPath(size, index, read), inclusionPath(size, index, reference));
        }
        const node = read(0, 0);
        node.fill(0);
        assert.notDeepEqual(read(0, 0), node, 'readNode returns a copy');
      }
      assert.throws(() => store.readNode(99n, 0, 0), RangeError);
      assert.throws(() => store.readNode(0n, 5, 0), RangeError);
    });

    test('a batch of 66,000 leaves added in runs of 1,000: every node on every level, across reopen', async () => {
      let store = await open(70_000);
      const leaves = Array.from({ length: 66_000 }, (_, i) => makeLeaf(`big-${i}`));
      for (let at = 0; at < leaves.length; at += 1000) await store.add(leaves.slice(at, at + 1000));
      const levels = levelsOf(leaves);
      await store.commitBatch(makeBatch(0n, leaves.length), levels);
      expectNodes(store, 0n, levels);
      await store.close();
      store = await open(70_000);
      const reference = levelReader(levels);
      for (const index of [0, 255, 256, 65_535, 65_536, 65_999])
        assert.deepEqual(
          inclusionPath(leaves.length, index, (l, i) => store.readNode(0n, l, i)),
          inclusionPath(leaves.length, index, reference),
        );
    });

    test('key history appends in order and closes the current window', async () => {
      const store = await open();
      const k0 = keyEntry(0, 1000);
      const k1 = keyEntry(1, 5000);
      const k2 = keyEntry(2, 9000);
      await store.appendKey(k0);
      assert.deepEqual(store.keyHistory(), [k0]);
      await store.appendKey(k1);
      await store.appendKey(k2);
      assert.deepEqual(store.keyHistory(), [
        { ...k0, validUntilMs: 5000 },
        { ...k1, validUntilMs: 9000 },
        k2,
      ]);
    });

    test('everything persists across close and reopen', async () => {
      let store = await open();
      const logId = store.logId;
      const leaves = Array.from({ length: 6 }, (_, i) => makeLeaf(`r-${i}`, `rid-${i}`, 100 + i));
      await store.add(leaves);
      const batch = makeBatch(0n, 2);
      const levels = levelsOf(leaves.slice(0, 2));
      await store.commitBatch(batch, levels);
      const key = keyEntry(0, 1);
      await store.appendKey(key);
      await closeAll();

      store = await open();
      assert.deepEqual(store.logId, logId);
      assert.equal(store.pendingCount(), 4);
      assert.equal(store.oldestPendingMs(), 102);
      assert.deepEqual(store.pendingLeaves(10).map(hex), leaves.slice(2).map(hex));
      assert.deepEqual(store.head(), batch);
      expectRecord(store.getLeaf((leaves[1] as NewLeaf).leafHash), leaves[1] as NewLeaf, {
        sequence: 0n,
        index: 1,
      });
      expectRecord(store.getByRequestId('rid-4'), leaves[4] as NewLeaf);
      assert.deepEqual(store.readNode(0n, 1, 0), levels[1]);
      assert.deepEqual(store.keyHistory(), [key]);
      // Later arrivals queue behind the recovered ones.
      const late = makeLeaf('late', '', 50);
      assert.equal(await addOne(store, late), 'stored');
      assert.deepEqual(store.pendingLeaves(10).map(hex), [...leaves.slice(2), late].map(hex));
      assert.equal(await addOne(store, leaves[3] as NewLeaf), 'duplicate');
      await store.commitBatch(makeBatch(1n, 2), levelsOf(leaves.slice(2, 4)));
      await closeAll();

      store = await open();
      assert.equal(store.head()?.sequence, 1n);
      assert.equal(store.pendingCount(), 3);
    });

    test('usage: new leaves counted per client and UTC day in their own write, duplicates and refusals not', async () => {
      const day = Date.UTC(2026, 11, 6, 9);
      const as = (tag: string, client: string | undefined, immediate = false, at = day): NewLeaf => ({
        ...makeLeaf(tag),
        client,
        immediate,
        acceptedAtMs: at,
      });
      const store = await open(5);
      await store.add([as('a1', 'alice'), as('a2', 'alice', true), as('b1', 'bob'), as('n1', undefined)]);
      await store.add([as('a1', 'alice'), as('b1', 'alice')]); // duplicates: nothing stored, nothing counted
      await store.add([as('a3', 'alice', false, day + 86_400_000), as('full', 'bob')]); // the second one is 'full'
      const rows = store.usage();
      const d = Math.floor(day / 86_400_000);
      assert.deepEqual(rows, [
        { client: 'alice', day: d, submissions: 2, immediate: 1 },
        { client: 'alice', day: d + 1, submissions: 1, immediate: 0 },
        { client: 'anonymous', day: d, submissions: 1, immediate: 0 },
        { client: 'bob', day: d, submissions: 1, immediate: 0 },
      ]);
      assert.deepEqual(store.usage({ client: 'alice', fromDay: d + 1 }), [rows[1]]);
      assert.deepEqual(
        store.usage({ client: 'al' }),
        [],
        'a name that is a prefix of another is its own client',
      );
      // Who is in a sealed batch: its 5 oldest pending leaves.
      const pending = store.pendingLeaves(10);
      await store.commitBatch(makeBatch(0n, 5), levelsOf(pending));
      assert.deepEqual(
        store.batchClients(0n).sort((x, y) => (x.client < y.client ? -1 : 1)),
        [
          { client: 'alice', leaves: 3, immediate: 1 },
          { client: 'anonymous', leaves: 1, immediate: 0 },
          { client: 'bob', leaves: 1, immediate: 0 },
        ],
      );
      await store.close();
      const reopened = await open(5);
      assert.deepEqual(reopened.usage(), rows);
    });

    test('quotas: checked in the write that stores, so concurrent adds never pass a limit; other clients unaffected', async () => {
      const day = Date.UTC(2026, 11, 6, 9);
      const as = (tag: string, client: string, quota: NewLeaf['quota'], immediate = false): NewLeaf => ({
        ...makeLeaf(tag),
        client,
        immediate,
        acceptedAtMs: day,
        quota,
      });
      const store = await open();
      const quota = { daily: 10, immediateDaily: 2 };
      const outcomes = await Promise.all(
        Array.from({ length: 30 }, (_, i) => store.add([as(`q${i}`, 'alice', quota, i % 3 === 0)])),
      );
      const stored = outcomes.filter(([o]) => o?.kind === 'stored').length;
      const refused = outcomes.flatMap(([o]) => (o?.kind === 'quota' ? [o.refusal] : []));
      assert.equal(stored, 10);
      assert.equal(refused.length, 20);
      assert.ok(refused.every((r) => r.quota === 'daily' || r.quota === 'immediate-daily'));
      assert.equal(refused.find((r) => r.quota === 'daily')?.resetsAtMs, Date.UTC(2026, 11, 7));
      const counted = store.usage({ client: 'alice' });
      assert.equal(counted[0]?.submissions, 10);
      assert.ok((counted[0]?.immediate ?? 0) <= 2);
      // A duplicate of a stored leaf is answered even at the limit; bob has his own count.
      const [dup] = await store.add([as('q0', 'alice', quota, true)]);
      assert.equal(dup?.kind, 'duplicate');
      const [bob] = await store.add([as('bob-1', 'bob', { daily: 1 })]);
      assert.equal(bob?.kind, 'stored');
      const [bob2] = await store.add([as('bob-2', 'bob', { daily: 1 })]);
      assert.deepEqual(bob2?.kind === 'quota' ? bob2.refusal.quota : bob2?.kind, 'daily');
      // Monthly: counted over the month's days.
      const [m] = await store.add([as('m-1', 'alice', { monthly: 10 })]);
      assert.deepEqual(m?.kind === 'quota' ? [m.refusal.quota, m.refusal.resetsAtMs] : m?.kind, [
        'monthly',
        Date.UTC(2027, 0, 1),
      ]);
    });

    test('prepaid credit: a top-up counts once by its hash, submissions debit it in the write that stores them, and none passes the balance', async () => {
      const hash = (tag: string) => sha(`transfer:${tag}`);
      const priced = (tag: string, client: string, price: bigint): NewLeaf => ({
        ...makeLeaf(tag),
        client,
        price,
      });
      let store = await open();
      assert.deepEqual(store.creditBalances(), []);
      assert.equal(store.creditScan('TOPERATOR'), 0n);
      const first = await store.creditTopUps(
        [
          { hash: hash('a'), client: 'alice', amount: 1_000n, height: 10n },
          { hash: hash('b'), client: 'bob', amount: 50n, height: 11n },
        ],
        { account: 'TOPERATOR', through: 12n },
      );
      assert.deepEqual(first, [true, true]);
      // The same transfer again (a re-listing, a fork that moved it): not credited twice, even beside a new one.
      const again = await store.creditTopUps(
        [
          { hash: hash('a'), client: 'alice', amount: 1_000n, height: 15n },
          { hash: hash('c'), client: 'alice', amount: 500n, height: 15n },
        ],
        { account: 'TOPERATOR', through: 9n },
      );
      assert.deepEqual(again, [false, true]);
      assert.equal(store.creditScan('TOPERATOR'), 12n, 'the scan position never goes back');
      assert.deepEqual(store.creditedTopUp(hash('a')), {
        hash: hash('a'),
        client: 'alice',
        amount: 1_000n,
        height: 10n,
      });
      // 1,500 µXYM at 100 a submission: 15 of 40 concurrent submissions pass, whatever the interleaving.
      const outcomes = await Promise.all(
        Array.from({ length: 40 }, (_, i) => store.add([priced(`c${i}`, 'alice', 100n)])),
      );
      assert.equal(outcomes.filter(([o]) => o?.kind === 'stored').length, 15);
      const refusals = outcomes.flatMap(([o]) => (o?.kind === 'credit' ? [o.refusal] : []));
      assert.equal(refusals.length, 25);
      assert.deepEqual(refusals[0], { balance: 0n, needs: 100n });
      // A duplicate is answered without a debit; a cheaper price still fits nothing; a free one passes.
      const [dup] = await store.add([priced('c0', 'alice', 100n)]);
      assert.equal(dup?.kind, 'duplicate');
      const [free] = await store.add([priced('free', 'alice', 0n)]);
      assert.equal(free?.kind, 'stored');
      // bob has his own balance: 50 covers one at 30 and refuses the second, naming both amounts.
      const [b1, b2] = await store.add([priced('b1', 'bob', 30n), priced('b2', 'bob', 30n)]);
      assert.equal(b1?.kind, 'stored');
      assert.deepEqual(b2?.kind === 'credit' ? b2.refusal : b2?.kind, { balance: 20n, needs: 30n });
      assert.equal(store.getLeaf(makeLeaf('b2').leafHash), undefined, 'a refused leaf is not stored');
      const balances = store.creditBalances();
      await store.close();
      store = await open();
      assert.deepEqual(store.creditBalances(), balances, 'balances survive a reopen');
      assert.deepEqual(
        balances.map((b) => [b.client, b.credited, b.spent]),
        [
          ['alice', 1_500n, 1_500n],
          ['bob', 50n, 30n],
        ],
      );
      assert.deepEqual(
        await store.creditTopUps([{ hash: hash('a'), client: 'alice', amount: 9n, height: 1n }]),
        [false],
      );
      assert.deepEqual(store.creditBalances('carol'), []);
      await assert.rejects(
        store.creditTopUps([{ hash: hash('x'), client: 'bad\u0000name', amount: 1n, height: 1n }]),
        /client/,
      );
      await store.close();
    });

    test('after close every call fails with CLOSED', async () => {
      const store = await open();
      const pendingAdd = store.add([makeLeaf('in-flight')]);
      await store.close();
      assert.equal((await pendingAdd)[0]?.kind, 'stored', 'close waits for writes in flight');
      await assert.rejects(store.add([makeLeaf('a')]), isCode('CLOSED'));
      await assert.rejects(store.commitBatch(makeBatch(0n, 1), levelsOf([makeLeaf('a')])), isCode('CLOSED'));
      await assert.rejects(store.appendKey(keyEntry(0, 1)), isCode('CLOSED'));
      await assert.rejects(store.close(), isCode('CLOSED'));
      assert.throws(() => store.getLeaf(makeLeaf('a').leafHash), isCode('CLOSED'));
      assert.throws(() => store.getByRequestId('x'), isCode('CLOSED'));
      assert.throws(() => store.pendingCount(), isCode('CLOSED'));
      assert.throws(() => store.pendingLeaves(1), isCode('CLOSED'));
      assert.throws(() => store.oldestPendingMs(), isCode('CLOSED'));
      assert.throws(() => store.head(), isCode('CLOSED'));
      assert.throws(() => store.getBatch(0n), isCode('CLOSED'));
      assert.throws(() => store.readNode(0n, 0, 0), isCode('CLOSED'));
      assert.throws(() => store.keyHistory(), isCode('CLOSED'));
    });
  });
}
