// Leaf entry v1: 0x01 ‖ 0x01 (SHA-256) ‖ digest, and its RFC 9162 leaf hash.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import {
  decodeLeafEntry,
  encodeLeafEntry,
  LEAF_ENTRY_LENGTH,
  leafHashOfDigest,
} from '../../src/bundle/leaf.ts';
import { toHex } from '../../src/encoding/bytes.ts';

const digest = createHash('sha256').update('hello').digest();

test('entry is 34 bytes: version 1, algorithm 1, digest', () => {
  const e = encodeLeafEntry(digest);
  assert.equal(e.length, LEAF_ENTRY_LENGTH);
  assert.equal(LEAF_ENTRY_LENGTH, 34);
  assert.equal(toHex(e), `0101${toHex(digest)}`);
});

test('decode(encode(d)) gives the digest back', () => {
  const d = decodeLeafEntry(encodeLeafEntry(digest));
  assert.ok(typeof d !== 'string');
  assert.equal(d.hashAlgorithm, 1);
  assert.equal(toHex(d.digest), toHex(digest));
});

test('leaf hash is SHA-256(0x00 ‖ entry)', () => {
  const expected = createHash('sha256').update(Uint8Array.of(0)).update(encodeLeafEntry(digest)).digest();
  assert.equal(toHex(leafHashOfDigest(digest)), expected.toString('hex'));
});

test('encode rejects digests that are not 32 bytes', () => {
  assert.throws(() => encodeLeafEntry(new Uint8Array(31)), RangeError);
  assert.throws(() => encodeLeafEntry(new Uint8Array(33)), RangeError);
});

test('decode rejects wrong length, version and algorithm with reasons', () => {
  const e = encodeLeafEntry(digest);
  assert.match(String(decodeLeafEntry(e.slice(0, 33))), /33 bytes, expected 34/);
  assert.match(String(decodeLeafEntry(new Uint8Array(0))), /0 bytes/);
  const v = e.slice();
  v[0] = 2;
  assert.match(String(decodeLeafEntry(v)), /version 2 is not supported/);
  const a = e.slice();
  a[1] = 0;
  assert.match(String(decodeLeafEntry(a)), /hash algorithm 0 is not supported/);
});
