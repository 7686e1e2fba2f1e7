// Publication record v1 ("P", docs/anchoring.md §Publication record): the test vector, round trips, every
// flipped byte refused or read differently, hostile and out-of-range fields named.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cidOf } from '../../src/ipfs/cid.ts';
import { AnchorError } from '../../src/proof/anchor/anchor-error.ts';
import {
  decodePublicationRecord,
  encodePublicationRecord,
  MAX_PUBLICATION_ENTRIES,
  type PublicationRecordFields,
} from '../../src/proof/anchor/publication-record.ts';
import { chunkRecord, reassembleRecords } from '../../src/proof/anchor/record-chunks.ts';
import { portableSha256 } from '../../src/proof/crypto/sha256.ts';
import { fromHex, toHex } from '../../src/proof/encoding/bytes.ts';
import { flip } from './fixture.ts';

const text = (s: string) => new TextEncoder().encode(s);
// The vector of docs/anchoring.md: batch 7, root 0x11…, the sealed bundles of leaves 0 and 3.
const VECTOR: PublicationRecordFields = {
  sequence: 7n,
  root: new Uint8Array(32).fill(0x11),
  entries: [
    { leafIndex: 0, cid: cidOf(text('spark bundle 0'), portableSha256) },
    { leafIndex: 3, cid: cidOf(text('spark bundle 3'), portableSha256) },
  ],
};
const VECTOR_HEX =
  'a553504b50010000000000000007' +
  '1111111111111111111111111111111111111111111111111111111111111111' +
  '0002' +
  '00000000' +
  '0155122020c224b95e0f9ebc3784c43eafdfd4374e99b6c3544444a17e7408da369a9a8f' +
  '00000003' +
  '015512206211c1f3893a0a76415f0287ecd09809284cd8cacab4254c72820d111602865e';

test('the documented vector encodes byte for byte and decodes back', () => {
  assert.equal(VECTOR.entries[0]?.cid, 'bafkreibayislsxqpt26dpbgeh2x57vbxj2m3nq2uirckc7tubdndngu2r4');
  const bytes = encodePublicationRecord(VECTOR);
  assert.equal(toHex(bytes), VECTOR_HEX);
  assert.equal(bytes.length, 48 + 40 * 2);
  const d = decodePublicationRecord(bytes);
  assert.ok(d.ok, d.ok ? '' : d.reason);
  assert.deepEqual(d.value, VECTOR);
});

test('a record travels in chunks and reassembles with its kind "P"', () => {
  const bytes = encodePublicationRecord(VECTOR);
  const { records, problems } = reassembleRecords(chunkRecord(bytes));
  assert.deepEqual(problems, []);
  assert.equal(records[0]?.kind, 0x50);
  assert.deepEqual(records[0]?.bytes, bytes);
});

test('every flipped byte is refused or read as other fields', () => {
  const bytes = fromHex(VECTOR_HEX) as Uint8Array;
  for (let i = 0; i < bytes.length; i++) {
    const changed = bytes.slice();
    flip(changed, i);
    const d = decodePublicationRecord(changed);
    if (d.ok) assert.notDeepEqual(d.value, VECTOR, `byte ${i}`);
  }
  assert.equal(decodePublicationRecord(bytes.subarray(0, bytes.length - 1)).ok, false, 'truncated');
  assert.equal(decodePublicationRecord(Uint8Array.of(...bytes, 0)).ok, false, 'trailing byte');
});

test('hostile records are refused with the field named', () => {
  const bytes = fromHex(VECTOR_HEX) as Uint8Array;
  const at = (i: number, v: number) => {
    const b = bytes.slice();
    b[i] = v;
    return decodePublicationRecord(b);
  };
  const reason = (d: ReturnType<typeof decodePublicationRecord>) => (d.ok ? 'accepted' : d.reason);
  assert.match(reason(at(4, 0x41)), /kind/);
  assert.match(reason(at(5, 2)), /version/);
  assert.match(reason(at(47, 0)), /entry count: 0/);
  assert.match(reason(at(48 + 4 + 1, 0x70)), /entries\[0\]\.cid: not a CIDv1 with the raw codec/);
  assert.match(reason(at(48 + 40 + 3, 0)), /entries\[1\]\.leafIndex/, 'indexes must increase');
});

test('the encoder refuses what the decoder would', () => {
  const bad = (f: Partial<PublicationRecordFields>, field: RegExp) =>
    assert.throws(
      () => encodePublicationRecord({ ...VECTOR, ...f }),
      (e: unknown) => e instanceof AnchorError && field.test(e.message),
    );
  bad({ entries: [] }, /^entries: count 0/);
  bad(
    {
      entries: Array.from({ length: MAX_PUBLICATION_ENTRIES + 1 }, (_, i) => ({
        leafIndex: i,
        cid: VECTOR.entries[0]?.cid ?? '',
      })),
    },
    /^entries: count 65/,
  );
  bad({ root: new Uint8Array(31) }, /^root/);
  bad({ sequence: -1n }, /^sequence/);
  bad({ entries: [{ leafIndex: 0, cid: 'bafkqaaa' }] }, /entries\[0\]\.cid: not a CIDv1 with the raw codec/);
  bad({ entries: [{ leafIndex: 0, cid: 'not a cid' }] }, /entries\[0\]\.cid: not a CID/);
  bad({ entries: [...VECTOR.entries].reverse() }, /entries\[1\]\.leafIndex/);
});

test('a publication CID has one spelling: lower-case base32; the same CID spelt otherwise is refused, naming it', async () => {
  const { canonicalCidProblem } = await import('../../src/proof/anchor/publication-record.ts');
  const { CID } = await import('multiformats/cid');
  const { base58btc } = await import('multiformats/bases/base58');
  const { base36 } = await import('multiformats/bases/base36');
  const cid = VECTOR.entries[0]?.cid as string;
  assert.equal(cid.length, 59);
  assert.equal(canonicalCidProblem(cid), undefined);
  for (const other of [
    cid.toUpperCase(),
    CID.parse(cid).toString(base58btc),
    CID.parse(cid).toString(base36),
    ` ${cid}`,
    `${cid}\n`,
  ]) {
    const problem = canonicalCidProblem(other);
    assert.ok(problem !== undefined, other);
    if (!/^\s|\s$/.test(other)) assert.match(problem, new RegExp(`the same CID is written ${cid}`), other);
  }
  assert.match(
    canonicalCidProblem(`${cid}=====`) ?? '',
    new RegExp(`the same CID is written ${cid}`),
    'padding',
  );
  // CIDv0 and a dag-pb CIDv1 name other kinds of content than a raw bundle.
  const digest = CID.parse(cid).multihash;
  const v0 = CID.createV0(digest as Parameters<typeof CID.createV0>[0]);
  assert.match(canonicalCidProblem(v0.toString()) ?? '', /not a CIDv1 with the raw codec/);
  assert.match(
    canonicalCidProblem(CID.createV1(0x70, digest).toString()) ?? '',
    /not a CIDv1 with the raw codec/,
  );
  assert.equal(canonicalCidProblem(''), 'not a CID');
});
