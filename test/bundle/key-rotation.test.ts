// The verifier's view of rotation (docs/proof-format.md §6): a batch must lie in its key's window, and endorsements chain back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nativeSha256 } from '../../src/crypto/native-sha256.ts';
import { createNativeVerifier } from '../../src/crypto/native-verifier.ts';
import { encodeBundle } from '../../src/proof/bundle/codec.ts';
import { verifyBundle } from '../../src/proof/bundle/verify.ts';
import type { KeyHistoryEntry } from '../../src/store/store.ts';
import { bundleOf, createTestKey, digestsOf, keyEntry, sealBatch, seedOf } from './fixture.ts';

const T = 1_760_000_000_000;
const a = createTestKey(seedOf(11), { impl: 'native' });
const b = createTestKey(seedOf(12), { impl: 'native' });
const c = createTestKey(seedOf(13), { impl: 'native' });
const digests = digestsOf(4, 'rotation');
const options = { verifier: createNativeVerifier(), sha256: nativeSha256 };

// A → B at T+100, B → C at T+200: each endorsed by its predecessor.
const entryA = keyEntry(a, { validFromMs: T, validUntilMs: T + 100 });
const entryB = keyEntry(b, { validFromMs: T + 100, validUntilMs: T + 200, endorser: a });
const entryC = keyEntry(c, { validFromMs: T + 200, endorser: b });

function check(keys: readonly KeyHistoryEntry[], signer: typeof a, timeMs: number, name = 'key') {
  const bundle = bundleOf(sealBatch({ key: signer, digests, timeMs: BigInt(timeMs) }), 1, keys);
  const report = verifyBundle(encodeBundle(bundle), options);
  return { report, check: report.checks.find((x) => x.name === name) };
}

test('batches inside their key windows verify, before and after each rotation', () => {
  for (const [keys, signer, time] of [
    [[entryA, entryB], a, T],
    [[entryA, entryB], a, T + 99],
    [[entryB, entryC, entryA], b, T + 150],
    [[entryC, entryB, entryA], c, T + 200],
    [[entryC, entryB, entryA], c, T + 10_000],
  ] as const) {
    const { report } = check(keys, signer, time);
    assert.equal(report.valid, true, `${time}: ${JSON.stringify(report.checks.filter((x) => !x.ok))}`);
  }
});

test('a batch dated at or after its key was retired fails key-validity with that reason', () => {
  for (const time of [T + 100, T + 150, T + 5000]) {
    const { report, check: kv } = check([entryA, entryB], a, time, 'key-validity');
    assert.equal(report.valid, false);
    assert.equal(kv?.ok, false);
    assert.match(
      kv?.detail ?? '',
      new RegExp(`header time ${time} is not before the key's valid_until_ms ${T + 100}`),
    );
  }
});

test('a batch dated before its key window fails key-validity with that reason', () => {
  const { report, check: kv } = check([entryB, entryC, entryA], b, T + 50, 'key-validity');
  assert.equal(report.valid, false);
  assert.match(
    kv?.detail ?? '',
    new RegExp(`header time ${T + 50} is before the key's valid_from_ms ${T + 100}`),
  );
});

test('the endorsement chain must be whole and genuine', () => {
  // Without the endorser's record the chain cannot be followed.
  const missing = check([entryC], c, T + 300, 'key');
  assert.equal(missing.check?.ok, false);
  assert.match(missing.check?.detail ?? '', /whose key record is not in the bundle/);
  // An endorsement made by a key that is not the predecessor fails.
  const forged = keyEntry(c, { validFromMs: T + 200, endorser: a, previousKeyId: b.keyId });
  const wrong = check([forged, entryB, entryA], c, T + 300, 'key');
  assert.equal(wrong.check?.ok, false);
  assert.match(wrong.check?.detail ?? '', /endorsement by .* does not verify/);
  // A flipped byte in an endorsement fails.
  const flipped = { ...entryB, endorsement: Uint8Array.from(entryB.endorsement) };
  flipped.endorsement[10] = (flipped.endorsement[10] ?? 0) ^ 1;
  const bad = check([entryC, flipped, entryA], c, T + 300, 'key');
  assert.equal(bad.check?.ok, false);
});

test('a retired key whose successor starts elsewhere fails the key check: its window must end where the next begins', () => {
  const lateB = keyEntry(b, { validFromMs: T + 120, endorser: a });
  const { report, check: k } = check([entryA, lateB], a, T + 50, 'key');
  assert.equal(k?.ok, false);
  assert.match(k?.detail ?? '', /valid_until_ms \d+ is not the signed valid_from_ms \d+ of its successor/);
  assert.equal(report.checks.find((x) => x.name === 'key-validity')?.detail, 'skipped: key failed');
});
