// Assembles a version-1 proof bundle for one sealed leaf (docs/proof-format.md §1) from stored batch and key data (pure).
import { create } from '@bufbuild/protobuf';
import {
  BatchHeaderSchema,
  HashAlgorithm,
  InclusionProofSchema,
  KeyRecordSchema,
  LeafSchema,
  type ProofBundle,
  ProofBundleSchema,
  SignatureSchema,
} from '../../gen/spark/v1/bundle_pb.js';
import { portableSha256, type Sha256 } from '../crypto/sha256.ts';
import type { BatchRecord, KeyHistoryEntry } from '../log-records.ts';
import { hashLeaf } from '../merkle/hash.ts';
import { encodeLeafEntry } from './leaf.ts';

/** Version written into every bundle this build makes. */
export const BUNDLE_VERSION = 1;

/** What a bundle is made from. */
export interface BundleInput {
  /** The client's SHA-256 digest (32 bytes). */
  readonly digest: Uint8Array;
  /** The encoded other-chain reference bound into the leaf (docs/proof-format.md §2.1), if any. */
  readonly source?: Uint8Array | undefined;
  /** Zero-based index of the leaf in the batch tree. */
  readonly leafIndex: number;
  /** Leaves in the batch tree. */
  readonly treeSize: number;
  /** RFC 9162 inclusion path, bottom-up. */
  readonly path: readonly Uint8Array[];
  /** The sealed batch: signed header bytes and signatures. */
  readonly batch: BatchRecord;
  /** The signing key's history entry and, when its window is closed, its successor's. */
  readonly keys: readonly KeyHistoryEntry[];
  /** SHA-256 implementation (portable by default). */
  readonly sha256?: Sha256;
}

/**
 * Builds the bundle. Anchor, checkpoint and publication stay unset (filled by later stages).
 * Throws Error when the stored header bytes do not decode: that is store corruption, not bad input.
 */
export function buildBundle(input: BundleInput): ProofBundle {
  const sha256 = input.sha256 ?? portableSha256;
  const header = input.batch.fields;
  const entry = encodeLeafEntry(input.digest, input.source);
  return create(ProofBundleSchema, {
    version: BUNDLE_VERSION,
    leaf: create(LeafSchema, {
      hashAlgorithm: HashAlgorithm.SHA2_256,
      digest: input.digest.slice(),
      entry,
      leafHash: hashLeaf(entry, sha256),
    }),
    inclusion: create(InclusionProofSchema, {
      leafIndex: BigInt(input.leafIndex),
      treeSize: BigInt(input.treeSize),
      path: input.path.map((p) => p.slice()),
    }),
    header: input.batch.header.slice(),
    headerFields: create(BatchHeaderSchema, {
      formatVersion: header.formatVersion,
      logId: header.logId,
      sequence: header.sequence,
      previousHeaderHash: header.previousHeaderHash,
      root: header.root,
      treeSize: header.treeSize,
      timeMs: header.timeMs,
      algorithmId: header.algorithmId,
      keyId: header.keyId,
      guaranteeExpiryMs: header.guaranteeExpiryMs,
    }),
    signatures: input.batch.signatures.map((s) =>
      create(SignatureSchema, { algorithmId: s.algorithmId, keyId: s.keyId, signature: s.signature }),
    ),
    keys: input.keys.map((k) =>
      create(KeyRecordSchema, {
        algorithmId: k.algorithmId,
        keyId: k.keyId,
        publicKey: k.publicKey,
        validFromMs: BigInt(k.validFromMs),
        validUntilMs: BigInt(k.validUntilMs),
        previousKeyId: k.previousKeyId,
        endorsement: k.endorsement,
        protection: k.protection,
        selfSignature: k.selfSignature,
      }),
    ),
  });
}
