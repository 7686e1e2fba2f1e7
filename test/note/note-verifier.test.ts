// Real signatures: freshly generated Ed25519, ML-DSA-44 and ML-DSA-65 keys (and every registry algorithm) cosign a
// checkpoint, the note verifier accepts them, and rejects every tampering; ML-DSA uses the empty context only.
import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import { describe, test } from 'node:test';
import { createDerivedKey } from '../../providers/key-factory.ts';
import { memorySeedSource } from '../../providers/seed-source.ts';
import { createNoteSignatureCheck, verifyPlainEd25519Note } from '../../src/note/note-verifier.ts';
import { algorithmByName } from '../../src/proof/crypto/algorithms.ts';
import { CHECKPOINT_SIGNATURE_CONTEXT } from '../../src/proof/crypto/contexts.ts';
import { formatCheckpointText, logOrigin } from '../../src/proof/note/checkpoint-text.ts';
import {
  type CosignatureAlgorithm,
  type Cosigner,
  cosignedMessage,
  cosignerKeyId,
  cosignerVerifierKey,
  signCosignatureLine,
  verifyCosignature,
} from '../../src/proof/note/cosignature.ts';
import {
  formatNote,
  type NoteSignature,
  noteKeyId,
  parseNote,
  type SignedNote,
} from '../../src/proof/note/signed-note.ts';
import { parseVerifierKey, SPARK_COSIGNATURE_ALGORITHMS } from '../../src/proof/note/verifier-key.ts';

const check = createNoteSignatureCheck();

/** A fresh node:crypto key pair and its raw public key (the tail of its SPKI DER). */
interface FreshKey {
  readonly privateKey: KeyObject;
  readonly raw: Uint8Array;
}

function freshKey(type: 'ed25519' | 'ml-dsa-44' | 'ml-dsa-65', rawLength: number): FreshKey {
  const { publicKey, privateKey } =
    type === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync(type);
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  return { privateKey, raw: new Uint8Array(spki.subarray(spki.length - rawLength)) };
}

const NODE_TYPE = { Ed25519: 'ed25519', 'ML-DSA-44': 'ml-dsa-44', 'ML-DSA-65': 'ml-dsa-65' } as const;

const FRESH: readonly { algorithm: keyof typeof NODE_TYPE; key: FreshKey }[] = [
  { algorithm: 'Ed25519', key: freshKey('ed25519', 32) },
  { algorithm: 'ML-DSA-44', key: freshKey('ml-dsa-44', 1312) },
  { algorithm: 'ML-DSA-65', key: freshKey('ml-dsa-65', 1952) },
];

/** Signs as node:crypto does by default: Ed25519 per RFC 8032, ML-DSA pure with an empty context. */
const signer = (key: FreshKey) => async (message: Uint8Array) =>
  new Uint8Array(sign(null, message, key.privateKey));

const LOG_ID = new Uint8Array(randomBytes(32));
const TEXT = formatCheckpointText({
  origin: logOrigin(LOG_ID),
  size: 1234n,
  root: new Uint8Array(randomBytes(32)),
  extensions: [],
});
const NOW = 1767225600n;

function parsedNote(text: string): SignedNote {
  const note = parseNote(text);
  if (typeof note === 'string') assert.fail(note);
  return note;
}

/** Cosigns TEXT, goes through a formatted note and back, and returns the cosigner and the parsed signature. */
async function cosignedThroughNote(
  algorithm: CosignatureAlgorithm,
  key: FreshKey,
  name = 'witness.example/w1',
): Promise<{ cosigner: Cosigner; sig: NoteSignature; note: SignedNote }> {
  const cosigner: Cosigner = { name, algorithm, publicKey: key.raw };
  const line = await signCosignatureLine(cosigner, TEXT, NOW, signer(key));
  const note = parsedNote(formatNote({ text: TEXT, signatures: [line] }));
  return { cosigner, sig: note.signatures[0] as NoteSignature, note };
}

function flip(bytes: Uint8Array, at: number): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[at] = (out[at] as number) ^ 0x01;
  return out;
}

