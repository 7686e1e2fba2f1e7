// The bundle's "anchor" check: the signed header really is in a Symbol aggregate, inside a block (SPEC §5 item 6, §6).
import type { Ed25519Verifier } from '../../anchor/ed25519-verifier.ts';
import { verifyBlockMerklePath } from '../../anchor/symbol-merkle.ts';
import { type AnchorVerification, verifyAnchorTransaction } from '../../anchor/verify-anchor.ts';
import { bytesEqual, toHex } from '../../encoding/bytes.ts';
import type { Anchor, ProofBundle } from '../../gen/spark/v1/bundle_pb.js';
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
    a.height === 0n
  );
}

/** Signatures as carried in a record or a bundle. */
interface SignatureLike {
  readonly algorithmId: number;
  readonly keyId: Uint8Array;
  readonly signature: Uint8Array;
}

/** True when both lists hold the same signatures in the same order. */
export function sameSignatures(a: readonly SignatureLike[], b: readonly SignatureLike[]): boolean {
  return (
    a.length === b.length &&
    a.every((s, i) => {
      const mine = b[i];
      return (
        mine !== undefined &&
        s.algorithmId === mine.algorithmId &&
        bytesEqual(s.keyId, mine.keyId) &&
        bytesEqual(s.signature, mine.signature)
      );
    })
  );
}

/**
 * Checks Symbol anchor evidence offline: the aggregate parses, its Ed25519 signature and embedded Merkle
 * root hold, its hash is the one claimed, `findRecord` finds the expected record in it (else gives a
 * reason), and the block Merkle path leads to the claimed transactionsHash. `what` names the evidence.
 */
export function checkAnchorEvidence(
  a: Anchor,
  ed25519: Ed25519Verifier,
  what: string,
  findRecord: (v: AnchorVerification) => string | undefined,
): CheckOutcome {
  if (isEmpty(a)) return fail(`${what}: present but empty`);
  const v = verifyAnchorTransaction(a.transaction, {
    generationHashSeed: a.networkGenerationHashSeed,
    ed25519,
  });
  if (!v.ok || v.transactionHash === undefined || v.merkleComponentHash === undefined) {
    return fail(
      `${what} transaction: ${v.checks
        .filter((c) => !c.ok)
        .map((c) => `${c.name}: ${c.detail}`)
        .join('; ')}`,
    );
  }
  if (!bytesEqual(v.transactionHash, a.transactionHash)) {
    return fail(
      `${what} transaction hash is ${toHex(v.transactionHash)}, the bundle claims ${toHex(a.transactionHash)}`,
    );
  }
  if (!bytesEqual(v.merkleComponentHash, a.merkleComponentHash)) {
    return fail(`${what} merkle component hash differs from the transaction`);
  }
  const problem = findRecord(v);
  if (problem !== undefined) return fail(problem);
  if (!verifyBlockMerklePath(a.merkleComponentHash, a.merklePath, a.transactionsHash)) {
    return fail(`${what}: block Merkle path does not lead to transactionsHash ${toHex(a.transactionsHash)}`);
  }
  // Height, block time and finality are not bound by anything the bundle carries: say they are claims.
  const finality =
    a.finalizedHeight >= a.height && a.height > 0n
      ? `final (finalized height ${a.finalizedHeight} >= ${a.height})`
      : `confirmed, not yet final (finalized height ${a.finalizedHeight} < ${a.height})`;
  return pass(
    `anchored in Symbol transaction ${toHex(v.transactionHash)}; signer ${toHex(v.transaction?.signerPublicKey ?? new Uint8Array(0))}; claimed height ${a.height}, ${finality} (height, block time and finality are checked only against a node: --symbol)`,
  );
}

/**
 * The publication's binding (SPEC §10, docs/ipfs.md): the anchor aggregate carries a publication record for this
 * header's sequence and root naming exactly `publication.ipfs_cid` for this leaf index. A reason when not.
 */
function publicationProblem(b: ProofBundle, v: AnchorVerification): string | undefined {
  const cid = b.publication?.ipfsCid ?? '';
  const header = decodeHeader(b.header);
  if (typeof header === 'string') return `publication: ${header}`;
  const index = b.inclusion?.leafIndex;
  const record = v.publicationRecords.find(
    (r) => r.fields.sequence === header.sequence && bytesEqual(r.fields.root, header.root),
  );
  if (record === undefined)
    return 'publication: the anchor transaction carries no publication record of this batch';
  const entry = record.fields.entries.find((e) => BigInt(e.leafIndex) === index);
  if (entry === undefined)
    return `publication: the anchor's publication record names no CID for leaf ${index}`;
  if (entry.cid !== cid)
    return `publication: the anchor names ${entry.cid} for this leaf, the bundle claims ${cid.slice(0, 100)}`;
  return undefined;
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
  }
  if (a === undefined) return pass('not anchored: batch sealed only (anchoring evidence absent)');
  const out = checkAnchorEvidence(a, ed25519, 'anchor', (v) => {
    const record = v.batchRecords.find((r) => bytesEqual(r.fields.header, b.header));
    if (record === undefined) return 'the anchor transaction carries no record of this batch header';
    if (!sameSignatures(record.fields.signatures, b.signatures)) {
      return 'the anchored record carries other signatures than the bundle';
    }
    return b.publication === undefined ? undefined : publicationProblem(b, v);
  });
  if (!out.ok) return out;
  const published =
    b.publication === undefined
      ? ''
      : `; publication ${b.publication.ipfsCid}: the anchor names it as this leaf's sealed bundle (fetch it by CID and verify it on its own)`;
  return pass(`header ${out.detail}${published}`);
}
