// An immediate batch's sealed bundles are published once and their CIDs stored with the batch: asked again (the
// announcer after the "sealed" event, or after a restart) it answers the stored CIDs without publishing anew, even
// when the bundles would now come out differently; the stored CIDs name the published bytes; a damaged record is
// refused by name. Real LMDB store, sealer and prover.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, test } from 'node:test';
import { createProver } from '../../src/batch/prover.ts';
import { nativeSha256 } from '../../src/crypto/native-sha256.ts';
import { cidOf } from '../../src/ipfs/cid.ts';
import { createPublications } from '../../src/ipfs/publications.ts';
import { createSealedPublication } from '../../src/ipfs/sealed-publication.ts';
import {
  encodePublicationRecord,
  MAX_PUBLICATION_ENTRIES,
} from '../../src/proof/anchor/publication-record.ts';
import { openLmdbStore } from '../../src/store/lmdb-store.ts';
import type { NewLeaf } from '../../src/store/store.ts';
import { StoreError } from '../../src/store/store-error.ts';
import { memorySealer } from '../support/memory-sealer.ts';
import { tempDir } from '../support/spawn-server.ts';

const dir = tempDir('spark-sealed-publication-');
after(() => dir.cleanup());

const leaf = (tag: string): NewLeaf => ({
  leafHash: Uint8Array.from(createHash('sha256').update(`leaf ${tag}`).digest()),
  digest: Uint8Array.from(createHash('sha256').update(`digest ${tag}`).digest()),
  requestId: '',
  immediate: true,
  acceptedAtMs: Date.now(),
});

test('published once, CIDs stored with the batch and answered again as stored; a damaged record is refused', async () => {
  const store = await openLmdbStore({ path: dir.path, pendingCapacity: 1_000 });
  try {
    const sealer = await memorySealer(store);
    await store.add(Array.from({ length: MAX_PUBLICATION_ENTRIES + 6 }, (_, i) => leaf(`${i}`)));
    const batch = await sealer.seal(MAX_PUBLICATION_ENTRIES + 6);
    assert.ok(batch);
    const publications = createPublications(store, [], nativeSha256, Date.now);
    const prover = createProver(store, nativeSha256);
    let proved = 0;
    const sealed = createSealedPublication({
      store,
      prove: (h, o) => {
        proved++;
        return prover.prove(h, o);
      },
      publications,
    });
    assert.equal(sealed.entries(batch.sequence), undefined, 'nothing stored before publishing');
    // The "sealed" event and the announcer ask at once: one publication, shared.
    const [first, again] = await Promise.all([sealed.publish(batch), sealed.publish(batch)]);
    assert.deepEqual(again, first);
    assert.equal(first.length, MAX_PUBLICATION_ENTRIES, 'the first 64 leaves');
    assert.deepEqual(
      first.map((e) => e.leafIndex),
      Array.from({ length: MAX_PUBLICATION_ENTRIES }, (_, i) => i),
    );
    for (const e of first) {
      const bytes = publications.bytes(e.cid);
      assert.ok(bytes, `leaf ${e.leafIndex}'s sealed bundle is stored under its CID`);
      assert.equal(cidOf(bytes, nativeSha256), e.cid);
    }
    assert.equal(proved, MAX_PUBLICATION_ENTRIES);
    // Asked again (the announcer, or after a restart): the stored CIDs, nothing proved or published anew.
    assert.deepEqual(await sealed.publish(batch), first);
    assert.equal(proved, MAX_PUBLICATION_ENTRIES);
    const reopened = createSealedPublication({
      store,
      prove: () => {
        throw new Error('must not prove again');
      },
      publications,
    });
    assert.deepEqual(reopened.entries(batch.sequence), first);
    assert.deepEqual(await reopened.publish(batch), first);
    // A damaged record names itself.
    const key20 = batch.sequence.toString().padStart(20, '0');
    await store.putDocs([
      { table: 'sealed-cids', key: key20, value: new TextEncoder().encode('[{"leafIndex":"x"}]') },
    ]);
    assert.throws(() => reopened.entries(batch.sequence), new RegExp(`sealed-cids/${key20} is corrupt`));
    // Another batch's record under this key is refused too.
    const other = encodePublicationRecord({
      sequence: batch.sequence + 1n,
      root: batch.fields.root,
      entries: first,
    });
    await store.putDocs([{ table: 'sealed-cids', key: key20, value: other }]);
    assert.throws(
      () => reopened.entries(batch.sequence),
      (err: unknown) =>
        err instanceof StoreError &&
        err.code === 'CORRUPT' &&
        err.message.includes(`it names batch ${batch.sequence + 1n}`),
    );
  } finally {
    await store.close();
  }
});
