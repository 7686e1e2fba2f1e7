// Symbol block headers (docs/anchoring.md §6.1): encode from a node's fields, parse hostile bytes, recompute the
// block hash and check the harvester's signature the way catapult does, so no node's word about a block is taken.
import { sha3_256 } from '@noble/hashes/sha3.js';
import { type Decoded, decodeWith, needs } from '../encoding/byte-reader.ts';
import { concatBytes } from '../encoding/bytes.ts';
import type { Ed25519Verifier } from './ed25519-verifier.ts';

/** Block entity types (catapult `Entity_Type_Block_*`). */
export const NORMAL_BLOCK_TYPE = 0x8143;
export const IMPORTANCE_BLOCK_TYPE = 0x8243;
/** Header sizes as serialized: a normal block pads its 372 bytes to 376; an importance block adds a 52-byte footer. */
export const NORMAL_BLOCK_HEADER_SIZE = 376;
export const IMPORTANCE_BLOCK_HEADER_SIZE = 424;
/** Offset where the signed (and hashed) header data begins: after size, reserved, signature, signer, reserved. */
const SIGNED_FROM = 108;
/** End of the signed data of a normal block (the 4-byte padding after the fee multiplier is not signed). */
const NORMAL_SIGNED_TO = 372;

/** The generation-hash proof (VRF) of a block. */
export interface VrfProof {
  /** 32 bytes. */
  readonly gamma: Uint8Array;
  /** 16 bytes. */
  readonly verificationHash: Uint8Array;
  /** 32 bytes. */
  readonly scalar: Uint8Array;
}

/** The extra fields of an importance block (every voting-set boundary). */
export interface ImportanceFooter {
  readonly votingEligibleAccountsCount: number;
  readonly harvestingEligibleAccountsCount: bigint;
  readonly totalVotingBalance: bigint;
  readonly previousImportanceBlockHash: Uint8Array;
}

/** Every field of a block header, as catapult lays it out. */
export interface BlockHeaderFields {
  /** The whole block's size (header and transactions); not signed, so not bound by the hash. */
  readonly size: number;
  readonly signature: Uint8Array;
  readonly signerPublicKey: Uint8Array;
  readonly version: number;
  readonly network: number;
  readonly type: number;
  readonly height: bigint;
  /** Network milliseconds. */
  readonly timestamp: bigint;
  readonly difficulty: bigint;
  readonly generationHashProof: VrfProof;
  readonly previousBlockHash: Uint8Array;
  readonly transactionsHash: Uint8Array;
  readonly receiptsHash: Uint8Array;
  readonly stateHash: Uint8Array;
  /** Decoded address, 24 bytes. */
  readonly beneficiaryAddress: Uint8Array;
  readonly feeMultiplier: number;
  /** Present exactly for importance blocks. */
  readonly importance?: ImportanceFooter;
}

/** A parsed header with what is derived from it. */
export interface ParsedBlockHeader extends BlockHeaderFields {
  /** The bytes the harvester signed: header[108..372) for a normal block, header[108..424) for an importance one. */
  readonly signedData: Uint8Array;
  /** SHA3-256(signature ‖ signer public key ‖ signed data): the block hash explorers and nodes show. */
  readonly hash: Uint8Array;
}

function check(cond: boolean, field: string, what: string): void {
  if (!cond) throw new RangeError(`${field}: ${what}`);
}

function bytesOf(b: Uint8Array, n: number, field: string): Uint8Array {
  check(b instanceof Uint8Array && b.length === n, field, `must be ${n} bytes`);
  return b;
}

function u64(v: bigint, field: string): bigint {
  check(typeof v === 'bigint' && v >= 0n && v < 1n << 64n, field, 'must be a u64');
  return v;
}

function uint(v: number, max: number, field: string): number {
  check(Number.isInteger(v) && v >= 0 && v <= max, field, `must be an integer in 0..${max}`);
  return v;
}