describe('freshly generated keys cosign and verify', () => {
  for (const { algorithm, key } of FRESH) {
    test(`${algorithm}: sign, format, parse, verify`, async () => {
      const { cosigner, sig, note } = await cosignedThroughNote(algorithm, key);
      assert.equal(note.text, TEXT);
      assert.equal(sig.keyId, cosignerKeyId(cosigner));
      assert.deepEqual(verifyCosignature(cosigner, note.text, sig, check), { ok: true, timestamp: NOW });
      // The vkey a client would pin describes the same cosigner.
      const vkey = parseVerifierKey(cosignerVerifierKey(cosigner));
      if (typeof vkey === 'string') assert.fail(vkey);
      assert.equal(vkey.keyId, sig.keyId);
    });

    test(`${algorithm}: tampering with text, timestamp, name, key ID, signature or key is rejected`, async () => {
      const { cosigner, sig } = await cosignedThroughNote(algorithm, key);
      const verdict = (text: string, s: NoteSignature, c = cosigner) => {
        const v = verifyCosignature(c, text, s, check);
        return v.ok ? 'accepted' : v.reason;
      };
      assert.equal(verdict(TEXT.replace('\n1234\n', '\n1235\n'), sig), 'signature does not verify');
      assert.equal(
        verdict(`${TEXT}extension\n`, sig),
        algorithm === 'Ed25519' ? 'signature does not verify' : 'accepted',
      );
      assert.equal(verdict(TEXT, { ...sig, signature: flip(sig.signature, 7) }), 'signature does not verify');
      assert.equal(
        verdict(TEXT, { ...sig, signature: flip(sig.signature, 40) }),
        'signature does not verify',
      );
      assert.match(verdict(TEXT, { ...sig, name: 'witness.example/w2' }), /^signed by witness.example\/w2/);
      assert.equal(verdict(TEXT, { ...sig, keyId: (sig.keyId ^ 1) >>> 0 }), "key ID is not this cosigner's");
      const impostor = { ...cosigner, publicKey: freshKey(NODE_TYPE[algorithm], key.raw.length).raw };
      assert.equal(
        verdict(TEXT, { ...sig, keyId: cosignerKeyId(impostor) }, impostor),
        'signature does not verify',
      );
    });
  }

  test('ML-DSA signatures commit to the cosigner name; Ed25519 ones do not (C2SP says so)', async () => {
    for (const { algorithm, key } of FRESH) {
      const { sig } = await cosignedThroughNote(algorithm, key, 'witness.example/w1');
      const renamed: Cosigner = { name: 'witness.example/renamed', algorithm, publicKey: key.raw };
      const moved = { ...sig, name: renamed.name, keyId: cosignerKeyId(renamed) };
      assert.equal(verifyCosignature(renamed, TEXT, moved, check).ok, algorithm === 'Ed25519', algorithm);
    }
  });

  test('ML-DSA cosignatures use the EMPTY context: a signature under any other context is refused', async () => {
    for (const { algorithm, key } of FRESH.slice(1)) {
      const cosigner: Cosigner = { name: 'w.example/ctx', algorithm, publicKey: key.raw };
      const signWith = (context: Uint8Array) => async (m: Uint8Array) =>
        new Uint8Array(sign(null, m, { key: key.privateKey, context }));
      const empty = await signCosignatureLine(cosigner, TEXT, NOW, signWith(new Uint8Array(0)));
      assert.equal(verifyCosignature(cosigner, TEXT, empty, check).ok, true, algorithm);
      const spark = await signCosignatureLine(cosigner, TEXT, NOW, signWith(CHECKPOINT_SIGNATURE_CONTEXT));
      assert.equal(verifyCosignature(cosigner, TEXT, spark, check).ok, false, algorithm);
    }
  });

  test('the check is pure ML-DSA over cosigned_message (no pre-hash, no wrapping)', () => {
    const { key } = FRESH[1] as { key: FreshKey };
    const message = cosignedMessage('ML-DSA-44', {
      cosignerName: 'w',
      timestamp: NOW,
      checkpoint: { origin: logOrigin(LOG_ID), size: 1234n, root: new Uint8Array(32), extensions: [] },
      checkpointText: formatCheckpointText({
        origin: logOrigin(LOG_ID),
        size: 1234n,
        root: new Uint8Array(32),
        extensions: [],
      }),
    });
    const signature = new Uint8Array(sign(null, message, key.privateKey));
    assert.equal(check('ML-DSA-44', key.raw, message, signature), true);
    assert.equal(check('ML-DSA-44', key.raw, flip(message, 0), signature), false);
    assert.equal(check('ML-DSA-65', key.raw, message, signature), false);
  });
});

