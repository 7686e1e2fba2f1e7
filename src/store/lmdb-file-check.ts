// Checks data.mdb's structure before LMDB maps it: lmdb-js 3.5.6 segfaults when mdb_env_open fails (bad meta
// pages), and LMDB reads pages through mmap, so a page past the end of a truncated file is a SIGBUS and a garbage
// page pointer a SIGSEGV. Walking the page trees here first turns all of these into a StoreError naming the file.
// The layout is LMDB's as built into the pinned lmdb package (mdb.c: MDB_page_header, MDB_meta, MDB_node);
// test/store/lmdb-file-check.test.ts fails if a new lmdb release changes it.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { StoreError } from './store-error.ts';

/** The file LMDB keeps its pages in, inside the data dir. */
export const LMDB_DATA_FILE = 'data.mdb';

/** LMDB's on-disk data version (MDB_DATA_VERSION) in the lmdb package this build pins. */
export const LMDB_DATA_VERSION = 2;

const MDB_MAGIC = 0xbeefc0de;
const PAGE_HEADER = 24; // mh_p u64, mh_txnid u64, mh_pad u16, mh_flags u16, lower/upper u16 (or overflow pages u32)
const P_BRANCH = 0x01;
const P_LEAF = 0x02;
const P_OVERFLOW = 0x04;
const P_META = 0x08;
const P_LEAF2 = 0x20;
const F_BIGDATA = 0x01;
const F_SUBDATA = 0x02;
const F_DUPDATA = 0x04; // a key's sorted duplicates: a sub-page inline, or with F_SUBDATA a tree of its own
const NODE_HEADER = 8; // lo u16, hi u16, flags u16, ksize u16
const DB_RECORD = 48; // MDB_db: pad u32, flags u16, depth u16, branch, leaf, overflow, entries, root (u64 each)
const P_INVALID = 0xffff_ffff_ffff_ffffn;
const RESTORE = 'restore the data dir from a backup (docs/operations.md)';
/** Deeper than any B-tree LMDB can build on a 64-bit file; a bound against pointer cycles. */
const MAX_DEPTH = 64;

/** What the check found. */
export interface LmdbFileInfo {
  readonly pageSize: number;
  /** Transaction id of the newest meta page: the state LMDB opens. */
  readonly txnId: bigint;
  /** Pages reachable from that state (trees, overflow runs, meta pages). */
  readonly livePages: number;
  readonly fileBytes: number;
}

interface Meta {
  readonly txnId: bigint;
  readonly lastPage: bigint;
  readonly free: Buffer;
  readonly main: Buffer;
}

/**
 * Checks the data file of the LMDB environment in `dir` without mapping it: both meta pages, and every branch,
 * leaf and overflow page reachable from the newest one (each inside the file, numbered as where it sits, of the
 * kind its parent expects, its nodes inside the page, no page reached twice). Returns undefined when there is no
 * data file. Throws StoreError CORRUPT, or FORMAT_UNSUPPORTED for another LMDB data version. Reads every
 * reachable page except overflow bodies: about a second per few GB from the page cache.
 */
export function checkLmdbFile(dir: string): LmdbFileInfo | undefined {
  const file = join(dir, LMDB_DATA_FILE);
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StoreError('IO', `cannot read ${file}: ${(cause as Error).message}`, { cause });
  }
  try {
    return new Walker(file, fd).run();
  } finally {
    closeSync(fd);
  }
}

class Walker {
  private readonly file: string;
  private readonly fd: number;
  private readonly size: number;
  private pageSize = 0;
  private pages = 0;
  private seen = new Uint8Array(0);
  private live = 0;
  private page = Buffer.alloc(0);

  constructor(file: string, fd: number) {
    this.file = file;
    this.fd = fd;
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw this.corrupt('it is not a regular file');
    this.size = stat.size;
  }

  private corrupt(why: string): StoreError {
    return new StoreError('CORRUPT', `LMDB data file ${this.file} is corrupt: ${why}; ${RESTORE}`);
  }

  private truncated(what: string, pgno: bigint): StoreError {
    const need = (pgno + 1n) * BigInt(this.pageSize);
    return new StoreError(
      'CORRUPT',
      `LMDB data file ${this.file} is truncated: it has ${this.size} bytes, but ${what} is page ${pgno}, ` +
        `which ends at byte ${need}; ${RESTORE}`,
    );
  }

