// The bundle's "anchor" check: the signed header really is in a Symbol aggregate, inside a block (docs/proof-format.md
// §8 check 13, §9; docs/anchoring.md §6): the whole aggregate in version 1, its header, this record's share and the
// block header in version 2; a publication's CID against the anchor's publication record and its Arweave copy
// against the CID.

import type { Anchor, ProofBundle, Publication } from '../../../gen/spark/v1/bundle_pb.js';
import { encodeAnchorRecord } from '../../anchor/anchor-record.ts';
import { carriedRecordProblem, verifyAnchorShare } from '../../anchor/anchor-share.ts';
import { describeBlockTime, symbolNetworkOf, verifyBlockEvidence } from '../../anchor/block-evidence.ts';
import type { Ed25519Verifier } from '../../anchor/ed25519-verifier.ts';
import {
  canonicalCidProblem,
  cidDigest,
  type PublicationRecordFields,
} from '../../anchor/publication-record.ts';
import { RECORD_KIND_PUBLICATION } from '../../anchor/record-chunks.ts';
import { verifyBlockMerklePath } from '../../anchor/symbol-merkle.ts';
import { type AnchorVerification, verifyAnchorTransaction } from '../../anchor/verify-anchor.ts';
import { type ArweaveCopy, checkArweaveCopy } from '../../arweave/arweave-copy.ts';
import type { Decoded } from '../../encoding/byte-reader.ts';
import { bytesEqual, toHex } from '../../encoding/bytes.ts';
import { decodeHeader } from '../header.ts';
import type { CheckOutcome } from './key-records.ts';

const pass = (detail: string): CheckOutcome => ({ ok: true, detail });
const fail = (detail: string): CheckOutcome => ({ ok: false, detail });

/** True when the Anchor message carries nothing (proto3 default). */
function isEmpty(a: Anchor): boolean {
  return (
    a.transaction.length === 0 &&
    a.transactionHash.length === 0 &&
    a.networkGenerationHashSeed.length === 0 &&
    a.merklePath.length === 0 &&
    a.height === 0n &&
    a.blockHeader.length === 0 &&
    a.aggregateHeader.length === 0 &&
    a.recordChunks.length === 0 &&
    a.publicationChunks.length === 0
  );
}

/**
 * Why `a` is not in the form of bundle `version` (docs/proof-format.md §1, §9), naming the field, or undefined.
 * Version 1 carries the whole transaction and none of the version-2 fields; version 2 the block header, the
 * aggregate header and its own record's chunks, and no transaction.
 */
export function anchorFormProblem(a: Anchor, version: number, field: string): string | undefined {
  const compact: Array<[string, boolean]> = [
    ['block_header', a.blockHeader.length > 0],
    ['aggregate_header', a.aggregateHeader.length > 0],
    ['record_chunks', a.recordChunks.length > 0],
  ];
  if (version === 1) {
    const extra = [...compact, ['publication_chunks', a.publicationChunks.length > 0] as [string, boolean]];
    const present = extra.find(([, has]) => has);
    return present === undefined
      ? undefined
      : `${field}.${present[0]}: a version-2 field in a version-1 bundle (which carries the whole transaction)`;
  }
  if (a.transaction.length > 0) {
    return `${field}.transaction: must be empty in a version-2 bundle (it carries aggregate_header and record_chunks instead)`;
  }
  const missing = compact.find(([, has]) => !has);
  if (missing !== undefined) return `${field}.${missing[0]}: missing (required in a version-2 bundle)`;
  const carried = a.recordChunks.findIndex((c) => c.transaction.length > 0);
  return carried < 0
    ? undefined
    : `${field}.record_chunks[${carried}].transaction: must be empty (the verifier rebuilds each chunk's transfer)`;
}

/** The record an anchor must carry, in both forms. */
export interface ExpectedRecord {
  /** The record rebuilt from what the bundle holds (both versions), or a reason it cannot be. */
  readonly rebuild: () => Uint8Array | string;
  /** Version 1, a bundle with a publication: finds and checks this batch's publication record in the whole aggregate. */
  readonly publicationIn?: (v: AnchorVerification) => string | undefined;
  /** Version 2, a bundle with a publication: checks the publication record the verbatim chunks carry. */
  readonly publication?: (record: PublicationRecordFields | undefined) => string | undefined;
}

