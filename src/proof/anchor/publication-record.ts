// Publication record v1 ("P"; docs/anchoring.md §10): in an immediate batch's anchor
// aggregate, the CIDv1 (raw, sha2-256) of each leaf's sealed bundle, so the anchor names bytes anyone can fetch.
import { CID } from 'multiformats/cid';
import { type Decoded, decodeWith, needs } from '../encoding/byte-reader.ts';
import { bytesEqual, concatBytes } from '../encoding/bytes.ts';
import { AnchorError } from './anchor-error.ts';
import { RECORD_KIND_PUBLICATION, RECORD_MAGIC } from './record-chunks.ts';

/** Version of the publication record layout. */
export const PUBLICATION_RECORD_VERSION = 1;
/** At most this many leaves of one batch are named (the first ones by leaf index). */
export const MAX_PUBLICATION_ENTRIES = 64;
/** Binary CIDv1 prefix of every entry: version 1, raw codec 0x55, sha2-256 0x12, digest length 32. */
export const RAW_SHA256_CID_PREFIX: Uint8Array = Uint8Array.of(0x01, 0x55, 0x12, 0x20);
const CID_LENGTH = 36;
const ROOT_LENGTH = 32;

/** One leaf's sealed-bundle CID. */
export interface PublicationEntry {
  readonly leafIndex: number;
  /** CIDv1 string (base32, "bafkrei…"). */
  readonly cid: string;
}

/** What a publication record carries. */
export interface PublicationRecordFields {
  /** The batch header's sequence and Merkle root: the batch whose bundles are named. */
  readonly sequence: bigint;
  readonly root: Uint8Array;
  /** Strictly increasing leaf indexes, 1..64 entries. */
  readonly entries: readonly PublicationEntry[];
}

/** The binary form of a raw sha2-256 CIDv1 string, or a reason. */
function cidBytes(cid: string): Uint8Array | string {
  try {
    const bytes = CID.parse(cid).bytes;
    if (bytes.length !== CID_LENGTH || !bytesEqual(bytes.subarray(0, 4), RAW_SHA256_CID_PREFIX)) {
      return 'not a CIDv1 with the raw codec and a sha2-256 digest';
    }
    return bytes;
  } catch {
    return 'not a CID';
  }
}

/** The one spelling of a publication CID: `b` + lower-case base32 (no padding) of the 36-byte binary CIDv1. */
export const CANONICAL_CID_LENGTH = 59;

/**
 * Why `text` is not the one accepted spelling of a published bundle's CID (docs/proof-format.md §9): "b" followed by
 * the lower-case RFC 4648 base32 (no padding) of the binary CIDv1 with the raw codec and a sha2-256 digest, 59
 * characters ("bafkrei…"). Upper-case base32 ("BAFKREI…"), base58btc ("z…"), base36, CIDv0 and any padding or
 * whitespace are refused, even when they name the same bytes. Undefined when `text` is canonical. Never throws.
 */
export function canonicalCidProblem(text: string): string | undefined {
  if (typeof text !== 'string' || text.length === 0 || text.length > 200) return 'not a CID';
  let cid: CID;
  try {
    cid = CID.parse(text);
  } catch {
    try {
      cid = CID.parse(text.toLowerCase());
    } catch {
      return 'not a CID';
    }
  }
  if (
    cid.version !== 1 ||
    !bytesEqual(cid.bytes.subarray(0, 4), RAW_SHA256_CID_PREFIX) ||
    cid.bytes.length !== CID_LENGTH
  ) {
    return 'not a CIDv1 with the raw codec and a sha2-256 digest';
  }
  // From the bytes, not cid.toString(): a parsed CID remembers the text it was parsed from (padding included).
  const canonical = CID.decode(cid.bytes).toString();
  return canonical === text
    ? undefined
    : `not the canonical spelling: the same CID is written ${canonical} (lower-case base32, the only form accepted)`;
}

