// The .spark file codec (docs/proof-format.md §1): bounded, total decoding of ProofBundle bytes, encoding, and views for people.
import { fromBinary, type JsonValue, toBinary, toJson } from '@bufbuild/protobuf';
import {
  type Anchor,
  type ArweaveTransaction,
  type Checkpoint,
  type EmbeddedProof,
  HashAlgorithm,
  type KeyRecord,
  type ProofBundle,
  ProofBundleSchema,
  type Signature,
} from '../../gen/spark/v1/bundle_pb.js';
import { parseBlockHeader } from '../anchor/block-header.ts';
import { toBase64Url } from '../encoding/base64.ts';
import { toHex } from '../encoding/bytes.ts';
import { BundleError } from './bundle-error.ts';
import { decodeHeader, type HeaderFields } from './header.ts';
import { decodeLeafEntry } from './leaf.ts';
import { sourceDisplay } from './source-reference.ts';

/** Largest bundle accepted, in bytes: far above any real bundle (a few tens of KiB), far below harm. */
export const MAX_BUNDLE_BYTES = 4 * 1024 * 1024;

/**
 * Decodes bundle bytes. Throws only BundleError (field "bundle"): empty, over MAX_BUNDLE_BYTES, or not a
 * ProofBundle. Unknown fields are kept so the verifier's canonical check can see and reject them.
 */
export function decodeBundle(bytes: Uint8Array): ProofBundle {
  if (!(bytes instanceof Uint8Array))
    throw new BundleError('MALFORMED', 'bundle: not bytes', { field: 'bundle' });
  if (bytes.length === 0) throw new BundleError('MALFORMED', 'bundle: empty', { field: 'bundle' });
  if (bytes.length > MAX_BUNDLE_BYTES) {
    throw new BundleError('TOO_LARGE', `bundle: ${bytes.length} bytes, more than ${MAX_BUNDLE_BYTES}`, {
      field: 'bundle',
    });
  }
  try {
    return fromBinary(ProofBundleSchema, bytes, { readUnknownFields: true });
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new BundleError('MALFORMED', `bundle: not a spark.v1.ProofBundle (${why})`, {
      field: 'bundle',
      cause: e,
    });
  }
}

/** The canonical binary encoding of `bundle` (unknown fields dropped): the .spark file bytes. */
export function encodeBundle(bundle: ProofBundle): Uint8Array {
  return toBinary(ProofBundleSchema, bundle, { writeUnknownFields: false });
}

/** The protobuf JSON mapping of `bundle` (bytes as base64, 64-bit integers as strings). */
export function bundleToJson(bundle: ProofBundle): JsonValue {
  return toJson(ProofBundleSchema, bundle);
}

/** A JSON-safe value: what `bundleToDisplay` returns. */
export type Display = string | number | boolean | null | Display[] | { [key: string]: Display };

function isoOf(ms: bigint): string {
  // Date covers ±8.64e15 ms; anything beyond is shown as a number only.
  return ms <= 8_640_000_000_000_000n ? new Date(Number(ms)).toISOString() : 'out of range';
}

function headerDisplay(h: HeaderFields): Display {
  return {
    formatVersion: h.formatVersion,
    logId: toHex(h.logId),
    sequence: h.sequence.toString(),
    previousHeaderHash: toHex(h.previousHeaderHash),
    root: toHex(h.root),
    treeSize: h.treeSize.toString(),
    timeMs: h.timeMs.toString(),
    time: isoOf(h.timeMs),
    algorithmId: h.algorithmId,
    keyId: toHex(h.keyId),
    guaranteeExpiryMs: h.guaranteeExpiryMs.toString(),
    guaranteeExpiry: isoOf(h.guaranteeExpiryMs),
  };
}

function signatureDisplay(s: Signature): Display {
  return { algorithmId: s.algorithmId, keyId: toHex(s.keyId), signature: toHex(s.signature) };
}

function keyDisplay(k: KeyRecord): Display {
  return {
    algorithmId: k.algorithmId,
    keyId: toHex(k.keyId),
    publicKey: toHex(k.publicKey),
    validFromMs: k.validFromMs.toString(),
    validUntilMs: k.validUntilMs.toString(),
    previousKeyId: toHex(k.previousKeyId),
    endorsement: toHex(k.endorsement),
    protection: k.protection,
    selfSignature: toHex(k.selfSignature),
  };
}

