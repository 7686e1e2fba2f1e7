// Leaf entries: v1 0x01 ‖ 0x01 (SHA-256) ‖ digest; v2 adds the 79-byte source reference; and their leaf hashes;
// the language-neutral vectors of test/vectors/leaf-entries.json (docs/proof-format.md §2.1).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  decodeLeafEntry,
  encodeLeafEntry,
  LEAF_ENTRY_LENGTH,
  leafHashOfDigest,
} from '../../src/proof/bundle/leaf.ts';
import {
  decodeSource,
  describeSource,
  displayTxHash,
  encodeSource,
  SOURCE_LENGTH,
  type SourceReference,
} from '../../src/proof/bundle/source-reference.ts';
import { fromHex, toHex } from '../../src/proof/encoding/bytes.ts';

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
  assert.match(String(decodeLeafEntry(v)), /34 bytes, expected 113 for version 2/);
  v[0] = 3;
  assert.match(String(decodeLeafEntry(v)), /version 3 is not supported/);
  const a = e.slice();
  a[1] = 0;
  assert.match(String(decodeLeafEntry(a)), /hash algorithm 0 is not supported/);
});

test('version 2 binds a source reference: round trip, every field checked, and it changes the leaf hash', () => {
  const source: SourceReference = {
    kind: 'jpyc',
    chain: 'polygon',
    txHash: new Uint8Array(32).fill(0xab),
    logIndex: 7,
    block: { number: 123_456n, hash: new Uint8Array(32).fill(0xcd) },
  };
  const bytes = encodeSource(source);
  assert.equal(bytes.length, SOURCE_LENGTH);
  const e = encodeLeafEntry(digest, bytes);
  assert.equal(e.length, 113);
  assert.equal(e[0], 2);
  assert.deepEqual(decodeLeafEntry(e), { hashAlgorithm: 1, digest: Uint8Array.from(digest), source });
  assert.notDeepEqual(leafHashOfDigest(digest, undefined, bytes), leafHashOfDigest(digest));
  const formOnly = encodeSource({ ...source, block: undefined });
  assert.deepEqual(decodeSource(formOnly), {
    kind: 'jpyc',
    chain: 'polygon',
    txHash: source.txHash,
    logIndex: 7,
  });
  const bad = (at: number, value: number) => {
    const b = bytes.slice();
    b[at] = value;
    return String(decodeSource(b));
  };
  assert.match(bad(0, 9), /source kind 9 is unknown/);
  assert.match(bad(1, 0), /source chain 0 is not valid for jpyc/);
  assert.match(bad(38, 2), /checked flag 2/);
  const unchecked = formOnly.slice();
  unchecked[50] = 1;
  assert.match(String(decodeSource(unchecked)), /an unchecked reference carries no block/);
  const btc = encodeSource({
    kind: 'bitcoin',
    chain: 'none',
    txHash: new Uint8Array(32).fill(1),
    logIndex: 0,
  });
  btc[37] = 1;
  assert.match(String(decodeSource(btc)), /a bitcoin reference has no log index/);
  assert.equal(
    describeSource(source),
    `JPYC transfer on polygon 0x${'ab'.repeat(32)} log 7, in block 123456 (0x${'cd'.repeat(32)})`,
  );
  assert.equal(
    displayTxHash({ kind: 'bitcoin', txHash: Uint8Array.of(...new Array(31).fill(0), 1) }),
    `01${'00'.repeat(31)}`,
  );
});

interface SourceVector {
  kind: SourceReference['kind'];
  chain: SourceReference['chain'];
  txHash: string;
  logIndex: number;
  block?: { number: string; hash: string };
}
const VECTORS = JSON.parse(
  readFileSync(new URL('../vectors/leaf-entries.json', import.meta.url), 'utf8'),
) as {
  valid: Array<{
    description: string;
    digest: string;
    source: SourceVector | null;
    entry: string;
    leafHash: string;
  }>;
  invalid: Array<{ description: string; entry: string; reason: string }>;
};
const bytesOf = (hex: string): Uint8Array => {
  const b = fromHex(hex.replace(/^0x/, ''));
  if (b === undefined) throw new Error(`not hex: ${hex}`);
  return b;
};
/** Hashes as the vectors write them: Bitcoin's displayed byte-reversed (docs/proof-format.md §2.1). */
const hashBytes = (kind: string, text: string): Uint8Array =>
  kind === 'bitcoin' ? bytesOf(text).reverse() : bytesOf(text);

for (const v of VECTORS.valid) {
  test(`vector: ${v.description}`, () => {
    const s = v.source;
    const ref: SourceReference | undefined =
      s === null
        ? undefined
        : {
            kind: s.kind,
            chain: s.chain,
            txHash: hashBytes(s.kind, s.txHash),
            logIndex: s.logIndex,
            ...(s.block === undefined
              ? {}
              : { block: { number: BigInt(s.block.number), hash: hashBytes(s.kind, s.block.hash) } }),
          };
    const source = ref === undefined ? undefined : encodeSource(ref);
    assert.equal(toHex(encodeLeafEntry(bytesOf(v.digest), source)), v.entry);
    assert.equal(toHex(leafHashOfDigest(bytesOf(v.digest), undefined, source)), v.leafHash);
    assert.equal(
      createHash('sha256').update(Uint8Array.of(0)).update(bytesOf(v.entry)).digest('hex'),
      v.leafHash,
    );
    const decoded = decodeLeafEntry(bytesOf(v.entry));
    assert.ok(typeof decoded !== 'string', String(decoded));
    assert.equal(toHex(decoded.digest), v.digest);
    assert.deepEqual(decoded.source, ref);
  });
}

for (const v of VECTORS.invalid) {
  test(`invalid vector: ${v.description}`, () => {
    const decoded = decodeLeafEntry(bytesOf(v.entry));
    assert.equal(typeof decoded, 'string');
    assert.ok(String(decoded).includes(v.reason), String(decoded));
  });
}

test('every byte of a version-2 entry matters: a flip is refused, or decodes to another entry that re-encodes to it', () => {
  const entry = bytesOf(VECTORS.valid[2]?.entry ?? '');
  assert.equal(entry.length, 113);
  const original = decodeLeafEntry(entry);
  let refused = 0;
  for (let i = 0; i < entry.length; i++) {
    const m = entry.slice();
    m[i] = (m[i] as number) ^ 0x01;
    const d = decodeLeafEntry(m);
    if (typeof d === 'string') {
      refused++;
      continue;
    }
    assert.notDeepEqual(d, original, `byte ${i}`);
    const again = encodeLeafEntry(d.digest, d.source === undefined ? undefined : encodeSource(d.source));
    assert.equal(toHex(again), toHex(m), `byte ${i} re-encodes canonically`);
  }
  assert.ok(refused >= 5, `${refused} flips refused`);
});
