// Anchor record v1 and its chunking: round trips, the ML-DSA size budget, any-order reassembly, hostile bytes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AnchorError } from '../../src/proof/anchor/anchor-error.ts';
import {
  chunkRecord,
  decodeAnchorRecord,
  encodeAnchorRecord,
  reassembleRecords,
} from '../../src/proof/anchor/anchor-record.ts';
import { CHUNK_HEADER_LENGTH, RECORD_KIND_BATCH, recordId } from '../../src/proof/anchor/record-chunks.ts';
import { ML_DSA_44, ML_DSA_65, ML_DSA_87 } from '../../src/proof/crypto/algorithms.ts';
import { toHex } from '../../src/proof/encoding/bytes.ts';
import { createPrng } from '../merkle/prng.ts';
import { flip, headerFor, recordFor, shuffled } from './fixture.ts';

test('encodes and decodes a record with two signatures', () => {
  const prng = createPrng(5);
  const k1 = prng.bytes(32);
  const k2 = prng.bytes(32);
  const header = headerFor(k1);
  const signatures = [
    { algorithmId: ML_DSA_65, keyId: k1, signature: prng.bytes(3309) },
    { algorithmId: 0x0010, keyId: k2, signature: prng.bytes(7856) },
  ];
  const bytes = encodeAnchorRecord({ header, signatures });
  assert.deepEqual([...bytes.subarray(0, 6)], [0xa5, 0x53, 0x50, 0x4b, 0x41, 1]);
  assert.equal(bytes.length, 6 + 2 + 168 + 1 + 2 * 38 + 3309 + 7856);
  const d = decodeAnchorRecord(bytes);
  assert.ok(d.ok);
  assert.deepEqual(d.value.header, header);
  assert.deepEqual(d.value.signatures, signatures);
});

test('ML-DSA-44/65/87 records fit in 3/4/5 messages of at most 1024 bytes', () => {
  for (const [alg, n] of [
    [ML_DSA_44, 3],
    [ML_DSA_65, 4],
    [ML_DSA_87, 5],
  ] as const) {
    const chunks = chunkRecord(recordFor(alg));
    assert.equal(chunks.length, n, `algorithm ${alg}`);
    for (const c of chunks) assert.ok(c.length <= 1024);
  }
});

test('chunks carry magic, version, kind, record id, index and count', () => {
  const record = recordFor();
  const chunks = chunkRecord(record);
  chunks.forEach((c, i) => {
    assert.deepEqual([...c.subarray(0, 6)], [0xa5, 0x53, 0x50, 0x4b, 1, RECORD_KIND_BATCH]);
    assert.deepEqual(c.subarray(6, 14), recordId(record));
    assert.equal(c[14], i);
    assert.equal(c[15], chunks.length);
  });
  assert.equal(
    chunks.reduce((s, c) => s + c.length - CHUNK_HEADER_LENGTH, 0),
    record.length,
  );
});

test('reassembles several records from shuffled messages, ignoring foreign messages', () => {
  const a = recordFor(ML_DSA_65, 1);
  const b = recordFor(ML_DSA_87, 2, 1n);
  const foreign = [Uint8Array.of(0, 0x68, 0x69), new Uint8Array(0), Uint8Array.of(0xfe, 1, 2)];
  for (let seed = 0; seed < 20; seed++) {
    const messages = shuffled([...chunkRecord(a), ...chunkRecord(b), ...foreign], seed);
    const { records, problems } = reassembleRecords(messages);
    assert.deepEqual(problems, []);
    const byId = new Map(records.map((r) => [r.id, r.bytes]));
    assert.deepEqual(byId.get(toHex(recordId(a))), a);
    assert.deepEqual(byId.get(toHex(recordId(b))), b);
    assert.equal(records.length, 2);
  }
});

