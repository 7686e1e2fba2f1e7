// The Ed25519 acceptance rule (docs/proof-format.md §7.2) on the inputs where Ed25519 implementations disagree:
// RFC 8032's own vectors pass; small-order and mixed-order public keys, small-order and non-canonical R, S ≥ L and
// non-canonical key encodings are refused, each with a signature a laxer rule (ZIP 215, RFC 8032's cofactored
// equation, catapult's identity-key case) accepts. The portable and the native hybrid verifiers give the same
// verdict on every case, so no verdict depends on the runtime's OpenSSL.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToNumberLE } from '@noble/curves/utils.js';
import { ml_dsa65 } from '@noble/post-quantum/ml-dsa.js';
import { createNativeVerifier } from '../../src/crypto/native-verifier.ts';
import { createNobleEd25519Verifier } from '../../src/proof/anchor/noble-ed25519-verifier.ts';
import { ML_DSA_65_ED25519 } from '../../src/proof/crypto/algorithms.ts';
import { verifyEd25519 } from '../../src/proof/crypto/ed25519-rule.ts';
import { hybridMessage } from '../../src/proof/crypto/hybrid.ts';
import { createNobleVerifier } from '../../src/proof/crypto/noble-verifier.ts';
import { concatBytes, toHex, utf8 } from '../../src/proof/encoding/bytes.ts';
import {
  challenge,
  forgeForSmallOrder,
  hex,
  keyOf,
  L,
  le32,
  NON_CANONICAL_KEYS,
  Point,
  SMALL_ORDER_KEYS,
  signWith,
} from './ed25519-cases.ts';

