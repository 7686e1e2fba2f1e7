// A bundle verifier for many bundles: same reports as verifyBundle, and what it remembers never makes an invalid
// bundle pass (flipped self-signature or header signature after a valid bundle of the same key, a key id claimed
// by another public key, any flipped byte).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { nativeSha256 } from '../../src/crypto/native-sha256.ts';
import { createNativeVerifier } from '../../src/crypto/native-verifier.ts';
import type { ProofBundle } from '../../src/gen/spark/v1/bundle_pb.js';
import { decodeBundle, encodeBundle } from '../../src/proof/bundle/codec.ts';
import { encodeKeyStatement } from '../../src/proof/bundle/key-statement.ts';
import { createBundleVerifier, type VerifyReport, verifyBundle } from '../../src/proof/bundle/verify.ts';
import { KEY_STATEMENT_CONTEXT } from '../../src/proof/crypto/contexts.ts';
import { createNobleVerifier } from '../../src/proof/crypto/noble-verifier.ts';
import { bundleOf, createTestKey, keyEntry, sealBatch, seedOf } from './fixture.ts';

const T0 = 1_760_000_000_000;
const key = createTestKey(seedOf(0x52), { impl: 'native' });
const other = createTestKey(seedOf(0x53), { impl: 'native' });
const entry = keyEntry(key, { validFromMs: T0 - 1000 });
const digests = Array.from({ length: 10 }, (_, i) => nativeSha256(new TextEncoder().encode(`doc ${i}`)));
const sealed = sealBatch({ key, digests, timeMs: BigInt(T0) });
const bundles = digests.map((_, i) => encodeBundle(bundleOf(sealed, i, [entry])));
const bytes = bundles[3] as Uint8Array;
const options = { verifier: createNativeVerifier(), sha256: nativeSha256 };

function failed(r: VerifyReport): string[] {
  return r.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
}

/** `bytes` decoded, changed by `edit`, encoded again (canonical: only the edit differs). */
function edited(edit: (b: ProofBundle) => void): Uint8Array {
  const b = decodeBundle(bytes.slice()); // a copy: decoded byte fields are views of the input
  edit(b);
  return encodeBundle(b);
}

function warm() {
  const v = createBundleVerifier(options);
  assert.equal(v.verify(bytes).valid, true);
  return v;
}

describe('a bundle verifier', () => {
  test('gives the reports verifyBundle gives, with and without a subject, decoded or not', () => {
    for (const verifier of [options.verifier, createNobleVerifier()]) {
      const v = createBundleVerifier({ verifier, sha256: nativeSha256 });
      for (let round = 0; round < 2; round++) {
        assert.deepEqual(v.verify(bytes), verifyBundle(bytes, { verifier, sha256: nativeSha256 }));
        assert.deepEqual(v.verifyDecoded(bytes, decodeBundle(bytes)), v.verify(bytes));
        const digest = digests[3] as Uint8Array;
        assert.deepEqual(v.verify(bytes, { digest }), verifyBundle(bytes, { ...options, verifier, digest }));
        const wrong = v.verify(bytes, { digest: digests[2] as Uint8Array });
        assert.deepEqual(
          wrong.checks.filter((c) => !c.ok).map((c) => c.name),
          ['subject'],
        );
      }
    }
  });

  test('checks the key statement and the header signature of one batch once for all its bundles', () => {
    let calls = 0;
    const counting = {
      name: 'counting',
      verify: (...a: Parameters<typeof options.verifier.verify>) => {
        calls++;
        return options.verifier.verify(...a);
      },
    };
    const v = createBundleVerifier({ verifier: counting, sha256: nativeSha256 });
    for (const b of [...bundles, ...bundles]) assert.equal(v.verify(b).valid, true);
    assert.equal(calls, 2);
    assert.equal(v.cachedVerifications(), 2);
  });

  test('a flipped self-signature after a valid bundle of the same key still fails', () => {
    const v = warm();
    const bad = edited((b) => {
      const k = b.keys[0];
      if (k === undefined) throw new Error('no key record');
      k.selfSignature[10] = (k.selfSignature[10] as number) ^ 0x01;
    });
    const r = v.verify(bad);
    assert.equal(r.valid, false);
    assert.match(failed(r)[0] ?? '', /^key: .*self-signature over the key statement does not verify/);
    assert.equal(v.verify(bytes).valid, true);
  });

  test('a flipped header signature after a valid bundle of the same batch still fails', () => {
    const v = warm();
    const bad = edited((b) => {
      const s = b.signatures[0];
      if (s === undefined) throw new Error('no signature');
      s.signature[3000] = (s.signature[3000] as number) ^ 0x80;
    });
    assert.match(
      failed(v.verify(bad))[0] ?? '',
      /^signature: signature 0 .* does not verify over the header/,
    );
  });

  test('another public key claiming the same key id, with its own valid self-signature, fails', () => {
    const v = warm();
    const bad = edited((b) => {
      const k = b.keys[0];
      if (k === undefined) throw new Error('no key record');
      k.publicKey = other.publicKey;
      const statement = encodeKeyStatement({
        algorithmId: k.algorithmId,
        keyId: k.keyId,
        validFromMs: k.validFromMs,
        previousKeyId: k.previousKeyId,
        protection: k.protection,
      });
      k.selfSignature = other.sign(statement, KEY_STATEMENT_CONTEXT);
    });
    const r = v.verify(bad);
    assert.equal(r.valid, false);
    assert.match(failed(r)[0] ?? '', /key id is not SHA-256 of the public key/);
  });

  test('after a valid bundle, flipping any single byte still makes it invalid, as verifyBundle says', () => {
    const v = warm();
    for (let i = 0; i < bytes.length; i++) {
      const bad = bytes.slice();
      bad[i] = (bad[i] as number) ^ 0x01;
      const r = v.verify(bad);
      if (r.valid) assert.fail(`byte ${i} XOR 0x01 still verifies`);
      if (i % 211 === 0) assert.deepEqual(r, verifyBundle(bad, options), `report for byte ${i}`);
    }
    assert.equal(v.verify(bytes).valid, true);
  });
});
