// SHA-256 as a plain function type, with a portable default (no Node APIs: the core runs in browsers).
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';

/** A SHA-256 implementation: returns the 32-byte digest of `data`. */
export type Sha256 = (data: Uint8Array) => Uint8Array;

/** Portable SHA-256 (@noble/hashes); servers may pass a native one where speed matters. */
export const portableSha256: Sha256 = (data) => nobleSha256(data);

/** Length of a SHA-256 digest in bytes. */
export const SHA256_LENGTH = 32;
