// The offline verifier: a genuine bundle passes every check; any single flipped byte and any garbage fail, never throw.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { nativeSha256 } from '../../src/crypto/native-sha256.ts';
import { createNativeVerifier } from '../../src/crypto/native-verifier.ts';
import { encodeBundle } from '../../src/proof/bundle/codec.ts';
import { encodeSource } from '../../src/proof/bundle/source-reference.ts';
import { CHECK_NAMES, type VerifyReport, verifyBundle } from '../../src/proof/bundle/verify.ts';
import { createNobleVerifier } from '../../src/proof/crypto/noble-verifier.ts';
import { toHex } from '../../src/proof/encoding/bytes.ts';
import { createPrng } from '../merkle/prng.ts';
import { bundleOf, createTestKey, keyEntry, sealBatch, seedOf } from './fixture.ts';

const native = createNativeVerifier();
const T0 = 1_760_000_000_000;

// Signed with OpenSSL here; the vectors (test/vectors) are signed with noble: each verifier checks the other's.
const key = createTestKey(seedOf(0x42), { impl: 'native' });
const entry = keyEntry(key, { validFromMs: T0 - 1000, protection: 'hsm' });
const data = Array.from({ length: 6 }, (_, i) => new TextEncoder().encode(`document ${i}`));
const digests = data.map((d) => nativeSha256(d));
const sealed = sealBatch({
  key,
  digests,
  timeMs: BigInt(T0),
  sequence: 4n,
  previousHeaderHash: seedOf(0x77),
});
const bytes = encodeBundle(bundleOf(sealed, 4, [entry]));

function failedNames(r: VerifyReport): string[] {
  return r.checks.filter((c) => !c.ok).map((c) => c.name);
}

describe('a genuine bundle', () => {
  test('passes every check, in order, with both verifiers', () => {
    for (const verifier of [native, createNobleVerifier()]) {
      const r = verifyBundle(bytes, { verifier, sha256: nativeSha256 });
      assert.deepEqual(failedNames(r), [], JSON.stringify(r.checks, null, 1));
      assert.equal(r.valid, true);
      assert.deepEqual(
        r.checks.map((c) => c.name),
        [...CHECK_NAMES],
      );
    }
  });

  test('reports useful details', () => {
    const r = verifyBundle(bytes, { verifier: native });
    const detail = (n: string) => r.checks.find((c) => c.name === n)?.detail ?? '';
    assert.match(detail('subject'), /no data or digest given; the bundle proves its own digest [0-9a-f]{64}/);
    assert.match(
      detail('chain'),
      new RegExp(`sequence 4, header hash ${toHex(nativeSha256(sealed.batch.header))}`),
    );
    assert.match(detail('guarantee'), /2045-01-01T00:00:00.000Z/);
    assert.equal(detail('anchor'), 'not anchored: batch sealed only (anchoring evidence absent)');
  });

  test('subject: matching data or digest passes, anything else fails only the subject check', () => {
    const ok = (o: { data?: Uint8Array; digest?: Uint8Array }) =>
      verifyBundle(bytes, { verifier: native, ...o });
    assert.equal(ok({ data: data[4] as Uint8Array }).valid, true);
    assert.equal(ok({ digest: digests[4] as Uint8Array }).valid, true);
    assert.equal(ok({ data: data[4] as Uint8Array, digest: digests[4] as Uint8Array }).valid, true);
    assert.deepEqual(failedNames(ok({ data: data[3] as Uint8Array })), ['subject']);
    assert.deepEqual(failedNames(ok({ digest: digests[3] as Uint8Array })), ['subject']);
    assert.deepEqual(failedNames(ok({ digest: new Uint8Array(0) })), ['subject']);
    assert.deepEqual(failedNames(ok({ data: new Uint8Array(0) })), ['subject']);
    // The data's digest matches but a conflicting digest is also given.
    assert.deepEqual(failedNames(ok({ data: data[4] as Uint8Array, digest: digests[0] as Uint8Array })), [
      'subject',
    ]);
    const r = ok({ data: data[3] as Uint8Array });
    assert.match(r.checks.find((c) => c.name === 'subject')?.detail ?? '', /not the proven digest/);
  });

  test('uses the portable SHA-256 by default', () => {
    assert.equal(verifyBundle(bytes, { verifier: native }).valid, true);
    assert.equal(
      createHash('sha256')
        .update(data[4] as Uint8Array)
        .digest()
        .equals(digests[4] as Uint8Array),
      true,
    );
  });
});

