// A bundle's own share of its anchor aggregate (docs/proof-format.md §9.2–§9.4): the aggregate's 168-byte signed
// header, one catapult Merkle path per chunk of the bundle's record (the verifier rebuilds each chunk's transfer
// from the header and signatures the bundle already holds) and, for an immediate batch, its publication record's
// transfers verbatim. Built from our own stored aggregate; verified offline without the rest of it (pure).
import { sha3_256 } from '@noble/hashes/sha3.js';
import { decodeHeader } from '../bundle/header.ts';
import { type Decoded, decodeWith, needs } from '../encoding/byte-reader.ts';
import { bytesEqual, concatBytes, toHex } from '../encoding/bytes.ts';
import {
  AGGREGATE_COMPLETE_TYPE,
  AGGREGATE_HEADER_SIZE,
  MAX_TRANSACTION_SIZE,
  type ParsedAggregate,
  parseAggregate,
} from './aggregate-layout.ts';
import { decodeAnchorRecord } from './anchor-record.ts';
import { symbolNetworkOf } from './block-evidence.ts';
import type { Ed25519Verifier } from './ed25519-verifier.ts';
import { encodeSelfTransfer, isSelfTransfer, parseEmbeddedTransfer } from './embedded-transfer.ts';
import { decodePublicationRecord, type PublicationRecordFields } from './publication-record.ts';
import {
  CHUNK_FORMAT_VERSION,
  CHUNK_HEADER_LENGTH,
  chunkRecord,
  hasRecordMagic,
  RECORD_KIND_PUBLICATION,
  reassembleRecords,
  recordId,
} from './record-chunks.ts';
import { type MerklePathStep, verifyBlockMerklePath } from './symbol-merkle.ts';
import { signerRecords } from './verify-anchor.ts';

/** The aggregate's fixed header, as signed by the anchoring account: the parsed aggregate's fields but its body. */
export interface AggregateHeader extends Omit<ParsedAggregate, 'embedded' | 'cosignatures'> {
  /** The 168 bytes themselves. */
  readonly bytes: Uint8Array;
  readonly payloadSize: number;
}

/** One embedded transaction carried verbatim, with its path to the aggregate's transactionsHash. */
export interface EmbeddedProofLike {
  readonly transaction: Uint8Array;
  readonly path: readonly MerklePathStep[];
}

/** What a bundle's anchor carries of its aggregate (besides the block evidence). */
export interface AnchorShare {
  /** The aggregate's first 168 bytes. */
  readonly aggregateHeader: Uint8Array;
  /** One path per chunk of the record, in chunk order. */
  readonly recordChunks: readonly (readonly MerklePathStep[])[];
  /** The publication record's transfers in chunk order, verbatim; empty unless asked for. */
  readonly publicationChunks: readonly EmbeddedProofLike[];
}

const HASH = 32;
const SIGNED_FROM = 108;

/**
 * Parses an aggregate complete header (exactly 168 bytes), or gives the reason naming the field. The size field
 * must be 168 + payload size: a compact anchor is never cosigned, so nothing follows the payload. Never throws.
 */
export function parseAggregateHeader(bytes: Uint8Array): Decoded<AggregateHeader> {
  return decodeWith(bytes, 'aggregate header', (r) => {
    needs(
      bytes.length === AGGREGATE_HEADER_SIZE,
      `aggregate header: ${bytes.length} bytes, must be ${AGGREGATE_HEADER_SIZE}`,
    );
    const zero = (n: number, field: string) =>
      needs(
        r.take(n, field).every((b) => b === 0),
        `${field}: must be zero`,
      );
    const size = r.u32le('aggregate header size');
    zero(4, 'aggregate header reserved');
    const signature = r.take(64, 'aggregate header signature');
    const signerPublicKey = r.take(32, 'aggregate header signerPublicKey');
    zero(4, 'aggregate header reserved');
    const version = r.u8('aggregate header version');
    const network = r.u8('aggregate header network');
    const type = r.u16le('aggregate header type');
    needs(
      type === AGGREGATE_COMPLETE_TYPE,
      `aggregate header type: 0x${type.toString(16)} is not aggregate complete (0x4141)`,
    );
    needs(version === 2 || version === 3, `aggregate header version: ${version} is not 2 or 3`);
    const fee = r.u64le('aggregate header fee');
    const deadline = r.u64le('aggregate header deadline');
    const transactionsHash = r.take(HASH, 'aggregate header transactionsHash');
    const payloadSize = r.u32le('aggregate header payloadSize');
    zero(4, 'aggregate header reserved');
    needs(
      payloadSize > 0 && payloadSize % 8 === 0 && payloadSize <= MAX_TRANSACTION_SIZE - AGGREGATE_HEADER_SIZE,
      `aggregate header payloadSize: ${payloadSize} is not a positive multiple of 8 below ${MAX_TRANSACTION_SIZE}`,
    );
    needs(
      size === AGGREGATE_HEADER_SIZE + payloadSize,
      `aggregate header size: ${size} is not ${AGGREGATE_HEADER_SIZE} + payloadSize ${payloadSize} (a compact anchor has no cosignatures)`,
    );
    return {
      bytes,
      signature,
      signerPublicKey,
      version,
      network,
      fee,
      deadline,
      transactionsHash,
      payloadSize,
      signedHeader: bytes.slice(SIGNED_FROM, version === 3 ? 164 : 160),
    };
  });
}

