// Checkpoint body v1 codec, the header log, the checkpoint record, and the verifier's "checkpoint" check.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { create } from '@bufbuild/protobuf';
import { nativeSha256 } from '../../src/crypto/native-sha256.ts';
import { createNativeVerifier } from '../../src/crypto/native-verifier.ts';
import { CheckpointSchema, type ProofBundle, SignatureSchema } from '../../src/gen/spark/v1/bundle_pb.js';
import { decodeCheckpointRecord, encodeCheckpointRecord } from '../../src/proof/anchor/anchor-record.ts';
import {
  CHECKPOINT_LENGTH,
  type CheckpointFields,
  decodeCheckpoint,
  encodeCheckpoint,
  headerLog,
} from '../../src/proof/bundle/checkpoint.ts';
import { encodeBundle } from '../../src/proof/bundle/codec.ts';
import { CHECK_NAMES, verifyBundle } from '../../src/proof/bundle/verify.ts';
import { CHECKPOINT_SIGNATURE_CONTEXT, HEADER_SIGNATURE_CONTEXT } from '../../src/proof/crypto/contexts.ts';
import { hashLeaf } from '../../src/proof/merkle/hash.ts';
import { verifyInclusion } from '../../src/proof/merkle/inclusion.ts';
import type { KeyHistoryEntry } from '../../src/store/store.ts';
import {
  bundleOf,
  createTestKey,
  digestsOf,
  keyEntry,
  type SealedBatch,
  sealBatch,
  seedOf,
} from './fixture.ts';

const native = createNativeVerifier();
const T0 = 1_760_000_000_000;
const LOG_ID = new Uint8Array(32).fill(0x5a);
const key = createTestKey(seedOf(0x42), { impl: 'native' });
const entry = keyEntry(key, { validFromMs: T0 - 1000 });

// Five chained batches 0..4.
const batches: SealedBatch[] = [];
for (let s = 0; s < 5; s++) {
  batches.push(
    sealBatch({
      key,
      digests: digestsOf(3 + s, `b${s}`),
      timeMs: BigInt(T0 + s),
      sequence: BigInt(s),
      previousHeaderHash: s === 0 ? new Uint8Array(32) : (batches[s - 1] as SealedBatch).batch.headerHash,
    }),
  );
}
const hashes = batches.map((b) => b.batch.headerHash);

function fieldsFor(n: number, over: Partial<CheckpointFields> = {}): CheckpointFields {
  return {
    version: 1,
    logId: LOG_ID,
    batchCount: BigInt(n),
    headerLogRoot: headerLog(hashes.slice(0, n), nativeSha256).root,
    headHeaderHash: hashes[n - 1] as Uint8Array,
    timeMs: BigInt(T0 + 100),
    algorithmId: key.algorithmId,
    keyId: key.keyId,
    ...over,
  };
}

/** A bundle of batch `sequence` carrying an (unanchored) checkpoint over the first `n` batches. */
function withCheckpoint(
  sequence: number,
  n: number,
  o: {
    fields?: Partial<CheckpointFields>;
    signer?: ReturnType<typeof createTestKey>;
    keys?: KeyHistoryEntry[];
  } = {},
): ProofBundle {
  const b = bundleOf(batches[sequence] as SealedBatch, 1, o.keys ?? [entry]);
  const body = encodeCheckpoint(fieldsFor(n, o.fields));
  const signer = o.signer ?? key;
  b.checkpoint = create(CheckpointSchema, {
    sequence: BigInt(n - 1),
    headerHash: hashes[n - 1] as Uint8Array,
    batchCount: BigInt(n),
    body,
    signatures: [
      create(SignatureSchema, {
        algorithmId: signer.algorithmId,
        keyId: signer.keyId,
        signature: signer.sign(body, CHECKPOINT_SIGNATURE_CONTEXT),
      }),
    ],
    headerPath: headerLog(hashes.slice(0, n), nativeSha256).path(sequence),
  });
  return b;
}

function check(b: ProofBundle) {
  const r = verifyBundle(encodeBundle(b), { verifier: native, sha256: nativeSha256 });
  return { r, c: r.checks.find((x) => x.name === 'checkpoint') };
}

