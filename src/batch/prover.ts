// Assembles the richest proof bundle available for a leaf from the store (docs/proof-format.md §1): sealed, then
// with its Symbol anchor evidence once confirmed: compact (bundle version 2, docs/proof-format.md §9) when the
// stored evidence has the block header, else the whole transaction (version 1).
import { create } from '@bufbuild/protobuf';
import type { AnchorStatus, BatchAnchor } from '../anchor/anchor-state.ts';
import type { AnchorTracker } from '../anchor/symbol/anchor-tracker.ts';
import { type CheckpointNotes, noteOf } from '../cosign/checkpoint-notes.ts';
import { RequestError } from '../errors/request-error.ts';
import {
  type Anchor,
  type ArweaveTransaction,
  type Checkpoint,
  CheckpointSchema,
  CosignedCheckpointSchema,
  KeyRecordSchema,
  type ProofBundle,
  PublicationSchema,
  SignatureSchema,
} from '../gen/spark/v1/bundle_pb.js';
import { encodeAnchorRecord, encodeCheckpointRecord } from '../proof/anchor/anchor-record.ts';
import { buildAnchorShare } from '../proof/anchor/anchor-share.ts';
import type { PublicationEntry } from '../proof/anchor/publication-record.ts';
import { type AnchorEvidence, compactAnchor, fullAnchor } from '../proof/bundle/anchor-message.ts';
import { buildBundle } from '../proof/bundle/build.ts';
import { decodeCheckpoint } from '../proof/bundle/checkpoint.ts';
import { algorithmById } from '../proof/crypto/algorithms.ts';
import type { Sha256 } from '../proof/crypto/sha256.ts';
import { bytesEqual } from '../proof/encoding/bytes.ts';
import { inclusionPath } from '../proof/merkle/tree.ts';
import { type CosignatureAlgorithm, cosignerKeyId } from '../proof/note/cosignature.ts';
import type { KeyHistoryEntry, LeafRecord, Store } from '../store/store.ts';
import { createHeaderLogCache, type HeaderLogCache } from './header-log-cache.ts';

/** A leaf, its batch's anchoring status (when anchoring is on) and, once sealed, its bundle. */
export interface Proof {
  readonly record: LeafRecord;
  readonly anchorStatus: AnchorStatus | undefined;
  readonly bundle: ProofBundle | undefined;
}

/**
 * The signing key's entry, its successor's when its window is closed, and the chain of endorsing predecessors
 * back to the first key that was not endorsed (so a verifier who trusts an earlier key can follow every step).
 */
function keysFor(history: readonly KeyHistoryEntry[], keyId: Uint8Array): KeyHistoryEntry[] {
  const at = history.findIndex((k) => bytesEqual(k.keyId, keyId));
  const entry = history[at];
  if (entry === undefined) return [];
  const next = history[at + 1];
  const out = entry.validUntilMs !== 0 && next !== undefined ? [entry, next] : [entry];
  for (let i = at; i > 0; i--) {
    const cur = history[i];
    const prev = history[i - 1];
    if (cur === undefined || prev === undefined || cur.endorsement.length === 0) break;
    if (!bytesEqual(cur.previousKeyId, prev.keyId)) break;
    out.push(prev);
  }
  return out;
}

/** An anchor in both forms: version 1 always, version 2 when the evidence has a block header and the share builds. */
interface AnchorForms {
  readonly full: Anchor;
  readonly compact: Anchor | undefined;
}

/**
 * The bundle's Anchor from a confirmed state (a batch's or a checkpoint's), or undefined when not (yet) confirmed.
 * `record` is what the anchor proves (the batch or checkpoint record); `publication` asks for the batch's
 * publication transfers in the compact form. Evidence stored before block headers were kept gives no compact form.
 */
function anchorOf(
  state: BatchAnchor | undefined,
  anchors: AnchorTracker,
  record: () => Uint8Array,
  publication = false,
): AnchorForms | undefined {
  const c = state?.confirmed;
  if (state === undefined || c === undefined) return undefined;
  const outbox = anchors.outbox(c.txHash);
  if (outbox === undefined) return undefined;
  const evidence: AnchorEvidence = {
    generationHashSeed: outbox.generationHashSeed,
    transactionHash: c.txHash,
    height: c.height,
    blockTimestamp: c.blockTimestamp,
    merkleComponentHash: c.merkleComponentHash,
    path: c.path,
    transactionsHash: c.transactionsHash,
    finalizedHeight: state.finalizedHeight ?? anchors.finalizedHeight(),
  };
  const full = fullAnchor(evidence, outbox.payload);
  if (c.blockHeader.length === 0) return { full, compact: undefined };
  let share: ReturnType<typeof buildAnchorShare>;
  try {
    share = buildAnchorShare(outbox.payload, record(), { publication });
  } catch {
    return { full, compact: undefined };
  }
  return { full, compact: share.ok ? compactAnchor(evidence, c.blockHeader, share.value) : undefined };
}