/** Symbol's transaction hash: SHA3-256(signature ‖ signer ‖ generation hash seed ‖ signed header bytes). */
export function aggregateHeaderHash(h: AggregateHeader, generationHashSeed: Uint8Array): Uint8Array {
  return sha3_256(concatBytes(h.signature, h.signerPublicKey, generationHashSeed, h.signedHeader));
}

/**
 * The catapult Merkle path of leaf `index` (parent = SHA3-256(left ‖ right), an odd level pairs its last node with
 * itself), as `verifyBlockMerklePath` reads it; empty for a tree of one leaf.
 */
export function symbolMerklePath(leaves: readonly Uint8Array[], index: number): MerklePathStep[] {
  if (!Number.isInteger(index) || index < 0 || index >= leaves.length) {
    throw new RangeError(`index: ${index} is not a leaf of ${leaves.length}`);
  }
  const path: MerklePathStep[] = [];
  let level = leaves.slice();
  let i = index;
  while (level.length > 1) {
    const sibling = i % 2 === 1 ? (level[i - 1] as Uint8Array) : (level[i + 1] ?? (level[i] as Uint8Array));
    path.push({ left: i % 2 === 1, hash: sibling });
    const next: Uint8Array[] = [];
    for (let j = 0; j < level.length; j += 2) {
      const left = level[j] as Uint8Array;
      next.push(sha3_256(concatBytes(left, level[j + 1] ?? left)));
    }
    level = next;
    i >>= 1;
  }
  return path;
}

/** The record's chunk messages that a builder and a verifier agree on, or a reason. */
function chunksOf(record: Uint8Array): Uint8Array[] | string {
  try {
    return chunkRecord(record);
  } catch (e) {
    return `record: ${e instanceof Error ? e.message : String(e)}`;
  }
}

/** True when `message` is a version-1 chunk (docs/anchoring.md §3) of the record of kind `kind` with id `id`. */
function isChunkOf(message: Uint8Array, kind: number, id: Uint8Array): boolean {
  return (
    message.length > CHUNK_HEADER_LENGTH &&
    hasRecordMagic(message) &&
    message[4] === CHUNK_FORMAT_VERSION &&
    message[5] === kind &&
    bytesEqual(message.subarray(6, 14), id)
  );
}

/**
 * Why the whole aggregate `tx` does not carry `record` (one of the bundle's own records) exactly as our builder
 * writes it (docs/anchoring.md §3, §6): every chunk as the signer's self-transfer (recipient the signer's own address
 * on the aggregate's network, no mosaics, transfer version 1), and every message naming the record's kind and id
 * one of those. Undefined when it does. Records that are not the bundle's are not looked at.
 */
export function carriedRecordProblem(tx: ParsedAggregate, record: Uint8Array): string | undefined {
  const chunks = chunksOf(record);
  if (typeof chunks === 'string') return chunks;
  const id = recordId(record);
  const kind = record[4] ?? 0;
  const found = chunks.map(() => false);
  for (const [i, e] of tx.embedded.entries()) {
    const m = e.transfer?.message;
    if (m === undefined || !isChunkOf(m, kind, id)) continue;
    const k = m[14] ?? 0;
    const chunk = chunks[k];
    if (
      chunk === undefined ||
      !bytesEqual(e.bytes, encodeSelfTransfer(tx.signerPublicKey, tx.network, chunk))
    ) {
      return `transactions[${i}]: names chunk ${k} of the record but is not that chunk in the signer's self-transfer (recipient its own address, no mosaics)`;
    }
    found[k] = true;
  }
  const missing = found.indexOf(false);
  return missing < 0
    ? undefined
    : `chunk ${missing} of the record's ${chunks.length} is not in the aggregate as the signer's self-transfer (transfer version 1)`;
}

