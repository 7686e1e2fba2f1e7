// Errors of the durable store.
import { SparkError } from '../errors/spark-error.ts';

/** Why a store operation failed. */
export type StoreErrorCode =
  | 'PENDING_FULL' // the pending store holds its configured maximum
  | 'CORRUPT' // data on disk does not decode
  | 'FORMAT_UNSUPPORTED' // the data dir was written by another format version
  | 'CONFLICT' // a batch commit raced another (wrong sequence)
  | 'CLOSED' // used after close()
  | 'IO'; // the data dir cannot be created, opened or accessed

/** A store failure. */
export class StoreError extends SparkError<StoreErrorCode> {
  override readonly name = 'StoreError';
}
