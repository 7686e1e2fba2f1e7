// The CIDs an immediate batch's anchor names (docs/ipfs.md §The CID in the anchor). When the batch is sealed, each
// of its first leaves' bundles as of sealing is published (stored, served by the gateway, queued for the
// publishers) and the CIDs are stored with the batch (docs table `sealed-cids`, as the very publication record the
// anchor carries) before the anchor is built: the announcer writes exactly those into the batch's aggregate and the
// prover reads them back, so the CID on chain names bytes that exist and never change, and nothing re-parses a
// transaction to recover them. The "sealed" event and the announcer may ask at once: they share one publication.
import { toBinary } from '@bufbuild/protobuf';
import { sequenceKey } from '../anchor/anchor-state.ts';
import type { Proof } from '../batch/prover.ts';
import { ProofBundleSchema, Status } from '../gen/spark/v1/bundle_pb.js';
import {
  decodePublicationRecord,
  encodePublicationRecord,
  MAX_PUBLICATION_ENTRIES,
  type PublicationEntry,
} from '../proof/anchor/publication-record.ts';
import type { BatchRecord, Store } from '../store/store.ts';
import { StoreError } from '../store/store-error.ts';
import type { Publications } from './publications.ts';

/** What publishing a batch's sealed bundles needs. */
export interface SealedPublicationDeps {
  readonly store: Store;
  readonly prove: (leafHash: Uint8Array, options: { readonly sealedOnly: true }) => Proof;
  readonly publications: Publications;
}

/** An immediate batch's sealed bundles, published once, their CIDs kept with the batch. */
export interface SealedPublication {
  /**
   * The CIDs of the batch's first MAX_PUBLICATION_ENTRIES leaves' sealed bundles by leaf index: the stored ones, or
   * (the first time, on the "sealed" event or when the announcer finds none after a crash) published and stored.
   */
  publish(batch: BatchRecord): Promise<readonly PublicationEntry[]>;
  /** The stored CIDs of batch `sequence`, or undefined when none were published for it. */
  entries(sequence: bigint): readonly PublicationEntry[] | undefined;
}

/** The stored record of batch `sequence`: the publication record its anchor carries, checked as it is read. */
function decode(raw: Uint8Array, sequence: bigint): readonly PublicationEntry[] {
  const damaged = (why: string) =>
    new StoreError('CORRUPT', `store record sealed-cids/${sequenceKey(sequence)} is corrupt: ${why}`);
  const record = decodePublicationRecord(raw);
  if (!record.ok) throw damaged(record.reason);
  if (record.value.sequence !== sequence) throw damaged(`it names batch ${record.value.sequence}`);
  return record.value.entries;
}

/** Creates the sealed publication of immediate batches. */
export function createSealedPublication(d: SealedPublicationDeps): SealedPublication {
  const entries = (sequence: bigint): readonly PublicationEntry[] | undefined => {
    const raw = d.store.getDoc('sealed-cids', sequenceKey(sequence));
    return raw === undefined ? undefined : decode(raw, sequence);
  };
  /** Publications under way, by sequence: the "sealed" event and the announcer share one. */
  const underWay = new Map<bigint, Promise<readonly PublicationEntry[]>>();

  async function publishNow(batch: BatchRecord): Promise<readonly PublicationEntry[]> {
    const published: PublicationEntry[] = [];
    const count = Math.min(batch.treeSize, MAX_PUBLICATION_ENTRIES);
    for (let leafIndex = 0; leafIndex < count; leafIndex++) {
      const leafHash = d.store.readNode(batch.sequence, 0, leafIndex);
      const bundle = d.prove(leafHash, { sealedOnly: true }).bundle;
      if (bundle === undefined) throw new Error(`leaf ${leafIndex} of batch ${batch.sequence} has no bundle`);
      const publication = await d.publications.add(
        leafHash,
        Status.SEALED,
        toBinary(ProofBundleSchema, bundle),
      );
      published.push({ leafIndex, cid: publication.cid });
    }
    const record = encodePublicationRecord({
      sequence: batch.sequence,
      root: batch.fields.root,
      entries: published,
    });
    await d.store.putDocs([{ table: 'sealed-cids', key: sequenceKey(batch.sequence), value: record }]);
    return published;
  }

  return {
    entries,
    publish(batch) {
      const stored = entries(batch.sequence);
      if (stored !== undefined) return Promise.resolve(stored);
      let running = underWay.get(batch.sequence);
      if (running === undefined) {
        running = publishNow(batch).finally(() => underWay.delete(batch.sequence));
        underWay.set(batch.sequence, running);
      }
      return running;
    },
  };
}
