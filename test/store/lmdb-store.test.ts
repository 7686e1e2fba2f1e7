// Runs the Store contract against the LMDB store, plus its on-disk format, corruption and path checks.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { type Database, open } from 'lmdb';
import { encodeRecordGroup } from '../../src/store/lmdb-codecs.ts';
import { checkLmdbFile } from '../../src/store/lmdb-file-check.ts';
import {
  DB_NAMES,
  INDEX_PREFIX_BYTES,
  indexKey,
  LMDB_FORMAT_VERSION,
  META_FORMAT,
  u32Key,
  u64Key,
} from '../../src/store/lmdb-layout.ts';
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
    // The leaf index holds sorted duplicates (several arrivals under one hash prefix); it must be opened so.
    return await use((name) =>
      root.openDB<Buffer, Buffer>(name, {
        encoding: 'binary',
        keyEncoding: 'binary',
        dupSort: name === DB_NAMES.index,
      }),
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

  test('a version 1 data dir (development builds before the first release) is refused, untouched', async () => {
    const first = await openLmdbStore({ path, pendingCapacity: 10 });
    await first.add([makeLeaf('v1-a')]);
    await first.close();
    await withRaw(path, (sub) => sub(DB_NAMES.meta).put(META_FORMAT, u32Key(1)));
    await assert.rejects(
      openLmdbStore({ path, pendingCapacity: 10 }),
      isCode(
        'FORMAT_UNSUPPORTED',
        /store format version 1, written by a development build.*versions 2 and 3/,
      ),
    );
    await withRaw(path, (sub) => {
      assert.equal(sub(DB_NAMES.meta).get(META_FORMAT)?.readUInt32BE(0), 1, 'the version is left as it was');
    });
  });

  test('a stored batch whose header does not decode, or names another batch, is CORRUPT naming it', async () => {
    const leaf = makeLeaf('h');
    const store = await openLmdbStore({ path, pendingCapacity: 10 });
    await store.add([leaf]);
    const batch = makeBatch(0n, 1);
    await store.commitBatch(batch, levelsOf([leaf]));
    assert.deepEqual(store.getBatch(0n)?.fields, batch.fields, 'the record carries its decoded header');
    await store.close();
    const raw = await withRaw(path, (sub) => sub(DB_NAMES.batches).get(u64Key(0)));
    assert.ok(raw);
    const at = raw.indexOf(Buffer.from(batch.header));
    assert.ok(at > 0);
    for (const [change, expected] of [
      [
        (b: Buffer) => b.writeUInt32BE(0, at),
        /batches\/0 is corrupt: header: header does not start with the magic/,
      ],
      [
        (b: Buffer) => b.writeBigUInt64BE(7n, at + 38),
        /batches\/0 is corrupt: header: sequence 7 stored under 0/,
      ],
    ] as const) {
      const bad = Buffer.from(raw);
      change(bad);
      await poke(path, DB_NAMES.batches, u64Key(0), bad);
      // Refused when the store reads it: at open (the head batch) or at the first read.
      const readBatch = async () => {
        const reopened = await openLmdbStore({ path, pendingCapacity: 10 });
        try {
          reopened.getBatch(0n);
        } finally {
          await reopened.close();
        }
      };
      await assert.rejects(readBatch(), isCode('CORRUPT', expected));
    }
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
    const prefix = indexKey(Buffer.from(leaf.leafHash));
    const replaceIndex = (value: Buffer) =>
      withRaw(path, (sub) =>
        sub(DB_NAMES.index).transactionSync(() => {
          sub(DB_NAMES.index).clearSync();
          sub(DB_NAMES.index).putSync(prefix, value);
        }),
      );
    await replaceIndex(Buffer.from([1]));
    const third = await openLmdbStore({ path, pendingCapacity: 10 });
    try {
      assert.throws(() => third.getLeaf(leaf.leafHash), isCode('CORRUPT', /leaf-prefixes\/[0-9a-f]{16}/));
    } finally {
      await third.close();
    }
    // An index entry pointing past the hash log.
    await replaceIndex(u64Key(99));
    const fourth = await openLmdbStore({ path, pendingCapacity: 10 });
    try {
      assert.throws(
        () => fourth.getLeaf(leaf.leafHash),
        isCode('CORRUPT', /arrival 99 is not in the hash log/),
      );
    } finally {
      await fourth.close();
    }
  });

  test('leaves whose hashes share the indexed prefix are told apart: adds, duplicates, lookups, seals, reopen', async () => {
    // Real leaf hashes are SHA-256 outputs, so a shared 8-byte prefix is a birthday event; the store is handed
    // hashes directly here to make one happen 300 times (past what LMDB keeps inline in a node).
    const prefix = Buffer.from('0123456789abcdef', 'hex');
    const leafWith = (i: number, requestId = '') => {
      const leaf = makeLeaf(`shared-${i}`, requestId);
      const leafHash = Buffer.concat([prefix, Buffer.from(leaf.leafHash).subarray(INDEX_PREFIX_BYTES)]);
      return { ...leaf, leafHash };
    };
    const leaves = Array.from({ length: 300 }, (_, i) => leafWith(i, i % 3 === 0 ? `shared-id-${i}` : ''));
    const store = await openLmdbStore({ path, pendingCapacity: 1000 });
    try {
      const first = await store.add(leaves.slice(0, 150));
      assert.ok(first.every((o) => o.kind === 'stored'));
      // Concurrent adds again of the same leaves, beside new ones: each new one stored once, the rest duplicates.
      const again = await Promise.all(leaves.map((leaf) => store.add([leaf])));
      assert.deepEqual(
        again.map(([o]) => o?.kind),
        leaves.map((_, i) => (i < 150 ? 'duplicate' : 'stored')),
      );
      for (const [i, leaf] of leaves.entries())
        assert.deepEqual(store.getLeaf(leaf.leafHash)?.digest, leaf.digest, `leaf ${i}`);
      const stranger = Buffer.concat([prefix, Buffer.alloc(32 - INDEX_PREFIX_BYTES, 0xee)]);
      assert.equal(store.getLeaf(stranger), undefined);
      await store.commitBatch(makeBatch(0n, 300), levelsOf(leaves));
    } finally {
      await store.close();
    }
    assert.ok(checkLmdbFile(path), 'the duplicates tree passes the file check');
    const reopened = await openLmdbStore({ path, pendingCapacity: 1000 });
    try {
      for (const [i, leaf] of leaves.entries())
        assert.deepEqual(reopened.getLeaf(leaf.leafHash)?.position, { sequence: 0n, index: i });
      assert.equal(reopened.getByRequestId('shared-id-297')?.position?.index, 297);
      const [dup] = await reopened.add([leaves[42] as (typeof leaves)[number]]);
      assert.equal(dup?.kind, 'duplicate');
    } finally {
      await reopened.close();
    }
    await withRaw(path, (sub) => {
      assert.equal([...sub(DB_NAMES.index).getValues(prefix)].length, 300);
    });
  });

  test('a version 2 data dir is upgraded on open: its leaf index rebuilt under prefixes, in chunks', async () => {
    const leaves = Array.from({ length: 5 }, (_, i) => makeLeaf(`v2-${i}`, `v2-${i}-id`));
    const store = await openLmdbStore({ path, pendingCapacity: 10 });
    await store.add(leaves);
    await store.close();
    // Rewrite the index as version 2 kept it, plus 70,000 entries of other leaves (more than one upgrade chunk).
    const extra = 70_000;
    await withRaw(path, (sub) =>
      sub(DB_NAMES.meta).transactionSync(() => {
        sub(DB_NAMES.meta).putSync(META_FORMAT, u32Key(2));
        sub(DB_NAMES.index).clearSync();
        const legacy = sub(DB_NAMES.legacyIndex);
        for (const [i, leaf] of leaves.entries()) legacy.putSync(Buffer.from(leaf.leafHash), u64Key(i));
        for (let i = 0; i < extra; i++) {
          const hash = Buffer.alloc(32);
          hash.writeUInt32BE(Math.imul(i, 2654435761) >>> 0, 0); // spread over the key space
          hash.writeUInt32BE(i, 28);
          legacy.putSync(hash, u64Key(1_000_000 + i));
        }
      }),
    );
    const upgraded = await openLmdbStore({ path, pendingCapacity: 10 });
    try {
      for (const leaf of leaves) assert.deepEqual(upgraded.getLeaf(leaf.leafHash)?.digest, leaf.digest);
      assert.equal(upgraded.getByRequestId('v2-4-id')?.requestId, 'v2-4-id');
      const [dup] = await upgraded.add([leaves[0] as (typeof leaves)[number]]);
      assert.equal(dup?.kind, 'duplicate');
    } finally {
      await upgraded.close();
    }
    await withRaw(path, (sub) => {
      assert.equal(sub(DB_NAMES.meta).get(META_FORMAT)?.readUInt32BE(0), LMDB_FORMAT_VERSION);
      assert.equal(sub(DB_NAMES.legacyIndex).getKeysCount(), 0);
      let entries = 0;
      for (const key of sub(DB_NAMES.index).getKeys()) entries += sub(DB_NAMES.index).getValuesCount(key);
      assert.equal(entries, leaves.length + extra);
    });
  });

  test('a leaf whose client name cannot be stored fails its own add, not the others of its write', async () => {
    const store = await openLmdbStore({ path, pendingCapacity: 10 });
    try {
      const bad = { ...makeLeaf('bad-client'), client: 'x'.repeat(256) };
      const good = { ...makeLeaf('good-client'), client: 'bob' };
      const [refused, stored] = await Promise.allSettled([store.add([bad]), store.add([good])]);
      assert.equal(refused.status, 'rejected');
      assert.match(
        String((refused as PromiseRejectedResult).reason),
        /leaves\[0\]\.client must be 1–255 UTF-8 bytes/,
      );
      assert.equal(stored.status === 'fulfilled' ? stored.value[0]?.kind : stored.status, 'stored');
      assert.deepEqual(
        store.usage().map((u) => u.client),
        ['bob'],
      );
    } finally {
      await store.close();
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
