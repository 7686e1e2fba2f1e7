// Key statement v1: the fixed bytes a key signs about itself and its predecessor endorses (docs/proof-format.md §Key statement).
import { SHA256_LENGTH } from '../crypto/sha256.ts';

/** Four magic bytes "SPKK". */
export const KEY_STATEMENT_MAGIC = new Uint8Array([0x53, 0x50, 0x4b, 0x4b]);
/** Current key statement version. */
export const KEY_STATEMENT_VERSION = 1;
/** Length in bytes of a version-1 statement. */
export const KEY_STATEMENT_LENGTH = 81;

/** Protection levels and their stable byte codes. */
export const PROTECTION_CODES: Readonly<Record<string, number>> = { memory: 1, file: 2, hsm: 3, remote: 4 };

/** What a key states about itself. */
export interface KeyStatement {
  readonly algorithmId: number;
  readonly keyId: Uint8Array;
  readonly validFromMs: bigint;
  /** 32 bytes, or empty for the first key of a log. */
  readonly previousKeyId: Uint8Array;
  /** "memory", "file", "hsm" or "remote". */
  readonly protection: string;
}

/** Encodes a statement: "SPKK" ‖ u16 version ‖ u16 algorithm ‖ key id ‖ u64 valid_from ‖ previous key id (zeros when none) ‖ u8 protection. */
export function encodeKeyStatement(s: KeyStatement): Uint8Array {
  // Own properties only: 'toString' and friends must not pass as a protection level.
  const protection = Object.hasOwn(PROTECTION_CODES, s.protection)
    ? PROTECTION_CODES[s.protection]
    : undefined;
  if (protection === undefined)
    throw new RangeError(`protection "${s.protection}" is not one of memory, file, hsm, remote`);
  if (s.keyId.length !== SHA256_LENGTH) throw new RangeError('keyId must be 32 bytes');
  if (s.previousKeyId.length !== 0 && s.previousKeyId.length !== SHA256_LENGTH) {
    throw new RangeError('previousKeyId must be empty or 32 bytes');
  }
  if (!Number.isInteger(s.algorithmId) || s.algorithmId < 0 || s.algorithmId > 0xffff) {
    throw new RangeError('algorithmId must fit in 16 bits');
  }
  if (s.validFromMs < 0n || s.validFromMs >= 1n << 64n)
    throw new RangeError('validFromMs must fit in 64 bits');
  const out = new Uint8Array(KEY_STATEMENT_LENGTH);
  const view = new DataView(out.buffer);
  out.set(KEY_STATEMENT_MAGIC, 0);
  view.setUint16(4, KEY_STATEMENT_VERSION);
  view.setUint16(6, s.algorithmId);
  out.set(s.keyId, 8);
  view.setBigUint64(40, s.validFromMs);
  out.set(s.previousKeyId, 48);
  out[80] = protection;
  return out;
}
