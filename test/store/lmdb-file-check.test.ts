// Damaged and foreign data files are refused with a StoreError naming the file or record, before LMDB maps them
// (lmdb-js 3.5.6 segfaults when mdb_env_open fails, and reading a page past the end of a truncated file is a SIGBUS).
// The byte offsets here are LMDB's layout as built into the pinned lmdb package: a release that changes it fails here.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { open } from 'lmdb';
import { checkLmdbFile, LMDB_DATA_VERSION } from '../../src/store/lmdb-file-check.ts';
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
import { tempDir } from '../support/spawn-server.ts';
import { fillStore, type SampleContents } from './fixtures/sample-store.ts';
import { makeLeaf } from './store-contract.ts';

const DATA = 'data.mdb';
const PAGE_HEADER = 24;

/** Deterministic garbage: SHA-256 in counter mode. */
function garbage(n: number, seed: string): Buffer {
  const out = Buffer.alloc(n);
  for (let i = 0; i * 32 < n; i++)
    createHash('sha256')
      .update(`${seed}:${i}`)
      .digest()
      .copy(out, i * 32);
  return out;
}

function overwrite(file: string, at: number, bytes: Uint8Array): void {
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, bytes, 0, bytes.length, at);
  } finally {
    closeSync(fd);
  }
}

/** Page size, and last page and txn id of the newest meta page. */
function metaOf(file: string): { pageSize: number; lastPage: number } {
  const b = readFileSync(file);
  const pageSize = b.readUInt32LE(PAGE_HEADER + 24);
  const m = (at: number) => ({
    last: Number(b.readBigUInt64LE(at + PAGE_HEADER + 120)),
    txn: b.readBigUInt64LE(at + PAGE_HEADER + 128),
  });
  const [a, c] = [m(0), m(pageSize)];
  return { pageSize, lastPage: (c.txn > a.txn ? c : a).last };
}

