// Batch header v1: the fixed big-endian binary layout whose exact bytes are signed (docs/proof-format.md §Batch header).
import { portableSha256, SHA256_LENGTH, type Sha256 } from '../crypto/sha256.ts';

/** Four magic bytes "SPKH" opening every header. */
export const HEADER_MAGIC = new Uint8Array([0x53, 0x50, 0x4b, 0x48]);
/** Current header format version. */
export const HEADER_FORMAT_VERSION = 1;
/** Length in bytes of a version-1 header. */
export const HEADER_LENGTH = 168;
/** previous_header_hash of the first batch. */
export const ZERO_HASH = new Uint8Array(SHA256_LENGTH);

/** The fields of a batch header. Integers that may exceed 2^53 are bigint. */
export interface HeaderFields {
  readonly formatVersion: number;
  readonly logId: Uint8Array;
  readonly sequence: bigint;
  readonly previousHeaderHash: Uint8Array;
  readonly root: Uint8Array;
  readonly treeSize: bigint;
  readonly timeMs: bigint;
  readonly algorithmId: number;
  readonly keyId: Uint8Array;
  readonly guaranteeExpiryMs: bigint;
}

const U64_MAX = (1n << 64n) - 1n;

function checkU64(name: string, v: bigint): void {
  if (v < 0n || v > U64_MAX) throw new RangeError(`${name} must fit in an unsigned 64-bit integer`);
}

function checkHash(name: string, v: Uint8Array): void {
  if (v.length !== SHA256_LENGTH)
    throw new RangeError(`${name} must be ${SHA256_LENGTH} bytes, got ${v.length}`);
}

/** Encodes `h` to the 168 signed bytes. Throws RangeError naming the bad field. */
export function encodeHeader(h: HeaderFields): Uint8Array {
  if (h.formatVersion !== HEADER_FORMAT_VERSION)
    throw new RangeError(`formatVersion must be ${HEADER_FORMAT_VERSION}`);
  checkHash('logId', h.logId);
  checkHash('previousHeaderHash', h.previousHeaderHash);
  checkHash('root', h.root);
  checkHash('keyId', h.keyId);
  checkU64('sequence', h.sequence);
  checkU64('treeSize', h.treeSize);
  checkU64('timeMs', h.timeMs);
  checkU64('guaranteeExpiryMs', h.guaranteeExpiryMs);
  if (!Number.isInteger(h.algorithmId) || h.algorithmId < 0 || h.algorithmId > 0xffff) {
    throw new RangeError('algorithmId must fit in an unsigned 16-bit integer');
  }
  const out = new Uint8Array(HEADER_LENGTH);
  const view = new DataView(out.buffer);
  let o = 0;
  out.set(HEADER_MAGIC, o);
  o += 4;
  view.setUint16(o, h.formatVersion);
  o += 2;
  out.set(h.logId, o);
  o += 32;
  view.setBigUint64(o, h.sequence);
  o += 8;
  out.set(h.previousHeaderHash, o);
  o += 32;
  out.set(h.root, o);
  o += 32;
  view.setBigUint64(o, h.treeSize);
  o += 8;
  view.setBigUint64(o, h.timeMs);
  o += 8;
  view.setUint16(o, h.algorithmId);
  o += 2;
  out.set(h.keyId, o);
  o += 32;
  view.setBigUint64(o, h.guaranteeExpiryMs);
  return out;
}

/** Decodes header bytes; returns a reason string for anything that is not a valid v1 header. */
export function decodeHeader(bytes: Uint8Array): HeaderFields | string {
  if (bytes.length < 6) return `header is ${bytes.length} bytes, too short for magic and version`;
  for (let i = 0; i < HEADER_MAGIC.length; i++) {
    if (bytes[i] !== HEADER_MAGIC[i]) return 'header does not start with the magic "SPKH"';
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const formatVersion = view.getUint16(4);
  if (formatVersion !== HEADER_FORMAT_VERSION)
    return `header format version ${formatVersion} is not supported (expected 1)`;
  if (bytes.length !== HEADER_LENGTH) return `header is ${bytes.length} bytes, expected ${HEADER_LENGTH}`;
  const treeSize = view.getBigUint64(110);
  if (treeSize === 0n) return 'header tree size is 0';
  return {
    formatVersion,
    logId: bytes.slice(6, 38),
    sequence: view.getBigUint64(38),
    previousHeaderHash: bytes.slice(46, 78),
    root: bytes.slice(78, 110),
    treeSize,
    timeMs: view.getBigUint64(118),
    algorithmId: view.getUint16(126),
    keyId: bytes.slice(128, 160),
    guaranteeExpiryMs: view.getBigUint64(160),
  };
}

/** SHA-256 of the header bytes: the link the next header's previous_header_hash points at. */
export function headerHash(bytes: Uint8Array, sha256: Sha256 = portableSha256): Uint8Array {
  return sha256(bytes);
}
