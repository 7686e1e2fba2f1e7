// Known answers from public sources (see public-vectors.ts for each one's repository, file and commit): the Go
// sumdb/note example, the C2SP examples, real Armored Witness cosignatures and torchwood's ML-DSA-44 signature.
import assert from 'node:assert/strict';
import { createPrivateKey, sign } from 'node:crypto';
import { describe, test } from 'node:test';
import { createNoteSignatureCheck, verifyPlainEd25519Note } from '../../src/note/note-verifier.ts';
import { formatCheckpointText, parseCheckpointText } from '../../src/proof/note/checkpoint-text.ts';
import {
  type Cosigner,
  cosignedMessage,
  cosignerFromVerifierKey,
  cosignerKeyId,
  verifyCosignature,
} from '../../src/proof/note/cosignature.ts';
import {
  formatNote,
  type NoteSignature,
  parseNote,
  type SignedNote,
} from '../../src/proof/note/signed-note.ts';
import { parseVerifierKey, type VerifierKey } from '../../src/proof/note/verifier-key.ts';
import {
  ARMORED_WITNESS,
  C2SP_COSIGNED_CHECKPOINT,
  C2SP_NOTE,
  GO_NOTE,
  TORCHWOOD_ML_DSA_44,
} from './public-vectors.ts';

const check = createNoteSignatureCheck();

function vkey(text: string): VerifierKey {
  const key = parseVerifierKey(text);
  if (typeof key === 'string') assert.fail(`${text}: ${key}`);
  return key;
}

function note(text: string): SignedNote {
  const n = parseNote(text);
  if (typeof n === 'string') assert.fail(n);
  return n;
}

/** The Ed25519 cosigner of a witness whose vkey is published as type 0x01 (same name and public key). */
function ed25519Cosigner(published: string): Cosigner {
  const key = vkey(published);
  assert.deepEqual([...key.signatureType], [0x01]);
  return { name: key.name, algorithm: 'Ed25519', publicKey: key.publicKey };
}

describe('golang.org/x/mod/sumdb/note', () => {
  const signed = `${GO_NOTE.text}\n${GO_NOTE.peterSig}${GO_NOTE.enochSig}`;

  test('the PeterNeumann vkey: name, key ID c74f20a3, Ed25519 key', () => {
    const key = vkey(GO_NOTE.peterVkey);
    assert.equal(key.name, 'PeterNeumann');
    assert.equal(key.keyId, 0xc74f20a3);
    assert.deepEqual([...key.signatureType], [0x01]);
  });

  test('both signatures of the example note verify; each key ignores the other line', () => {
    const n = note(signed);
    assert.deepEqual(verifyPlainEd25519Note(vkey(GO_NOTE.peterVkey), n), { ok: true });
    assert.deepEqual(verifyPlainEd25519Note(vkey(GO_NOTE.enochVkey), n), { ok: true });
  });

  test('a changed text (as Go\'s tests change "cryptography") no longer verifies', () => {
    const n = note(signed.replace('cryptography', 'cryptographY'));
    assert.deepEqual(verifyPlainEd25519Note(vkey(GO_NOTE.peterVkey), n), {
      ok: false,
      reason: 'signature does not verify',
    });
  });

  test("signing with Go's example private key gives Go's note byte for byte (Ed25519 is deterministic)", () => {
    const material = Buffer.from(GO_NOTE.peterSkey.split('+').slice(4).join('+'), 'base64');
    assert.equal(material[0], 0x01);
    const pkcs8 = Buffer.concat([
      Buffer.from('302e020100300506032b657004220420', 'hex'),
      material.subarray(1),
    ]);
    const privateKey = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
    const signature = new Uint8Array(sign(null, Buffer.from(GO_NOTE.text), privateKey));
    const out = formatNote({
      text: GO_NOTE.text,
      signatures: [{ name: 'PeterNeumann', keyId: 0xc74f20a3, signature }],
    });
    assert.equal(out, `${GO_NOTE.text}\n${GO_NOTE.peterSig}`);
  });
});

describe('c2sp.org/signed-note', () => {
  test('the example vkey verifies the example note, which formats back byte for byte', () => {
    const n = note(C2SP_NOTE.note);
    assert.equal(n.text, 'This is an example message.\n');
    assert.deepEqual(verifyPlainEd25519Note(vkey(C2SP_NOTE.vkey), n), { ok: true });
    assert.equal(formatNote(n), C2SP_NOTE.note);
    const tampered = note(C2SP_NOTE.note.replace('example message', 'example massage'));
    assert.equal(verifyPlainEd25519Note(vkey(C2SP_NOTE.vkey), tampered).ok, false);
  });
});