  run(): LmdbFileInfo {
    if (this.size === 0)
      throw this.corrupt('the file is empty (0 bytes): it was truncated, or replaced by an empty file');
    const first = Buffer.alloc(PAGE_HEADER + 144);
    const got = readSync(this.fd, first, 0, first.length, 0);
    if (got < first.length) throw this.corrupt(`${this.size} bytes is too short for an LMDB meta page`);
    const meta0 = this.meta(first, 0);
    const pageSize = first.readUInt32LE(PAGE_HEADER + 24); // mm_dbs[FREE_DBI].md_pad holds the page size
    if (pageSize < 512 || pageSize > 0x10000 || (pageSize & (pageSize - 1)) !== 0)
      throw this.corrupt(`meta page 0 gives page size ${pageSize}`);
    this.pageSize = pageSize;
    this.pages = Math.floor(this.size / pageSize);
    if (this.pages < 2) throw this.truncated('meta page 1', 1n);
    this.page = Buffer.alloc(pageSize);
    this.read(1n, 'meta page 1');
    const meta1 = this.meta(this.page, 1);
    if (this.page.readUInt32LE(PAGE_HEADER + 24) !== pageSize)
      throw this.corrupt('the two meta pages give different page sizes');
    // LMDB opens the meta page with the higher transaction id (mdb_pick_meta).
    const newest = meta1.txnId > meta0.txnId ? meta1 : meta0;
    this.seen = new Uint8Array(Math.ceil(this.pages / 8));
    this.mark(0n, 'meta page 0');
    this.mark(1n, 'meta page 1');
    this.tree(newest.free, 'the free-page list', newest);
    this.tree(newest.main, 'the main database', newest);
    return { pageSize, txnId: newest.txnId, livePages: this.live, fileBytes: this.size };
  }

  private meta(buf: Buffer, n: number): Meta {
    const flags = buf.readUInt16LE(18);
    const magic = buf.readUInt32LE(PAGE_HEADER);
    if ((flags & P_META) === 0 || magic !== MDB_MAGIC) {
      const start = n === 0 ? 'not an LMDB file: ' : '';
      throw this.corrupt(`${start}meta page ${n} does not carry LMDB's meta flag and magic number`);
    }
    const version = buf.readUInt32LE(PAGE_HEADER + 4) & 0xffff;
    if (version !== LMDB_DATA_VERSION) {
      throw new StoreError(
        'FORMAT_UNSUPPORTED',
        `LMDB data file ${this.file} has LMDB data version ${version}; this build's lmdb reads version ` +
          `${LMDB_DATA_VERSION}: upgrade the sidecar`,
      );
    }
    if (buf.readBigUInt64LE(0) !== BigInt(n))
      throw this.corrupt(`meta page ${n} is numbered ${buf.readBigUInt64LE(0)}`);
    return {
      free: Buffer.from(buf.subarray(PAGE_HEADER + 24, PAGE_HEADER + 24 + DB_RECORD)),
      main: Buffer.from(buf.subarray(PAGE_HEADER + 72, PAGE_HEADER + 72 + DB_RECORD)),
      lastPage: buf.readBigUInt64LE(PAGE_HEADER + 120),
      txnId: buf.readBigUInt64LE(PAGE_HEADER + 128),
    };
  }

  /** Reads page `pgno` into this.page after checking it lies inside the file. */
  private read(pgno: bigint, what = `page ${pgno}`): void {
    if (pgno >= BigInt(this.pages)) throw this.truncated(what, pgno);
    const at = Number(pgno) * this.pageSize;
    if (readSync(this.fd, this.page, 0, this.pageSize, at) !== this.pageSize)
      throw this.truncated(what, pgno);
    const numbered = this.page.readBigUInt64LE(0);
    if (numbered !== pgno)
      throw this.corrupt(`${what} (page ${pgno}) is numbered ${numbered}: garbage or misplaced`);
  }

  /** Records a reachable page; a page reached twice means crossed pointers. */
  private mark(pgno: bigint, what: string): void {
    const i = Number(pgno);
    const bit = 1 << (i & 7);
    const byte = this.seen[i >> 3] ?? 0;
    if ((byte & bit) !== 0) throw this.corrupt(`${what}: page ${pgno} is reached twice`);
    this.seen[i >> 3] = byte | bit;
    this.live++;
  }

  /** Walks the B-tree described by an MDB_db record. */
  private tree(db: Buffer, name: string, meta: Meta): void {
    const root = db.readBigUInt64LE(40);
    const depth = db.readUInt16LE(6);
    if (root === P_INVALID) return;
    if (depth < 1 || depth > MAX_DEPTH) throw this.corrupt(`${name} has depth ${depth}`);
    this.node(root, depth, name, meta);
  }