/** RFC 8032 §7.1, TEST 1 to 3: secret key, public key, message, signature. */
const RFC8032 = [
  [
    '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    '',
    'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  ],
  [
    '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    '72',
    '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  ],
  [
    'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
    'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
    'af82',
    '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
  ],
] as const;

const message = utf8('spark/v1 ed25519 edge cases');
const portable = createNobleEd25519Verifier();

/** A hybrid ML-DSA-65+Ed25519 key whose Ed25519 part is `edKey`, and its signing of the Ed25519 part by `edSign`. */
function hybridCase(edKey: Uint8Array, edSign: (m: Uint8Array) => Uint8Array) {
  const pq = ml_dsa65.keygen(new Uint8Array(32).fill(0x05));
  const context = utf8('spark/v1/batch-header');
  const signed = hybridMessage(ML_DSA_65_ED25519, context, message);
  const signature = concatBytes(
    ml_dsa65.sign(signed, pq.secretKey, { context, extraEntropy: false }),
    edSign(signed),
  );
  return { publicKey: concatBytes(pq.publicKey, edKey), signature, context };
}

describe('Ed25519 rule (docs/proof-format.md §7.2)', () => {
  test('RFC 8032 TEST 1-3 verify; one flipped bit of R, S, key or message does not', () => {
    for (const [secret, pub, msg, sig] of RFC8032) {
      assert.equal(toHex(ed25519.getPublicKey(hex(secret))), pub);
      assert.equal(toHex(ed25519.sign(hex(msg), hex(secret))), sig);
      assert.equal(verifyEd25519(hex(sig), hex(msg), hex(pub)), true);
      assert.equal(portable.verify(hex(sig), hex(msg), hex(pub)), true);
      for (const at of [0, 31, 32, 63]) {
        const bad = hex(sig);
        bad[at] = (bad[at] as number) ^ 0x01;
        assert.equal(verifyEd25519(bad, hex(msg), hex(pub)), false, `signature byte ${at}`);
      }
      const otherKey = hex(pub);
      otherKey[5] = (otherKey[5] as number) ^ 0x01;
      assert.equal(verifyEd25519(hex(sig), hex(msg), otherKey), false);
      assert.equal(verifyEd25519(hex(sig), utf8('another message'), hex(pub)), false);
    }
  });

  test('honest signatures verify whatever the nonce (100 of them)', () => {
    const { a, A } = keyOf(3);
    for (let r = 1n; r <= 100n; r++) {
      const sig = signWith(a, A, message, r);
      assert.equal(verifyEd25519(sig, message, A), true);
    }
  });

  test('S ≥ L is refused: S + L, and L itself, even where S mod L would verify', () => {
    const { a, A } = keyOf(4);
    const sig = signWith(a, A, message, 99n);
    const s = bytesToNumberLE(sig.subarray(32));
    assert.equal(verifyEd25519(sig, message, A), true);
    const plusL = concatBytes(sig.subarray(0, 32), le32(s + L));
    assert.equal(verifyEd25519(plusL, message, A), false);
    assert.equal(verifyEd25519(concatBytes(sig.subarray(0, 32), le32(L)), message, A), false);
    const maxed = concatBytes(sig.subarray(0, 32), new Uint8Array(32).fill(0xff));
    assert.equal(verifyEd25519(maxed, message, A), false);
  });

  test('every small-order public key is refused, though the cofactored equation accepts a forgery under it', () => {
    for (const key of SMALL_ORDER_KEYS) {
      const forged = forgeForSmallOrder(12345n);
      assert.equal(
        ed25519.verify(forged, message, hex(key), { zip215: true }),
        true,
        `ZIP 215 accepts ${key}`,
      );
      assert.equal(verifyEd25519(forged, message, hex(key)), false, key);
    }
  });

  test("the identity key is refused although catapult's cofactorless equation accepts R = [S]B under it", () => {
    const identity = hex(SMALL_ORDER_KEYS[0]);
    const s = 777n;
    const forged = forgeForSmallOrder(s);
    const h = challenge(forged.subarray(0, 32), identity, message);
    // Cofactorless: [S]B − [h]·identity = [S]B, encoded, is R: the equation alone holds for every message.
    const rPrime = Point.BASE.multiplyUnsafe(s).subtract(Point.ZERO.multiplyUnsafe(h));
    assert.equal(toHex(rPrime.toBytes()), toHex(forged.subarray(0, 32)));
    assert.equal(verifyEd25519(forged, message, identity), false);
  });

  test('non-canonical key encodings (y ≥ p, x = 0 with the sign bit) are refused', () => {
    for (const key of NON_CANONICAL_KEYS) {
      const forged = forgeForSmallOrder(4242n);
      assert.equal(
        ed25519.verify(forged, message, hex(key), { zip215: true }),
        true,
        `ZIP 215 accepts ${key}`,
      );
      assert.equal(verifyEd25519(forged, message, hex(key)), false, key);
    }
  });

  test('a mixed-order key (a prime-order point plus a point of order 8) is refused; RFC 8032 strict accepts it', () => {
    const { a } = keyOf(5);
    const torsion = Point.fromBytes(hex(SMALL_ORDER_KEYS[4]));
    const mixed = Point.BASE.multiply(a).add(torsion).toBytes();
    const sig = signWith(a, mixed, message, 31337n);
    assert.equal(ed25519.verify(sig, message, mixed, { zip215: false }), true, 'cofactored equation');
    assert.equal(verifyEd25519(sig, message, mixed), false);
  });

  test('R of small order is refused: the identity (which catapult accepts), and its non-canonical encoding', () => {
    const { a, A } = keyOf(6);
    const identityR = hex(SMALL_ORDER_KEYS[0]);
    // S = h·a makes [S]B − [h]A the identity, whose encoding is R.
    const s = (challenge(identityR, A, message) * a) % L;
    const sig = concatBytes(identityR, le32(s));
    const rPrime = Point.BASE.multiplyUnsafe(s).subtract(
      Point.fromBytes(A).multiplyUnsafe(challenge(identityR, A, message)),
    );
    assert.equal(toHex(rPrime.toBytes()), toHex(identityR), 'the cofactorless equation holds');
    assert.equal(verifyEd25519(sig, message, A), false);
    const nonCanonicalR = hex(NON_CANONICAL_KEYS[1]);
    const s2 = (challenge(nonCanonicalR, A, message) * a) % L;
    const sig2 = concatBytes(nonCanonicalR, le32(s2));
    assert.equal(ed25519.verify(sig2, message, A, { zip215: true }), true, 'ZIP 215 accepts it');
    assert.equal(verifyEd25519(sig2, message, A), false);
  });

  test('wrong lengths and non-bytes are false, never a throw', () => {
    const { a, A } = keyOf(7);
    const sig = signWith(a, A, message, 5n);
    assert.equal(verifyEd25519(sig.subarray(0, 63), message, A), false);
    assert.equal(verifyEd25519(sig, message, A.subarray(0, 31)), false);
    assert.equal(verifyEd25519(concatBytes(sig, Uint8Array.of(0)), message, A), false);
    assert.equal(verifyEd25519('x' as unknown as Uint8Array, message, A), false);
    assert.equal(verifyEd25519(sig, null as unknown as Uint8Array, A), false);
  });

  test('a hybrid gets the same verdict from the native (OpenSSL) and the portable verifier on every edge case', () => {
    const native = createNativeVerifier();
    const noble = createNobleVerifier();
    const { a, A } = keyOf(8);
    const torsion = Point.fromBytes(hex(SMALL_ORDER_KEYS[4]));
    const mixed = Point.BASE.multiply(a).add(torsion).toBytes();
    const cases: Array<[string, Uint8Array, (m: Uint8Array) => Uint8Array, boolean]> = [
      ['honest', A, (m) => signWith(a, A, m, 11n), true],
      ...SMALL_ORDER_KEYS.map((k): [string, Uint8Array, (m: Uint8Array) => Uint8Array, boolean] => [
        `small-order key ${k.slice(0, 8)}`,
        hex(k),
        () => forgeForSmallOrder(99n),
        false,
      ]),
      ...NON_CANONICAL_KEYS.map((k): [string, Uint8Array, (m: Uint8Array) => Uint8Array, boolean] => [
        `non-canonical key ${k.slice(0, 8)}`,
        hex(k),
        () => forgeForSmallOrder(99n),
        false,
      ]),
      ['mixed-order key', mixed, (m) => signWith(a, mixed, m, 17n), false],
      [
        'S + L',
        A,
        (m) => {
          const sig = signWith(a, A, m, 13n);
          return concatBytes(sig.subarray(0, 32), le32(bytesToNumberLE(sig.subarray(32)) + L));
        },
        false,
      ],
      [
        'identity R',
        A,
        (m) => {
          const R = hex(SMALL_ORDER_KEYS[0]);
          return concatBytes(R, le32((challenge(R, A, m) * a) % L));
        },
        false,
      ],
    ];
    for (const [name, edKey, edSign, expected] of cases) {
      const c = hybridCase(edKey, edSign);
      for (const v of [native, noble]) {
        assert.equal(
          v.verify(ML_DSA_65_ED25519, c.publicKey, message, c.signature, c.context),
          expected,
          `${name} with ${v.name}`,
        );
      }
    }
  });
});
