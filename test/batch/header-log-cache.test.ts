// The prover's header-log cache: each checkpoint's log is built from the stored headers once, checked against the
// checkpoint's root, and the least recently used is dropped past HEADER_LOGS_KEPT.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { createHeaderLogCache, HEADER_LOGS_KEPT } from '../../src/batch/header-log-cache.ts';
import { nativeSha256 } from '../../src/crypto/native-sha256.ts';
import { headerLog } from '../../src/proof/bundle/checkpoint.ts';
import type { BatchRecord } from '../../src/store/store.ts';
import { testBatchRecord } from '../support/batch-record.ts';

const headerHash = (s: number): Uint8Array =>
  Uint8Array.from(createHash('sha256').update(`header ${s}`).digest());

/** Batches 0..count-1 with distinct header hashes, counting reads. */
function batches(count: number) {
  const reads = { n: 0 };
  const store = {
    getBatch(sequence: bigint): BatchRecord | undefined {
      reads.n++;
      const s = Number(sequence);
      if (s >= count) return undefined;
      return { ...testBatchRecord(sequence, 1), headerHash: headerHash(s) };
    },
  };
  return { store, reads };
}

const rootOf = (count: number): Uint8Array =>
  headerLog(
    Array.from({ length: count }, (_, s) => headerHash(s)),
    nativeSha256,
  ).root;

test('a checkpoint log is built once, then served without reading the store; paths match a fresh build', () => {
  const { store, reads } = batches(1000);
  const cache = createHeaderLogCache(store, nativeSha256);
  const first = cache.get(1000n, rootOf(1000));
  assert.equal(reads.n, 1000);
  for (let i = 0; i < 50; i++) assert.equal(cache.get(1000n, rootOf(1000)), first);
  assert.equal(reads.n, 1000, 'later proofs under the same checkpoint read no batch');
  const fresh = headerLog(
    Array.from({ length: 1000 }, (_, s) => headerHash(s)),
    nativeSha256,
  );
  assert.deepEqual(first?.path(517), fresh.path(517));
});

test('a root the stored chain does not give throws, and is not cached', () => {
  const { store, reads } = batches(10);
  const cache = createHeaderLogCache(store, nativeSha256);
  assert.throws(
    () => cache.get(10n, rootOf(9)),
    /checkpoint of 10 batches does not match the stored header chain/,
  );
  assert.throws(() => cache.get(10n, rootOf(9)), /does not match/);
  assert.equal(reads.n, 20, 'the refused log was rebuilt, not cached');
  assert.equal(cache.get(11n, rootOf(11)), undefined, 'a batch not stored yet');
});

test(`at most ${HEADER_LOGS_KEPT} logs are kept, the least recently used dropped first`, () => {
  const { store, reads } = batches(20);
  const cache = createHeaderLogCache(store, nativeSha256);
  for (let c = 1; c <= HEADER_LOGS_KEPT; c++) cache.get(BigInt(c), rootOf(c));
  cache.get(1n, rootOf(1)); // 1 is now the most recently used
  const before = reads.n;
  cache.get(10n, rootOf(10)); // drops 2
  assert.equal(reads.n, before + 10);
  cache.get(1n, rootOf(1));
  assert.equal(reads.n, before + 10, '1 was kept');
  cache.get(2n, rootOf(2));
  assert.equal(reads.n, before + 12, '2 was dropped and rebuilt');
});
