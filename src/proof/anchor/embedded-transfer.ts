// The embedded transfer (version 1, no mosaics) our aggregates carry, written and read byte for byte as catapult
// lays it out (docs/proof-format.md §9.3), so a verifier rebuilds a record's transfers instead of carrying them.

import { type Decoded, decodeWith, needs } from '../encoding/byte-reader.ts';
import { bytesEqual } from '../encoding/bytes.ts';
import { MAX_TRANSFER_MESSAGE, TRANSFER_TYPE } from './aggregate-layout.ts';
import { symbolAddress } from './symbol-address.ts';

/** Embedded transaction header (48) plus recipient 24, message size 2, mosaics count 1, reserved 5. */
export const EMBEDDED_TRANSFER_FIXED_SIZE = 80;
/** The transfer version we write (the type is aggregate-layout.ts TRANSFER_TYPE). */
const TRANSFER_VERSION = 1;
/** Symbol's maxMessageSize; also bounds what we agree to read. */
const MAX_MESSAGE = MAX_TRANSFER_MESSAGE;

/** What one of our embedded transfers says. */
export interface EmbeddedTransferFields {
  /** 32-byte Ed25519 public key of the signer (the aggregate's). */
  readonly signerPublicKey: Uint8Array;
  /** Network type byte (0x68 mainnet, 0x98 testnet). */
  readonly network: number;
  /** 24-byte decoded recipient address. */
  readonly recipientAddress: Uint8Array;
  readonly message: Uint8Array;
}

/**
 * The transfer's exact bytes, without the aggregate's padding (the leaf of the aggregate's transactionsHash is
 * SHA3-256 of these). Throws RangeError naming a field that does not fit.
 */
export function encodeEmbeddedTransfer(f: EmbeddedTransferFields): Uint8Array {
  if (f.signerPublicKey.length !== 32) throw new RangeError('signerPublicKey: must be 32 bytes');
  if (!Number.isInteger(f.network) || f.network < 0 || f.network > 0xff) {
    throw new RangeError('network: must be a byte');
  }
  if (f.recipientAddress.length !== 24) throw new RangeError('recipientAddress: must be 24 bytes');
  if (f.message.length > MAX_MESSAGE) throw new RangeError(`message: more than ${MAX_MESSAGE} bytes`);
  const size = EMBEDDED_TRANSFER_FIXED_SIZE + f.message.length;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, size, true);
  // [4..8) reserved
  out.set(f.signerPublicKey, 8);
  // [40..44) reserved
  out[44] = TRANSFER_VERSION;
  out[45] = f.network;
  view.setUint16(46, TRANSFER_TYPE, true);
  out.set(f.recipientAddress, 48);
  view.setUint16(72, f.message.length, true);
  // [74] mosaics count 0, [75..80) reserved
  out.set(f.message, EMBEDDED_TRANSFER_FIXED_SIZE);
  return out;
}

/** The self-transfer that carries one chunk: recipient = the signer's own address on `network`. */
export function encodeSelfTransfer(
  signerPublicKey: Uint8Array,
  network: number,
  message: Uint8Array,
): Uint8Array {
  return encodeEmbeddedTransfer({
    signerPublicKey,
    network,
    recipientAddress: symbolAddress(signerPublicKey, network),
    message,
  });
}

/**
 * Reads an embedded transfer as we write it (version 1, no mosaics, every reserved byte zero, nothing after the
 * message), or gives the reason naming the field. Never throws.
 */
export function parseEmbeddedTransfer(bytes: Uint8Array): Decoded<EmbeddedTransferFields> {
  return decodeWith(bytes, 'transfer', (r) => {
    const size = r.u32le('transfer size');
    needs(size === bytes.length, `transfer size: field says ${size}, have ${bytes.length} bytes`);
    const zero = (n: number, field: string) =>
      needs(
        r.take(n, field).every((b) => b === 0),
        `${field}: must be zero`,
      );
    zero(4, 'transfer reserved');
    const signerPublicKey = r.take(32, 'transfer signerPublicKey');
    zero(4, 'transfer reserved');
    const version = r.u8('transfer version');
    const network = r.u8('transfer network');
    const type = r.u16le('transfer type');
    needs(type === TRANSFER_TYPE && version === TRANSFER_VERSION, 'transfer type: not a transfer v1');
    const recipientAddress = r.take(24, 'transfer recipientAddress');
    const messageSize = r.u16le('transfer messageSize');
    needs(r.u8('transfer mosaicsCount') === 0, 'transfer mosaicsCount: must be 0');
    zero(5, 'transfer reserved');
    needs(messageSize <= MAX_MESSAGE, `transfer messageSize: ${messageSize} exceeds ${MAX_MESSAGE}`);
    const message = r.take(messageSize, 'transfer message');
    r.end('transfer');
    return { signerPublicKey, network, recipientAddress, message };
  });
}

/** True when `fields` is a transfer from `signerPublicKey` to its own address on `network`. */
export function isSelfTransfer(
  fields: EmbeddedTransferFields,
  signerPublicKey: Uint8Array,
  network: number,
): boolean {
  return (
    fields.network === network &&
    bytesEqual(fields.signerPublicKey, signerPublicKey) &&
    bytesEqual(fields.recipientAddress, symbolAddress(signerPublicKey, network))
  );
}
