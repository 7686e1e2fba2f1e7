// Signs with a node:crypto private key on libuv's thread pool, off the event loop: shared by every native key.
import { type KeyObject, sign } from 'node:crypto';

/**
 * Signs `message` with `key`; FIPS 204/205 keys take `context`, Ed25519 takes none (with one, OpenSSL
 * would make an Ed25519ctx signature instead of pure RFC 8032).
 */
export function signWithKeyObject(
  key: KeyObject,
  message: Uint8Array,
  context: Uint8Array | undefined,
): Promise<Uint8Array> {
  const options = context === undefined ? key : ({ key, context } as never);
  return new Promise((resolve, reject) => {
    sign(null, message, options, (err, signature) => {
      if (err !== null) reject(err);
      else resolve(new Uint8Array(signature.buffer, signature.byteOffset, signature.length));
    });
  });
}