describe('every registry algorithm of the spark extension, with the project signers', () => {
  const { source } = memorySeedSource(new Uint8Array(32).fill(0x5e));
  for (const algorithm of SPARK_COSIGNATURE_ALGORITHMS) {
    test(`${algorithm}: cosigns with an empty context and verifies`, async () => {
      const spec = algorithmByName(algorithm);
      if (spec === undefined) assert.fail(algorithm);
      const key = createDerivedKey(
        source,
        { purpose: 'batch-signing', algorithmId: spec.id, generation: 0, implementation: 'native' },
        {},
      );
      try {
        const cosigner: Cosigner = {
          name: `w.example/${algorithm.replaceAll('+', '-')}`,
          algorithm,
          publicKey: key.publicKey,
        };
        const sig = await signCosignatureLine(cosigner, TEXT, NOW, (m) => key.sign(m, new Uint8Array(0)));
        assert.equal(sig.signature.length, 8 + spec.signatureLength);
        assert.deepEqual(verifyCosignature(cosigner, TEXT, sig, check), { ok: true, timestamp: NOW });
        const tampered = { ...sig, signature: flip(sig.signature, 3) };
        assert.equal(verifyCosignature(cosigner, TEXT, tampered, check).ok, false);
        const vkey = cosignerVerifierKey(cosigner);
        assert.ok(
          Buffer.from(vkey.split('+').slice(2).join('+'), 'base64')
            .toString('latin1')
            .startsWith(`\xffspark/${algorithm}\n`),
        );
      } finally {
        key.close();
      }
    });
  }
});

describe('createNoteSignatureCheck never throws', () => {
  test('garbage keys, signatures and algorithms give false', () => {
    const algorithms: CosignatureAlgorithm[] = [
      'Ed25519',
      'ML-DSA-44',
      ...SPARK_COSIGNATURE_ALGORITHMS,
      'RSA' as CosignatureAlgorithm,
    ];
    for (const algorithm of algorithms) {
      for (const [keyLength, sigLength] of [
        [0, 0],
        [32, 64],
        [1312, 2420],
        [1952, 3309],
      ] as const) {
        const out = check(algorithm, new Uint8Array(keyLength), new Uint8Array(3), new Uint8Array(sigLength));
        assert.equal(out, false, `${algorithm} ${keyLength}/${sigLength}`);
      }
    }
    assert.equal(
      check('Ed25519', 'x' as unknown as Uint8Array, new Uint8Array(0), new Uint8Array(64)),
      false,
    );
  });
});

describe('plain Ed25519 note signatures (type 0x01)', () => {
  test('a fresh key signs a note; the verifier accepts it and rejects tampering', () => {
    const key = FRESH[0]?.key as FreshKey;
    const name = 'log.example/plain';
    const keyId = noteKeyId(name, Uint8Array.of(1), key.raw);
    const text = 'some text\n';
    const signature = new Uint8Array(sign(null, Buffer.from(text), key.privateKey));
    const note = parsedNote(formatNote({ text, signatures: [{ name, keyId, signature }] }));
    const vkey = { name, keyId, signatureType: Uint8Array.of(1), publicKey: key.raw };
    assert.deepEqual(verifyPlainEd25519Note(vkey, note), { ok: true });
    assert.deepEqual(verifyPlainEd25519Note(vkey, { ...note, text: 'some text!\n' }), {
      ok: false,
      reason: 'signature does not verify',
    });
    const otherId = (keyId ^ 1) >>> 0;
    assert.deepEqual(verifyPlainEd25519Note({ ...vkey, keyId: otherId }, note), {
      ok: false,
      reason: `no signature by ${name}+${otherId.toString(16).padStart(8, '0')}`,
    });
    assert.equal(verifyPlainEd25519Note({ ...vkey, signatureType: Uint8Array.of(4) }, note).ok, false);
  });
});