describe('c2sp.org/tlog-cosignature example (no published keys: parsing and message layout only)', () => {
  test('the cosigned checkpoint parses and formats back; the cosignature time gives the example message', () => {
    const text = `${C2SP_COSIGNED_CHECKPOINT.text}\n${C2SP_COSIGNED_CHECKPOINT.signatureLines}`;
    const n = note(text);
    assert.equal(formatNote(n), text);
    const checkpoint = parseCheckpointText(n.text);
    if (typeof checkpoint === 'string') assert.fail(checkpoint);
    const witness = n.signatures[1] as NoteSignature;
    const timestamp = Buffer.from(witness.signature).readBigUInt64BE(0);
    assert.equal(timestamp, C2SP_COSIGNED_CHECKPOINT.witnessTimestamp);
    const message = cosignedMessage('Ed25519', {
      cosignerName: witness.name,
      timestamp,
      checkpoint,
      checkpointText: n.text,
    });
    assert.equal(Buffer.from(message).toString('utf8'), C2SP_COSIGNED_CHECKPOINT.ed25519Message);
  });
});

describe('real Armored Witness cosignatures (transparency-dev/distributor)', () => {
  for (const [label, d] of Object.entries(ARMORED_WITNESS)) {
    test(`${label}: every published cosignature verifies with its timestamp`, () => {
      const n = note(`${d.text}\n${d.signatureLines}`);
      assert.equal(n.text, d.text);
      for (const w of d.witnesses) {
        const cosigner = ed25519Cosigner(w.vkey);
        assert.equal(cosignerKeyId(cosigner), w.cosignatureKeyId, w.vkey);
        const sig = n.signatures[w.line] as NoteSignature;
        assert.deepEqual(verifyCosignature(cosigner, n.text, sig, check), {
          ok: true,
          timestamp: w.timestamp,
        });
      }
    });

    test(`${label}: a cosignature does not verify on a changed checkpoint or another witness's key`, () => {
      const n = note(`${d.text}\n${d.signatureLines}`);
      const [first, second] = d.witnesses;
      const cosigner = ed25519Cosigner(first.vkey);
      const sig = n.signatures[first.line] as NoteSignature;
      const changed = d.text.replace(/\n(\d+)\n/, (_, size: string) => `\n${BigInt(size) + 1n}\n`);
      assert.deepEqual(verifyCosignature(cosigner, changed, sig, check), {
        ok: false,
        reason: 'signature does not verify',
      });
      const other = { ...ed25519Cosigner(second.vkey), name: cosigner.name };
      const moved = { ...sig, keyId: cosignerKeyId(other) };
      assert.deepEqual(verifyCosignature(other, d.text, moved, check), {
        ok: false,
        reason: 'signature does not verify',
      });
    });
  }

  test('the transparency.dev firmware log signature (plain Ed25519, 0x01) verifies', () => {
    const d = ARMORED_WITNESS.ci3;
    const n = note(`${d.text}\n${d.signatureLines}`);
    assert.deepEqual(verifyPlainEd25519Note(vkey(d.logVkey), n), { ok: true });
  });

  test("a witness's published 0x01 key does not verify its cosignature as a plain note signature", () => {
    const d = ARMORED_WITNESS.ci3;
    const n = note(`${d.text}\n${d.signatureLines}`);
    const key = vkey(d.witnesses[0].vkey);
    assert.equal(verifyPlainEd25519Note(key, n).ok, false); // its lines carry the 0x04 key ID
  });
});

describe("torchwood's ML-DSA-44 (0x06) checkpoint signature", () => {
  const key = vkey(TORCHWOOD_ML_DSA_44.vkey);
  const cosigner = cosignerFromVerifierKey(key);

  test('verifies over cosigned_message with the empty context, timestamp 0', () => {
    if (typeof cosigner === 'string') assert.fail(cosigner);
    assert.equal(cosigner.algorithm, 'ML-DSA-44');
    assert.equal(cosignerKeyId(cosigner), TORCHWOOD_ML_DSA_44.keyId);
    const n = note(`${TORCHWOOD_ML_DSA_44.text}\n${TORCHWOOD_ML_DSA_44.signatureLine}`);
    const sig = n.signatures[0] as NoteSignature;
    assert.deepEqual(verifyCosignature(cosigner, n.text, sig, check), { ok: true, timestamp: 0n });
    assert.equal(formatNote(n), `${TORCHWOOD_ML_DSA_44.text}\n${TORCHWOOD_ML_DSA_44.signatureLine}`);
  });

  test('does not verify for another size, root, origin or cosigner name', () => {
    if (typeof cosigner === 'string') assert.fail(cosigner);
    const n = note(`${TORCHWOOD_ML_DSA_44.text}\n${TORCHWOOD_ML_DSA_44.signatureLine}`);
    const sig = n.signatures[0] as NoteSignature;
    const c = parseCheckpointText(n.text);
    if (typeof c === 'string') assert.fail(c);
    for (const text of [
      formatCheckpointText({ ...c, size: 2n }),
      formatCheckpointText({ ...c, root: new Uint8Array(32) }),
      formatCheckpointText({ ...c, origin: 'example.com/mldsa-log2' }),
    ]) {
      assert.equal(verifyCosignature(cosigner, text, sig, check).ok, false, text);
    }
    const renamed = { ...cosigner, name: 'example.com/mldsa-log2' };
    assert.equal(
      verifyCosignature(renamed, n.text, { ...sig, name: renamed.name, keyId: cosignerKeyId(renamed) }, check)
        .ok,
      false,
    );
  });
});
