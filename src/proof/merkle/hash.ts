// RFC 9162 §2.1.1 hashing: domain-separated leaf and interior node hashes over SHA-256.
import { portableSha256, type Sha256 } from '../crypto/sha256.ts';

const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;

/** MTH of one entry: SHA-256(0x00 || entry). */
export function hashLeaf(entry: Uint8Array, sha256: Sha256 = portableSha256): Uint8Array {
  const buf = new Uint8Array(1 + entry.length);
  buf[0] = LEAF_PREFIX;
  buf.set(entry, 1);
  return sha256(buf);
}

/** Interior node: SHA-256(0x01 || left || right). */
export function hashChildren(
  left: Uint8Array,
  right: Uint8Array,
  sha256: Sha256 = portableSha256,
): Uint8Array {
  const buf = new Uint8Array(1 + left.length + right.length);
  buf[0] = NODE_PREFIX;
  buf.set(left, 1);
  buf.set(right, 1 + left.length);
  return sha256(buf);
}

/** MTH of the empty tree: SHA-256 of the empty string. */
export function emptyRoot(sha256: Sha256 = portableSha256): Uint8Array {
  return sha256(new Uint8Array(0));
}