/** A checkpoint for a bundle, with its anchor in both forms. */
interface CheckpointForms {
  readonly checkpoint: Checkpoint;
  readonly anchor: AnchorForms;
}

/**
 * The bundle's Checkpoint: the newest confirmed checkpoint covering batch `sequence`, with this batch's header-log
 * path and the checkpoint's own anchor (set by the caller, in the bundle's form); the records of checkpoint keys
 * the bundle lacks (and their endorsers) are appended to `bundle.keys`. The header log comes from `logs` after the
 * first proof under a checkpoint.
 */
function addCheckpoint(
  bundle: ProofBundle,
  sequence: bigint,
  store: Store,
  anchors: AnchorTracker,
  logs: HeaderLogCache,
): CheckpointForms | undefined {
  const found = anchors.checkpointFor(sequence);
  if (found === undefined) return undefined;
  const { checkpoint, state } = found;
  const body = decodeCheckpoint(checkpoint.body);
  const anchor = anchorOf(state, anchors, () =>
    encodeCheckpointRecord({ body: checkpoint.body, signatures: checkpoint.signatures }),
  );
  if (typeof body === 'string' || anchor === undefined) return undefined;
  const log = logs.get(checkpoint.batchCount, body.headerLogRoot);
  if (log === undefined) return undefined;
  bundle.checkpoint = create(CheckpointSchema, {
    sequence: checkpoint.batchCount - 1n,
    headerHash: body.headHeaderHash,
    batchCount: checkpoint.batchCount,
    body: checkpoint.body,
    signatures: checkpoint.signatures.map((s) =>
      create(SignatureSchema, { algorithmId: s.algorithmId, keyId: s.keyId, signature: s.signature }),
    ),
    anchor: anchor.full,
    headerPath: log.path(Number(sequence)),
  });
  // Keys of the checkpoint signatures, and (transitively) the endorsers of those records.
  addKeyRecords(
    bundle,
    store.keyHistory(),
    checkpoint.signatures.map((s) => s.keyId),
  );
  return { checkpoint: bundle.checkpoint, anchor };
}

/** Appends the records of keys `ids` that `bundle` lacks, and (transitively) the endorsers of those records. */
function addKeyRecords(
  bundle: ProofBundle,
  history: readonly KeyHistoryEntry[],
  ids: readonly Uint8Array[],
): void {
  const wanted = [...ids];
  // Bounded: each push adds a record of `history` not yet in the bundle.
  for (let i = 0; i < wanted.length && i <= history.length + ids.length; i++) {
    const id = wanted[i] as Uint8Array;
    if (bundle.keys.some((k) => bytesEqual(k.keyId, id))) continue;
    const entry = history.find((k) => bytesEqual(k.keyId, id));
    if (entry === undefined) continue;
    bundle.keys.push(
      create(KeyRecordSchema, {
        algorithmId: entry.algorithmId,
        keyId: entry.keyId,
        publicKey: entry.publicKey,
        validFromMs: BigInt(entry.validFromMs),
        validUntilMs: BigInt(entry.validUntilMs),
        previousKeyId: entry.previousKeyId,
        endorsement: entry.endorsement,
        protection: entry.protection,
        selfSignature: entry.selfSignature,
      }),
    );
    if (entry.endorsement.length > 0) wanted.push(entry.previousKeyId);
  }
}

/** The witnessed checkpoint notes a bundle may carry (docs/witnesses.md). */
export interface WitnessedNotes {
  readonly notes: Pick<CheckpointNotes, 'covering' | 'origin'>;
  readonly quorum: number;
}

/** Puts the covering cosigned checkpoint note into `bundle`, with the record of the key that signed it. */
function addCosignedCheckpoint(bundle: ProofBundle, sequence: bigint, store: Store, w: WitnessedNotes): void {
  const found = w.notes.covering(sequence, w.quorum);
  if (found === undefined) return;
  bundle.cosignedCheckpoint = create(CosignedCheckpointSchema, {
    note: noteOf(found.note),
    headerPath: found.headerPath,
  });
  const history = store.keyHistory();
  const signer = history.find((k) => {
    const name = algorithmById(k.algorithmId)?.name;
    if (name === undefined) return false;
    const cosigner = {
      name: w.notes.origin,
      algorithm: name as CosignatureAlgorithm,
      publicKey: k.publicKey,
    };
    return cosignerKeyId(cosigner) === found.note.logSignature.keyId;
  });
  if (signer !== undefined) addKeyRecords(bundle, history, [signer.keyId]);
}

/**
 * Puts the anchors in the bundle: version 2 (compact anchors with block headers) only when every anchor it has
 * has a compact form, otherwise version 1 with whole transactions (docs/proof-format.md §1). A bundle without
 * anchors stays version 1, as sealed.
 */
