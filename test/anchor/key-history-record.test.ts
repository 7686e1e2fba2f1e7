// Key-history metadata value and public-key record: round trips, scoped key, reconstruction and its checks.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createNativeVerifier } from '../../src/crypto/native-verifier.ts';
import { AnchorError } from '../../src/proof/anchor/anchor-error.ts';
import {
  decodeKeyMetadata,
  decodePublicKeyRecord,
  encodeKeyMetadata,
  encodePublicKeyRecord,
  KEY_METADATA_LENGTH,
  metadataScopedKey,
  reconstructKeyHistoryEntry,
} from '../../src/proof/anchor/key-history-record.ts';
import { chunkRecord, reassembleRecords, recordId } from '../../src/proof/anchor/record-chunks.ts';
import { ML_DSA_87 } from '../../src/proof/crypto/algorithms.ts';
import { toHex } from '../../src/proof/encoding/bytes.ts';
import { createTestKey, keyEntry, seedOf } from '../bundle/fixture.ts';

const first = createTestKey(seedOf(1), { impl: 'native' });
const second = createTestKey(seedOf(2), { impl: 'native' });
const e1 = keyEntry(first, { validFromMs: 1_700_000_000_000, validUntilMs: 1_760_000_000_000 });
const e2 = keyEntry(second, { validFromMs: 1_760_000_000_000, endorser: first, protection: 'hsm' });

function onChain(e: typeof e1): { value: Uint8Array; messages: Uint8Array[] } {
  const pkRecord = encodePublicKeyRecord({
    algorithmId: e.algorithmId,
    publicKey: e.publicKey,
    selfSignature: e.selfSignature,
    endorsement: e.endorsement,
  });
  const value = encodeKeyMetadata({
    algorithmId: e.algorithmId,
    keyId: e.keyId,
    validFromMs: BigInt(e.validFromMs),
    validUntilMs: BigInt(e.validUntilMs),
    previousKeyId: e.previousKeyId,
    protection: e.protection,
    publicKeyRecordId: toHex(recordId(pkRecord)),
  });
  return { value, messages: chunkRecord(pkRecord) };
}

test('scoped metadata key is the first 8 bytes of the key id, big-endian', () => {
  const keyId = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
  assert.equal(metadataScopedKey(keyId), 0x0102030405060708n);
  assert.equal(
    metadataScopedKey(first.keyId).toString(16).padStart(16, '0'),
    toHex(first.keyId).slice(0, 16),
  );
  assert.throws(() => metadataScopedKey(new Uint8Array(8)), AnchorError);
});

test('metadata value round-trips in 97 bytes; the public key fits in 2 messages without signatures', () => {
  const { value } = onChain(e2);
  assert.equal(value.length, KEY_METADATA_LENGTH);
  const d = decodeKeyMetadata(value);
  assert.ok(d.ok);
  assert.equal(toHex(d.value.keyId), toHex(second.keyId));
  assert.equal(toHex(d.value.previousKeyId), toHex(first.keyId));
  assert.equal(d.value.protection, 'hsm');
  assert.equal(d.value.validUntilMs, 0n);
  const bare = encodePublicKeyRecord({
    algorithmId: second.algorithmId,
    publicKey: second.publicKey,
    selfSignature: new Uint8Array(0),
    endorsement: new Uint8Array(0),
  });
  assert.equal(chunkRecord(bare).length, 2);
  const p = decodePublicKeyRecord(bare);
  assert.ok(p.ok);
  assert.equal(toHex(p.value.publicKey), toHex(second.publicKey));
});

test('reconstructs entries from shuffled messages and checks key id, self-signature and endorsement', () => {
  const a = onChain(e1);
  const b = onChain(e2);
  const { records, problems } = reassembleRecords([...b.messages, ...a.messages].reverse());
  assert.deepEqual(problems, []);
  const verifier = createNativeVerifier();
  const r1 = reconstructKeyHistoryEntry(a.value, records, { verifier });
  assert.ok(r1.ok, r1.ok ? '' : r1.reason);
  assert.equal(r1.value.validUntilMs, 1_760_000_000_000n);
  const r2 = reconstructKeyHistoryEntry(b.value, records, {
    verifier,
    previous: { algorithmId: first.algorithmId, publicKey: first.publicKey },
  });
  assert.ok(r2.ok, r2.ok ? '' : r2.reason);
  assert.equal(toHex(r2.value.publicKey), toHex(second.publicKey));

  const noPrev = reconstructKeyHistoryEntry(b.value, records, { verifier });
  assert.ok(!noPrev.ok && /previous key not given/.test(noPrev.reason));
  const wrongPrev = reconstructKeyHistoryEntry(b.value, records, {
    verifier,
    previous: { algorithmId: second.algorithmId, publicKey: second.publicKey },
  });
  assert.ok(!wrongPrev.ok && /does not match previousKeyId/.test(wrongPrev.reason));
  const missing = reconstructKeyHistoryEntry(
    b.value,
    records.filter((r) => r.id !== decodeOk(b.value).publicKeyRecordId),
  );
  assert.ok(!missing.ok && /not found/.test(missing.reason));
});

test('a metadata value naming a key id that is not SHA-256 of the public key is rejected', () => {
  const a = onChain(e1);
  const forged = a.value.slice();
  forged[8] = (forged[8] ?? 0) ^ 1;
  const { records } = reassembleRecords(a.messages);
  const r = reconstructKeyHistoryEntry(forged, records);
  assert.ok(!r.ok && /keyId: is not SHA-256/.test(r.reason));
});

test('hostile values: wrong length, kind, protection and validity are reasons, not throws', () => {
  const { value } = onChain(e1);
  assert.equal(decodeKeyMetadata(value.subarray(0, 96)).ok, false);
  const kind = value.slice();
  kind[4] = 0x41;
  assert.equal(decodeKeyMetadata(kind).ok, false);
  const prot = value.slice();
  prot[88] = 9;
  const dp = decodeKeyMetadata(prot);
  assert.ok(!dp.ok && /protection/.test(dp.reason));
  assert.throws(
    () =>
      encodePublicKeyRecord({
        algorithmId: ML_DSA_87,
        publicKey: first.publicKey,
        selfSignature: new Uint8Array(0),
        endorsement: new Uint8Array(0),
      }),
    (e: unknown) => e instanceof AnchorError && e.field === 'publicKey',
  );
  assert.throws(
    () => encodeKeyMetadata({ ...decodeOk(value), protection: 'toString' }),
    (e: unknown) => e instanceof AnchorError && e.field === 'protection',
  );
  const rec = encodePublicKeyRecord({
    algorithmId: first.algorithmId,
    publicKey: first.publicKey,
    selfSignature: new Uint8Array(3),
    endorsement: new Uint8Array(0),
  });
  for (let cut = 0; cut < rec.length; cut += 97)
    assert.equal(decodePublicKeyRecord(rec.subarray(0, cut)).ok, false);
});

function decodeOk(v: Uint8Array) {
  const d = decodeKeyMetadata(v);
  assert.ok(d.ok);
  return d.value;
}