/**
 * Who made the anchor, for the detail: the network its seed and byte name and the signing account, which this check
 * does not pin (the issuer check holds them to a trust root).
 */
function madeBy(seed: Uint8Array, network: number, signer: Uint8Array): string {
  const n = symbolNetworkOf(seed, network);
  return `on ${n.ok ? n.value.description : 'a network its seed and byte disagree on'}, signed by account ${toHex(signer)} (network and account not pinned by this check: a trust root pins them, issuer check)`;
}

/** How an anchor's evidence is named in reasons: "anchor" or "checkpoint anchor", field path "checkpoint.anchor". */
interface Naming {
  readonly what: string;
  readonly field: string;
}

/** "final (…)" or "confirmed, not yet final (…)" from the claimed finalized height. */
function finalityOf(a: Anchor): string {
  return a.finalizedHeight >= a.height && a.height > 0n
    ? `final (finalized height ${a.finalizedHeight} >= ${a.height})`
    : `confirmed, not yet final (finalized height ${a.finalizedHeight} < ${a.height})`;
}

/** Version 1: the whole aggregate is in the bundle (docs/proof-format.md §8, check 13, version 1). */
function checkFullEvidence(
  a: Anchor,
  ed25519: Ed25519Verifier,
  what: string,
  expected: ExpectedRecord,
): CheckOutcome {
  const v = verifyAnchorTransaction(a.transaction, {
    generationHashSeed: a.networkGenerationHashSeed,
    ed25519,
  });
  // Problems in records that are not the bundle's do not count (docs/anchoring.md §6): its own are checked below.
  const failed = v.checks.filter((c) => !c.ok && c.name !== 'records');
  const tx = v.transaction;
  if (failed.length > 0 || tx === undefined || v.transactionHash === undefined) {
    return fail(`${what} transaction: ${failed.map((c) => `${c.name}: ${c.detail}`).join('; ')}`);
  }
  if (!bytesEqual(v.transactionHash, a.transactionHash)) {
    return fail(
      `${what} transaction hash is ${toHex(v.transactionHash)}, the bundle claims ${toHex(a.transactionHash)}`,
    );
  }
  if (!bytesEqual(a.merkleComponentHash, v.transactionHash)) {
    return fail(
      `${what} merkle component hash differs from the transaction's (an uncosigned aggregate's is its hash)`,
    );
  }
  const record = expected.rebuild();
  if (typeof record === 'string') return fail(record);
  const carried = carriedRecordProblem(tx, record);
  if (carried !== undefined) return fail(`${what} transaction: the bundle's record: ${carried}`);
  const publication = expected.publicationIn?.(v);
  if (publication !== undefined) return fail(publication);
  if (!verifyBlockMerklePath(a.merkleComponentHash, a.merklePath, a.transactionsHash)) {
    return fail(`${what}: block Merkle path does not lead to transactionsHash ${toHex(a.transactionsHash)}`);
  }
  // Height, block time and finality are not bound by anything the bundle carries: say they are claims.
  return pass(
    `anchored in Symbol transaction ${toHex(v.transactionHash)} ${madeBy(a.networkGenerationHashSeed, tx.network, tx.signerPublicKey)}; claimed height ${a.height}, ${finalityOf(a)} (height, block time and finality are checked only against a node: --symbol)`,
  );
}

/**
 * Version 2: the aggregate header, this record's chunks (rebuilt here) and the block header (docs/proof-format.md
 * §8, check 13, version 2). Everything down to the block header is checked; that the block is on the chain and
 * final is not.
 */
