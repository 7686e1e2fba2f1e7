// Header logs of checkpoints for proofs: rebuilding one reads every batch header (O(batch count)), so each is
// built once and kept; batches never change once committed, so a cached log stays right.
import { headerLog } from '../proof/bundle/checkpoint.ts';
import type { Sha256 } from '../proof/crypto/sha256.ts';
import { bytesEqual, toHex } from '../proof/encoding/bytes.ts';
import type { Store } from '../store/store.ts';

/** The header log of a checkpoint: its root and each batch's path. */
export type HeaderLog = ReturnType<typeof headerLog>;

/** Logs kept: proofs use the newest checkpoint, and a few older ones while new checkpoints are anchored. */
export const HEADER_LOGS_KEPT = 4;

/** Header logs by checkpoint. */
export interface HeaderLogCache {
  /**
   * The header log of the first `batchCount` batches, which must have root `headerLogRoot` (else it throws: the
   * store's header chain and the checkpoint disagree); undefined while one of those batches is not stored.
   */
  get(batchCount: bigint, headerLogRoot: Uint8Array): HeaderLog | undefined;
}

/** The header log of the first `batchCount` batches of `store`; undefined while one of them is not stored. O(n). */
export function headerLogOf(
  store: Pick<Store, 'getBatch'>,
  batchCount: bigint,
  sha256: Sha256,
): HeaderLog | undefined {
  const hashes: Uint8Array[] = [];
  for (let s = 0n; s < batchCount; s++) {
    const batch = store.getBatch(s);
    if (batch === undefined) return undefined;
    hashes.push(batch.headerHash);
  }
  return headerLog(hashes, sha256);
}

/** A cache of at most HEADER_LOGS_KEPT logs, the least recently used dropped first. */
export function createHeaderLogCache(store: Pick<Store, 'getBatch'>, sha256: Sha256): HeaderLogCache {
  const logs = new Map<string, HeaderLog>();
  return {
    get(batchCount, headerLogRoot) {
      const key = `${batchCount}:${toHex(headerLogRoot)}`;
      const cached = logs.get(key);
      if (cached !== undefined) {
        logs.delete(key);
        logs.set(key, cached);
        return cached;
      }
      const log = headerLogOf(store, batchCount, sha256);
      if (log === undefined) return undefined;
      if (!bytesEqual(log.root, headerLogRoot))
        throw new Error(`checkpoint of ${batchCount} batches does not match the stored header chain`);
      logs.set(key, log);
      for (const oldest of logs.keys()) {
        if (logs.size <= HEADER_LOGS_KEPT) break;
        logs.delete(oldest);
      }
      return log;
    },
  };
}
