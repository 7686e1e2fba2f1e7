// Assembles the richest proof bundle available for a leaf from the store (SPEC §3 step 4, §5).
import { buildBundle } from '../bundle/build.ts';
import { decodeHeader } from '../bundle/header.ts';
import type { Sha256 } from '../crypto/sha256.ts';
import { bytesEqual } from '../encoding/bytes.ts';
import type { ProofBundle } from '../gen/spark/v1/bundle_pb.js';
import { inclusionPath } from '../merkle/tree.ts';
import { RequestError } from '../service/request-error.ts';
import type { KeyHistoryEntry, LeafRecord, Store } from '../store/store.ts';

/** A leaf and, once sealed, its bundle. */
export interface Proof {
  readonly record: LeafRecord;
  readonly bundle: ProofBundle | undefined;
}

/** The signing key's entry and, when its window is closed, its successor's. */
function keysFor(history: readonly KeyHistoryEntry[], keyId: Uint8Array): KeyHistoryEntry[] {
  const at = history.findIndex((k) => bytesEqual(k.keyId, keyId));
  const entry = history[at];
  if (entry === undefined) return [];
  const next = history[at + 1];
  return entry.validUntilMs !== 0 && next !== undefined ? [entry, next] : [entry];
}

/** Builds proofs from `store`, hashing with `sha256`. */
export function createProver(store: Store, sha256: Sha256): { prove(leafHash: Uint8Array): Proof } {
  return {
    prove(leafHash) {
      const record = store.getLeaf(leafHash);
      if (record === undefined) {
        throw new RequestError('LEAF_UNKNOWN', 'leaf_hash: no such leaf in this log', { field: 'leaf_hash' });
      }
      const position = record.position;
      if (position === undefined) return { record, bundle: undefined };
      const batch = store.getBatch(position.sequence);
      const fields = batch === undefined ? undefined : decodeHeader(batch.header);
      if (batch === undefined || fields === undefined || typeof fields === 'string') {
        throw new Error(`batch ${position.sequence} of a sealed leaf is missing or unreadable`);
      }
      const path = inclusionPath(batch.treeSize, position.index, (level, index) =>
        store.readNode(position.sequence, level, index),
      );
      const bundle = buildBundle({
        digest: record.digest,
        leafIndex: position.index,
        treeSize: batch.treeSize,
        path,
        batch,
        keys: keysFor(store.keyHistory(), fields.keyId),
        sha256,
      });
      return { record, bundle };
    },
  };
}
