// Errors of the durable store.
import { SparkError } from '../errors/spark-error.ts';

/** Why a store operation failed. */
export type StoreErrorCode =
  | 'PENDING_FULL' // the pending store holds its configured maximum
  | 'CORRUPT' // data on disk does not decode
  | 'FORMAT_UNSUPPORTED' // the data dir was written by another format version
  | 'CONFLICT' // a batch commit raced another (wrong sequence)
  | 'CLOSED' // used after close()
  | 'DISK_FULL' // a commit failed for want of room on the data volume (ENOSPC, EDQUOT, a short write, MDB_MAP_FULL)
  | 'IO'; // the data dir cannot be created, opened or accessed, or a commit to it failed (EIO, EROFS, …)

/** A store failure. */
export class StoreError extends SparkError<StoreErrorCode> {
  override readonly name = 'StoreError';
}

/** Whether `error` is a commit the disk refused (DISK_FULL, or IO at run time): nothing of that write was stored. */
export function isFailedCommit(error: unknown): boolean {
  return error instanceof StoreError && (error.code === 'DISK_FULL' || error.code === 'IO');
}
