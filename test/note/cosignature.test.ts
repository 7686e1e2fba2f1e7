// Cosignatures without real cryptography: the exact signed bytes, timestamped signatures, key IDs, cosigner vkeys,
// and every reason verifyCosignature refuses, through an injected (fake) signature check.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  type CheckpointText,
  formatCheckpointText,
  parseCheckpointText,
} from '../../src/proof/note/checkpoint-text.ts';
import {
  COSIGNATURE_ALGORITHMS,
  type CosignatureAlgorithm,
  type Cosigner,
  cosignatureLengths,
  cosignatureType,
  cosignedMessage,
  cosignerFromVerifierKey,
  cosignerKeyId,
  cosignerVerifierKey,
  decodeTimestampedSignature,
  encodeTimestampedSignature,
  MAX_COSIGNATURE_TIMESTAMP,
  type SignatureCheck,
  signCosignatureLine,
  verifyCosignature,
} from '../../src/proof/note/cosignature.ts';
import { type NoteSignature, parseSignatureLines } from '../../src/proof/note/signed-note.ts';
import {
  formatVerifierKey,
  parseVerifierKey,
  sparkSignatureType,
} from '../../src/proof/note/verifier-key.ts';
import { C2SP_COSIGNED_CHECKPOINT, FORMATS, TORCHWOOD_ML_DSA_44 } from './public-vectors.ts';

const TEXT = C2SP_COSIGNED_CHECKPOINT.text;

function checkpointOf(text: string): CheckpointText {
  const c = parseCheckpointText(text);
  if (typeof c === 'string') assert.fail(c);
  return c;
}

/** u64 big-endian through Buffer (independent of the module's DataView). */
function be64(n: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(n);
  return b;
}

/** A stand-in signature scheme of the right lengths: SHAKE256(public key || message). */
function fakeSignature(publicKey: Uint8Array, message: Uint8Array, length: number): Uint8Array {
  return new Uint8Array(
    createHash('shake256', { outputLength: length }).update(publicKey).update(message).digest(),
  );
}

const fakeCheck: SignatureCheck = (algorithm, publicKey, message, signature) =>
  Buffer.from(fakeSignature(publicKey, message, cosignatureLengths(algorithm).signatureLength)).equals(
    signature,
  );

function cosignerOf(algorithm: CosignatureAlgorithm, name = 'witness.example/w1'): Cosigner {
  return {
    name,
    algorithm,
    publicKey: new Uint8Array(randomBytes(cosignatureLengths(algorithm).publicKeyLength)),
  };
}

async function cosign(c: Cosigner, text: string, timestamp: bigint): Promise<NoteSignature> {
  const { signatureLength } = cosignatureLengths(c.algorithm);
  return signCosignatureLine(c, text, timestamp, async (m) => fakeSignature(c.publicKey, m, signatureLength));
}

describe('cosignature types', () => {
  test('Ed25519 is 0x04, ML-DSA-44 is 0x06, the others 0xff "spark/<name>" 0x0A', () => {
    assert.deepEqual([...cosignatureType('Ed25519')], [0x04]);
    assert.deepEqual([...cosignatureType('ML-DSA-44')], [0x06]);
    for (const a of COSIGNATURE_ALGORITHMS.slice(2)) {
      assert.equal(Buffer.from(cosignatureType(a)).toString('latin1'), `\xffspark/${a}\n`);
    }
    assert.throws(() => cosignatureType('ed25519' as CosignatureAlgorithm), RangeError);
  });
});

