// The bundle's "anchor" check: the signed header really is in a Symbol aggregate, inside a block (SPEC §5 item 6, §6).
import type { Ed25519Verifier } from '../../anchor/ed25519-verifier.ts';
import { verifyBlockMerklePath } from '../../anchor/symbol-merkle.ts';
import { type AnchorVerification, verifyAnchorTransaction } from '../../anchor/verify-anchor.ts';
import { bytesEqual, toHex } from '../../encoding/bytes.ts';
import type { Anchor, ProofBundle } from '../../gen/spark/v1/bundle_pb.js';
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
 * Checks the batch anchor evidence offline (checkAnchorEvidence) for a record with exactly this header and
 * these signatures. Publications are checked by later versions: present, they fail. The checkpoint has
 * its own check ("checkpoint", checks/checkpoint.ts).
 */
export function checkAnchor(b: ProofBundle, ed25519: Ed25519Verifier): CheckOutcome {
  if (b.publication !== undefined) {
    return fail('publication evidence present but this verifier version cannot check it');
  }
  const a = b.anchor;
  if (a === undefined) return pass('not anchored: batch sealed only (anchoring evidence absent)');
  const out = checkAnchorEvidence(a, ed25519, 'anchor', (v) => {
    const record = v.batchRecords.find((r) => bytesEqual(r.fields.header, b.header));
    if (record === undefined) return 'the anchor transaction carries no record of this batch header';
    if (!sameSignatures(record.fields.signatures, b.signatures)) {
      return 'the anchored record carries other signatures than the bundle';
    }
    return undefined;
  });
  return out.ok ? pass(`header ${out.detail}`) : out;
}
