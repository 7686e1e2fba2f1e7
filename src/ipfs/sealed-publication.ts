// The CIDs an immediate batch's anchor names (docs/ipfs.md §The CID in the anchor): each leaf's bundle
// as of sealing is published (stored, served by the gateway, queued for the publishers) before the anchor is
// built, so the CID written on chain names bytes that exist and never change.
import { toBinary } from '@bufbuild/protobuf';
import type { Proof } from '../batch/prover.ts';
import { ProofBundleSchema, Status } from '../gen/spark/v1/bundle_pb.js';
import { MAX_PUBLICATION_ENTRIES, type PublicationEntry } from '../proof/anchor/publication-record.ts';
import type { BatchRecord, Store } from '../store/store.ts';
import type { Publications } from './publications.ts';

/** What publishing a batch's sealed bundles needs. */
export interface SealedPublicationDeps {
  readonly store: Store;
  readonly prove: (leafHash: Uint8Array, options: { readonly sealedOnly: true }) => Proof;
  readonly publications: Publications;
}

/** Publishes the sealed bundles of the batch's first MAX_PUBLICATION_ENTRIES leaves; their CIDs by leaf index. */
export function sealedBundlePublisher(
  d: SealedPublicationDeps,
): (batch: BatchRecord) => Promise<PublicationEntry[]> {
  return async (batch) => {
    const entries: PublicationEntry[] = [];
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
      entries.push({ leafIndex, cid: publication.cid });
    }
    return entries;
  };
}
