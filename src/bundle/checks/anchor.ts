// The bundle's "anchor" check: the signed header really is in a Symbol aggregate, inside a block (SPEC §5 item 6, §6).
import type { Ed25519Verifier } from '../../anchor/ed25519-verifier.ts';
import { verifyBlockMerklePath } from '../../anchor/symbol-merkle.ts';
import { verifyAnchorTransaction } from '../../anchor/verify-anchor.ts';
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

/**
 * Checks the anchor evidence offline: the aggregate parses, its Ed25519 signature and embedded
 * Merkle root hold, its hash is the one claimed, it carries a record with exactly this header and
 * these signatures, and the block Merkle path leads to the claimed transactionsHash.
 * Checkpoints and publications are checked by later versions: present, they fail.
 */
export function checkAnchor(b: ProofBundle, ed25519: Ed25519Verifier): CheckOutcome {
  if (b.checkpoint !== undefined || b.publication !== undefined) {
    return fail('checkpoint/publication evidence present but this verifier version cannot check it');
  }
  const a = b.anchor;
  if (a === undefined) return pass('not anchored: batch sealed only (anchoring evidence absent)');
  if (isEmpty(a)) return fail('anchor: present but empty');
  const v = verifyAnchorTransaction(a.transaction, {
    generationHashSeed: a.networkGenerationHashSeed,
    ed25519,
  });
  if (!v.ok || v.transactionHash === undefined || v.merkleComponentHash === undefined) {
    return fail(
      `anchor transaction: ${v.checks
        .filter((c) => !c.ok)
        .map((c) => `${c.name}: ${c.detail}`)
        .join('; ')}`,
    );
  }
  if (!bytesEqual(v.transactionHash, a.transactionHash)) {
    return fail(
      `anchor transaction hash is ${toHex(v.transactionHash)}, the bundle claims ${toHex(a.transactionHash)}`,
    );
  }
  if (!bytesEqual(v.merkleComponentHash, a.merkleComponentHash)) {
    return fail('anchor merkle component hash differs from the transaction');
  }
  const record = v.batchRecords.find((r) => bytesEqual(r.fields.header, b.header));
  if (record === undefined) return fail('the anchor transaction carries no record of this batch header');
  const sameSignatures =
    record.fields.signatures.length === b.signatures.length &&
    record.fields.signatures.every((s, i) => {
      const mine = b.signatures[i];
      return (
        mine !== undefined &&
        s.algorithmId === mine.algorithmId &&
        bytesEqual(s.keyId, mine.keyId) &&
        bytesEqual(s.signature, mine.signature)
      );
    });
  if (!sameSignatures) return fail('the anchored record carries other signatures than the bundle');
  if (!verifyBlockMerklePath(a.merkleComponentHash, a.merklePath, a.transactionsHash)) {
    return fail(`block Merkle path does not lead to transactionsHash ${toHex(a.transactionsHash)}`);
  }
  const finality =
    a.finalizedHeight >= a.height && a.height > 0n
      ? `final (finalized height ${a.finalizedHeight} >= ${a.height})`
      : `confirmed, not yet final (finalized height ${a.finalizedHeight} < ${a.height})`;
  return pass(
    `header anchored in Symbol transaction ${toHex(v.transactionHash)} at height ${a.height}, ${finality}; signer ${toHex(v.transaction?.signerPublicKey ?? new Uint8Array(0))}`,
  );
}
