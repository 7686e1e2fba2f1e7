// Worker thread entry: builds Merkle tree levels with the pair hasher it was started with, off the event loop.
import { parentPort, workerData } from 'node:worker_threads';
import { buildLevelsWith } from '../proof/merkle/tree.ts';
import { MERKLE_HASHERS, type MerkleHasherKind, pairHasherFor } from './pair-hasher.ts';

/** A request: the leaf hashes, transferred. */
export interface TreeRequest {
  readonly id: number;
  readonly leaves: Uint8Array;
}

/** The answer: every level (transferred back), or why not. */
export type TreeResponse =
  | { readonly id: number; readonly levels: Uint8Array[] }
  | { readonly id: number; readonly error: string };

const port = parentPort;
if (port !== null) {
  const asked = (workerData as { kind?: unknown } | null)?.kind;
  const kind: MerkleHasherKind = MERKLE_HASHERS.find((k) => k === asked) ?? 'wasm';
  const hashPairs = pairHasherFor(kind);
  port.on('message', ({ id, leaves }: TreeRequest) => {
    let answer: TreeResponse;
    try {
      answer = { id, levels: buildLevelsWith(leaves, hashPairs) };
    } catch (error) {
      answer = { id, error: error instanceof Error ? error.message : String(error) };
    }
    port.postMessage(answer, 'levels' in answer ? answer.levels.map((l) => l.buffer as ArrayBuffer) : []);
  });
}
