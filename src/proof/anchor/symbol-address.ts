// A Symbol account address from its public key, computed the way catapult does (docs/proof-format.md §9.3), so a
// verifier can rebuild the self-transfers that carry a record without any SDK (pure: runs in browsers).
import { ripemd160 } from '@noble/hashes/legacy.js';
import { sha3_256 } from '@noble/hashes/sha3.js';

/** Decoded address length: network byte, RIPEMD-160 of the key's SHA3-256, 3 checksum bytes. */
export const ADDRESS_LENGTH = 24;
const PUBLIC_KEY_LENGTH = 32;
const CHECKSUM_LENGTH = 3;

/**
 * The 24-byte decoded address of `publicKey` on the network whose type byte is `network` (0x68 mainnet, 0x98
 * testnet): network ‖ RIPEMD-160(SHA3-256(public key)) ‖ the first 3 bytes of SHA3-256 of those 21 bytes.
 * Throws RangeError when the key is not 32 bytes or the network is not a byte.
 */
export function symbolAddress(publicKey: Uint8Array, network: number): Uint8Array {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== PUBLIC_KEY_LENGTH) {
    throw new RangeError(`publicKey: must be ${PUBLIC_KEY_LENGTH} bytes`);
  }
  if (!Number.isInteger(network) || network < 0 || network > 0xff) {
    throw new RangeError('network: must be a byte');
  }
  const out = new Uint8Array(ADDRESS_LENGTH);
  out[0] = network;
  out.set(ripemd160(sha3_256(publicKey)), 1);
  const body = out.subarray(0, ADDRESS_LENGTH - CHECKSUM_LENGTH);
  out.set(sha3_256(body).subarray(0, CHECKSUM_LENGTH), ADDRESS_LENGTH - CHECKSUM_LENGTH);
  return out;
}