describe('the signed messages, byte for byte', () => {
  test('Ed25519: "cosignature/v1\\ntime <ts>\\n" and the checkpoint text, as the C2SP example shows', () => {
    const message = cosignedMessage('Ed25519', {
      cosignerName: 'witness.example.com/w1',
      timestamp: C2SP_COSIGNED_CHECKPOINT.witnessTimestamp,
      checkpoint: checkpointOf(TEXT),
      checkpointText: TEXT,
    });
    assert.equal(Buffer.from(message).toString('utf8'), C2SP_COSIGNED_CHECKPOINT.ed25519Message);
  });

  test('Ed25519 signs the extension lines; timestamp 0 is "time 0"', () => {
    const text = `${TEXT}an extension\n`;
    const message = cosignedMessage('Ed25519', {
      cosignerName: 'w',
      timestamp: 0n,
      checkpoint: checkpointOf(text),
      checkpointText: text,
    });
    assert.equal(Buffer.from(message).toString('utf8'), `cosignature/v1\ntime 0\n${text}`);
  });

  test('ML-DSA-44: cosigned_message, checked against bytes written out in hex', () => {
    const root = new Uint8Array(32).fill(0xab);
    const text = formatCheckpointText({ origin: 'o', size: 2n, root, extensions: [] });
    const message = cosignedMessage('ML-DSA-44', {
      cosignerName: 'w',
      timestamp: 1n,
      checkpoint: checkpointOf(text),
      checkpointText: text,
    });
    const expected =
      '737562747265652f76310a00' + // "subtree/v1\n\0"
      '0177' + // cosigner_name<1..255> = "w"
      '0000000000000001' + // timestamp
      '016f' + // log_origin<1..255> = "o"
      '0000000000000000' + // start
      '0000000000000002' + // end = tree size
      'ab'.repeat(32); // root hash
    assert.equal(Buffer.from(message).toString('hex'), expected);
  });

  test('ML-DSA-44: cosigned_message of the C2SP example checkpoint, built with Buffer', () => {
    const c = checkpointOf(TEXT);
    const name = 'witness.example.com/w1';
    const message = cosignedMessage('ML-DSA-44', {
      cosignerName: name,
      timestamp: 1679315147n,
      checkpoint: c,
      checkpointText: TEXT,
    });
    const expected = Buffer.concat([
      Buffer.from('subtree/v1\n\0', 'latin1'),
      Buffer.from([name.length]),
      Buffer.from(name),
      be64(1679315147n),
      Buffer.from([c.origin.length]),
      Buffer.from(c.origin),
      be64(0n),
      be64(20852163n),
      Buffer.from('CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=', 'base64'),
    ]);
    assert.equal(expected.length, 12 + 1 + 22 + 8 + 1 + 27 + 8 + 8 + 32);
    assert.deepEqual(Buffer.from(message), expected);
  });

  test('ML-DSA-44 and every spark algorithm sign the same cosigned_message, without extension lines', () => {
    const text = `${TEXT}ext\n`;
    const input = { cosignerName: 'w', timestamp: 7n, checkpoint: checkpointOf(text), checkpointText: text };
    const plain = { ...input, checkpoint: checkpointOf(TEXT), checkpointText: TEXT };
    const reference = cosignedMessage('ML-DSA-44', plain);
    for (const a of COSIGNATURE_ALGORITHMS.slice(1)) {
      assert.deepEqual(cosignedMessage(a, input), reference, a);
    }
  });

  test('UTF-8 names count in bytes', () => {
    const message = cosignedMessage('ML-DSA-65', {
      cosignerName: 'é',
      timestamp: 0n,
      checkpoint: checkpointOf(TEXT),
      checkpointText: TEXT,
    });
    assert.deepEqual([...message.subarray(12, 15)], [2, 0xc3, 0xa9]);
  });

  test('programmer errors throw RangeError', () => {
    const c = checkpointOf(TEXT);
    const ok = { cosignerName: 'w', timestamp: 1n, checkpoint: c, checkpointText: TEXT };
    assert.throws(() => cosignedMessage('Ed25519', { ...ok, timestamp: -1n }), RangeError);
    assert.throws(
      () => cosignedMessage('Ed25519', { ...ok, timestamp: MAX_COSIGNATURE_TIMESTAMP + 1n }),
      RangeError,
    );
    assert.throws(() => cosignedMessage('Ed25519', { ...ok, timestamp: 1 as unknown as bigint }), RangeError);
    assert.throws(() => cosignedMessage('Ed25519', { ...ok, checkpointText: `${TEXT}x\n` }), RangeError);
    assert.throws(() => cosignedMessage('ML-DSA-44', { ...ok, cosignerName: 'n'.repeat(256) }), RangeError);
    assert.throws(() => cosignedMessage('ML-DSA-44', { ...ok, cosignerName: '' }), RangeError);
    const long = formatCheckpointText({ ...c, origin: 'o'.repeat(256) });
    assert.throws(
      () => cosignedMessage('ML-DSA-44', { ...ok, checkpoint: checkpointOf(long), checkpointText: long }),
      RangeError,
    );
    assert.ok(
      cosignedMessage('Ed25519', { ...ok, checkpoint: checkpointOf(long), checkpointText: long }).length >
        256,
    );
  });
});