test('identical duplicate chunks are tolerated; conflicting or missing ones reject the record with a reason', () => {
  const a = recordFor();
  const chunks = chunkRecord(a);
  assert.equal(reassembleRecords([...chunks, chunks[1] as Uint8Array]).records.length, 1);

  const missing = reassembleRecords(chunks.slice(1));
  assert.equal(missing.records.length, 0);
  assert.match(missing.problems.join(), /3 of 4 chunks present/);

  const altered = chunks.map((c) => c.slice());
  flip(altered[2] as Uint8Array, 100);
  const bad = reassembleRecords(altered);
  assert.equal(bad.records.length, 0);
  assert.match(bad.problems.join(), /record id does not match/);

  const conflict = reassembleRecords([...chunks, altered[2] as Uint8Array]);
  assert.match(conflict.problems.join(), /two different chunks with index 2/);

  const wrongCount = chunks.map((c) => c.slice());
  (wrongCount[0] as Uint8Array)[15] = 5;
  assert.match(reassembleRecords(wrongCount).problems.join(), /chunk counts disagree/);

  const badIndex = (chunks[0] as Uint8Array).slice();
  badIndex[14] = 9;
  assert.match(reassembleRecords([badIndex]).problems.join(), /index 9 is not below chunk count 4/);
  assert.match(reassembleRecords([Uint8Array.of(0xa5, 0x53, 0x50, 0x4b, 1)]).problems.join(), /shorter/);
});

test('encode rejects bad fields with AnchorError naming them', () => {
  const prng = createPrng(9);
  const keyId = prng.bytes(32);
  const header = headerFor(keyId);
  const ok = { algorithmId: ML_DSA_65, keyId, signature: prng.bytes(3309) };
  const cases: [unknown, RegExp][] = [
    [{ header: header.subarray(0, 167), signatures: [ok] }, /^header/],
    [{ header, signatures: [] }, /^signatures: count 0/],
    [{ header, signatures: [{ ...ok, signature: prng.bytes(3308) }] }, /3309 bytes, got 3308/],
    [{ header, signatures: [{ ...ok, keyId: prng.bytes(32) }] }, /none is by the header's key/],
    [{ header, signatures: [ok, ok] }, /same key/],
  ];
  for (const [fields, re] of cases) {
    assert.throws(
      () => encodeAnchorRecord(fields as Parameters<typeof encodeAnchorRecord>[0]),
      (e: unknown) => e instanceof AnchorError && e.code === 'MALFORMED' && re.test(e.message),
    );
  }
  assert.throws(
    () => chunkRecord(new Uint8Array(300_000).fill(0xa5)),
    (e: unknown) => e instanceof AnchorError,
  );
});

test('decode rejects truncation, trailing bytes and wrong version with a reason, never throwing', () => {
  const rec = recordFor();
  for (const cut of [0, 3, 5, 7, 100, 176, 177, 200, rec.length - 1]) {
    const d = decodeAnchorRecord(rec.subarray(0, cut));
    assert.equal(d.ok, false, `cut ${cut}`);
  }
  const trailing = decodeAnchorRecord(new Uint8Array([...rec, 0]));
  assert.ok(!trailing.ok && /trailing/.test(trailing.reason));
  const v2 = rec.slice();
  v2[5] = 2;
  const dv = decodeAnchorRecord(v2);
  assert.ok(!dv.ok && /^version/.test(dv.reason));
  assert.equal(decodeAnchorRecord('nope' as unknown as Uint8Array).ok, false);
});

test('fuzz: mutated records and messages never throw', () => {
  const prng = createPrng(1234);
  const rec = recordFor();
  const chunks = chunkRecord(rec);
  for (let i = 0; i < 2000; i++) {
    const m = rec.slice(0, prng.below(rec.length + 1));
    for (let k = prng.below(4); k > 0; k--) m[prng.below(Math.max(1, m.length))] = prng.u32() & 0xff;
    decodeAnchorRecord(m);
    const msgs = chunks.map((c) => {
      const x = c.slice(0, CHUNK_HEADER_LENGTH + prng.below(c.length));
      if (x.length > 0 && prng.below(2) === 0) x[prng.below(x.length)] = prng.u32() & 0xff;
      return x;
    });
    reassembleRecords(msgs);
  }
});
