// The "key" and "key-validity" checks of the offline verifier (docs/proof-format.md §6, §8 checks 9 and 10).

import type { KeyRecord } from '../../../gen/spark/v1/bundle_pb.js';
import { algorithmById, algorithmHex } from '../../crypto/algorithms.ts';
import { KEY_ENDORSEMENT_CONTEXT, KEY_STATEMENT_CONTEXT } from '../../crypto/contexts.ts';
import type { Sha256 } from '../../crypto/sha256.ts';
import type { SignatureVerifier } from '../../crypto/signature-verifier.ts';
import { bytesEqual, toHex } from '../../encoding/bytes.ts';
import type { HeaderFields } from '../header.ts';
import { encodeKeyStatement, PROTECTION_CODES } from '../key-statement.ts';
import { type AlgorithmPolicy, algorithmPolicy, algorithmRefusal } from './algorithm-policy.ts';

/** The outcome of one check. */
export interface CheckOutcome {
  readonly ok: boolean;
  readonly detail: string;
}

export { algorithmHex } from '../../crypto/algorithms.ts';

function short(id: Uint8Array): string {
  return toHex(id);
}

/** The key statement bytes a record's self-signature and endorsement cover, or a reason. */
function statementOf(r: KeyRecord): Uint8Array | string {
  if (!Object.hasOwn(PROTECTION_CODES, r.protection)) {
    return `protection "${r.protection}" is not one of memory, file, hsm, remote`;
  }
  try {
    return encodeKeyStatement({
      algorithmId: r.algorithmId,
      keyId: r.keyId,
      validFromMs: r.validFromMs,
      previousKeyId: r.previousKeyId,
      protection: r.protection,
    });
  } catch (e) {
    return e instanceof Error ? e.message : 'key statement does not encode';
  }
}

/**
 * Checks a record on its own: known algorithm the policy relies on, key id, key length, statement and
 * self-signature.
 */
function selfCheck(
  r: KeyRecord,
  verifier: SignatureVerifier,
  sha256: Sha256,
  policy: AlgorithmPolicy,
): string | undefined {
  const who = `key ${short(r.keyId)}`;
  const refusal = algorithmRefusal(r.algorithmId, policy);
  if (refusal !== undefined) return `${who}: ${refusal}`;
  const spec = algorithmById(r.algorithmId);
  if (spec === undefined) return `${who}: unknown algorithm`;
  if (r.publicKey.length !== spec.publicKeyLength) {
    return `${who}: public key is ${r.publicKey.length} bytes, ${spec.name} needs ${spec.publicKeyLength}`;
  }
  if (!bytesEqual(r.keyId, sha256(r.publicKey))) return `${who}: key id is not SHA-256 of the public key`;
  if (r.previousKeyId.length !== 0 && r.previousKeyId.length !== 32) {
    return `${who}: previous key id is ${r.previousKeyId.length} bytes, not 0 or 32`;
  }
  const statement = statementOf(r);
  if (typeof statement === 'string') return `${who}: ${statement}`;
  if (!verifier.verify(r.algorithmId, r.publicKey, statement, r.selfSignature, KEY_STATEMENT_CONTEXT)) {
    return `${who}: self-signature over the key statement does not verify`;
  }
  return undefined;
}

function find(records: readonly KeyRecord[], keyId: Uint8Array): KeyRecord | undefined {
  return records.find((r) => bytesEqual(r.keyId, keyId));
}

/**
 * The records by hex key id, or the first duplicate. A map, not a pairwise comparison: a hostile bundle may
 * carry hundreds of thousands of tiny records, and O(n²) comparisons would stall the verifier for minutes.
 */
function indexRecords(records: readonly KeyRecord[]): Map<string, KeyRecord> | { duplicate: KeyRecord } {
  const byId = new Map<string, KeyRecord>();
  for (const r of records) {
    const id = toHex(r.keyId);
    if (byId.has(id)) return { duplicate: r };
    byId.set(id, r);
  }
  return byId;
}

/** The successor of `r`: the record whose previous_key_id is r's key id. */
export function successorsOf(records: readonly KeyRecord[], r: KeyRecord): KeyRecord[] {
  return records.filter((s) => s.previousKeyId.length !== 0 && bytesEqual(s.previousKeyId, r.keyId));
}

/**
 * Binds every valid_until_ms the bundle can bind (docs/proof-format.md §6): each record whose predecessor (the record
 * named by its previous_key_id) is in the bundle starts exactly when that predecessor's window ends, and after it
 * started; no two records name the same predecessor. A reason naming the keys when not. The valid_until_ms of a
 * record whose successor is not in the bundle is signed by nothing: verifiers do not read it (but check 10's).
 */
function windowProblem(
  records: readonly KeyRecord[],
  lookup: (keyId: Uint8Array) => KeyRecord | undefined,
): string | undefined {
  const named = new Map<string, KeyRecord>();
  for (const s of records) {
    if (s.previousKeyId.length === 0) continue;
    const id = toHex(s.previousKeyId);
    const earlier = named.get(id);
    if (earlier !== undefined) {
      return `key ${id} has two successors in the bundle: ${short(earlier.keyId)} and ${short(s.keyId)}`;
    }
    named.set(id, s);
    const p = lookup(s.previousKeyId);
    if (p === undefined) continue;
    if (p.validUntilMs !== s.validFromMs) {
      return `key ${short(p.keyId)}: valid_until_ms ${p.validUntilMs} is not the signed valid_from_ms ${s.validFromMs} of its successor ${short(s.keyId)} (a key's window ends where its successor's begins)`;
    }
    if (p.validFromMs >= s.validFromMs) {
      return `key ${short(s.keyId)}: valid_from_ms ${s.validFromMs} is not after its predecessor ${short(p.keyId)}'s ${p.validFromMs}`;
    }
  }
  return undefined;
}

