// Failed commits of the data dir: how lmdb-js reports them, which are a full disk and which another I/O error,
// and the data volume's free space.
//
// lmdb-js (3.x) folds the writes queued meanwhile into one LMDB transaction and commits it on its write thread.
// When mdb_txn_commit fails (ENOSPC from pwrite, EIO from a short write on a full volume or from fsync), every
// promise of that transaction rejects with `Error('Commit failed (see commitError for details)')`, whose
// `commitError` is a second promise that rejects with the real error (`code` = errno, or an MDB_* code). That
// second promise is rejected whether or not anyone listens, so it must be observed (commitFailureOf does). LMDB
// aborts the transaction, so none of its writes are stored, and the environment stays usable: the next
// transaction commits as soon as the volume has room, without reopening (test/store/lmdb-disk-full.test.ts).

import { statfsSync } from 'node:fs';
import { constants } from 'node:os';
import type { CommitFailureReason } from './store.ts';

/** LMDB's code for a map that reached its size limit (lmdb-js grows the map, so this is rare). */
const MDB_MAP_FULL = -30792;

const errno = constants.errno;
/** Codes that mean the volume has no room for the commit. */
const NO_ROOM = new Set<number>([errno.ENOSPC, errno.EDQUOT, MDB_MAP_FULL]);
/** Codes of storage failures that are not a full volume by themselves (EIO is also LMDB's code for a short write). */
const IO_FAILURES = new Set<number>([errno.EIO, errno.EROFS, errno.EFBIG]);

/** One failed commit, as seen by one of its callers. */
export interface CommitFailure {
  readonly reason: CommitFailureReason;
  /** The underlying error's name and text, e.g. "ENOSPC: No space left on device". */
  readonly cause: string;
  /**
   * The same object for every caller of one failed transaction (lmdb-js's commitError promise, or the thrown error),
   * so that one transaction counts once however many calls it carried.
   */
  readonly key: object;
}

/** The errno name (ENOSPC, EIO, …) or LMDB name of a numeric code. */
export function codeName(code: number): string {
  if (code === MDB_MAP_FULL) return 'MDB_MAP_FULL';
  for (const [name, value] of Object.entries(errno)) if (value === code) return name;
  return `code ${code}`;
}

function numericCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' && Number.isInteger(code) ? code : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Whether `error` (what a write's promise rejected with) is a failed commit, and why. Observes lmdb-js's
 * commitError promise at once (it is rejected too, and unobserved it would be an unhandled rejection). Errors that
 * are not about storage (a CONFLICT thrown by a write callback, a RangeError) come back as undefined.
 *
 * `roomLeft` tells whether the volume still has room: a short write (EIO) on a volume without room is a full disk.
 */
export async function commitFailureOf(
  error: unknown,
  roomLeft: () => boolean,
): Promise<CommitFailure | undefined> {
  const pending = (error as { commitError?: unknown } | null)?.commitError;
  if (pending instanceof Promise) {
    const real: unknown = await pending.then(
      () => undefined,
      (e: unknown) => e,
    );
    const code = numericCode(real);
    const cause = code === undefined ? messageOf(real ?? error) : `${codeName(code)}: ${messageOf(real)}`;
    return { reason: classify(code, roomLeft), cause, key: pending };
  }
  // Thrown inside a transaction rather than at its commit: MDB_MAP_FULL from a put, ENOSPC from spilling pages.
  const code = numericCode(error);
  if (code === undefined || !(NO_ROOM.has(code) || IO_FAILURES.has(code))) return undefined;
  return {
    reason: classify(code, roomLeft),
    cause: `${codeName(code)}: ${messageOf(error)}`,
    key: error as object,
  };
}

function classify(code: number | undefined, roomLeft: () => boolean): CommitFailureReason {
  return (code !== undefined && NO_ROOM.has(code)) || !roomLeft() ? 'disk_full' : 'io_error';
}

/** Total and available bytes of the volume holding `path`, or undefined when it cannot be asked. */
export function volumeSpace(path: string): { total: number; available: number } | undefined {
  try {
    const s = statfsSync(path);
    return { total: s.blocks * s.bsize, available: s.bavail * s.bsize };
  } catch {
    return undefined;
  }
}

/** The free space writes wait for after a full disk: 8 MiB, or an eighth of a smaller volume. */
export function resumeBytes(totalBytes: number): number {
  return Math.min(8 * 1024 * 1024, Math.floor(totalBytes / 8));
}

/** A byte count for people: "512 B", "3.2 MiB", "1.5 GiB". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v >= 100 ? Math.round(v) : v.toFixed(1)} ${units[u]}`;
}
