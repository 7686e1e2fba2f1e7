// RFC 9162 §2.1.3.2: verifying an inclusion proof against a tree head (pure, hostile input).

import { portableSha256, SHA256_LENGTH, type Sha256 } from '../crypto/sha256.ts';
import { bytesEqual } from '../encoding/bytes.ts';
import { hashChildren } from './hash.ts';

/** Why an inclusion proof was rejected, or the computed root when it was not. */
export type InclusionResult = { ok: true; root: Uint8Array } | { ok: false; reason: string };

/** Recomputes the root from a leaf hash and its path (RFC 9162 §2.1.3.2 steps 1–6). */
export function rootFromInclusionProof(
  leafIndex: bigint,
  treeSize: bigint,
  leafHash: Uint8Array,
  path: readonly Uint8Array[],
  sha256: Sha256 = portableSha256,
): InclusionResult {
  if (treeSize < 1n) return { ok: false, reason: `tree size ${treeSize} is not positive` };
  if (leafIndex < 0n || leafIndex >= treeSize) {
    return { ok: false, reason: `leaf index ${leafIndex} is not below tree size ${treeSize}` };
  }
  if (leafHash.length !== SHA256_LENGTH)
    return { ok: false, reason: `leaf hash is ${leafHash.length} bytes, not 32` };
  if (path.length > 64) return { ok: false, reason: `path has ${path.length} elements, more than 64` };
  let fn = leafIndex;
  let sn = treeSize - 1n;
  let r = leafHash;
  for (const [k, p] of path.entries()) {
    if (p.length !== SHA256_LENGTH)
      return { ok: false, reason: `path element ${k} is ${p.length} bytes, not 32` };
    if (sn === 0n) return { ok: false, reason: `path is longer than the tree needs (element ${k})` };
    if ((fn & 1n) === 1n || fn === sn) {
      r = hashChildren(p, r, sha256);
      if ((fn & 1n) === 0n) {
        while ((fn & 1n) === 0n && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      r = hashChildren(r, p, sha256);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) return { ok: false, reason: 'path is shorter than the tree needs' };
  return { ok: true, root: r };
}

/** True when `path` proves `leafHash` at `leafIndex` in the tree of `treeSize` with head `root`. */
export function verifyInclusion(
  leafIndex: bigint,
  treeSize: bigint,
  leafHash: Uint8Array,
  path: readonly Uint8Array[],
  root: Uint8Array,
  sha256: Sha256 = portableSha256,
): InclusionResult {
  const result = rootFromInclusionProof(leafIndex, treeSize, leafHash, path, sha256);
  if (!result.ok) return result;
  if (!bytesEqual(result.root, root))
    return { ok: false, reason: 'computed root differs from the header root' };
  return result;
}
