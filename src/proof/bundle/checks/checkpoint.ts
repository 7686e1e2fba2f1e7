// The bundle's "checkpoint" check: a PQC-signed, anchored head of the header chain covers this batch
// (docs/proof-format.md §6.1, §8 check 14).

import type { ProofBundle } from '../../../gen/spark/v1/bundle_pb.js';
import { encodeCheckpointRecord } from '../../anchor/anchor-record.ts';
import type { Ed25519Verifier } from '../../anchor/ed25519-verifier.ts';
import { algorithmById } from '../../crypto/algorithms.ts';
import { CHECKPOINT_SIGNATURE_CONTEXT } from '../../crypto/contexts.ts';
import type { Sha256 } from '../../crypto/sha256.ts';
import type { SignatureVerifier } from '../../crypto/signature-verifier.ts';
import { bytesEqual, toHex } from '../../encoding/bytes.ts';
import { hashLeaf } from '../../merkle/hash.ts';
import { verifyInclusion } from '../../merkle/inclusion.ts';
import { decodeCheckpoint } from '../checkpoint.ts';
import type { HeaderFields } from '../header.ts';
import { checkAnchorEvidence } from './anchor.ts';
import { algorithmHex, type CheckOutcome, successorsOf } from './key-records.ts';

const pass = (detail: string): CheckOutcome => ({ ok: true, detail });
const fail = (detail: string): CheckOutcome => ({ ok: false, detail });

/**
 * Checks `b.checkpoint` against this bundle's header (docs/proof-format.md §8, check 14): the body decodes and
 * matches the decoded fields, the header hash is in the signed header log at its sequence, the signatures
 * verify with the bundle's key records, and, when present, the checkpoint's own anchor holds.
 */
export function checkCheckpoint(
  b: ProofBundle,
  h: HeaderFields,
  verifier: SignatureVerifier,
  sha256: Sha256,
  ed25519: Ed25519Verifier,
): CheckOutcome {
  const c = b.checkpoint;
  if (c === undefined) return pass('no checkpoint yet');
  const body = decodeCheckpoint(c.body);
  if (typeof body === 'string') return fail(body);
  if (!bytesEqual(body.logId, h.logId)) {
    return fail(`checkpoint of log ${toHex(body.logId)}, not of this header's log ${toHex(h.logId)}`);
  }
  if (body.batchCount <= h.sequence) {
    return fail(`checkpoint covers ${body.batchCount} batches, not sequence ${h.sequence}`);
  }
  const differs: string[] = [];
  if (c.sequence !== body.batchCount - 1n) differs.push('sequence');
  if (!bytesEqual(c.headerHash, body.headHeaderHash)) differs.push('header_hash');
  if (c.batchCount !== body.batchCount) differs.push('batch_count');
  if (differs.length > 0) return fail(`checkpoint fields differ from its body in ${differs.join(', ')}`);
  const headerHash = sha256(b.header);
  const inclusion = verifyInclusion(
    h.sequence,
    body.batchCount,
    hashLeaf(headerHash, sha256),
    c.headerPath,
    body.headerLogRoot,
    sha256,
  );
  if (!inclusion.ok) return fail(`header log: ${inclusion.reason}`);
  if (body.batchCount - 1n === h.sequence && !bytesEqual(body.headHeaderHash, headerHash)) {
    return fail('checkpoint head is this batch but its head header hash is not this header');
  }
  if (c.signatures.length === 0) return fail('checkpoint has no signatures');
  let byOwnKey = false;
  for (const [i, s] of c.signatures.entries()) {
    for (const other of c.signatures.slice(i + 1)) {
      if (bytesEqual(s.keyId, other.keyId)) return fail(`two checkpoint signatures by key ${toHex(s.keyId)}`);
    }
    const record = b.keys.find((k) => bytesEqual(k.keyId, s.keyId));
    if (record === undefined)
      return fail(`checkpoint signature ${i}: no key record for key ${toHex(s.keyId)}`);
    if (record.algorithmId !== s.algorithmId) {
      return fail(
        `checkpoint signature ${i}: algorithm ${algorithmHex(s.algorithmId)} differs from its key's ${algorithmHex(record.algorithmId)}`,
      );
    }
    if (
      !verifier.verify(s.algorithmId, record.publicKey, c.body, s.signature, CHECKPOINT_SIGNATURE_CONTEXT)
    ) {
      return fail(`checkpoint signature ${i} by key ${toHex(s.keyId)} does not verify over the body`);
    }
    if (bytesEqual(s.keyId, body.keyId) && s.algorithmId === body.algorithmId) {
      // The checkpoint's own key must have been valid when it signed. Its valid_until_ms is read only when its
      // successor is in the bundle (the key check then bound it to the successor's signed valid_from_ms).
      if (body.timeMs < record.validFromMs) {
        return fail(`checkpoint time ${body.timeMs} is before its key's valid_from_ms ${record.validFromMs}`);
      }
      const retired = successorsOf(b.keys, record).length > 0;
      if (retired && record.validUntilMs !== 0n && body.timeMs >= record.validUntilMs) {
        return fail(
          `checkpoint time ${body.timeMs} is not before its key's valid_until_ms ${record.validUntilMs}`,
        );
      }
      byOwnKey = true;
    }
  }
  if (!byOwnKey) return fail(`no checkpoint signature by the checkpoint's key ${toHex(body.keyId)}`);
  const name = algorithmById(body.algorithmId)?.name ?? algorithmHex(body.algorithmId);
  const covered = `batch ${h.sequence} is in the header log of ${body.batchCount} batches signed with ${name} by ${toHex(body.keyId)}`;
  const a = c.anchor;
  if (a === undefined) return pass(`${covered}; checkpoint not anchored`);
  const anchored = checkAnchorEvidence(a, b.version, ed25519, 'checkpoint anchor', {
    rebuild: () => {
      try {
        return encodeCheckpointRecord({ body: c.body, signatures: c.signatures });
      } catch (e) {
        return `the checkpoint's body and signatures make no checkpoint record: ${e instanceof Error ? e.message : String(e)}`;
      }
    },
  });
  return anchored.ok ? pass(`${covered}; checkpoint ${anchored.detail}`) : anchored;
}