describe('checkpoint body v1', () => {
  test('round-trips at a fixed 152 bytes, big-endian', () => {
    const f = fieldsFor(5);
    const bytes = encodeCheckpoint(f);
    assert.equal(bytes.length, CHECKPOINT_LENGTH);
    assert.deepEqual([...bytes.subarray(0, 6)], [0x53, 0x50, 0x4b, 0x43, 0, 1]);
    assert.deepEqual([...bytes.subarray(38, 46)], [0, 0, 0, 0, 0, 0, 0, 5]);
    const d = decodeCheckpoint(bytes);
    assert.ok(typeof d !== 'string');
    assert.equal(d.batchCount, 5n);
    assert.equal(d.timeMs, f.timeMs);
    assert.deepEqual(encodeCheckpoint(d), bytes);
  });

  test('rejects bad bytes with a reason', () => {
    const good = encodeCheckpoint(fieldsFor(2));
    const bad = (mutate: (b: Uint8Array) => Uint8Array | undefined) => {
      const b = good.slice();
      return decodeCheckpoint(mutate(b) ?? b);
    };
    assert.match(String(bad((b) => b.subarray(0, 3))), /too short/);
    assert.match(String(bad((b) => void b.fill(0, 0, 1))), /magic/);
    assert.match(String(bad((b) => void b.fill(2, 5, 6))), /version 2/);
    assert.match(String(bad((b) => b.subarray(0, 151))), /151 bytes/);
    assert.match(String(bad((b) => void b.fill(0, 38, 46))), /batch count is 0/);
    assert.throws(() => encodeCheckpoint({ ...fieldsFor(2), batchCount: 0n }), /batchCount/);
    assert.throws(() => encodeCheckpoint({ ...fieldsFor(2), keyId: new Uint8Array(31) }), /keyId/);
  });

  test('header log paths verify for every batch against the root', () => {
    for (let n = 1; n <= 5; n++) {
      const log = headerLog(hashes.slice(0, n), nativeSha256);
      for (let s = 0; s < n; s++) {
        const leaf = hashLeaf(hashes[s] as Uint8Array, nativeSha256);
        const v = verifyInclusion(BigInt(s), BigInt(n), leaf, log.path(s), log.root, nativeSha256);
        assert.equal(v.ok, true);
      }
    }
  });

  test('checkpoint record (kind C) round-trips and is checked', () => {
    const body = encodeCheckpoint(fieldsFor(3));
    const sig = {
      algorithmId: key.algorithmId,
      keyId: key.keyId,
      signature: key.sign(body, CHECKPOINT_SIGNATURE_CONTEXT),
    };
    const record = encodeCheckpointRecord({ body, signatures: [sig] });
    assert.equal(record[4], 0x43);
    const d = decodeCheckpointRecord(record);
    assert.ok(d.ok);
    assert.deepEqual(d.value.body, body);
    const other = createTestKey(seedOf(0x43), { impl: 'native' });
    assert.throws(
      () =>
        encodeCheckpointRecord({
          body,
          signatures: [{ ...sig, keyId: other.keyId }],
        }),
      /checkpoint's key/,
    );
    assert.equal(decodeCheckpointRecord(record.subarray(0, record.length - 1)).ok, false);
  });
});

