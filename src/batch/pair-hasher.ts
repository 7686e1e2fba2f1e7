// Which hasher builds Merkle levels (SPARK_MERKLE_HASHER): the WebAssembly SIMD node hasher (four nodes per pass,
// docs/PERFORMANCE.md) or one node:crypto SHA-256 call per node, the fallback where WebAssembly SIMD is unwanted.
// Both are a PairHasher (src/proof/merkle/tree.ts): nothing else knows which one runs.
import { nativeSha256 } from '../crypto/native-sha256.ts';
import { type PairHasher, pairHasherOf } from '../proof/merkle/tree.ts';
import { createNodeHasher } from '../proof/merkle/wasm/node-hasher.ts';

/** SPARK_MERKLE_HASHER values. */
export const MERKLE_HASHERS = ['wasm', 'node'] as const;
export type MerkleHasherKind = (typeof MERKLE_HASHERS)[number];

/** A fresh pair hasher of `kind` (the WebAssembly one owns its memory: one per thread). */
export function pairHasherFor(kind: MerkleHasherKind): PairHasher {
  return kind === 'wasm' ? createNodeHasher().hashPairs : pairHasherOf(nativeSha256);
}
