// The bundle's "witnesses" check (docs/witnesses.md, docs/proof-format.md §8 check 16): the cosigned checkpoint
// note covers this batch (the header hash is in its tree), is signed by a key of the bundle's log, and — with a
// witness policy — holds at least k valid cosignatures by the policy's witnesses. Without a policy it reports
// what cosignatures are present and does not fail. Pure: signatures go through the injected verifiers.

import type { ProofBundle } from '../../../gen/spark/v1/bundle_pb.js';
import type { Ed25519Verifier } from '../../anchor/ed25519-verifier.ts';
import { algorithmById, algorithmByName } from '../../crypto/algorithms.ts';
import type { Sha256 } from '../../crypto/sha256.ts';
import type { SignatureVerifier } from '../../crypto/signature-verifier.ts';
import { toHex } from '../../encoding/bytes.ts';
import { hashLeaf } from '../../merkle/hash.ts';
import { verifyInclusion } from '../../merkle/inclusion.ts';
import { logOrigin, parseCheckpointText } from '../../note/checkpoint-text.ts';
import {
  type CosignatureAlgorithm,
  type Cosigner,
  cosignerKeyId,
  type SignatureCheck,
  verifyCosignature,
} from '../../note/cosignature.ts';
import { parseNote } from '../../note/signed-note.ts';
import type { HeaderFields } from '../header.ts';
import type { CheckOutcome } from './key-records.ts';

/** Whose cosignatures count and how many are needed (a trust root's witnesses, or --witness-policy). */
export interface WitnessPolicy {
  readonly quorum: number;
  readonly witnesses: readonly Cosigner[];
}

const pass = (detail: string): CheckOutcome => ({ ok: true, detail });
const fail = (detail: string): CheckOutcome => ({ ok: false, detail });

/** Note signatures checked with the verifier's registry algorithms (empty context) and the Ed25519 verifier. */
export function noteSignatureCheck(verifier: SignatureVerifier, ed25519: Ed25519Verifier): SignatureCheck {
  const empty = new Uint8Array(0);
  return (algorithm: CosignatureAlgorithm, publicKey, message, signature) => {
    if (algorithm === 'Ed25519') return ed25519.verify(signature, message, publicKey);
    const spec = algorithmByName(algorithm);
    return spec !== undefined && verifier.verify(spec.id, publicKey, message, signature, empty);
  };
}

/** The bundle's log keys as note signers (name = the log's origin), by record. */
function logKeysOf(b: ProofBundle, origin: string): Array<{ keyId: Uint8Array; cosigner: Cosigner }> {
  const out: Array<{ keyId: Uint8Array; cosigner: Cosigner }> = [];
  for (const k of b.keys) {
    const alg = algorithmById(k.algorithmId);
    if (alg === undefined) continue;
    out.push({
      keyId: k.keyId,
      cosigner: { name: origin, algorithm: alg.name as CosignatureAlgorithm, publicKey: k.publicKey },
    });
  }
  return out;
}

/**
 * Key ids of the bundle's records that signed its cosigned checkpoint note (for the key check's "used" records),
 * by name and key ID only; whether the signatures verify is this check's business.
 */
export function noteSignerKeyIds(b: ProofBundle, logId: Uint8Array): Uint8Array[] {
  const c = b.cosignedCheckpoint;
  if (c === undefined) return [];
  const note = parseNote(c.note);
  if (typeof note === 'string') return [];
  const origin = logOrigin(logId);
  const lines = note.signatures.filter((s) => s.name === origin);
  return logKeysOf(b, origin)
    .filter((k) => lines.some((s) => s.keyId === cosignerKeyId(k.cosigner)))
    .map((k) => k.keyId);
}

/** Checks `b.cosignedCheckpoint` against the header and, when given, the policy. */
export function checkWitnesses(
  b: ProofBundle,
  h: HeaderFields,
  check: SignatureCheck,
  sha256: Sha256,
  policy: WitnessPolicy | undefined,
): CheckOutcome {
  const c = b.cosignedCheckpoint;
  if (c === undefined) {
    return policy === undefined
      ? pass('no cosigned checkpoint (no witness policy given)')
      : fail(`no cosigned checkpoint: ${policy.quorum} cosignatures of the policy's witnesses are needed`);
  }
  const note = parseNote(c.note);
  if (typeof note === 'string') return fail(`cosigned checkpoint: ${note}`);
  const cp = parseCheckpointText(note.text);
  if (typeof cp === 'string') return fail(`cosigned checkpoint: ${cp}`);
  const origin = logOrigin(h.logId);
  if (cp.origin !== origin) return fail(`cosigned checkpoint of "${cp.origin}", not of this log (${origin})`);
  if (cp.size <= h.sequence)
    return fail(`cosigned checkpoint of size ${cp.size} does not cover batch ${h.sequence}`);
  const inclusion = verifyInclusion(
    h.sequence,
    cp.size,
    hashLeaf(sha256(b.header), sha256),
    c.headerPath,
    cp.root,
    sha256,
  );
  if (!inclusion.ok) return fail(`cosigned checkpoint: header log: ${inclusion.reason}`);

  // The log's own signature, by a key record of the bundle (the key check vouches for the records it chains).
  const logKeys = logKeysOf(b, origin).map((k) => k.cosigner);
  let logSigned: string | undefined;
  for (const sig of note.signatures) {
    const key = logKeys.find((k) => sig.name === k.name && cosignerKeyId(k) === sig.keyId);
    if (key === undefined) continue;
    const v = verifyCosignature(key, note.text, sig, check);
    if (!v.ok) return fail(`cosigned checkpoint: the log's signature does not verify: ${v.reason}`);
    logSigned = toHex(sha256(key.publicKey));
  }
  if (logSigned === undefined) return fail("cosigned checkpoint: no signature by a key of this bundle's log");

  const others = note.signatures.filter((s) => s.name !== origin);
  const covered = `batch ${h.sequence} is in the checkpoint of ${cp.size} batches signed by key ${logSigned}`;
  if (policy === undefined) {
    return pass(
      `${covered}; ${others.length} cosignature line(s) present, not checked (no witness policy given)`,
    );
  }
  const valid: string[] = [];
  for (const w of policy.witnesses) {
    const id = cosignerKeyId(w);
    for (const sig of note.signatures) {
      if (sig.name !== w.name || sig.keyId !== id) continue;
      const v = verifyCosignature(w, note.text, sig, check);
      // signed-note: a signature from a known key that fails to verify rejects the whole note.
      if (!v.ok)
        return fail(`cosigned checkpoint: the cosignature of ${w.name} does not verify: ${v.reason}`);
      if (!valid.includes(w.name)) valid.push(w.name);
    }
  }
  if (valid.length < policy.quorum) {
    return fail(
      `${valid.length} valid cosignature(s) of the policy's ${policy.witnesses.length} witnesses (${valid.join(', ') || 'none'}), ${policy.quorum} needed`,
    );
  }
  return pass(
    `${covered}; cosigned by ${valid.length} of ${policy.witnesses.length} witnesses (${valid.join(', ')}), quorum ${policy.quorum}`,
  );
}
