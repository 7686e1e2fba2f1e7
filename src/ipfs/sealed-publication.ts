// The CIDs an immediate batch's anchor names (docs/ipfs.md §The CID in the anchor). When the batch is sealed, each
// of its first leaves' bundles as of sealing is published (stored, served by the gateway, queued for the
// publishers) and the CIDs are stored with the batch (docs table `sealed-cids`) before the anchor is built: the
// announcer writes exactly those into the publication record and the prover reads them back, so the CID on chain
// names bytes that exist and never change, and nothing re-parses a transaction to recover them.
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

const keyOf = (sequence: bigint): string => sequence.toString().padStart(20, '0');

function decode(raw: Uint8Array, sequence: bigint): PublicationEntry[] {
  const value = JSON.parse(new TextDecoder().decode(raw)) as unknown;
  if (
    !Array.isArray(value) ||
    !value.every(
      (e) =>
        typeof e === 'object' &&
        e !== null &&
        Number.isInteger((e as PublicationEntry).leafIndex) &&
        typeof (e as PublicationEntry).cid === 'string',
    )
  )
    throw new Error(`store record sealed-cids/${keyOf(sequence)} is corrupt`);
  return value as PublicationEntry[];
}

/** Creates the sealed publication of immediate batches. */
export function createSealedPublication(d: SealedPublicationDeps): SealedPublication {
  const entries = (sequence: bigint): PublicationEntry[] | undefined => {
    const raw = d.store.getDoc('sealed-cids', keyOf(sequence));
    return raw === undefined ? undefined : decode(raw, sequence);
  };
  return {
    entries,
    async publish(batch) {
      const stored = entries(batch.sequence);
      if (stored !== undefined) return stored;
      const published: PublicationEntry[] = [];
      const count = Math.min(batch.treeSize, MAX_PUBLICATION_ENTRIES);
      for (let leafIndex = 0; leafIndex < count; leafIndex++) {
        const leafHash = d.store.readNode(batch.sequence, 0, leafIndex);
        const bundle = d.prove(leafHash, { sealedOnly: true }).bundle;
        if (bundle === undefined)
          throw new Error(`leaf ${leafIndex} of batch ${batch.sequence} has no bundle`);
        const publication = await d.publications.add(
          leafHash,
          Status.SEALED,
          toBinary(ProofBundleSchema, bundle),
        );
        published.push({ leafIndex, cid: publication.cid });
      }
      await d.store.putDocs([
        {
          table: 'sealed-cids',
          key: keyOf(batch.sequence),
          value: new TextEncoder().encode(JSON.stringify(published)),
        },
      ]);
      return published;
    },
  };
}