/** The SHA-256 digest (of the published bytes) a canonical raw CID names, or undefined when `text` is not one. */
export function cidDigest(text: string): Uint8Array | undefined {
  return canonicalCidProblem(text) === undefined ? CID.parse(text).multihash.digest : undefined;
}

function problemOf(f: PublicationRecordFields): string | undefined {
  if (f.sequence < 0n || f.sequence >= 1n << 64n) return 'sequence: not a u64';
  if (f.root.length !== ROOT_LENGTH) return `root: must be ${ROOT_LENGTH} bytes`;
  if (f.entries.length < 1 || f.entries.length > MAX_PUBLICATION_ENTRIES) {
    return `entries: count ${f.entries.length} is not in 1..${MAX_PUBLICATION_ENTRIES}`;
  }
  let previous = -1;
  for (const [i, e] of f.entries.entries()) {
    if (!Number.isInteger(e.leafIndex) || e.leafIndex <= previous || e.leafIndex > 0xffffffff) {
      return `entries[${i}].leafIndex: must be a u32 greater than the previous entry's`;
    }
    previous = e.leafIndex;
    const bytes = cidBytes(e.cid);
    if (typeof bytes === 'string') return `entries[${i}].cid: ${bytes}`;
  }
  return undefined;
}

function u32(v: number): Uint8Array {
  return Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
}

/** Encodes a record; throws AnchorError naming the bad field. */
export function encodePublicationRecord(fields: PublicationRecordFields): Uint8Array {
  const problem = problemOf(fields);
  if (problem !== undefined)
    throw new AnchorError('MALFORMED', problem, { field: problem.split(':')[0] ?? '' });
  const sequence = new Uint8Array(8);
  new DataView(sequence.buffer).setBigUint64(0, fields.sequence);
  return concatBytes(
    RECORD_MAGIC,
    Uint8Array.of(RECORD_KIND_PUBLICATION, PUBLICATION_RECORD_VERSION),
    sequence,
    fields.root,
    Uint8Array.of(fields.entries.length >>> 8, fields.entries.length & 0xff),
    ...fields.entries.flatMap((e) => [u32(e.leafIndex), cidBytes(e.cid) as Uint8Array]),
  );
}

/** Decodes a record, or gives the reason (naming the field) it is not a valid v1 one. Never throws. */
export function decodePublicationRecord(bytes: Uint8Array): Decoded<PublicationRecordFields> {
  return decodeWith(bytes, 'publication record', (r) => {
    needs(bytesEqual(r.take(4, 'magic'), RECORD_MAGIC), 'magic: not an anchor record');
    needs(r.u8('kind') === RECORD_KIND_PUBLICATION, 'kind: not a publication record');
    const version = r.u8('version');
    needs(
      version === PUBLICATION_RECORD_VERSION,
      `version: unsupported publication record version ${version}`,
    );
    const sequence = r.u64be('sequence');
    const root = r.take(ROOT_LENGTH, 'root');
    const count = r.u16be('entry count');
    needs(
      count >= 1 && count <= MAX_PUBLICATION_ENTRIES,
      `entry count: ${count} is not in 1..${MAX_PUBLICATION_ENTRIES}`,
    );
    const entries: PublicationEntry[] = [];
    for (let i = 0; i < count; i++) {
      const leafIndex = r.u32be(`entries[${i}].leafIndex`);
      const cid = r.take(CID_LENGTH, `entries[${i}].cid`);
      needs(
        bytesEqual(cid.subarray(0, 4), RAW_SHA256_CID_PREFIX),
        `entries[${i}].cid: not a CIDv1 with the raw codec and a sha2-256 digest`,
      );
      entries.push({ leafIndex, cid: CID.decode(cid).toString() });
    }
    r.end('publication record');
    const fields = { sequence, root, entries };
    const problem = problemOf(fields);
    needs(problem === undefined, problem ?? '');
    return fields;
  });
}
