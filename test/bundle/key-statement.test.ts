// Key statement v1: the 81 bytes a key self-signs and its predecessor endorses (docs/proof-format.md §Key statement).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  encodeKeyStatement,
  KEY_STATEMENT_LENGTH,
  type KeyStatement,
  PROTECTION_CODES,
} from '../../src/proof/bundle/key-statement.ts';
import { toHex } from '../../src/proof/encoding/bytes.ts';

const S: KeyStatement = {
  algorithmId: 0x0002,
  keyId: new Uint8Array(32).fill(0x11),
  validFromMs: 0x0102030405060708n,
  previousKeyId: new Uint8Array(32).fill(0x22),
  protection: 'hsm',
};

test('encodes 81 bytes at the documented offsets', () => {
  const b = encodeKeyStatement(S);
  assert.equal(b.length, KEY_STATEMENT_LENGTH);
  assert.equal(KEY_STATEMENT_LENGTH, 81);
  const hex = (from: number, to: number) => toHex(b.subarray(from, to));
  assert.equal(hex(0, 4), '53504b4b'); // "SPKK"
  assert.equal(hex(4, 6), '0001');
  assert.equal(hex(6, 8), '0002');
  assert.equal(hex(8, 40), '11'.repeat(32));
  assert.equal(hex(40, 48), '0102030405060708');
  assert.equal(hex(48, 80), '22'.repeat(32));
  assert.equal(b[80], 3);
});

test('a first key (no predecessor) has 32 zero bytes at 48..80', () => {
  const b = encodeKeyStatement({ ...S, previousKeyId: new Uint8Array(0) });
  assert.equal(b.length, 81);
  assert.ok(b.subarray(48, 80).every((x) => x === 0));
});

test('protection codes are memory 1, file 2, hsm 3, remote 4', () => {
  assert.deepEqual({ ...PROTECTION_CODES }, { memory: 1, file: 2, hsm: 3, remote: 4 });
  for (const [name, code] of Object.entries(PROTECTION_CODES)) {
    assert.equal(encodeKeyStatement({ ...S, protection: name })[80], code);
  }
});

test('every field changes the bytes', () => {
  const base = toHex(encodeKeyStatement(S));
  const variants: KeyStatement[] = [
    { ...S, algorithmId: 3 },
    { ...S, keyId: new Uint8Array(32).fill(0x12) },
    { ...S, validFromMs: S.validFromMs + 1n },
    { ...S, previousKeyId: new Uint8Array(0) },
    { ...S, protection: 'memory' },
  ];
  for (const v of variants) assert.notEqual(toHex(encodeKeyStatement(v)), base);
});

test('rejects bad fields', () => {
  assert.throws(() => encodeKeyStatement({ ...S, protection: 'cloud' }), /protection/);
  assert.throws(() => encodeKeyStatement({ ...S, protection: 'toString' }), /protection/);
  assert.throws(() => encodeKeyStatement({ ...S, keyId: new Uint8Array(31) }), /keyId/);
  assert.throws(() => encodeKeyStatement({ ...S, previousKeyId: new Uint8Array(31) }), /previousKeyId/);
  assert.throws(() => encodeKeyStatement({ ...S, algorithmId: -1 }), /algorithmId/);
  assert.throws(() => encodeKeyStatement({ ...S, validFromMs: 1n << 64n }), /validFromMs/);
  assert.throws(() => encodeKeyStatement({ ...S, validFromMs: -1n }), /validFromMs/);
});
