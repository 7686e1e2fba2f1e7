// Random 32-byte digests for submissions, cut from one buffer so generating them costs nothing measurable.
import { randomBytes } from 'node:crypto';

/** `count` distinct random digests (collisions have probability ~2^-200). */
export function randomDigests(count: number): Uint8Array[] {
  const pool = randomBytes(count * 32);
  return Array.from({ length: count }, (_, i) => pool.subarray(i * 32, (i + 1) * 32));
}