describe('the checkpoint check', () => {
  test('no checkpoint passes with "no checkpoint yet"', () => {
    const { r, c } = check(bundleOf(batches[2] as SealedBatch, 0, [entry]));
    assert.equal(r.valid, true);
    assert.equal(c?.detail, 'no checkpoint yet');
    assert.equal(CHECK_NAMES[CHECK_NAMES.indexOf('anchor') + 1], 'checkpoint');
  });

  test('a valid checkpoint passes, for an earlier batch and for the head', () => {
    for (const [s, n] of [
      [1, 5],
      [4, 5],
      [0, 1],
      [2, 3],
    ] as const) {
      const { r, c } = check(withCheckpoint(s, n));
      assert.equal(r.valid, true, JSON.stringify(r.checks.filter((x) => !x.ok)));
      assert.match(c?.detail ?? '', new RegExp(`batch ${s} is in the header log of ${n} batches`));
      assert.match(c?.detail ?? '', /not anchored/);
    }
  });

  test('a wrong path fails', () => {
    const b = withCheckpoint(1, 5);
    const p = b.checkpoint?.headerPath[0] as Uint8Array;
    p[0] = (p[0] as number) ^ 1;
    const { c } = check(b);
    assert.equal(c?.ok, false);
    assert.match(c?.detail ?? '', /header log/);
    const short = withCheckpoint(1, 5);
    short.checkpoint?.headerPath.pop();
    assert.equal(check(short).c?.ok, false);
  });

  test('a wrong root (re-signed) fails', () => {
    const { c } = check(withCheckpoint(1, 5, { fields: { headerLogRoot: new Uint8Array(32).fill(7) } }));
    assert.equal(c?.ok, false);
    assert.match(c?.detail ?? '', /header log/);
  });

  test('a checkpoint of another log fails', () => {
    const { c } = check(withCheckpoint(1, 5, { fields: { logId: new Uint8Array(32).fill(1) } }));
    assert.equal(c?.ok, false);
    assert.match(c?.detail ?? '', /not of this header's log/);
  });

  test('a checkpoint not covering the batch fails; a head that is not this header fails', () => {
    const b = withCheckpoint(2, 2 + 1);
    // Claim batch 3 (sequence 3) with a checkpoint of 3 batches: re-use the bundle of batch 3.
    const later = bundleOf(batches[3] as SealedBatch, 0, [entry]);
    later.checkpoint = b.checkpoint;
    assert.match(check(later).c?.detail ?? '', /covers 3 batches, not sequence 3/);
    const head = withCheckpoint(2, 3, { fields: { headHeaderHash: new Uint8Array(32).fill(9) } });
    if (head.checkpoint) head.checkpoint.headerHash = new Uint8Array(32).fill(9);
    assert.match(check(head).c?.detail ?? '', /head header hash is not this header/);
  });

  test('fields that differ from the body fail', () => {
    const b = withCheckpoint(1, 5);
    if (b.checkpoint) b.checkpoint.batchCount = 6n;
    assert.match(check(b).c?.detail ?? '', /differ from its body in batch_count/);
  });

  test('a flipped signature fails', () => {
    const b = withCheckpoint(1, 5);
    const s = b.checkpoint?.signatures[0]?.signature as Uint8Array;
    s[10] = (s[10] as number) ^ 1;
    const { c } = check(b);
    assert.equal(c?.ok, false);
    assert.match(c?.detail ?? '', /does not verify over the body/);
  });

  test('a header signature reused as the checkpoint signature fails (contexts differ)', () => {
    const b = withCheckpoint(1, 5);
    const sig = b.checkpoint?.signatures[0];
    if (sig && b.checkpoint) sig.signature = key.sign(b.checkpoint.body, HEADER_SIGNATURE_CONTEXT);
    assert.equal(check(b).c?.ok, false);
  });

  test('a checkpoint by another key needs its record, which the key check then accepts', () => {
    const other = createTestKey(seedOf(0x44), { impl: 'native' });
    const otherEntry = keyEntry(other, { validFromMs: T0 });
    const fields = { algorithmId: other.algorithmId, keyId: other.keyId };
    const missing = check(withCheckpoint(1, 5, { fields, signer: other }));
    assert.equal(missing.c?.ok, false);
    assert.match(missing.c?.detail ?? '', /no key record/);
    const ok = check(withCheckpoint(1, 5, { fields, signer: other, keys: [entry, otherEntry] }));
    assert.equal(ok.r.valid, true, JSON.stringify(ok.r.checks.filter((x) => !x.ok)));
    // Without the checkpoint, that record is unused and fails the key check.
    const b = withCheckpoint(1, 5, { fields, signer: other, keys: [entry, otherEntry] });
    b.checkpoint = undefined;
    assert.equal(check(b).r.checks.find((x) => x.name === 'key')?.ok, false);
    // A checkpoint dated before its key's window fails.
    const early = check(
      withCheckpoint(1, 5, {
        fields: { ...fields, timeMs: BigInt(T0 - 1) },
        signer: other,
        keys: [entry, otherEntry],
      }),
    );
    assert.match(early.c?.detail ?? '', /before its key's valid_from_ms/);
  });

  test("the checkpoint key's valid_until_ms is read only when its successor binds it (docs/proof-format.md §6)", () => {
    // Bound: the batch key is endorsed by `older`, which also signs the checkpoint, after the batch key began.
    const older = createTestKey(seedOf(0x45), { impl: 'native' });
    const olderEntry = keyEntry(older, { validFromMs: T0 - 5000, validUntilMs: T0 - 1000 });
    const endorsed = keyEntry(key, { validFromMs: T0 - 1000, endorser: older });
    const fields = { algorithmId: older.algorithmId, keyId: older.keyId };
    const late = check(withCheckpoint(1, 5, { fields, signer: older, keys: [endorsed, olderEntry] }));
    assert.equal(late.r.checks.find((x) => x.name === 'key')?.ok, true);
    assert.match(late.c?.detail ?? '', /is not before its key's valid_until_ms/);
    const inTime = check(
      withCheckpoint(1, 5, {
        fields: { ...fields, timeMs: BigInt(T0 - 2000) },
        signer: older,
        keys: [endorsed, olderEntry],
      }),
    );
    assert.equal(inTime.r.valid, true, JSON.stringify(inTime.r.checks.filter((x) => !x.ok)));
    // Unbound: a checkpoint key whose successor is not in the bundle; its valid_until_ms is signed by nothing.
    const other = createTestKey(seedOf(0x44), { impl: 'native' });
    const retiredOther = keyEntry(other, { validFromMs: T0, validUntilMs: T0 + 50 });
    const unbound = check(
      withCheckpoint(1, 5, {
        fields: { algorithmId: other.algorithmId, keyId: other.keyId },
        signer: other,
        keys: [entry, retiredOther],
      }),
    );
    assert.equal(unbound.r.valid, true, JSON.stringify(unbound.r.checks.filter((x) => !x.ok)));
  });

  test('flipping any single byte of a bundle with a checkpoint makes it invalid', () => {
    const bytes = encodeBundle(withCheckpoint(1, 5));
    assert.equal(verifyBundle(bytes, { verifier: native, sha256: nativeSha256 }).valid, true);
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
});
