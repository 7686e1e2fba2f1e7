// Ceiling: durable LMDB put rates on this disk, with the store's durability settings (src/store/lmdb-store.ts).
import { randomBytes } from 'node:crypto';
import { open, type RootDatabase } from 'lmdb';
import { runPool } from './pool.ts';
import { perSecond } from './stats.ts';
import { benchTempDir } from './temp-dirs.ts';

/** A measured put rate. */
export interface PutRate {
  readonly puts: number;
  readonly ms: number;
  readonly perSecond: number;
}

/** Key and value sizes close to a stored leaf: a 32-byte leaf hash and its record. */
const KEY_BYTES = 32;
const VALUE_BYTES = 96;

async function withDb<T>(run: (root: RootDatabase<Buffer, Buffer>) => Promise<T>): Promise<T> {
  const dir = benchTempDir('spark-bench-lmdb-');
  // Same durability as the store: overlappingSync off, so each commit fsyncs before its promises resolve.
  const root = open<Buffer, Buffer>({
    path: dir.path,
    noSubdir: false,
    maxDbs: 16,
    encoding: 'binary',
    keyEncoding: 'binary',
    overlappingSync: false,
  });
  try {
    return await run(root);
  } finally {
    await root.close().catch(() => undefined);
    dir.cleanup();
  }
}

/** `writers` concurrent writers, each awaiting its put before the next: lmdb-js groups queued puts per commit. */
export function lmdbConcurrentPuts(count: number, writers: number, maxMs: number): Promise<PutRate> {
  return withDb(async (root) => {
    const db = root.openDB<Buffer, Buffer>('ceiling', { encoding: 'binary', keyEncoding: 'binary' });
    const keys = randomBytes(count * KEY_BYTES);
    const value = randomBytes(VALUE_BYTES);
    const result = await runPool(count, writers, maxMs, (i) =>
      db.put(keys.subarray(i * KEY_BYTES, (i + 1) * KEY_BYTES), value),
    );
    if (result.failed > 0)
      throw new Error(`LMDB ceiling: ${result.failed} puts failed`, { cause: result.firstError });
    return { puts: result.ok, ms: result.ms, perSecond: perSecond(result.ok, result.ms) };
  });
}

/** One put per transaction, awaited before the next: one fsynced commit each. */
export function lmdbSequentialPuts(count: number, maxMs: number): Promise<PutRate> {
  return withDb(async (root) => {
    const db = root.openDB<Buffer, Buffer>('ceiling', { encoding: 'binary', keyEncoding: 'binary' });
    const value = randomBytes(VALUE_BYTES);
    const result = await runPool(count, 1, maxMs, (_i) => db.put(randomBytes(KEY_BYTES), value));
    if (result.failed > 0)
      throw new Error(`LMDB ceiling: ${result.failed} puts failed`, { cause: result.firstError });
    return { puts: result.ok, ms: result.ms, perSecond: perSecond(result.ok, result.ms) };
  });
}

/** Transactions of `perTransaction` puts each, `inFlight` transactions queued at once, each fsynced. */
export function lmdbBatchedPuts(
  transactions: number,
  perTransaction: number,
  inFlight: number,
  maxMs: number,
): Promise<PutRate> {
  return withDb(async (root) => {
    const db = root.openDB<Buffer, Buffer>('ceiling', { encoding: 'binary', keyEncoding: 'binary' });
    const value = randomBytes(VALUE_BYTES);
    const result = await runPool(transactions, inFlight, maxMs, (_i) => {
      const keys = randomBytes(perTransaction * KEY_BYTES);
      return root.transaction(() => {
        for (let k = 0; k < perTransaction; k++)
          db.putSync(keys.subarray(k * KEY_BYTES, (k + 1) * KEY_BYTES), value);
      });
    });
    if (result.failed > 0)
      throw new Error(`LMDB ceiling: ${result.failed} transactions failed`, { cause: result.firstError });
    const puts = result.ok * perTransaction;
    return { puts, ms: result.ms, perSecond: perSecond(puts, result.ms) };
  });
}

/** Random gets of 32-byte keys among `keys` stored ones (loaded in large transactions first), µs per get. */
export function lmdbRandomGet(
  keys: number,
  gets: number,
  maxMs: number,
): Promise<{ gets: number; microseconds: number }> {
  return withDb(async (root) => {
    const db = root.openDB<Buffer, Buffer>('ceiling', { encoding: 'binary', keyEncoding: 'binary' });
    const all = randomBytes(keys * KEY_BYTES);
    const value = randomBytes(VALUE_BYTES);
    const key = (i: number) => all.subarray(i * KEY_BYTES, (i + 1) * KEY_BYTES);
    for (let start = 0; start < keys; start += 50_000) {
      await root.transaction(() => {
        for (let i = start; i < Math.min(keys, start + 50_000); i++) db.putSync(key(i), value);
      });
    }
    let found = 0;
    let done = 0;
    const started = performance.now();
    const deadline = started + maxMs;
    for (; done < gets && (done % 1024 !== 0 || performance.now() < deadline); done++) {
      if (db.getBinary(key(Math.floor(Math.random() * keys))) !== undefined) found++;
    }
    const ms = performance.now() - started;
    if (found !== done) throw new Error(`LMDB ceiling: ${done - found} of ${done} stored keys not found`);
    return { gets: done, microseconds: (ms * 1000) / done };
  });
}