  /** Checks page `pgno`, expected at `depth` (1 = leaf), and everything below it. */
  private node(pgno: bigint, depth: number, name: string, meta: Meta): void {
    const what = `a page of ${name}`;
    if (pgno > meta.lastPage)
      throw this.corrupt(`${what} points to page ${pgno}, past the last page ${meta.lastPage}`);
    this.read(pgno, what);
    this.mark(pgno, what);
    const page = this.page;
    const flags = page.readUInt16LE(18);
    const kind = flags & (P_BRANCH | P_LEAF | P_OVERFLOW | P_META);
    const expected = depth === 1 ? P_LEAF : P_BRANCH;
    if (kind !== expected)
      throw this.corrupt(
        `${what}: page ${pgno} has flags 0x${flags.toString(16)}, expected a ${depth === 1 ? 'leaf' : 'branch'}`,
      );
    if ((flags & P_LEAF2) !== 0) return; // fixed-size duplicates: not used by this store, nothing to follow
    const lower = page.readUInt16LE(20);
    const upper = page.readUInt16LE(22);
    if (lower % 2 !== 0 || lower > upper || PAGE_HEADER + upper > this.pageSize)
      throw this.corrupt(`${what}: page ${pgno} has free-space bounds ${lower}..${upper}`);
    const count = lower / 2;
    // Collect the children first: this.page is reused by the recursion.
    const children: bigint[] = [];
    const subs: Array<{ db: Buffer; name: string }> = [];
    const overflows: Array<{ pgno: bigint; bytes: number }> = [];
    for (let i = 0; i < count; i++) {
      const offset = PAGE_HEADER + page.readUInt16LE(PAGE_HEADER + 2 * i);
      if (offset < PAGE_HEADER + upper || offset + NODE_HEADER > this.pageSize)
        throw this.corrupt(`${what}: node ${i} of page ${pgno} lies outside the page`);
      const lo = page.readUInt16LE(offset);
      const hi = page.readUInt16LE(offset + 2);
      const nodeFlags = page.readUInt16LE(offset + 4);
      const keySize = page.readUInt16LE(offset + 6);
      const data = offset + NODE_HEADER + keySize;
      if (data > this.pageSize)
        throw this.corrupt(`${what}: the key of node ${i} of page ${pgno} overruns the page`);
      if (depth > 1) {
        children.push(BigInt(lo) | (BigInt(hi) << 16n) | (BigInt(nodeFlags) << 32n));
        continue;
      }
      const dataSize = lo + hi * 0x10000; // not `hi << 16`: that goes negative past 2^31
      if ((nodeFlags & F_BIGDATA) !== 0) {
        if (data + 8 > this.pageSize)
          throw this.corrupt(`${what}: node ${i} of page ${pgno} overruns the page`);
        overflows.push({ pgno: page.readBigUInt64LE(data), bytes: dataSize });
        continue;
      }
      if (data + dataSize > this.pageSize)
        throw this.corrupt(`${what}: the value of node ${i} of page ${pgno} overruns the page`);
      const duplicates = (nodeFlags & F_DUPDATA) !== 0;
      if ((nodeFlags & F_SUBDATA) !== 0) {
        if (dataSize !== DB_RECORD) throw this.corrupt(`${what}: sub-database record of ${dataSize} bytes`);
        const key = page.subarray(offset + NODE_HEADER, data);
        const sub = duplicates
          ? `the duplicates of key ${key.toString('hex')} in ${name}`
          : `sub-database "${key.toString('utf8').replace(/\0+$/, '')}"`;
        subs.push({ db: Buffer.from(page.subarray(data, data + DB_RECORD)), name: sub });
      } else if (duplicates) {
        this.subPage(
          page.subarray(data, data + dataSize),
          `${what}: the duplicates in node ${i} of page ${pgno}`,
        );
      }
    }
    for (const child of children) this.node(child, depth - 1, name, meta);
    for (const o of overflows) this.overflow(o.pgno, o.bytes, name, meta);
    for (const s of subs) this.tree(s.db, s.name, meta);
  }

  /** Checks a sub-page of duplicates held inside a node: its bounds, and each of its nodes inside it. */
  private subPage(sub: Buffer, what: string): void {
    if (sub.length < PAGE_HEADER)
      throw this.corrupt(`${what}: ${sub.length} bytes is shorter than a page header`);
    if ((sub.readUInt16LE(18) & P_LEAF2) !== 0) return; // fixed-size duplicates: not used by this store
    const lower = sub.readUInt16LE(20);
    const upper = sub.readUInt16LE(22);
    if (lower % 2 !== 0 || lower > upper || PAGE_HEADER + upper > sub.length)
      throw this.corrupt(`${what} have free-space bounds ${lower}..${upper}`);
    for (let i = 0; i < lower / 2; i++) {
      const offset = PAGE_HEADER + sub.readUInt16LE(PAGE_HEADER + 2 * i);
      if (offset < PAGE_HEADER + upper || offset + NODE_HEADER > sub.length)
        throw this.corrupt(`${what}: node ${i} lies outside them`);
      if (offset + NODE_HEADER + sub.readUInt16LE(offset + 6) > sub.length)
        throw this.corrupt(`${what}: the key of node ${i} overruns them`);
    }
  }

  /** Checks an overflow run: its first page's header and that the whole run lies inside the file. */
  private overflow(pgno: bigint, bytes: number, name: string, meta: Meta): void {
    const what = `a value of ${name}`;
    const count = Math.floor((PAGE_HEADER - 1 + bytes) / this.pageSize) + 1;
    const last = pgno + BigInt(count - 1);
    if (last > meta.lastPage)
      throw this.corrupt(`${what} points to pages ${pgno}..${last}, past the last page ${meta.lastPage}`);
    if (last >= BigInt(this.pages)) throw this.truncated(what, last);
    this.read(pgno, what);
    const flags = this.page.readUInt16LE(18);
    const pages = this.page.readUInt32LE(20);
    if ((flags & P_OVERFLOW) === 0 || pages !== count)
      throw this.corrupt(`${what}: page ${pgno} is not the start of a ${count}-page overflow run`);
    for (let p = pgno; p <= last; p++) this.mark(p, what);
  }
}