/**
 * The publication record (kind 0x50) of the batch whose anchor record is `record`, as the indexes of the embedded
 * transfers that carry its chunks, in chunk order; or a reason.
 */
function publicationIndexes(tx: ParsedAggregate, record: Uint8Array): number[] | string {
  const anchor = decodeAnchorRecord(record);
  if (!anchor.ok) return `publication: the record is not a batch anchor record (${anchor.reason})`;
  const header = decodeHeader(anchor.value.header);
  if (typeof header === 'string') return `publication: ${header}`;
  const found = signerRecords(tx).records.find((r) => {
    if (r.kind !== RECORD_KIND_PUBLICATION) return false;
    const d = decodePublicationRecord(r.bytes);
    return d.ok && d.value.sequence === header.sequence && bytesEqual(d.value.root, header.root);
  });
  if (found === undefined) return 'publication: the aggregate carries no publication record of this batch';
  return chunkRecord(found.bytes).map((chunk) =>
    tx.embedded.findIndex(
      (e) =>
        e.transfer !== undefined &&
        bytesEqual(e.signerPublicKey, tx.signerPublicKey) &&
        bytesEqual(e.transfer.message, chunk),
    ),
  );
}

/**
 * From our own signed aggregate `payload`, the share that proves `record` (a batch anchor record or a checkpoint
 * record) is in it; with `publication`, also the transfers of the batch's publication record. A reason when the
 * aggregate does not parse, is cosigned, or does not carry the record (or its publication) as our builder
 * writes it. Never throws.
 */
export function buildAnchorShare(
  payload: Uint8Array,
  record: Uint8Array,
  options: { readonly publication?: boolean } = {},
): Decoded<AnchorShare> {
  const tx = parseAggregate(payload);
  if (!tx.ok) return { ok: false, reason: `aggregate: ${tx.reason}` };
  const { embedded, signerPublicKey, network, cosignatures } = tx.value;
  if (cosignatures.length > 0) {
    return { ok: false, reason: 'aggregate: cosigned, its leaf in the block is not its hash' };
  }
  const chunks = chunksOf(record);
  if (typeof chunks === 'string') return { ok: false, reason: chunks };
  const leaves = embedded.map((e) => sha3_256(e.bytes));
  const recordChunks: MerklePathStep[][] = [];
  for (const [k, chunk] of chunks.entries()) {
    const rebuilt = encodeSelfTransfer(signerPublicKey, network, chunk);
    const at = embedded.findIndex((e) => bytesEqual(e.bytes, rebuilt));
    if (at < 0) return { ok: false, reason: `record chunk ${k}: no such self-transfer in the aggregate` };
    recordChunks.push(symbolMerklePath(leaves, at));
  }
  const publicationChunks: EmbeddedProofLike[] = [];
  if (options.publication === true) {
    const indexes = publicationIndexes(tx.value, record);
    if (typeof indexes === 'string') return { ok: false, reason: indexes };
    for (const [k, at] of indexes.entries()) {
      const e = embedded[at];
      if (e === undefined) return { ok: false, reason: `publication chunk ${k}: not in the aggregate` };
      publicationChunks.push({ transaction: e.bytes, path: symbolMerklePath(leaves, at) });
    }
  }
  return {
    ok: true,
    value: { aggregateHeader: payload.slice(0, AGGREGATE_HEADER_SIZE), recordChunks, publicationChunks },
  };
}

/** What `verifyAnchorShare` checks. */
export interface AnchorShareInput {
  readonly aggregateHeader: Uint8Array;
  /** The network's generation hash seed (32 bytes). */
  readonly generationHashSeed: Uint8Array;
  readonly ed25519: Ed25519Verifier;
  /** The record the share must prove, rebuilt by the caller from what the bundle holds. */
  readonly record: Uint8Array;
  readonly recordChunks: readonly (readonly MerklePathStep[])[];
  /** Verbatim transfers of a publication record; none when the bundle has no publication. */
  readonly publicationChunks?: readonly EmbeddedProofLike[];
}