describe('timestamped signatures', () => {
  test('are the u64 big-endian timestamp then the signature', () => {
    const sig = new Uint8Array(randomBytes(64));
    const bytes = encodeTimestampedSignature(0x0102030405060708n, sig);
    assert.deepEqual(Buffer.from(bytes), Buffer.concat([Buffer.from('0102030405060708', 'hex'), sig]));
    assert.deepEqual(decodeTimestampedSignature(bytes, 64), {
      timestamp: 0x0102030405060708n,
      signature: sig,
    });
    const max = encodeTimestampedSignature(MAX_COSIGNATURE_TIMESTAMP, sig);
    assert.equal(Buffer.from(max).subarray(0, 8).toString('hex'), '7fffffffffffffff');
    assert.deepEqual(decodeTimestampedSignature(max, 64), {
      timestamp: MAX_COSIGNATURE_TIMESTAMP,
      signature: sig,
    });
  });

  test('refuse a wrong length and a timestamp above 2^63-1', () => {
    const bytes = Buffer.concat([Buffer.from('8000000000000000', 'hex'), randomBytes(64)]);
    assert.equal(decodeTimestampedSignature(bytes, 64), 'cosignature timestamp above 2^63-1');
    assert.equal(
      decodeTimestampedSignature(bytes.subarray(1), 64),
      'timestamped signature must be 72 bytes, got 71',
    );
    assert.equal(decodeTimestampedSignature(bytes, 63), 'timestamped signature must be 71 bytes, got 72');
    assert.throws(
      () => encodeTimestampedSignature(MAX_COSIGNATURE_TIMESTAMP + 1n, new Uint8Array(64)),
      RangeError,
    );
    assert.throws(() => decodeTimestampedSignature(bytes, 0), RangeError);
  });

  test('the transparency-dev/formats cosignature carries 1727964367; its plain 0x01 signature is no cosignature', () => {
    const cosig = Buffer.from(FORMATS.timestampedSignature, 'base64').subarray(4);
    const decoded = decodeTimestampedSignature(cosig, 64);
    assert.equal(typeof decoded === 'string' ? decoded : decoded.timestamp, FORMATS.timestamp);
    const plain = Buffer.from(FORMATS.plainSignature, 'base64').subarray(4);
    assert.equal(decodeTimestampedSignature(plain, 64), 'timestamped signature must be 72 bytes, got 64');
  });

  test('the C2SP example cosignature carries the timestamp of the example signed message', () => {
    const sigs = parseSignatureLines(C2SP_COSIGNED_CHECKPOINT.signatureLines);
    if (typeof sigs === 'string') assert.fail(sigs);
    const witness = sigs[1] as NoteSignature;
    assert.equal(witness.name, 'witness.example.com/w1');
    const decoded = decodeTimestampedSignature(witness.signature, 64);
    assert.equal(
      typeof decoded === 'string' ? decoded : decoded.timestamp,
      C2SP_COSIGNED_CHECKPOINT.witnessTimestamp,
    );
  });
});