/** Checks the endorsement of `r` by its predecessor, when it carries one. */
function endorsementCheck(
  lookup: (keyId: Uint8Array) => KeyRecord | undefined,
  r: KeyRecord,
  verifier: SignatureVerifier,
): string | undefined {
  if (r.endorsement.length === 0) return undefined;
  const who = `key ${short(r.keyId)}`;
  if (r.previousKeyId.length === 0) return `${who}: endorsement present but no previous key id`;
  const endorser = lookup(r.previousKeyId);
  if (endorser === undefined) {
    return `${who}: endorsed by ${short(r.previousKeyId)} whose key record is not in the bundle`;
  }
  const statement = statementOf(r);
  if (typeof statement === 'string') return `${who}: ${statement}`;
  if (
    !verifier.verify(
      endorser.algorithmId,
      endorser.publicKey,
      statement,
      r.endorsement,
      KEY_ENDORSEMENT_CONTEXT,
    )
  ) {
    return `${who}: endorsement by ${short(endorser.keyId)} does not verify`;
  }
  return undefined;
}

/**
 * The "key" check: the header's key record and every other record are sound, use algorithms `policy` relies on,
 * and none is surplus.
 */
export function checkKeys(
  records: readonly KeyRecord[],
  header: HeaderFields,
  signatureKeyIds: readonly Uint8Array[],
  verifier: SignatureVerifier,
  sha256: Sha256,
  policy: AlgorithmPolicy = algorithmPolicy(undefined),
): CheckOutcome {
  if (records.length === 0) return { ok: false, detail: 'the bundle carries no key records' };
  const byId = indexRecords(records);
  if (!(byId instanceof Map))
    return { ok: false, detail: `duplicate key record ${short(byId.duplicate.keyId)}` };
  const lookup = (keyId: Uint8Array): KeyRecord | undefined => byId.get(toHex(keyId));
  const own = lookup(header.keyId);
  if (own === undefined)
    return { ok: false, detail: `no key record for header key id ${short(header.keyId)}` };
  // The header's key first, so its failure is the one reported.
  const ordered = [own, ...records.filter((r) => r !== own)];
  for (const r of ordered) {
    const reason = selfCheck(r, verifier, sha256, policy);
    if (reason !== undefined) return { ok: false, detail: reason };
  }
  if (own.algorithmId !== header.algorithmId) {
    return {
      ok: false,
      detail: `key record algorithm ${algorithmHex(own.algorithmId)} differs from header algorithm ${algorithmHex(header.algorithmId)}`,
    };
  }
  for (const r of ordered) {
    const reason = endorsementCheck(lookup, r, verifier);
    if (reason !== undefined) return { ok: false, detail: reason };
  }
  // Records a verifier needs: the header key, its successor when retired, signers, and their endorsers.
  const used = new Set<KeyRecord>([own]);
  if (own.validUntilMs !== 0n) for (const s of successorsOf(records, own)) used.add(s);
  for (const id of signatureKeyIds) {
    const r = lookup(id);
    if (r !== undefined) used.add(r);
  }
  for (const r of [...used]) {
    let cur: KeyRecord | undefined = r;
    while (cur !== undefined && cur.endorsement.length !== 0) {
      const prev = lookup(cur.previousKeyId);
      if (prev === undefined || used.has(prev)) break;
      used.add(prev);
      cur = prev;
    }
  }
  const unused = records.find((r) => !used.has(r));
  if (unused !== undefined) {
    return { ok: false, detail: `key record ${short(unused.keyId)} is not used by this bundle` };
  }
  const windows = windowProblem(records, lookup);
  if (windows !== undefined) return { ok: false, detail: windows };
  const spec = algorithmById(own.algorithmId);
  return {
    ok: true,
    detail: `header key ${short(own.keyId)} (${spec?.name ?? '?'}, ${own.protection}); ${records.length} key record(s) self-signed`,
  };
}

/** The "key-validity" check: the header time lies in the signing key's window. */
export function checkKeyValidity(records: readonly KeyRecord[], header: HeaderFields): CheckOutcome {
  const own = find(records, header.keyId);
  if (own === undefined)
    return { ok: false, detail: `no key record for header key id ${short(header.keyId)}` };
  if (header.timeMs < own.validFromMs) {
    return {
      ok: false,
      detail: `header time ${header.timeMs} is before the key's valid_from_ms ${own.validFromMs}`,
    };
  }
  if (own.validUntilMs === 0n) {
    return {
      ok: true,
      detail: `header time ${header.timeMs} >= valid_from_ms ${own.validFromMs}; key current`,
    };
  }
  if (header.timeMs >= own.validUntilMs) {
    return {
      ok: false,
      detail: `header time ${header.timeMs} is not before the key's valid_until_ms ${own.validUntilMs}`,
    };
  }
  const successors = successorsOf(records, own);
  const next = successors[0];
  if (next === undefined || successors.length !== 1) {
    return {
      ok: false,
      detail: `key retired at ${own.validUntilMs} but ${successors.length} successor records are in the bundle (need 1)`,
    };
  }
  if (next.validFromMs !== own.validUntilMs) {
    return {
      ok: false,
      detail: `successor ${short(next.keyId)} starts at ${next.validFromMs}, not at the retirement ${own.validUntilMs}`,
    };
  }
  return {
    ok: true,
    detail: `header time ${header.timeMs} in [${own.validFromMs}, ${own.validUntilMs}); successor ${short(next.keyId)}`,
  };
}
