// Checks 1 and 2 as docs/proof-format.md §8 splits them: the conditions it lists under `decode` fail decode, those
// under `canonical` decode and fail canonical, and the "either" ones are reported where the reference says; every
// one is INVALID. Each input is a valid bundle with a few bytes added or replaced at its start or its end.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { createNativeVerifier } from '../../src/crypto/native-verifier.ts';
import { verifyBundle } from '../../src/proof/bundle/verify.ts';

const valid = new Uint8Array(readFileSync(new URL('../vectors/bundles/valid-size1.spark', import.meta.url)));
const rest = valid.subarray(2); // everything after `version = 1` (08 01)
const at = (...parts: ArrayLike<number>[]): Uint8Array =>
  Uint8Array.from(parts.flatMap((p) => Array.from(p)));
const verifier = createNativeVerifier();

function firstFailure(bytes: Uint8Array): string | undefined {
  const r = verifyBundle(bytes, { verifier });
  assert.equal(
    r.valid,
    r.checks.every((c) => c.ok),
  );
  return r.checks.find((c) => !c.ok)?.name;
}

test('the valid bundle opens with version = 1 and passes both checks', () => {
  assert.deepEqual([...valid.subarray(0, 2)], [0x08, 0x01]);
  assert.equal(firstFailure(valid), undefined);
});

test('decode (normative): empty, oversized, and bytes that are not well-formed protobuf records', () => {
  const cases: Array<[string, Uint8Array]> = [
    ['empty', new Uint8Array(0)],
    ['more than 4 MiB', at(valid, new Uint8Array(4 * 1024 * 1024))],
    ['an 11-byte varint', at([0x08, 0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00], rest)],
    ['a varint running past the end', at(valid, [0x08, 0x81])],
    ['field number 0', at(valid, [0x00, 0x01])],
    ['wire type 6', at(valid, [0x0e])],
    ['wire type 7', at(valid, [0x0f])],
    ['a length past the end', at(valid, [0xa2, 0x06, 0x05, 0x01])],
    ['an end-group without its start', at(valid, [0xa4, 0x06])],
    ['truncated in a field', valid.subarray(0, valid.length - 7)],
  ];
  for (const [name, bytes] of cases) assert.equal(firstFailure(bytes), 'decode', name);
});

test('canonical (normative): well-formed, decodes, but not the re-encoding', () => {
  const cases: Array<[string, Uint8Array]> = [
    ['an unknown field (varint)', at(valid, [0xf8, 0x06, 0x01])],
    ['an unknown field (length-delimited, empty)', at(valid, [0xa2, 0x06, 0x00])],
    ['fields out of order (version last)', at(rest, [0x08, 0x01])],
    ['version written twice', at([0x08, 0x01], valid)],
    ['a default value written out', at([0x08, 0x00], valid)],
    ['a varint not in its shortest form', at([0x08, 0x81, 0x00], rest)],
  ];
  for (const [name, bytes] of cases) assert.equal(firstFailure(bytes), 'canonical', name);
});

test('either (informative): the reference reports what @bufbuild/protobuf does, as the document says', () => {
  const cases: Array<[string, Uint8Array, string]> = [
    ['a known field with another wire type (version as bytes)', at([0x0a, 0x01, 0x01], rest), 'decode'],
    [
      'a string field that is not UTF-8 (publication.ipfs_cid)',
      at(valid, [0x52, 0x03, 0x0a, 0x01, 0xff]),
      'decode',
    ],
    ['a group of an unknown field', at(valid, [0xa3, 0x06, 0xa4, 0x06]), 'canonical'],
    ['a uint32 varint of 2^32 + 1', at([0x08, 0x81, 0x80, 0x80, 0x80, 0x10], rest), 'canonical'],
  ];
  for (const [name, bytes, where] of cases) assert.equal(firstFailure(bytes), where, name);
});
