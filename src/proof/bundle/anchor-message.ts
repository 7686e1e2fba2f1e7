// The bundle's Anchor message in its two forms (docs/proof-format.md §9): version 1 with the whole aggregate,
// version 2 with the block header, the aggregate header and the anchored record's own share (pure).
import { create } from '@bufbuild/protobuf';
import {
  type Anchor,
  AnchorSchema,
  EmbeddedProofSchema,
  MerklePathItemSchema,
} from '../../gen/spark/v1/bundle_pb.js';
import type { AnchorShare } from '../anchor/anchor-share.ts';
import type { MerklePathStep } from '../anchor/symbol-merkle.ts';

/** What both forms carry: where the aggregate is and the block tree path to it. */
export interface AnchorEvidence {
  readonly generationHashSeed: Uint8Array;
  readonly transactionHash: Uint8Array;
  readonly height: bigint;
  /** Network milliseconds. */
  readonly blockTimestamp: bigint;
  readonly merkleComponentHash: Uint8Array;
  readonly path: readonly MerklePathStep[];
  /** The block's transactionsHash. */
  readonly transactionsHash: Uint8Array;
  readonly finalizedHeight: bigint;
}

const pathOf = (path: readonly MerklePathStep[]) =>
  path.map((p) => create(MerklePathItemSchema, { left: p.left, hash: p.hash }));

function common(e: AnchorEvidence) {
  return {
    networkGenerationHashSeed: e.generationHashSeed,
    transactionHash: e.transactionHash,
    height: e.height,
    blockTimestamp: e.blockTimestamp,
    merkleComponentHash: e.merkleComponentHash,
    merklePath: pathOf(e.path),
    transactionsHash: e.transactionsHash,
    finalizedHeight: e.finalizedHeight,
  };
}

/** A version-1 anchor: the evidence and the whole signed aggregate. */
export function fullAnchor(e: AnchorEvidence, transaction: Uint8Array): Anchor {
  return create(AnchorSchema, { ...common(e), transaction });
}

/** A version-2 anchor: the evidence, the block's header and the record's share of the aggregate (transaction empty). */
export function compactAnchor(e: AnchorEvidence, blockHeader: Uint8Array, share: AnchorShare): Anchor {
  return create(AnchorSchema, {
    ...common(e),
    blockHeader,
    aggregateHeader: share.aggregateHeader,
    recordChunks: share.recordChunks.map((path) => create(EmbeddedProofSchema, { path: pathOf(path) })),
    publicationChunks: share.publicationChunks.map((c) =>
      create(EmbeddedProofSchema, { transaction: c.transaction, path: pathOf(c.path) }),
    ),
  });
}
