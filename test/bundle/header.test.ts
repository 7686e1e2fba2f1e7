// Batch header v1: exact byte layout, round trip and rejection reasons (docs/proof-format.md §Batch header).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nativeSha256 } from '../../src/crypto/native-sha256.ts';
import {
  decodeHeader,
  encodeHeader,
  HEADER_LENGTH,
  type HeaderFields,
  headerHash,
  ZERO_HASH,
} from '../../src/proof/bundle/header.ts';
import { toHex } from '../../src/proof/encoding/bytes.ts';

const fill = (b: number): Uint8Array => new Uint8Array(32).fill(b);

const FIELDS: HeaderFields = {
  formatVersion: 1,
  logId: fill(0xa1),
  sequence: 0x0102030405060708n,
  previousHeaderHash: fill(0xb2),
  root: fill(0xc3),
  treeSize: 0x1112131415161718n,
  timeMs: 0x2122232425262728n,
  algorithmId: 0x0002,
  keyId: fill(0xd4),
  guaranteeExpiryMs: 0x3132333435363738n,
};

test('encodes to 168 bytes at the documented offsets', () => {
  const b = encodeHeader(FIELDS);
  assert.equal(b.length, HEADER_LENGTH);
  assert.equal(HEADER_LENGTH, 168);
  const hex = (from: number, to: number) => toHex(b.subarray(from, to));
  assert.equal(hex(0, 4), '53504b48'); // "SPKH"
  assert.equal(Buffer.from(b.subarray(0, 4)).toString('latin1'), 'SPKH');
  assert.equal(hex(4, 6), '0001');
  assert.equal(hex(6, 38), 'a1'.repeat(32));
  assert.equal(hex(38, 46), '0102030405060708');
  assert.equal(hex(46, 78), 'b2'.repeat(32));
  assert.equal(hex(78, 110), 'c3'.repeat(32));
  assert.equal(hex(110, 118), '1112131415161718');
  assert.equal(hex(118, 126), '2122232425262728');
  assert.equal(hex(126, 128), '0002');
  assert.equal(hex(128, 160), 'd4'.repeat(32));
  assert.equal(hex(160, 168), '3132333435363738');
});

test('decode(encode(h)) is h, and encode(decode(b)) is b', () => {
  const b = encodeHeader(FIELDS);
  const d = decodeHeader(b);
  assert.ok(typeof d !== 'string', String(d));
  assert.deepEqual(d, FIELDS);
  assert.deepEqual(encodeHeader(d), b);
  const first = { ...FIELDS, sequence: 0n, previousHeaderHash: ZERO_HASH, treeSize: 1n, algorithmId: 0xffff };
  assert.deepEqual(decodeHeader(encodeHeader(first)), first);
});

test('decodes from a subarray with an offset', () => {
  const b = encodeHeader(FIELDS);
  const padded = new Uint8Array(b.length + 7);
  padded.set(b, 7);
  assert.deepEqual(decodeHeader(padded.subarray(7)), FIELDS);
});

test('encodes u64 extremes', () => {
  const max = (1n << 64n) - 1n;
  const h = { ...FIELDS, sequence: max, treeSize: max, timeMs: 0n, guaranteeExpiryMs: max };
  assert.deepEqual(decodeHeader(encodeHeader(h)), h);
  assert.throws(() => encodeHeader({ ...FIELDS, timeMs: max + 1n }), /timeMs/);
  assert.throws(() => encodeHeader({ ...FIELDS, sequence: -1n }), /sequence/);
});

test('encode rejects bad fields, naming them', () => {
  assert.throws(() => encodeHeader({ ...FIELDS, formatVersion: 2 }), /formatVersion/);
  assert.throws(() => encodeHeader({ ...FIELDS, logId: new Uint8Array(31) }), /logId/);
  assert.throws(() => encodeHeader({ ...FIELDS, root: new Uint8Array(33) }), /root/);
  assert.throws(() => encodeHeader({ ...FIELDS, keyId: new Uint8Array(0) }), /keyId/);
  assert.throws(
    () => encodeHeader({ ...FIELDS, previousHeaderHash: new Uint8Array(1) }),
    /previousHeaderHash/,
  );
  assert.throws(() => encodeHeader({ ...FIELDS, algorithmId: 0x10000 }), /algorithmId/);
  assert.throws(() => encodeHeader({ ...FIELDS, algorithmId: 1.5 }), /algorithmId/);
});

test('decode rejects a bad magic, version, length and tree size 0 with reasons', () => {
  const b = encodeHeader(FIELDS);
  const magic = b.slice();
  magic[3] = 0x49; // "SPKI"
  assert.match(String(decodeHeader(magic)), /magic "SPKH"/);
  const version = b.slice();
  version[5] = 2;
  assert.match(String(decodeHeader(version)), /format version 2 is not supported/);
  assert.match(String(decodeHeader(b.slice(0, 167))), /167 bytes, expected 168/);
  const longer = new Uint8Array(169);
  longer.set(b);
  assert.match(String(decodeHeader(longer)), /169 bytes, expected 168/);
  assert.match(String(decodeHeader(b.slice(0, 3))), /too short/);
  assert.match(String(decodeHeader(new Uint8Array(0))), /too short/);
  const zero = encodeHeader({ ...FIELDS, treeSize: 1n });
  zero.fill(0, 110, 118);
  assert.equal(decodeHeader(zero), 'header tree size is 0');
});

test('headerHash is SHA-256 of the bytes', () => {
  const b = encodeHeader(FIELDS);
  assert.equal(toHex(headerHash(b)), toHex(nativeSha256(b)));
});
