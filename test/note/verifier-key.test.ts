// Verifier keys: published vkeys parse and format back, the spark extension types, and every refusal reason.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { allAlgorithms } from '../../src/proof/crypto/algorithms.ts';
import {
  formatVerifierKey,
  MAX_VERIFIER_KEY_LENGTH,
  parseVerifierKey,
  SPARK_COSIGNATURE_ALGORITHMS,
  signatureTypeInfo,
  sparkSignatureType,
  type VerifierKey,
} from '../../src/proof/note/verifier-key.ts';
import { ARMORED_WITNESS, FORMATS, GO_NOTE, TORCHWOOD_ML_DSA_44 } from './public-vectors.ts';

/** A parsed vkey, or a failed assertion with the reason. */
function parsed(text: string): VerifierKey {
  const key = parseVerifierKey(text);
  if (typeof key === 'string') assert.fail(`refused ${text}: ${key}`);
  return key;
}

/** The reason `text` is refused (fails when it is accepted). */
function refusal(text: string): string {
  const key = parseVerifierKey(text);
  if (typeof key !== 'string') assert.fail(`accepted ${text}`);
  return key;
}

/** The vkey of name/type/key with a correct key ID, computed here with node:crypto. */
function vkeyOf(name: string, material: Uint8Array): string {
  const id = createHash('sha256')
    .update(`${name}\n`)
    .update(material)
    .digest()
    .subarray(0, 4)
    .toString('hex');
  return `${name}+${id}+${Buffer.from(material).toString('base64')}`;
}

describe('published vkeys', () => {
  test('the Go example key: Ed25519 (0x01), 32-byte key, key ID c74f20a3, formats back exactly', () => {
    const key = parsed(GO_NOTE.peterVkey);
    assert.equal(key.name, 'PeterNeumann');
    assert.equal(key.keyId, GO_NOTE.peterKeyId);
    assert.deepEqual([...key.signatureType], [0x01]);
    assert.equal(key.publicKey.length, 32);
    assert.equal(formatVerifierKey(key.name, key.signatureType, key.publicKey), GO_NOTE.peterVkey);
    assert.equal(parsed(GO_NOTE.enochVkey).keyId, GO_NOTE.enochKeyId);
  });

  test('every substring and every one-byte change of the Go key is refused (as Go tests it)', () => {
    const b = Buffer.from(GO_NOTE.peterVkey);
    for (let i = 0; i <= b.length; i++) {
      for (let j = i + 1; j <= b.length; j++) {
        if (i !== 0 || j !== b.length) refusal(b.subarray(i, j).toString('latin1'));
      }
    }
    for (let i = 0; i < b.length; i++) {
      const c = Buffer.from(b);
      c[i] = (c[i] as number) + 1;
      refusal(c.toString('latin1'));
    }
  });

  test("Go's wrong-length and unknown-algorithm keys (with matching key IDs) are refused", () => {
    // Go's base64 decoder ignores the non-zero padding bits of "...BADKEY=="; this one refuses them first.
    assert.equal(refusal(GO_NOTE.badVkeys[0]), 'bad base64 in verifier key');
    const long = Buffer.concat([Buffer.from([0x01]), randomBytes(38)]);
    assert.equal(refusal(vkeyOf('PeterNeumann', long)), 'Ed25519 public key must be 32 bytes, got 38');
    assert.equal(refusal(GO_NOTE.badVkeys[1]), 'unknown signature type 0x65');
  });

  test('transparency-dev/formats keys: 0x01 with a "+" in its base64, and a 0x04 cosignature key', () => {
    const plus = parsed(FORMATS.plusVkey);
    assert.equal(plus.name, 'TEST');
    assert.deepEqual([...plus.signatureType], [0x01]);
    assert.equal(formatVerifierKey(plus.name, plus.signatureType, plus.publicKey), FORMATS.plusVkey);
    const cosig = parsed(FORMATS.cosignatureVkey);
    assert.equal(cosig.keyId, 0xda77ade7);
    assert.deepEqual([...cosig.signatureType], [0x04]);
    assert.equal(
      formatVerifierKey(cosig.name, cosig.signatureType, cosig.publicKey),
      FORMATS.cosignatureVkey,
    );
  });

  test('the torchwood ML-DSA-44 log key: type 0x06, 1312-byte key, key ID b5df45c5', () => {
    const key = parsed(TORCHWOOD_ML_DSA_44.vkey);
    assert.equal(key.name, 'example.com/mldsa-log');
    assert.equal(key.keyId, TORCHWOOD_ML_DSA_44.keyId);
    assert.deepEqual([...key.signatureType], [0x06]);
    assert.equal(key.publicKey.length, 1312);
    assert.equal(formatVerifierKey(key.name, key.signatureType, key.publicKey), TORCHWOOD_ML_DSA_44.vkey);
  });

  test('the Armored Witness vkeys parse; the ECDSA (0x02) Pixel log key is an unknown type', () => {
    for (const w of [...ARMORED_WITNESS.pixel.witnesses, ...ARMORED_WITNESS.ci3.witnesses]) parsed(w.vkey);
    parsed(ARMORED_WITNESS.ci3.logVkey);
    assert.equal(refusal(ARMORED_WITNESS.pixel.logVkey), 'unknown signature type 0x02');
  });
});