function placeAnchors(
  bundle: ProofBundle,
  batch: AnchorForms | undefined,
  checkpoint: CheckpointForms | undefined,
): void {
  const present = [batch, checkpoint?.anchor].filter((a): a is AnchorForms => a !== undefined);
  const compact = present.length > 0 && present.every((a) => a.compact !== undefined);
  const pick = (a: AnchorForms): Anchor => (compact ? (a.compact ?? a.full) : a.full);
  if (batch !== undefined) bundle.anchor = pick(batch);
  if (checkpoint !== undefined) checkpoint.checkpoint.anchor = pick(checkpoint.anchor);
  bundle.version = compact ? 2 : 1;
}

/** What else a prover may add to anchored bundles. */
export interface ProverExtras {
  /** Cosigned checkpoints, when witnesses are configured. */
  readonly witnessed?: WitnessedNotes | undefined;
  /**
   * The CIDs an immediate batch's anchor names for its sealed bundles, as stored with the batch when they were
   * published (src/ipfs/sealed-publication.ts); undefined for other batches.
   */
  readonly sealedCids?: ((sequence: bigint) => readonly PublicationEntry[] | undefined) | undefined;
  /** The confirmed Arweave copy of the bytes a CID names, checked against it (docs/publication.md). */
  readonly arweaveCopy?: ((cid: string) => ArweaveTransaction | undefined) | undefined;
}

/**
 * Builds proofs from `store`, hashing with `sha256`; with `anchors` (the tracker, or a getter of the tracker for a
 * prover made before it: the tracker itself publishes sealed bundles), adds Symbol evidence.
 */
export function createProver(
  store: Store,
  sha256: Sha256,
  anchorsOf?: AnchorTracker | (() => AnchorTracker | undefined),
  { witnessed, sealedCids, arweaveCopy }: ProverExtras = {},
): {
  /** With `sealedOnly`, the bundle as of sealing: no anchor, checkpoint or publication (what is published). */
  prove(leafHash: Uint8Array, options?: { readonly sealedOnly?: boolean }): Proof;
  status(leafHash: Uint8Array): Omit<Proof, 'bundle'>;
} {
  const tracker = (): AnchorTracker | undefined =>
    typeof anchorsOf === 'function' ? anchorsOf() : anchorsOf;
  const logs = createHeaderLogCache(store, sha256);
  return {
    // Cheap: no bundle is built, for watchers that only need to know whether anything changed.
    status(leafHash) {
      const record = store.getLeaf(leafHash);
      if (record === undefined) {
        throw new RequestError('LEAF_UNKNOWN', 'leaf_hash: no such leaf in this log', { field: 'leaf_hash' });
      }
      const sequence = record.position?.sequence;
      const anchors = tracker();
      const anchorStatus =
        anchors === undefined || sequence === undefined
          ? undefined
          : (anchors.state(sequence)?.status ?? 'SEALED');
      return { record, anchorStatus };
    },
    prove(leafHash, options) {
      const record = store.getLeaf(leafHash);
      if (record === undefined) {
        throw new RequestError('LEAF_UNKNOWN', 'leaf_hash: no such leaf in this log', { field: 'leaf_hash' });
      }
      const position = record.position;
      if (position === undefined) return { record, anchorStatus: undefined, bundle: undefined };
      const batch = store.getBatch(position.sequence);
      if (batch === undefined) throw new Error(`batch ${position.sequence} of a sealed leaf is missing`);
      const fields = batch.fields;
      const path = inclusionPath(batch.treeSize, position.index, (level, index) =>
        store.readNode(position.sequence, level, index),
      );
      const bundle = buildBundle({
        digest: record.digest,
        source: record.source,
        leafIndex: position.index,
        treeSize: batch.treeSize,
        path,
        batch,
        keys: keysFor(store.keyHistory(), fields.keyId),
        sha256,
      });
      if (options?.sealedOnly === true) return { record, anchorStatus: undefined, bundle };
      if (witnessed !== undefined) addCosignedCheckpoint(bundle, position.sequence, store, witnessed);
      const anchors = tracker();
      const state = anchors?.state(position.sequence);
      if (anchors !== undefined) {
        // Only the confirmed anchor of an immediate batch names CIDs (the announcer writes a publication record for
        // those alone): the ones stored when its sealed bundles were published.
        const cid =
          state?.confirmed === undefined || !state.immediate
            ? undefined
            : sealedCids?.(position.sequence)?.find((e) => e.leafIndex === position.index)?.cid;
        const anchor = anchorOf(
          state,
          anchors,
          () => encodeAnchorRecord({ header: batch.header, signatures: batch.signatures }),
          cid !== undefined,
        );
        if (anchor !== undefined && cid !== undefined) {
          bundle.publication = create(PublicationSchema, { ipfsCid: cid, arweave: arweaveCopy?.(cid) });
        }
        placeAnchors(bundle, anchor, addCheckpoint(bundle, position.sequence, store, anchors, logs));
      }
      // Anchoring on but the batch not yet tracked (sealed a moment ago): it is SEALED.
      const anchorStatus = anchors === undefined ? undefined : (state?.status ?? 'SEALED');
      return { record, anchorStatus, bundle };
    },
  };
}
