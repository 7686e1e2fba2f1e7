// A leaf with an other-chain reference survives the store: written, read back, sealed and reopened with the same
// 79 source bytes; records without one (all written before references existed) still decode.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeSource } from '../../src/proof/bundle/source-reference.ts';
import { decodeLeaf, encodeLeaf } from '../../src/store/lmdb-codecs.ts';
import { openLmdbStore } from '../../src/store/lmdb-store.ts';
import { tempDir } from '../support/spawn-server.ts';

const source = encodeSource({
  kind: 'ethereum',
  chain: 'ethereum',
  txHash: new Uint8Array(32).fill(0x11),
  logIndex: 0,
  block: { number: 42n, hash: new Uint8Array(32).fill(0x22) },
});
const leaf = {
  leafHash: new Uint8Array(32).fill(0x33),
  digest: new Uint8Array(32).fill(0x44),
  source,
  requestId: 'req-ü',
  immediate: true,
  acceptedAtMs: 1_800_000_000_000,
};

test('the leaf codec carries the source between the fixed part and the request id', () => {
  const raw = encodeLeaf(leaf, 7);
  assert.equal(raw.length, 53 + 79 + Buffer.byteLength('req-ü'));
  const back = decodeLeaf(leaf.leafHash, raw, 'leaf');
  assert.deepEqual(back.source, source);
  assert.equal(back.requestId, 'req-ü');
  // Format 1's sealed flag (0x02, position in the record) is refused as unknown: that format is not read.
  const sealed = Buffer.from(raw);
  sealed[0] = (sealed[0] ?? 0) | 0x02;
  assert.throws(() => decodeLeaf(leaf.leafHash, sealed, 'leaf'), /unknown flags 0x7/);
  const { source: _, ...plain } = leaf;
  const old = decodeLeaf(leaf.leafHash, encodeLeaf(plain, 1), 'leaf');
  assert.equal(old.source, undefined);
  assert.throws(() => decodeLeaf(leaf.leafHash, raw.subarray(0, 60), 'leaf'), /source reference truncated/);
});

test('stored, reopened and read back from LMDB', async () => {
  const dir = tempDir('spark-leaf-source-');
  try {
    let store = await openLmdbStore({ path: dir.path, pendingCapacity: 10 });
    const [outcome] = await store.add([leaf]);
    assert.equal(outcome?.kind, 'stored');
    await store.close();
    store = await openLmdbStore({ path: dir.path, pendingCapacity: 10 });
    assert.deepEqual(store.getLeaf(leaf.leafHash)?.source, source);
    assert.deepEqual(store.pendingLeaves(5)[0]?.source, source);
    await store.close();
  } finally {
    dir.cleanup();
  }
});