describe('the spark extension types (0xff "spark/<algorithm>" 0x0A)', () => {
  test('cover exactly the registry algorithms other than ML-DSA-44', () => {
    const registry = allAlgorithms()
      .map((a) => a.name)
      .filter((n) => n !== 'ML-DSA-44');
    assert.deepEqual([...SPARK_COSIGNATURE_ALGORITHMS], registry);
  });

  test('are 0xff, "spark/", the registry name and a newline', () => {
    assert.deepEqual(
      Buffer.from(sparkSignatureType('ML-DSA-65')),
      Buffer.concat([Buffer.from([0xff]), Buffer.from('spark/ML-DSA-65', 'ascii'), Buffer.from([0x0a])]),
    );
    assert.deepEqual(
      Buffer.from(sparkSignatureType('ML-DSA-65+Ed25519')).toString('hex'),
      `ff${Buffer.from('spark/ML-DSA-65+Ed25519').toString('hex')}0a`,
    );
    assert.throws(() => sparkSignatureType('ML-DSA-44'), RangeError);
    assert.throws(() => sparkSignatureType('ml-dsa-65'), RangeError);
  });

  test('know each algorithm and its lengths from the registry', () => {
    for (const spec of allAlgorithms()) {
      if (spec.name === 'ML-DSA-44') continue;
      const info = signatureTypeInfo(sparkSignatureType(spec.name));
      assert.deepEqual(info, {
        use: 'cosignature',
        algorithm: spec.name,
        publicKeyLength: spec.publicKeyLength,
        signatureLength: spec.signatureLength,
      });
    }
    assert.equal(signatureTypeInfo(Uint8Array.of(0x06))?.signatureLength, 2420);
    assert.equal(signatureTypeInfo(Uint8Array.of(0x01))?.use, 'note');
    assert.equal(signatureTypeInfo(Uint8Array.of(0x02)), undefined);
  });

  test('vkeys of every spark algorithm format, parse back, and hash the whole type into the key ID', () => {
    for (const algorithm of SPARK_COSIGNATURE_ALGORITHMS) {
      const info = signatureTypeInfo(sparkSignatureType(algorithm));
      const publicKey = new Uint8Array(randomBytes(info?.publicKeyLength ?? 0));
      const type = sparkSignatureType(algorithm);
      const text = formatVerifierKey('witness.example/pq', type, publicKey);
      assert.equal(text, vkeyOf('witness.example/pq', Buffer.concat([type, publicKey])));
      const key = parsed(text);
      assert.deepEqual(key.signatureType, type);
      assert.deepEqual(key.publicKey, publicKey);
    }
  });
});

