// SHA-256 through Node's OpenSSL one-shot hash: the server's fast path.
import { hash } from 'node:crypto';
import type { Sha256 } from '../proof/crypto/sha256.ts';

/** Native SHA-256 returning a Buffer (a Uint8Array). */
export const nativeSha256: Sha256 = (data) => hash('sha256', data, 'buffer');