function anchorDisplay(a: Anchor): Display {
  return {
    networkGenerationHashSeed: toHex(a.networkGenerationHashSeed),
    transactionHash: toHex(a.transactionHash),
    height: a.height.toString(),
    blockTimestamp: a.blockTimestamp.toString(),
    merkleComponentHash: toHex(a.merkleComponentHash),
    merklePath: a.merklePath.map((p) => ({ left: p.left, hash: toHex(p.hash) })),
    transactionsHash: toHex(a.transactionsHash),
    finalizedHeight: a.finalizedHeight.toString(),
    transaction: toHex(a.transaction),
    blockHeader: toHex(a.blockHeader),
    ...blockHeaderDisplay(a.blockHeader),
    aggregateHeader: toHex(a.aggregateHeader),
    recordChunks: a.recordChunks.map(embeddedDisplay),
    publicationChunks: a.publicationChunks.map(embeddedDisplay),
  };
}

/** The block header decoded, with the block hash anyone can compare with an explorer or another node. */
function blockHeaderDisplay(bytes: Uint8Array): { [key: string]: Display } {
  if (bytes.length === 0) return {};
  const h = parseBlockHeader(bytes);
  if (!h.ok) return { blockHeaderDecoded: { problem: h.reason } };
  return {
    blockHeaderDecoded: {
      hash: toHex(h.value.hash),
      height: h.value.height.toString(),
      timestamp: h.value.timestamp.toString(),
      network: h.value.network,
      harvester: toHex(h.value.signerPublicKey),
      previousBlockHash: toHex(h.value.previousBlockHash),
      transactionsHash: toHex(h.value.transactionsHash),
    },
  };
}

function embeddedDisplay(e: EmbeddedProof): Display {
  return {
    transaction: toHex(e.transaction),
    path: e.path.map((p) => ({ left: p.left, hash: toHex(p.hash) })),
  };
}

function checkpointDisplay(c: Checkpoint): Display {
  return {
    sequence: c.sequence.toString(),
    headerHash: toHex(c.headerHash),
    batchCount: c.batchCount.toString(),
    body: toHex(c.body),
    signatures: c.signatures.map(signatureDisplay),
    anchor: c.anchor === undefined ? null : anchorDisplay(c.anchor),
    headerPath: c.headerPath.map(toHex),
  };
}

/**
 * A plain object for people (`spark inspect`): bytes as lower-case hex, 64-bit integers as decimal
 * strings, and the header decoded from its signed bytes (not taken from header_fields).
 */

/** An Arweave transaction as Arweave's own JSON spells it: bytes in unpadded base64url. */
function arweaveDisplay(tx: ArweaveTransaction) {
  return {
    id: tx.id,
    owner: toBase64Url(tx.owner),
    lastTx: toBase64Url(tx.lastTx),
    reward: tx.reward,
    tags: tx.tags.map((t) => ({ name: toBase64Url(t.name), value: toBase64Url(t.value) })),
    dataSize: tx.dataSize.toString(),
    dataRoot: toBase64Url(tx.dataRoot),
    signature: toBase64Url(tx.signature),
  };
}

/** `{ source }` for a version-2 entry's other-chain reference; nothing for others (or an invalid entry). */
function sourceOf(entry: Uint8Array): { source?: Display } {
  const decoded = decodeLeafEntry(entry);
  return typeof decoded === 'string' || decoded.source === undefined
    ? {}
    : { source: sourceDisplay(decoded.source) };
}

export function bundleToDisplay(bundle: ProofBundle): Display {
  const decoded = decodeHeader(bundle.header);
  const { leaf, inclusion } = bundle;
  return {
    version: bundle.version,
    leaf:
      leaf === undefined
        ? null
        : {
            hashAlgorithm: HashAlgorithm[leaf.hashAlgorithm] ?? leaf.hashAlgorithm,
            digest: toHex(leaf.digest),
            entry: toHex(leaf.entry),
            leafHash: toHex(leaf.leafHash),
            ...sourceOf(leaf.entry),
          },
    inclusion:
      inclusion === undefined
        ? null
        : {
            leafIndex: inclusion.leafIndex.toString(),
            treeSize: inclusion.treeSize.toString(),
            path: inclusion.path.map(toHex),
          },
    header: toHex(bundle.header),
    headerDecoded: typeof decoded === 'string' ? { error: decoded } : headerDisplay(decoded),
    signatures: bundle.signatures.map(signatureDisplay),
    keys: bundle.keys.map(keyDisplay),
    anchor: bundle.anchor === undefined ? null : anchorDisplay(bundle.anchor),
    checkpoint: bundle.checkpoint === undefined ? null : checkpointDisplay(bundle.checkpoint),
    publication:
      bundle.publication === undefined
        ? null
        : {
            ipfsCid: bundle.publication.ipfsCid,
            arweave:
              bundle.publication.arweave === undefined ? null : arweaveDisplay(bundle.publication.arweave),
          },
  };
}