describe('tampering', () => {
  test('flipping any single byte (XOR 0x01, XOR 0x80) makes the bundle invalid', () => {
    for (const mask of [0x01, 0x80]) {
      for (let i = 0; i < bytes.length; i++) {
        const bad = bytes.slice();
        bad[i] = (bad[i] as number) ^ mask;
        const r = verifyBundle(bad, { verifier: native, sha256: nativeSha256 });
        if (r.valid) assert.fail(`byte ${i} XOR 0x${mask.toString(16)} still verifies`);
        assert.equal(r.checks.length, CHECK_NAMES.length);
      }
    }
  });

  test('a bundle whose leaf binds an other-chain reference: valid, and any flipped byte (0x01, 0x80) is invalid', () => {
    const source = encodeSource({
      kind: 'bitcoin',
      chain: 'none',
      txHash: seedOf(0x31),
      logIndex: 0,
      block: { number: 840_000n, hash: seedOf(0x32) },
    });
    const withSource = sealBatch({
      key,
      digests,
      sources: digests.map((_, i) => (i === 2 ? source : undefined)),
      timeMs: BigInt(T0),
      sequence: 4n,
      previousHeaderHash: seedOf(0x77),
    });
    const v2 = encodeBundle(bundleOf(withSource, 2, [entry]));
    const good = verifyBundle(v2, { verifier: native, sha256: nativeSha256, data: data[2] as Uint8Array });
    assert.deepEqual(failedNames(good), []);
    assert.match(
      good.checks.find((c) => c.name === 'leaf')?.detail ?? '',
      /source: Bitcoin transaction [0-9a-f]{64}, in block 840000/,
    );
    for (const mask of [0x01, 0x80]) {
      for (let i = 0; i < v2.length; i++) {
        const bad = v2.slice();
        bad[i] = (bad[i] as number) ^ mask;
        if (verifyBundle(bad, { verifier: native, sha256: nativeSha256 }).valid)
          assert.fail(`byte ${i} XOR 0x${mask.toString(16)} still verifies`);
      }
    }
  });

  test('truncation at every length is invalid', () => {
    for (let n = 0; n < bytes.length; n += 7) {
      assert.equal(
        verifyBundle(bytes.subarray(0, n), { verifier: native, sha256: nativeSha256 }).valid,
        false,
      );
    }
  });

  test('a failed decode skips every later check with its reason', () => {
    const r = verifyBundle(new Uint8Array(0), { verifier: native });
    assert.equal(r.valid, false);
    assert.equal(r.checks[0]?.name, 'decode');
    assert.equal(r.checks[0]?.ok, false);
    for (const c of r.checks.slice(1)) {
      assert.equal(c.ok, false);
      assert.equal(c.detail, 'skipped: decode failed');
    }
  });
});

describe('hostile input', () => {
  test('random garbage never throws and is never valid', () => {
    const prng = createPrng(20_240_601);
    for (let i = 0; i < 3000; i++) {
      const garbage = prng.bytes(prng.below(i < 2000 ? 64 : 4096));
      const r = verifyBundle(garbage, { verifier: native, sha256: nativeSha256 });
      assert.equal(r.valid, false);
      assert.equal(r.checks.length, CHECK_NAMES.length);
    }
  });

  test('random multi-byte mutations and splices of a real bundle never throw and are never valid', () => {
    const prng = createPrng(7);
    for (let i = 0; i < 600; i++) {
      const bad = bytes.slice();
      const n = 1 + prng.below(8);
      for (let k = 0; k < n; k++) bad[prng.below(bad.length)] = prng.u32() & 0xff;
      const cut = prng.below(bad.length);
      const spliced =
        i % 2 === 0 ? bad : new Uint8Array([...bad.subarray(0, cut), ...prng.bytes(prng.below(20))]);
      if (spliced.length === bytes.length && spliced.every((b, j) => b === bytes[j])) continue;
      const r = verifyBundle(spliced, { verifier: native, sha256: nativeSha256 });
      assert.equal(r.valid, false);
    }
  });

  test('non-Uint8Array input and an oversized bundle are reported, not thrown', () => {
    const r = verifyBundle('not bytes' as unknown as Uint8Array, { verifier: native });
    assert.equal(r.valid, false);
    assert.equal(r.checks[0]?.ok, false);
    const big = verifyBundle(new Uint8Array(4 * 1024 * 1024 + 1), { verifier: native });
    assert.equal(big.valid, false);
    assert.match(big.checks[0]?.detail ?? '', /more than 4194304/);
  });

  test('a verifier that throws is contained', () => {
    const throwing = {
      name: 'broken',
      verify(): boolean {
        throw new Error('boom');
      },
    };
    const r = verifyBundle(bytes, { verifier: throwing });
    assert.equal(r.valid, false);
    assert.match(r.checks.find((c) => c.name === 'key')?.detail ?? '', /internal error: boom/);
  });
});