describe('cosigners, key IDs and vkeys', () => {
  test('the key ID hashes name, 0x0A, the type bytes and the key', () => {
    for (const algorithm of COSIGNATURE_ALGORITHMS) {
      const c = cosignerOf(algorithm);
      const h = createHash('sha256')
        .update(`${c.name}\n`)
        .update(cosignatureType(algorithm))
        .update(c.publicKey)
        .digest();
      assert.equal(cosignerKeyId(c), h.readUInt32BE(0), algorithm);
    }
  });

  test('published cosigner vkeys (0x04 of transparency-dev/formats, 0x06 of torchwood) round-trip', () => {
    for (const [vkey, algorithm] of [
      [FORMATS.cosignatureVkey, 'Ed25519'],
      [TORCHWOOD_ML_DSA_44.vkey, 'ML-DSA-44'],
    ] as const) {
      const parsed = parseVerifierKey(vkey);
      if (typeof parsed === 'string') assert.fail(parsed);
      const c = cosignerFromVerifierKey(parsed);
      if (typeof c === 'string') assert.fail(c);
      assert.equal(c.algorithm, algorithm);
      assert.equal(cosignerKeyId(c), parsed.keyId);
      assert.equal(cosignerVerifierKey(c), vkey);
    }
  });

  test('every algorithm: cosigner -> vkey -> cosigner', () => {
    for (const algorithm of COSIGNATURE_ALGORITHMS) {
      const c = cosignerOf(algorithm);
      const parsed = parseVerifierKey(cosignerVerifierKey(c));
      if (typeof parsed === 'string') assert.fail(parsed);
      assert.deepEqual(cosignerFromVerifierKey(parsed), c);
    }
  });

  test('cosignerFromVerifierKey refuses a plain note key and a name too long for cosigned_message', () => {
    const plain = parseVerifierKey(FORMATS.plusVkey);
    if (typeof plain === 'string') assert.fail(plain);
    assert.match(String(cosignerFromVerifierKey(plain)), /^not a cosigner key/);
    const long = parseVerifierKey(
      formatVerifierKey('n'.repeat(256), sparkSignatureType('ML-DSA-87'), new Uint8Array(2592)),
    );
    if (typeof long === 'string') assert.fail(long);
    assert.equal(cosignerFromVerifierKey(long), 'cosigner name longer than 255 bytes');
    const longEd = parseVerifierKey(formatVerifierKey('n'.repeat(256), Uint8Array.of(4), new Uint8Array(32)));
    if (typeof longEd === 'string') assert.fail(longEd);
    assert.equal(typeof cosignerFromVerifierKey(longEd), 'object'); // Ed25519 does not sign the name
  });

  test('a bad cosigner is a programmer error', () => {
    const c = cosignerOf('ML-DSA-44');
    assert.throws(() => cosignerKeyId({ ...c, publicKey: new Uint8Array(32) }), RangeError);
    assert.throws(() => cosignerKeyId({ ...c, name: 'a b' }), RangeError);
    assert.throws(() => cosignerKeyId({ ...c, name: 'n'.repeat(256) }), RangeError);
    assert.throws(() => cosignerKeyId({ ...c, algorithm: 'ML-DSA-66' as CosignatureAlgorithm }), RangeError);
    assert.throws(() => cosignerVerifierKey({ ...c, algorithm: 'Ed25519' }), RangeError);
  });
});

