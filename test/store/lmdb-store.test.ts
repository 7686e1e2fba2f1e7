// Runs the Store contract against the LMDB store, plus its on-disk format, corruption and path checks.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { open } from 'lmdb';
import { DB_NAMES, META_FORMAT, u32Key } from '../../src/store/lmdb-layout.ts';
import { openLmdbStore } from '../../src/store/lmdb-store.ts';
import { StoreError } from '../../src/store/store-error.ts';
import { makeLeaf, storeContract } from './store-contract.ts';

storeContract('LMDB', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spark-lmdb-'));
  return {
    open: (options) =>
      openLmdbStore({ path: join(dir, 'data.db'), pendingCapacity: options?.pendingCapacity ?? 1000 }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

/** Writes raw bytes into one sub-database of a closed store. */
async function poke(path: string, dbName: string, key: Buffer, value: Buffer): Promise<void> {
  const root = open<Buffer, Buffer>({
    path,
    noSubdir: false,
    encoding: 'binary',
    keyEncoding: 'binary',
    maxDbs: 16,
  });
  try {
    await root.openDB<Buffer, Buffer>(dbName, { encoding: 'binary', keyEncoding: 'binary' }).put(key, value);
  } finally {
    await root.close();
  }
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
    await poke(path, DB_NAMES.meta, META_FORMAT, u32Key(2));
    await assert.rejects(
      openLmdbStore({ path, pendingCapacity: 10 }),
      isCode('FORMAT_UNSUPPORTED', /version 2.*version 1/),
    );
  });

  test('a record that does not decode is CORRUPT, naming it', async () => {
    const leaf = makeLeaf('a');
    const store = await openLmdbStore({ path, pendingCapacity: 10 });
    await store.add([leaf]);
    await store.close();
    await poke(path, DB_NAMES.leaves, Buffer.from(leaf.leafHash), Buffer.from([1, 2, 3]));
    const reopened = await openLmdbStore({ path, pendingCapacity: 10 });
    try {
      assert.throws(() => reopened.getLeaf(leaf.leafHash), isCode('CORRUPT', /leaves\/[0-9a-f]{64}/));
      assert.throws(() => reopened.pendingLeaves(10), isCode('CORRUPT'));
      await assert.rejects(reopened.add([leaf]), isCode('CORRUPT'));
    } finally {
      await reopened.close();
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