/** A share that holds. */
export interface VerifiedShare {
  readonly header: AggregateHeader;
  /** The aggregate's transaction hash (also its Merkle component hash: it has no cosignatures). */
  readonly transactionHash: Uint8Array;
  /** The decoded publication record, when publication chunks were given. */
  readonly publication?: PublicationRecordFields;
}

/** The publication record the verbatim chunks carry, or a reason naming the chunk. */
function publicationOf(
  chunks: readonly EmbeddedProofLike[],
  h: AggregateHeader,
): PublicationRecordFields | string {
  const messages: Uint8Array[] = [];
  for (const [i, c] of chunks.entries()) {
    const t = parseEmbeddedTransfer(c.transaction);
    if (!t.ok) return `publication_chunks[${i}]: ${t.reason}`;
    if (!isSelfTransfer(t.value, h.signerPublicKey, h.network)) {
      return `publication_chunks[${i}]: not a transfer from the aggregate's signer to its own address`;
    }
    if (!verifyBlockMerklePath(sha3_256(c.transaction), c.path, h.transactionsHash)) {
      return `publication_chunks[${i}]: path does not lead to the aggregate's transactionsHash`;
    }
    const m = t.value.message;
    if (!hasRecordMagic(m) || m[5] !== RECORD_KIND_PUBLICATION) {
      return `publication_chunks[${i}]: not a chunk of a publication record`;
    }
    messages.push(m);
  }
  const { records, problems } = reassembleRecords(messages);
  const record = records[0];
  if (problems.length > 0 || record === undefined || records.length !== 1) {
    return `publication_chunks: ${problems.length > 0 ? problems.join('; ') : 'not one record'}`;
  }
  const again = chunkRecord(record.bytes);
  if (again.length !== messages.length || again.some((m, i) => !bytesEqual(m, messages[i] as Uint8Array))) {
    return 'publication_chunks: not each chunk of the record once, in chunk order';
  }
  const d = decodePublicationRecord(record.bytes);
  return d.ok ? d.value : `publication_chunks: ${d.reason}`;
}

/**
 * Checks a share offline: the aggregate header parses and its Ed25519 signature verifies over seed ‖ signed header;
 * every chunk of `record`, rebuilt as our self-transfer from the aggregate's signer and network, has a path to
 * its transactionsHash; verbatim publication chunks are self-transfers of the signer with paths that hold and
 * reassemble into one publication record. Gives the reason naming the field otherwise. Never throws.
 */
export function verifyAnchorShare(input: AnchorShareInput): Decoded<VerifiedShare> {
  return decodeWith(input.aggregateHeader, 'aggregate header', () => {
    const seed = input.generationHashSeed;
    needs(
      seed instanceof Uint8Array && seed.length === HASH,
      'network_generation_hash_seed: must be 32 bytes',
    );
    const parsed = parseAggregateHeader(input.aggregateHeader);
    needs(parsed.ok, parsed.ok ? '' : `aggregate_header: ${parsed.reason}`);
    const h = parsed.value;
    let signs = false;
    try {
      signs =
        input.ed25519.verify(h.signature, concatBytes(seed, h.signedHeader), h.signerPublicKey) === true;
    } catch {
      signs = false;
    }
    needs(signs, `aggregate_header: the Ed25519 signature of ${toHex(h.signerPublicKey)} does not verify`);
    const network = symbolNetworkOf(seed, h.network);
    needs(network.ok, network.ok ? '' : `aggregate_header network: ${network.reason}`);
    const chunks = chunksOf(input.record);
    needs(typeof chunks !== 'string', typeof chunks === 'string' ? chunks : '');
    needs(
      input.recordChunks.length === chunks.length,
      `record_chunks: ${input.recordChunks.length} entries, the record has ${chunks.length} chunks`,
    );
    for (const [i, chunk] of chunks.entries()) {
      const leaf = sha3_256(encodeSelfTransfer(h.signerPublicKey, h.network, chunk));
      needs(
        verifyBlockMerklePath(leaf, input.recordChunks[i] ?? [], h.transactionsHash),
        `record_chunks[${i}]: the rebuilt transfer's path does not lead to the aggregate's transactionsHash`,
      );
    }
    const transactionHash = aggregateHeaderHash(h, seed);
    if (input.publicationChunks === undefined || input.publicationChunks.length === 0) {
      return { header: h, transactionHash };
    }
    const publication = publicationOf(input.publicationChunks, h);
    needs(typeof publication !== 'string', typeof publication === 'string' ? publication : '');
    return { header: h, transactionHash, publication };
  });
}