describe('signCosignatureLine and verifyCosignature (fake scheme)', () => {
  test('sign then verify for every algorithm; the line carries name, key ID, timestamp, signature', async () => {
    for (const algorithm of COSIGNATURE_ALGORITHMS) {
      const c = cosignerOf(algorithm);
      const sig = await cosign(c, TEXT, 1700000000n);
      assert.equal(sig.name, c.name);
      assert.equal(sig.keyId, cosignerKeyId(c));
      assert.equal(sig.signature.length, 8 + cosignatureLengths(algorithm).signatureLength);
      assert.equal(Buffer.from(sig.signature).readBigUInt64BE(0), 1700000000n);
      assert.deepEqual(verifyCosignature(c, TEXT, sig, fakeCheck), { ok: true, timestamp: 1700000000n });
    }
  });

  test('the check gets the algorithm, the key, the exact message and the signature without timestamp', async () => {
    const c = cosignerOf('ML-DSA-44');
    const sig = await cosign(c, TEXT, 5n);
    const seen: unknown[] = [];
    verifyCosignature(c, TEXT, sig, (...args) => {
      seen.push(...args);
      return true;
    });
    const message = cosignedMessage('ML-DSA-44', {
      cosignerName: c.name,
      timestamp: 5n,
      checkpoint: checkpointOf(TEXT),
      checkpointText: TEXT,
    });
    assert.deepEqual(seen, ['ML-DSA-44', c.publicKey, message, sig.signature.slice(8)]);
  });

  test('refusals, each with its reason', async () => {
    const c = cosignerOf('ML-DSA-44');
    const sig = await cosign(c, TEXT, 5n);
    const reason = (text: string, s: NoteSignature, check = fakeCheck) => {
      const v = verifyCosignature(c, text, s, check);
      return v.ok ? 'accepted' : v.reason;
    };
    assert.equal(
      reason(TEXT, { ...sig, name: 'other.example/w' }),
      'signed by other.example/w, not witness.example/w1',
    );
    assert.equal(reason(TEXT, { ...sig, keyId: (sig.keyId + 1) >>> 0 }), "key ID is not this cosigner's");
    assert.equal(reason('not a checkpoint\n', sig), 'checkpoint: checkpoint text has fewer than three lines');
    assert.equal(
      reason(TEXT, { ...sig, signature: sig.signature.slice(1) }),
      'timestamped signature must be 2428 bytes, got 2427',
    );
    const future = Uint8Array.from(sig.signature);
    future[0] = 0x80;
    assert.equal(reason(TEXT, { ...sig, signature: future }), 'cosignature timestamp above 2^63-1');
    const later = Uint8Array.from(sig.signature);
    later[7] = 6;
    assert.equal(reason(TEXT, { ...sig, signature: later }), 'signature does not verify');
    assert.equal(reason(TEXT.replace('20852163', '20852164'), sig), 'signature does not verify');
    assert.equal(
      reason(TEXT, sig, () => false),
      'signature does not verify',
    );
    const throwing: SignatureCheck = () => {
      throw new Error('boom');
    };
    assert.equal(reason(TEXT, sig, throwing), 'signature does not verify');
    const longText = formatCheckpointText({ ...checkpointOf(TEXT), origin: 'o'.repeat(256) });
    assert.equal(reason(longText, sig), 'log origin must be 1..255 bytes of UTF-8, got 256');
  });

  test('Ed25519 cosignatures cover extension lines; ML-DSA ones do not (as C2SP specifies)', async () => {
    const extended = `${TEXT}extension\n`;
    for (const [algorithm, coversExtensions] of [
      ['Ed25519', true],
      ['ML-DSA-44', false],
      ['ML-DSA-65', false],
    ] as const) {
      const c = cosignerOf(algorithm);
      const sig = await cosign(c, TEXT, 9n);
      assert.equal(verifyCosignature(c, extended, sig, fakeCheck).ok, !coversExtensions, algorithm);
    }
  });

  test('signing refuses bad input and a signer that returns the wrong length', async () => {
    const c = cosignerOf('Ed25519');
    const sign = async (m: Uint8Array) => fakeSignature(c.publicKey, m, 64);
    await assert.rejects(signCosignatureLine(c, 'bad\n', 1n, sign), RangeError);
    await assert.rejects(signCosignatureLine(c, TEXT, -1n, sign), RangeError);
    await assert.rejects(
      signCosignatureLine({ ...c, publicKey: new Uint8Array(31) }, TEXT, 1n, sign),
      RangeError,
    );
    await assert.rejects(
      signCosignatureLine(c, TEXT, 1n, async () => new Uint8Array(63)),
      /Ed25519 signer returned a signature of the wrong length/,
    );
  });
});
