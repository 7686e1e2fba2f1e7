// Seals pending leaves into a batch: Merkle tree, hash-chained header v1, ML-DSA signature, durable commit (docs/proof-format.md §4).

import type { SigningKey } from '../../providers/key-provider.ts';
import type { Logger } from '../log/logger.ts';
import { encodeHeader, HEADER_FORMAT_VERSION, ZERO_HASH } from '../proof/bundle/header.ts';
import { HEADER_SIGNATURE_CONTEXT } from '../proof/crypto/contexts.ts';
import type { Sha256 } from '../proof/crypto/sha256.ts';
import { toHex } from '../proof/encoding/bytes.ts';
import { buildLevels, rootOf } from '../proof/merkle/tree.ts';
import type { BatchRecord, Store } from '../store/store.ts';
import type { KeyRing } from './key-ring.ts';

/** What the sealer needs. */
export interface SealerOptions {
  readonly store: Store;
  /** The signing key, used under its ring's lock so no rotation falls between dating and signing. */
  readonly keys: Pick<KeyRing, 'use'>;
  readonly sha256: Sha256;
  /**
   * Builds the tree levels of the leaf hashes, which it may take over (tree-builder.ts builds off the event loop);
   * default: buildLevels with `sha256`, inline.
   */
  readonly buildTree?: (leafHashes: Uint8Array) => Promise<Uint8Array[]>;
  readonly guaranteeExpiryMs: number;
  readonly now: () => number;
  readonly log: Logger;
}

/** Seals batches one at a time. */
export interface Sealer {
  /** Seals up to `limit` of the oldest pending leaves; undefined when none are pending. */
  seal(limit: number): Promise<BatchRecord | undefined>;
}

/** Creates a sealer; calls are serialized so the header chain never forks. */
export function createSealer(o: SealerOptions): Sealer {
  let tail: Promise<unknown> = Promise.resolve();

  function sealOnce(limit: number): Promise<BatchRecord | undefined> {
    return o.keys.use(({ key, entry }) => sealWith(key, entry.validFromMs, limit));
  }

  async function sealWith(
    key: SigningKey,
    keyValidFromMs: number,
    limit: number,
  ): Promise<BatchRecord | undefined> {
    const started = performance.now();
    const leafHashes = o.store.pendingHashes(limit);
    const treeSize = leafHashes.length / 32;
    if (treeSize === 0) return undefined;
    const levels =
      o.buildTree === undefined ? buildLevels(leafHashes, o.sha256) : await o.buildTree(leafHashes);
    const head = o.store.head();
    let previousTime = 0;
    if (head !== undefined) previousTime = Number(head.fields.timeMs);
    // Header times never go backwards and never predate the signing key's window.
    const timeMs = Math.max(o.now(), previousTime, keyValidFromMs);
    const sequence = head === undefined ? 0n : head.sequence + 1n;
    const fields = {
      formatVersion: HEADER_FORMAT_VERSION,
      logId: o.store.logId,
      sequence,
      previousHeaderHash: head?.headerHash ?? ZERO_HASH,
      root: rootOf(levels),
      treeSize: BigInt(treeSize),
      timeMs: BigInt(timeMs),
      algorithmId: key.algorithmId,
      keyId: key.keyId,
      guaranteeExpiryMs: BigInt(o.guaranteeExpiryMs),
    };
    const header = encodeHeader(fields);
    const signature = await key.sign(header, HEADER_SIGNATURE_CONTEXT);
    const batch: BatchRecord = {
      sequence,
      header,
      fields,
      headerHash: o.sha256(header),
      signatures: [{ algorithmId: key.algorithmId, keyId: key.keyId, signature }],
      treeSize,
    };
    await o.store.commitBatch(batch, levels);
    o.log.info(
      {
        sequence: sequence.toString(),
        treeSize,
        root: toHex(rootOf(levels)),
        headerHash: toHex(batch.headerHash),
        ms: Math.round(performance.now() - started),
      },
      'batch sealed',
    );
    return batch;
  }

  return {
    seal(limit) {
      const run = tail.then(() => sealOnce(limit));
      tail = run.catch(() => undefined);
      return run;
    },
  };
}