/** Serializes a header (little-endian, as catapult); throws RangeError naming a field that does not fit. */
export function encodeBlockHeader(f: BlockHeaderFields): Uint8Array {
  const importance = f.type === IMPORTANCE_BLOCK_TYPE;
  check(f.type === NORMAL_BLOCK_TYPE || importance, 'type', 'must be a normal or importance block');
  check(importance === (f.importance !== undefined), 'importance', 'present exactly for importance blocks');
  const out = new Uint8Array(importance ? IMPORTANCE_BLOCK_HEADER_SIZE : NORMAL_BLOCK_HEADER_SIZE);
  const view = new DataView(out.buffer);
  let at = 0;
  const put = (b: Uint8Array) => {
    out.set(b, at);
    at += b.length;
  };
  view.setUint32(at, uint(f.size, 0xffff_ffff, 'size'), true);
  at += 8; // size, reserved
  put(bytesOf(f.signature, 64, 'signature'));
  put(bytesOf(f.signerPublicKey, 32, 'signerPublicKey'));
  at += 4; // reserved
  view.setUint8(at++, uint(f.version, 0xff, 'version'));
  view.setUint8(at++, uint(f.network, 0xff, 'network'));
  view.setUint16(at, f.type, true);
  at += 2;
  view.setBigUint64(at, u64(f.height, 'height'), true);
  view.setBigUint64(at + 8, u64(f.timestamp, 'timestamp'), true);
  view.setBigUint64(at + 16, u64(f.difficulty, 'difficulty'), true);
  at += 24;
  put(bytesOf(f.generationHashProof.gamma, 32, 'generationHashProof.gamma'));
  put(bytesOf(f.generationHashProof.verificationHash, 16, 'generationHashProof.verificationHash'));
  put(bytesOf(f.generationHashProof.scalar, 32, 'generationHashProof.scalar'));
  put(bytesOf(f.previousBlockHash, 32, 'previousBlockHash'));
  put(bytesOf(f.transactionsHash, 32, 'transactionsHash'));
  put(bytesOf(f.receiptsHash, 32, 'receiptsHash'));
  put(bytesOf(f.stateHash, 32, 'stateHash'));
  put(bytesOf(f.beneficiaryAddress, 24, 'beneficiaryAddress'));
  view.setUint32(at, uint(f.feeMultiplier, 0xffff_ffff, 'feeMultiplier'), true);
  at += 4;
  if (f.importance !== undefined) {
    const i = f.importance;
    view.setUint32(at, uint(i.votingEligibleAccountsCount, 0xffff_ffff, 'votingEligibleAccountsCount'), true);
    view.setBigUint64(
      at + 4,
      u64(i.harvestingEligibleAccountsCount, 'harvestingEligibleAccountsCount'),
      true,
    );
    view.setBigUint64(at + 12, u64(i.totalVotingBalance, 'totalVotingBalance'), true);
    at += 20;
    put(bytesOf(i.previousImportanceBlockHash, 32, 'previousImportanceBlockHash'));
  }
  return out;
}

/** Parses header bytes (exactly one header, nothing after it), or gives the reason naming the field. Never throws. */
export function parseBlockHeader(bytes: Uint8Array): Decoded<ParsedBlockHeader> {
  return decodeWith(bytes, 'block header', (r) => {
    const size = r.u32le('block header size');
    needs(r.u32le('block header reserved') === 0, 'block header reserved: must be zero');
    const signature = r.take(64, 'block header signature');
    const signerPublicKey = r.take(32, 'block header signerPublicKey');
    needs(r.u32le('block header reserved') === 0, 'block header reserved: must be zero');
    const version = r.u8('block header version');
    const network = r.u8('block header network');
    const type = r.u16le('block header type');
    needs(
      type === NORMAL_BLOCK_TYPE || type === IMPORTANCE_BLOCK_TYPE,
      `block header type: 0x${type.toString(16)} is not a normal (0x8143) or importance (0x8243) block`,
    );
    needs(version === 1, `block header version: ${version} is not 1`);
    const expected = type === NORMAL_BLOCK_TYPE ? NORMAL_BLOCK_HEADER_SIZE : IMPORTANCE_BLOCK_HEADER_SIZE;
    needs(
      bytes.length === expected,
      `block header: ${bytes.length} bytes, a ${type === NORMAL_BLOCK_TYPE ? 'normal' : 'importance'} block header has ${expected}`,
    );
    const height = r.u64le('block header height');
    const timestamp = r.u64le('block header timestamp');
    const difficulty = r.u64le('block header difficulty');
    const generationHashProof = {
      gamma: r.take(32, 'block header proofGamma'),
      verificationHash: r.take(16, 'block header proofVerificationHash'),
      scalar: r.take(32, 'block header proofScalar'),
    };
    const previousBlockHash = r.take(32, 'block header previousBlockHash');
    const transactionsHash = r.take(32, 'block header transactionsHash');
    const receiptsHash = r.take(32, 'block header receiptsHash');
    const stateHash = r.take(32, 'block header stateHash');
    const beneficiaryAddress = r.take(24, 'block header beneficiaryAddress');
    const feeMultiplier = r.u32le('block header feeMultiplier');
    let importance: ImportanceFooter | undefined;
    if (type === NORMAL_BLOCK_TYPE) {
      needs(r.u32le('block header padding') === 0, 'block header padding: must be zero');
    } else {
      importance = {
        votingEligibleAccountsCount: r.u32le('block header votingEligibleAccountsCount'),
        harvestingEligibleAccountsCount: r.u64le('block header harvestingEligibleAccountsCount'),
        totalVotingBalance: r.u64le('block header totalVotingBalance'),
        previousImportanceBlockHash: r.take(32, 'block header previousImportanceBlockHash'),
      };
    }
    r.end('block header');
    needs(size >= expected, `block header size: ${size} is smaller than the header itself`);
    const signedData = bytes.slice(SIGNED_FROM, type === NORMAL_BLOCK_TYPE ? NORMAL_SIGNED_TO : expected);
    return {
      size,
      signature,
      signerPublicKey,
      version,
      network,
      type,
      height,
      timestamp,
      difficulty,
      generationHashProof,
      previousBlockHash,
      transactionsHash,
      receiptsHash,
      stateHash,
      beneficiaryAddress,
      feeMultiplier,
      ...(importance === undefined ? {} : { importance }),
      signedData,
      hash: sha3_256(concatBytes(signature, signerPublicKey, signedData)),
    };
  });
}

/** True when the block's signature verifies under the header's own signer (harvester) key over its signed data. */
export function verifyBlockSignature(header: ParsedBlockHeader, ed25519: Ed25519Verifier): boolean {
  try {
    return ed25519.verify(header.signature, header.signedData, header.signerPublicKey) === true;
  } catch {
    return false;
  }
}
