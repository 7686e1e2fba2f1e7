// Runs the Store contract against the LMDB store, plus its on-disk format, corruption and path checks.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { type Database, open } from 'lmdb';
import { decodeLeaf, encodeLeaf, encodeRecordGroup, sealLeaf } from '../../src/store/lmdb-codecs.ts';
import { DB_NAMES, LMDB_FORMAT_VERSION, META_FORMAT, u32Key, u64Key } from '../../src/store/lmdb-layout.ts';
import { openLmdbStore } from '../../src/store/lmdb-store.ts';
import { StoreError } from '../../src/store/store-error.ts';
import { levelsOf, makeBatch, makeLeaf, storeContract } from './store-contract.ts';

storeContract('LMDB', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spark-lmdb-'));
  return {
    open: (options) =>
      openLmdbStore({ path: join(dir, 'data.db'), pendingCapacity: options?.pendingCapacity ?? 1000 }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

// SPARK_MEMORY_PROFILE=lean: the same file, mapped in chunks.
storeContract('LMDB, chunked mapping', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spark-lmdb-chunked-'));
  return {
    open: (options) =>
      openLmdbStore({
        path: join(dir, 'data.db'),
        pendingCapacity: options?.pendingCapacity ?? 1000,
        chunkedMapping: true,
      }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

type Sub = (name: string) => Database<Buffer, Buffer>;

/** Opens a closed store's file directly, hands `use` its sub-databases, and closes it. */
async function withRaw<T>(path: string, use: (sub: Sub) => T | Promise<T>): Promise<T> {
  const root = open<Buffer, Buffer>({
    path,
    noSubdir: false,
    encoding: 'binary',
    keyEncoding: 'binary',
    maxDbs: 16,
  });
  try {
    return await use((name) =>
      root.openDB<Buffer, Buffer>(name, { encoding: 'binary', keyEncoding: 'binary' }),
    );
  } finally {
    await root.close();
  }
}

/** Writes raw bytes into one sub-database of a closed store. */
async function poke(path: string, dbName: string, key: Buffer, value: Buffer): Promise<void> {
  await withRaw(path, (sub) => sub(dbName).put(key, value));
}

function isCode(code: string, mention?: RegExp): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof StoreError, `expected a StoreError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (mention !== undefined) assert.match(error.message, mention);
    return true;
  };
}

describe('LMDB store on disk', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'spark-lmdb-'));
    path = join(dir, 'data');
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test('a data dir of a newer format version is refused, naming both versions', async () => {
    await (await openLmdbStore({ path, pendingCapacity: 10 })).close();
    await poke(path, DB_NAMES.meta, META_FORMAT, u32Key(LMDB_FORMAT_VERSION + 1));
    await assert.rejects(
      openLmdbStore({ path, pendingCapacity: 10 }),
      isCode(
        'FORMAT_UNSUPPORTED',
        new RegExp(`version ${LMDB_FORMAT_VERSION + 1}.*version ${LMDB_FORMAT_VERSION}`),
      ),
    );
  });

  test('a version 1 data dir is read as it is and upgraded: sealed positions in records, one hash per pending entry', async () => {
    const [a, b, c, d] = ['v1-a', 'v1-b', 'v1-c', 'v1-d'].map((tag) => makeLeaf(tag, `${tag}-id`)) as [
      ReturnType<typeof makeLeaf>,
      ReturnType<typeof makeLeaf>,
      ReturnType<typeof makeLeaf>,
      ReturnType<typeof makeLeaf>,
    ];
    const first = await openLmdbStore({ path, pendingCapacity: 10 });
    await first.add([a, b, c]);
    await first.close();
    // Rewrite it as version 1 wrote it: a's record carries its position, b and c sit in pending one by one.
    // Rewrite it as version 1 wrote it: each leaf's record in the leaves table under its hash, a's with its
    // position, b and c in pending one by one, keyed by the arrival written in their records (1 and 2).
    await withRaw(path, (sub) => {
      const leaves = sub(DB_NAMES.leaves);
      const pending = sub(DB_NAMES.pending);
      return leaves.transaction(() => {
        sub(DB_NAMES.meta).putSync(META_FORMAT, u32Key(1));
        for (const name of [DB_NAMES.index, DB_NAMES.records, DB_NAMES.pending])
          for (const key of sub(name).getKeys()) sub(name).removeSync(key);
        leaves.putSync(Buffer.from(a.leafHash), sealLeaf(encodeLeaf(a, 0), 0n, 5));
        leaves.putSync(Buffer.from(b.leafHash), encodeLeaf(b, 1));
        leaves.putSync(Buffer.from(c.leafHash), encodeLeaf(c, 2));
        pending.putSync(u64Key(1), Buffer.from(b.leafHash));
        pending.putSync(u64Key(2), Buffer.from(c.leafHash));
      });
    });
    const store = await openLmdbStore({ path, pendingCapacity: 10 });
    try {
      assert.deepEqual(store.getLeaf(a.leafHash)?.position, { sequence: 0n, index: 5 });
      assert.equal(store.pendingCount(), 2);
      assert.deepEqual(
        store.pendingLeaves(10).map((l) => l.requestId),
        ['v1-b-id', 'v1-c-id'],
      );
      await store.commitBatch(makeBatch(0n, 2), levelsOf([b, c]));
      assert.deepEqual(store.getByRequestId('v1-c-id')?.position, { sequence: 0n, index: 1 });
      assert.deepEqual(store.getLeaf(a.leafHash)?.position, { sequence: 0n, index: 5 });
      const [added] = await store.add([d]);
      assert.equal(added?.kind, 'stored');
      assert.equal(store.getLeaf(d.leafHash)?.position, undefined);
    } finally {
      await store.close();
    }
    await withRaw(path, (sub) => {
      assert.equal(sub(DB_NAMES.meta).get(META_FORMAT)?.readUInt32BE(0), LMDB_FORMAT_VERSION);
      // Sealing never rewrites a leaf record: b's is still the pending record version 1 wrote, and d's went to
      // the record log.
      const rawB = sub(DB_NAMES.leaves).get(Buffer.from(b.leafHash));
      assert.ok(rawB);
      assert.equal(decodeLeaf(b.leafHash, rawB, 'b').position, undefined);
      assert.equal(sub(DB_NAMES.leaves).get(Buffer.from(d.leafHash)), undefined);
      assert.equal(sub(DB_NAMES.index).get(Buffer.from(d.leafHash))?.length, 8);
    });
  });

  test('a record that does not decode is CORRUPT, naming it', async () => {
    const leaf = makeLeaf('a');
    const store = await openLmdbStore({ path, pendingCapacity: 10 });
    await store.add([leaf]);
    await store.close();
    await poke(path, DB_NAMES.records, u64Key(0), encodeRecordGroup([Buffer.from([1, 2, 3])]));
    const reopened = await openLmdbStore({ path, pendingCapacity: 10 });
    try {
      assert.throws(() => reopened.getLeaf(leaf.leafHash), isCode('CORRUPT', /leaves\/[0-9a-f]{64}/));
      assert.throws(() => reopened.pendingLeaves(10), isCode('CORRUPT'));
      await assert.rejects(reopened.add([leaf]), isCode('CORRUPT'));
    } finally {
      await reopened.close();
    }
    // A record log entry whose offsets do not fit, and an index entry of the wrong size, name themselves.
    await poke(path, DB_NAMES.records, u64Key(0), Buffer.from([0, 0, 0, 9, 0, 0, 0, 1]));
    const again = await openLmdbStore({ path, pendingCapacity: 10 });
    try {
      assert.throws(() => again.getLeaf(leaf.leafHash), isCode('CORRUPT', /records\/0/));
    } finally {
      await again.close();
    }
    await poke(path, DB_NAMES.index, Buffer.from(leaf.leafHash), Buffer.from([1]));
    const third = await openLmdbStore({ path, pendingCapacity: 10 });
    try {
      assert.throws(() => third.getLeaf(leaf.leafHash), isCode('CORRUPT', /index\/[0-9a-f]{64}/));
    } finally {
      await third.close();
    }
  });

  test('a malformed format record is CORRUPT', async () => {
    await (await openLmdbStore({ path, pendingCapacity: 10 })).close();
    await poke(path, DB_NAMES.meta, META_FORMAT, Buffer.from('x'));
    await assert.rejects(openLmdbStore({ path, pendingCapacity: 10 }), isCode('CORRUPT', /meta\/format/));
  });

  test('a path that is a file is refused with IO', async () => {
    writeFileSync(path, 'not a directory');
    await assert.rejects(openLmdbStore({ path, pendingCapacity: 10 }), isCode('IO', /not a directory/));
  });

  test('invalid options are refused', async () => {
    await assert.rejects(openLmdbStore({ path, pendingCapacity: -1 }), RangeError);
    await assert.rejects(openLmdbStore({ path: '', pendingCapacity: 1 }), RangeError);
  });

  test('adds fail loudly on malformed leaves', async () => {
    const store = await openLmdbStore({ path, pendingCapacity: 10 });
    try {
      await assert.rejects(store.add([{ ...makeLeaf('a'), leafHash: new Uint8Array(31) }]), /leafHash/);
      assert.equal(store.pendingCount(), 0);
    } finally {
      await store.close();
    }
  });
});