function checkCompactEvidence(
  a: Anchor,
  ed25519: Ed25519Verifier,
  { what, field }: Naming,
  expected: ExpectedRecord,
): CheckOutcome {
  const record = expected.rebuild();
  if (typeof record === 'string') return fail(record);
  const wantsPublication = expected.publication !== undefined;
  if (!wantsPublication && a.publicationChunks.length > 0) {
    return fail(`${field}.publication_chunks: present without a publication`);
  }
  const share = verifyAnchorShare({
    aggregateHeader: a.aggregateHeader,
    generationHashSeed: a.networkGenerationHashSeed,
    ed25519,
    record,
    recordChunks: a.recordChunks.map((c) => c.path),
    publicationChunks: a.publicationChunks,
  });
  if (!share.ok) return fail(`${field}: ${share.reason}`);
  const { header, transactionHash } = share.value;
  if (!bytesEqual(transactionHash, a.transactionHash)) {
    return fail(
      `${what} transaction hash is ${toHex(transactionHash)}, the bundle claims ${toHex(a.transactionHash)}`,
    );
  }
  if (!bytesEqual(a.merkleComponentHash, transactionHash)) {
    return fail(
      `${field}.merkle_component_hash: must be the transaction hash (the anchoring account never has cosigners)`,
    );
  }
  const publicationProblem = expected.publication?.(share.value.publication);
  if (publicationProblem !== undefined) return fail(publicationProblem);
  const block = verifyBlockEvidence(
    a.blockHeader,
    {
      height: a.height,
      timestamp: a.blockTimestamp,
      transactionsHash: a.transactionsHash,
      network: header.network,
    },
    ed25519,
  );
  if (!block.ok) return fail(`${field}: ${block.reason}`);
  if (!verifyBlockMerklePath(a.merkleComponentHash, a.merklePath, a.transactionsHash)) {
    return fail(`${what}: block Merkle path does not lead to transactionsHash ${toHex(a.transactionsHash)}`);
  }
  const b = block.value;
  return pass(
    `anchored in Symbol transaction ${toHex(transactionHash)} ${madeBy(a.networkGenerationHashSeed, header.network, header.signerPublicKey)}; height ${b.height} and time ${describeBlockTime(b.timestamp, a.networkGenerationHashSeed)} signed by harvester ${toHex(b.signerPublicKey)} in block ${toHex(b.hash)}; claimed ${finalityOf(a)}; that this block is on the Symbol chain and final is checked only with --symbol`,
  );
}

/**
 * Checks Symbol anchor evidence offline in the form of bundle `version`: the aggregate (whole, or its header and
 * this record's share) is signed and carries the expected record, its hash is the one claimed, and the block Merkle
 * path leads to the claimed transactionsHash; in version 2 also the block header. `what` names the evidence.
 */
export function checkAnchorEvidence(
  a: Anchor,
  version: number,
  ed25519: Ed25519Verifier,
  what: string,
  expected: ExpectedRecord,
): CheckOutcome {
  const field = what === 'anchor' ? 'anchor' : 'checkpoint.anchor';
  if (isEmpty(a)) return fail(`${what}: present but empty`);
  const form = anchorFormProblem(a, version, field);
  if (form !== undefined) return fail(form);
  return version === 1
    ? checkFullEvidence(a, ed25519, what, expected)
    : checkCompactEvidence(a, ed25519, { what, field }, expected);
}

/**
 * The publication's binding (docs/proof-format.md §9, docs/ipfs.md): the anchor aggregate carries a publication record for this
 * header's sequence and root naming exactly `publication.ipfs_cid` for this leaf index. A reason when not.
 */
function publicationProblem(b: ProofBundle, records: readonly PublicationRecordFields[]): string | undefined {
  const cid = b.publication?.ipfsCid ?? '';
  const header = decodeHeader(b.header);
  if (typeof header === 'string') return `publication: ${header}`;
  const index = b.inclusion?.leafIndex;
  const record = records.find((r) => r.sequence === header.sequence && bytesEqual(r.root, header.root));
  if (record === undefined)
    return 'publication: the anchor transaction carries no publication record of this batch';
  const entry = record.entries.find((e) => BigInt(e.leafIndex) === index);
  if (entry === undefined)
    return `publication: the anchor's publication record names no CID for leaf ${index}`;
  if (entry.cid !== cid)
    return `publication: the anchor names ${entry.cid} for this leaf, the bundle claims ${cid.slice(0, 100)}`;
  return undefined;
}