describe('parseVerifierKey refuses with a reason', () => {
  const ed = Buffer.concat([Buffer.from([0x01]), randomBytes(32)]);
  const cases: [string, string, RegExp][] = [
    ['no "+"', 'PeterNeumann', /^malformed verifier key/],
    ['one "+"', 'PeterNeumann+c74f20a3', /^malformed verifier key/],
    ['an empty name', vkeyOf('', ed), /^bad key name: empty key name$/],
    [
      'a space in the name',
      `a b+00000000+${ed.toString('base64')}`,
      /^bad key name: key name contains a Unicode space$/,
    ],
    [
      'upper-case hex',
      GO_NOTE.peterVkey.replace('c74f20a3', 'C74F20A3'),
      /^key ID must be 8 lower-case hex digits$/,
    ],
    ['seven hex digits', GO_NOTE.peterVkey.replace('c74f20a3', 'c74f20a'), /^key ID must be 8 lower-case/],
    ['a signed key ID', GO_NOTE.peterVkey.replace('c74f20a3', '-74f20a3'), /^key ID must be 8 lower-case/],
    ['bad base64', `${GO_NOTE.peterVkey}=`, /^bad base64 in verifier key$/],
    ['base64url', GO_NOTE.peterVkey.replace('/', '_'), /^bad base64/],
    ['no key material', 'k+00000000+', /^verifier key has no key material$/],
    [
      '0xff without an identifier end',
      vkeyOf('k', Buffer.concat([Buffer.from([0xff]), Buffer.from('spark/ML-DSA-65')])),
      /^signature type 0xff without a newline-terminated identifier$/,
    ],
    [
      'another 0xff identifier',
      vkeyOf('k', Buffer.concat([Buffer.from([0xff]), Buffer.from('other/x\n'), randomBytes(32)])),
      /^unknown signature type 0xff "other\/x"$/,
    ],
    [
      'ML-DSA-44 as a spark type',
      vkeyOf('k', Buffer.concat([Buffer.from([0xff]), Buffer.from('spark/ML-DSA-44\n'), randomBytes(1312)])),
      /^unknown signature type 0xff "spark\/ML-DSA-44"$/,
    ],
    [
      'a spark name in the wrong case',
      vkeyOf('k', Buffer.concat([Buffer.from([0xff]), Buffer.from('spark/ml-dsa-65\n'), randomBytes(1952)])),
      /^unknown signature type/,
    ],
    [
      'RFC 6962 type 0x05',
      vkeyOf('k', Buffer.concat([Buffer.from([0x05]), randomBytes(32)])),
      /^unknown signature type 0x05$/,
    ],
    [
      'a 31-byte Ed25519 key',
      vkeyOf('k', ed.subarray(0, 32)),
      /^Ed25519 public key must be 32 bytes, got 31$/,
    ],
    [
      'a 1311-byte ML-DSA-44 key',
      vkeyOf('k', Buffer.concat([Buffer.from([0x06]), randomBytes(1311)])),
      /^ML-DSA-44 public key must be 1312 bytes, got 1311$/,
    ],
    [
      'a short ML-DSA-65 spark key',
      vkeyOf('k', Buffer.concat([Buffer.from(sparkSignatureType('ML-DSA-65')), randomBytes(1951)])),
      /^ML-DSA-65 public key must be 1952 bytes, got 1951$/,
    ],
    [
      'a wrong key ID',
      GO_NOTE.peterVkey.replace('c74f20a3', 'c74f20a4'),
      /^key ID c74f20a4 does not match the key \(its hash gives c74f20a3\)$/,
    ],
    [
      'a key ID of another name',
      GO_NOTE.peterVkey.replace('PeterNeumann', 'PeterNeuman'),
      /^key ID c74f20a3 does not match/,
    ],
    [
      'a 0x04 key presented with its 0x01 key ID',
      GO_NOTE.peterVkey.replace('+ARpc', '+BBpc'),
      /does not match/,
    ],
    [
      'an absurdly long text',
      `k+00000000+${'A'.repeat(MAX_VERIFIER_KEY_LENGTH)}`,
      /^verifier key longer than 8192 characters$/,
    ],
  ];
  for (const [what, text, reason] of cases) {
    test(what, () => assert.match(refusal(text), reason));
  }

  test('throws RangeError on a non-string', () => {
    assert.throws(() => parseVerifierKey(undefined as unknown as string), RangeError);
  });
});

describe('formatVerifierKey', () => {
  test('refuses what could not be parsed back', () => {
    const key = new Uint8Array(32);
    assert.throws(() => formatVerifierKey('a+b', Uint8Array.of(1), key), RangeError);
    assert.throws(() => formatVerifierKey('k', Uint8Array.of(2), key), RangeError);
    assert.throws(() => formatVerifierKey('k', Uint8Array.of(1), new Uint8Array(33)), RangeError);
    assert.throws(() => formatVerifierKey('k', Uint8Array.of(6), key), RangeError);
  });
});