function refused(code: string, ...mentions: RegExp[]): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof StoreError, `expected a StoreError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    for (const m of mentions) assert.match(error.message, m);
    assert.doesNotMatch(error.message, /\n/, 'one line');
    return true;
  };
}

/** Writes raw bytes into one sub-database of a closed store. */
async function poke(path: string, dbName: string, key: Buffer, value: Buffer): Promise<void> {
  const root = open<Buffer, Buffer>({ path, encoding: 'binary', keyEncoding: 'binary', maxDbs: 16 });
  try {
    await root.openDB<Buffer, Buffer>(dbName, { encoding: 'binary', keyEncoding: 'binary' }).put(key, value);
  } finally {
    await root.close();
  }
}

describe('data file checks', () => {
  const tmp = tempDir('spark-filecheck-');
  const pristine = join(tmp.path, 'pristine');
  let contents: SampleContents;
  let n = 0;
  /** A fresh copy of the sample store; returns its dir and data file. */
  const copy = (): { dir: string; file: string } => {
    const dir = join(tmp.path, `copy-${n++}`);
    mkdirSync(dir);
    copyFileSync(join(pristine, DATA), join(dir, DATA));
    return { dir, file: join(dir, DATA) };
  };
  const openAt = (dir: string) => openLmdbStore({ path: dir, pendingCapacity: 1_000_000 });

  before(async () => {
    const store = await openAt(pristine);
    contents = await fillStore(store, 60);
    await store.close();
  });
  after(tmp.cleanup);

  test('a healthy file passes after every write of a real workload, even when it ends before its last page', async (t) => {
    const dir = join(tmp.path, 'workload');
    const store = await openAt(dir);
    let checks = 0;
    let shortFiles = 0;
    try {
      await fillStore(store, 80, () => {
        const info = checkLmdbFile(dir);
        assert.ok(info !== undefined && info.livePages > 2);
        const { pageSize, lastPage } = metaOf(join(dir, DATA));
        // LMDB may leave pages freed within the transaction that allocated them unwritten at the end of the
        // file: those are never read, so the check must not call the file truncated for them.
        if (statSync(join(dir, DATA)).size < (lastPage + 1) * pageSize) shortFiles++;
        checks++;
      });
    } finally {
      await store.close();
    }
    assert.ok(checkLmdbFile(dir));
    t.diagnostic(`${checks} checks passed; the file ended before its last page number ${shortFiles} times`);
  });

  test('the sample store opens and reads back', async () => {
    const info = checkLmdbFile(pristine);
    assert.ok(info);
    assert.equal(info.pageSize, metaOf(join(pristine, DATA)).pageSize);
    const { dir } = copy();
    const store = await openAt(dir);
    try {
      for (const leaf of contents.leaves) assert.ok(store.getLeaf(leaf.leafHash));
      assert.equal(store.head()?.sequence, BigInt(contents.batches - 1));
    } finally {
      await store.close();
    }
  });

  test('a data dir without a data file is new: the check says so', () => {
    const dir = join(tmp.path, 'empty-dir');
    mkdirSync(dir);
    assert.equal(checkLmdbFile(dir), undefined);
  });

  test('garbage over the meta pages (the file header) is CORRUPT, not a crash', async () => {
    const { pageSize } = metaOf(join(pristine, DATA));
    const cases: Array<[string, number, Buffer, RegExp]> = [
      ['random bytes over meta page 0', 0, garbage(pageSize, 'm0'), /not an LMDB file: meta page 0/],
      ['random bytes over both meta pages', 0, garbage(2 * pageSize, 'm01'), /not an LMDB file/],
      ['zeros over both meta pages', 0, Buffer.alloc(2 * pageSize), /not an LMDB file/],
      ['random bytes over meta page 1', pageSize, garbage(pageSize, 'm1'), /meta page 1/],
      ['a damaged page size', PAGE_HEADER + 24, Buffer.from([0x00, 0x30, 0, 0]), /page size 12288/],
    ];
    for (const [name, at, bytes, mention] of cases) {
      const { dir, file } = copy();
      overwrite(file, at, bytes);
      await assert.rejects(openAt(dir), refused('CORRUPT', mention, new RegExp(file)), name);
    }
  });

  test('a truncated data file is CORRUPT, naming the size and the page it lacks', async () => {
    const size = statSync(join(pristine, DATA)).size;
    const { pageSize } = metaOf(join(pristine, DATA));
    for (const length of [Math.floor(size / 2), size - 8 * pageSize, 2 * pageSize, pageSize, 100]) {
      const { dir, file } = copy();
      truncateSync(file, length);
      await assert.rejects(
        openAt(dir),
        refused('CORRUPT', new RegExp(`${file} is (truncated: it has ${length} bytes|corrupt)`), /backup/),
        `truncated to ${length}`,
      );
    }
    const { dir, file } = copy();
    truncateSync(file, 0);
    await assert.rejects(openAt(dir), refused('CORRUPT', /is empty \(0 bytes\)/));
    assert.equal(statSync(file).size, 0, 'an empty data file is not taken for a new store');
  });

  test('a damaged B-tree page is CORRUPT, naming its sub-database', async () => {
    const bytes = readFileSync(join(pristine, DATA));
    const { pageSize } = metaOf(join(pristine, DATA));
    // A leaf-index node's header (size u16 ×2, flags u16, key size u16) sits just before its key, the first 8
    // bytes of the leaf hash, with its 8-byte arrival as the value, in a leaf page (branch pages repeat keys
    // too). Stale copies may sit in free pages, so every copy that looks like one is damaged.
    const key = indexKey(Buffer.from(contents.leaves[7]?.leafHash ?? []));
    const nodes: number[] = [];
    for (let at = bytes.indexOf(key); at !== -1; at = bytes.indexOf(key, at + 1))
      if (
        bytes.readUInt16LE(at - 2) === INDEX_PREFIX_BYTES &&
        bytes.readUInt16LE(at - 8) === 8 &&
        bytes.readUInt16LE(at - 6) === 0 &&
        (bytes.readUInt16LE(Math.floor(at / pageSize) * pageSize + 18) & 0x02) !== 0 // in a leaf page
      )
        nodes.push(at - 8);
    assert.ok(nodes.length > 0);
    {
      const { dir, file } = copy();
      for (const at of nodes) overwrite(file, at, Buffer.from([0xff, 0xff, 0xff, 0x7f])); // a 2 GiB value
      await assert.rejects(
        openAt(dir),
        refused('CORRUPT', /sub-database "leaf-prefixes"/, /overruns the page/),
      );
    }
    {
      const { dir, file } = copy();
      const pages = [...new Set(nodes.map((at) => Math.floor(at / pageSize)))];
      for (const page of pages) overwrite(file, page * pageSize, garbage(pageSize, `leafpage-${page}`));
      await assert.rejects(
        openAt(dir),
        refused('CORRUPT', /sub-database "leaf-prefixes"/, /\(page \d+\) is numbered/),
      );
    }
    {
      // Everything after the meta pages: whichever page the walk reaches first is garbage.
      const { dir, file } = copy();
      overwrite(file, 2 * pageSize, garbage(bytes.length - 2 * pageSize, 'all'));
      await assert.rejects(openAt(dir), refused('CORRUPT', /is numbered/));
    }
  });

  test('a damaged page of duplicates inside a leaf-index node is CORRUPT, naming where', async () => {
    // Three leaves whose hashes share the 8-byte index prefix: LMDB keeps their arrivals as a small page inside
    // the index node (flag F_DUPDATA), which LMDB follows by the offsets written in it.
    const dir = join(tmp.path, 'duplicates');
    const prefix = Buffer.from('fedcba9876543210', 'hex');
    const store = await openAt(dir);
    try {
      const leaves = ['d0', 'd1', 'd2'].map((tag) => {
        const leaf = makeLeaf(tag);
        return { ...leaf, leafHash: Buffer.concat([prefix, Buffer.from(leaf.leafHash).subarray(8)]) };
      });
      assert.ok((await store.add(leaves)).every((o) => o.kind === 'stored'));
    } finally {
      await store.close();
    }
    assert.ok(checkLmdbFile(dir));
    const file = join(dir, DATA);
    const bytes = readFileSync(file);
    const { pageSize } = metaOf(file);
    const F_DUPDATA = 0x04;
    const found: number[] = [];
    for (let at = bytes.indexOf(prefix); at !== -1; at = bytes.indexOf(prefix, at + 1))
      if (
        bytes.readUInt16LE(at - 2) === INDEX_PREFIX_BYTES &&
        bytes.readUInt16LE(at - 4) === F_DUPDATA &&
        (bytes.readUInt16LE(Math.floor(at / pageSize) * pageSize + 18) & 0x02) !== 0
      )
        found.push(at + INDEX_PREFIX_BYTES); // the sub-page starts right after the key
    assert.ok(found.length > 0, 'a node holding a page of duplicates');
    for (const at of found) overwrite(file, at + 20, Buffer.from([0xfe, 0xff])); // lower bound past upper
    await assert.rejects(
      openAt(dir),
      refused(
        'CORRUPT',
        /sub-database "leaf-prefixes"/,
        /duplicates in node \d+ of page \d+ have free-space bounds/,
      ),
    );
  });

  test('another LMDB data version is FORMAT_UNSUPPORTED', async () => {
    const { pageSize } = metaOf(join(pristine, DATA));
    const { dir, file } = copy();
    const version = Buffer.alloc(4);
    version.writeUInt32LE(LMDB_DATA_VERSION + 1);
    overwrite(file, PAGE_HEADER + 4, version);
    overwrite(file, pageSize + PAGE_HEADER + 4, version);
    await assert.rejects(
      openAt(dir),
      refused(
        'FORMAT_UNSUPPORTED',
        new RegExp(`LMDB data version ${LMDB_DATA_VERSION + 1}`),
        /upgrade the sidecar/,
      ),
    );
  });

  test('a data dir of a newer store format names both versions and says to upgrade', async () => {
    const { dir } = copy();
    await poke(dir, DB_NAMES.meta, META_FORMAT, u32Key(7));
    await assert.rejects(
      openAt(dir),
      refused(
        'FORMAT_UNSUPPORTED',
        new RegExp(
          `^data dir ${dir} has store format version 7; this build reads up to version ${LMDB_FORMAT_VERSION}: upgrade the sidecar$`,
        ),
      ),
    );
  });

  test('a head batch or key-history record that does not decode fails the open, naming it and the data dir', async () => {
    const last = BigInt(contents.batches - 1);
    {
      const { dir } = copy();
      await poke(dir, DB_NAMES.batches, u64Key(last), Buffer.from([1, 2, 3]));
      await assert.rejects(
        openAt(dir),
        refused('CORRUPT', new RegExp(`^data dir ${dir}: store record batches/${last} is corrupt`)),
      );
    }
    {
      const { dir } = copy();
      await poke(dir, DB_NAMES.keys, u32Key(0), Buffer.from([0, 1, 2]));
      await assert.rejects(openAt(dir), refused('CORRUPT', /store record keys\/00000000 is corrupt/));
    }
  });

  test('a new data file appears whole or not at all: no scratch left, a stale one removed', async () => {
    const dir = join(tmp.path, 'fresh');
    mkdirSync(dir);
    // What a crash halfway through creating the file leaves: a scratch dir with a partial file.
    mkdirSync(join(dir, '.creating-stale'));
    writeFileSync(join(dir, '.creating-stale', DATA), Buffer.alloc(100));
    const store = await openAt(dir);
    const logId = store.logId;
    await store.close();
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.startsWith('.creating-')),
      [],
      'no scratch dir is left',
    );
    assert.ok(existsSync(join(dir, DATA)));
    const again = await openAt(dir);
    assert.deepEqual(again.logId, logId, 'the created file is the one reopened');
    await again.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