/**
 * Version 1: the whole aggregate carries exactly one publication record of this batch, every chunk of it in the
 * signer's self-transfers, naming `publication.ipfs_cid` for this leaf. A reason when not.
 */
function publicationInTransaction(b: ProofBundle, v: AnchorVerification): string | undefined {
  const header = decodeHeader(b.header);
  if (typeof header === 'string') return `publication: ${header}`;
  const ofBatch = v.publicationRecords.filter(
    (r) => r.fields.sequence === header.sequence && bytesEqual(r.fields.root, header.root),
  );
  const found = ofBatch[0];
  if (found === undefined || v.transaction === undefined) {
    return 'publication: the anchor transaction carries no publication record of this batch';
  }
  if (ofBatch.length > 1)
    return 'publication: the anchor transaction carries two publication records of this batch';
  const bytes = v.records.find((r) => r.kind === RECORD_KIND_PUBLICATION && r.id === found.id)?.bytes;
  const carried = bytes === undefined ? 'not reassembled' : carriedRecordProblem(v.transaction, bytes);
  if (carried !== undefined) return `publication record: ${carried}`;
  return publicationProblem(b, [found.fields]);
}

/**
 * The publication's Arweave copy checked against the CID (docs/proof-format.md §9.6), or undefined when it has
 * none: the signed transaction's data root is the root of the bytes the CID names, its id the hash of its signature.
 */
function arweaveCopyOf(p: Publication): Decoded<ArweaveCopy> | undefined {
  if (p.arweave === undefined) return undefined;
  const digest = cidDigest(p.ipfsCid);
  if (digest === undefined) return { ok: false, reason: 'publication.ipfs_cid: not a canonical CID' };
  return checkArweaveCopy(p.arweave, digest, 'publication.arweave');
}

/** The batch record the bundle's header and signatures make (in the bundle's order), or the reason they make none. */
function batchRecordOf(b: ProofBundle): Uint8Array | string {
  try {
    return encodeAnchorRecord({ header: b.header, signatures: b.signatures });
  } catch (e) {
    return `the bundle's header and signatures make no anchor record: ${e instanceof Error ? e.message : String(e)}`;
  }
}

/**
 * Checks the batch anchor evidence offline (checkAnchorEvidence) for a record with exactly this header and
 * these signatures, and a publication (when present) against the anchor's publication record. The checkpoint
 * has its own check ("checkpoint", checks/checkpoint.ts).
 */
export function checkAnchor(b: ProofBundle, ed25519: Ed25519Verifier): CheckOutcome {
  const a = b.anchor;
  if (b.publication !== undefined) {
    if (b.publication.ipfsCid === '') return fail('publication: present but empty');
    if (a === undefined) return fail('publication: present without the anchor that names its CID');
    const spelling = canonicalCidProblem(b.publication.ipfsCid);
    if (spelling !== undefined) return fail(`publication.ipfs_cid: ${spelling}`);
  }
  if (a === undefined) return pass('not anchored: batch sealed only (anchoring evidence absent)');
  const out = checkAnchorEvidence(a, b.version, ed25519, 'anchor', {
    rebuild: () => batchRecordOf(b),
    ...(b.publication === undefined
      ? {}
      : {
          publicationIn: (v: AnchorVerification) => publicationInTransaction(b, v),
          publication: (record: PublicationRecordFields | undefined) =>
            record === undefined
              ? 'publication: anchor.publication_chunks is empty: the anchor carries no publication record'
              : publicationProblem(b, [record]),
        }),
  });
  if (!out.ok) return out;
  if (b.publication === undefined) return pass(`header ${out.detail}`);
  const copy = arweaveCopyOf(b.publication);
  if (copy !== undefined && !copy.ok) return fail(copy.reason);
  const arweave =
    copy === undefined
      ? ''
      : `; its Arweave copy: transaction ${copy.value.id} (wallet ${copy.value.address}, not pinned: any wallet may store the same bytes) commits to exactly those bytes (that it is mined is seen by fetching it from Arweave)`;
  return pass(
    `header ${out.detail}; publication ${b.publication.ipfsCid}: the anchor names it as this leaf's sealed bundle (fetch it by CID and verify it on its own)${arweave}`,
  );
}
