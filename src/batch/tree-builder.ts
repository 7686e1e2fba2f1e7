// Builds a batch's Merkle tree without blocking the event loop: small trees inline with the configured pair hasher
// (pair-hasher.ts), large ones in a worker thread (tree-worker.ts), so ingest and proofs go on while a big batch seals.
import { Worker } from 'node:worker_threads';
import { buildLevelsWith } from '../proof/merkle/tree.ts';
import { type MerkleHasherKind, pairHasherFor } from './pair-hasher.ts';
import type { TreeRequest, TreeResponse } from './tree-worker.ts';

/** Trees up to this many leaves are built inline: a few milliseconds, less than a round trip to the worker. */
export const INLINE_TREE_LEAVES = 16_384;

/** Builds tree levels as merkle/tree.ts buildLevels returns them. */
export interface TreeBuilder {
  /** The levels of `leafHashes` (n × 32 bytes); the buffer is handed over and must not be used afterwards. */
  build(leafHashes: Uint8Array): Promise<Uint8Array[]>;
  /** Starts the worker ahead of the first large tree (loading it takes ~100 ms); resolves once it runs. */
  warm(): Promise<void>;
  /** Stops the worker. */
  close(): Promise<void>;
}

/** A builder with one worker thread, started on first need and restarted after a failure. */
export function createTreeBuilder(kind: MerkleHasherKind = 'wasm'): TreeBuilder {
  const hashPairs = pairHasherFor(kind);
  let worker: Worker | undefined;
  let closed = false;
  let nextId = 0;
  const waiting = new Map<number, { resolve(levels: Uint8Array[]): void; reject(error: Error): void }>();

  const fail = (error: Error): void => {
    for (const w of waiting.values()) w.reject(error);
    waiting.clear();
    worker = undefined;
  };

  const start = (): Worker => {
    const w = new Worker(new URL('./tree-worker.ts', import.meta.url), { workerData: { kind } });
    w.unref();
    w.on('message', (answer: TreeResponse) => {
      const pending = waiting.get(answer.id);
      if (pending === undefined) return;
      waiting.delete(answer.id);
      if ('error' in answer) pending.reject(new RangeError(answer.error));
      else pending.resolve(answer.levels);
    });
    w.on('error', (error) => {
      if (worker === w) fail(error);
    });
    w.on('exit', (code) => {
      if (worker === w) fail(new Error(`the tree worker exited with code ${code}`));
    });
    return w;
  };

  return {
    async build(leafHashes) {
      if (closed) throw new Error('the tree builder is closed');
      if (leafHashes.length / 32 <= INLINE_TREE_LEAVES) return buildLevelsWith(leafHashes, hashPairs);
      // Only a whole buffer can be transferred; a view into a larger one is copied first.
      const leaves =
        leafHashes.byteOffset === 0 && leafHashes.byteLength === leafHashes.buffer.byteLength
          ? leafHashes
          : leafHashes.slice();
      worker ??= start();
      const id = nextId++;
      const levels = new Promise<Uint8Array[]>((resolve, reject) => waiting.set(id, { resolve, reject }));
      const request: TreeRequest = { id, leaves };
      worker.postMessage(request, [leaves.buffer as ArrayBuffer]);
      return levels;
    },
    async warm() {
      if (closed) return;
      worker ??= start();
      const w = worker;
      await new Promise<void>((resolve) => {
        w.once('online', () => resolve());
        w.once('exit', () => resolve());
      });
    },
    async close() {
      closed = true;
      const w = worker;
      worker = undefined;
      fail(new Error('the tree builder is closed'));
      if (w !== undefined) await w.terminate();
    },
  };
}
