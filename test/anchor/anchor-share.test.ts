// The anchor share (src/proof/anchor/anchor-share.ts): built from our own aggregate, verified with the aggregate header
// alone. Paths against symbol-sdk, the transaction hash against the builder's, every refusal naming its field,
// and hostile inputs that never throw.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sha3_256 } from '@noble/hashes/sha3.js';
import { Hash256 } from 'symbol-sdk';
import { proveMerkle } from 'symbol-sdk/symbol';
import { nativeSha256 } from '../../src/crypto/native-sha256.ts';
import { encodeAnchorRecord, encodeCheckpointRecord } from '../../src/proof/anchor/anchor-record.ts';
import {
  aggregateHeaderHash,
  buildAnchorShare,
  parseAggregateHeader,
  symbolMerklePath,
  verifyAnchorShare,
} from '../../src/proof/anchor/anchor-share.ts';
import { encodeSelfTransfer } from '../../src/proof/anchor/embedded-transfer.ts';
import { createNobleEd25519Verifier } from '../../src/proof/anchor/noble-ed25519-verifier.ts';
import { encodePublicationRecord } from '../../src/proof/anchor/publication-record.ts';
import { chunkRecord } from '../../src/proof/anchor/record-chunks.ts';
import { symbolMerkleRoot, verifyBlockMerklePath } from '../../src/proof/anchor/symbol-merkle.ts';
import { encodeCheckpoint, headerLog } from '../../src/proof/bundle/checkpoint.ts';
import { CHECKPOINT_SIGNATURE_CONTEXT } from '../../src/proof/crypto/contexts.ts';
import { createTestKey, digestsOf, keyEntry, sealBatch, seedOf } from '../bundle/fixture.ts';
import { createPrng } from '../merkle/prng.ts';
import { keyHistoryOf, SHARE_NETWORK, signedAggregate } from './share-fixture.ts';

const ed25519 = createNobleEd25519Verifier();
const seed = SHARE_NETWORK.generationHashSeed;
const key = createTestKey(seedOf(0x51), { impl: 'native' });
const batches = [0n, 1n, 2n].map((sequence) =>
  sealBatch({
    key,
    digests: digestsOf(3, `share${sequence}`),
    timeMs: 1_760_000_000_000n + sequence,
    sequence,
  }),
);
const records = batches.map((s) =>
  encodeAnchorRecord({ header: s.batch.header, signatures: s.batch.signatures }),
);
const history = keyHistoryOf(keyEntry(key, { validFromMs: 1_700_000_000_000 }));
const target = batches[1];
const targetRecord = records[1] as Uint8Array;
const publication = encodePublicationRecord({
  sequence: target?.fields.sequence ?? 0n,
  root: target?.fields.root ?? new Uint8Array(32),
  entries: [{ leafIndex: 0, cid: 'bafkreibayislsxqpt26dpbgeh2x57vbxj2m3nq2uirckc7tubdndngu2r4' }],
});

const aggregate = (version: 2 | 3 = 3, extra: Uint8Array[] = []) =>
  signedAggregate({
    records: [...records, ...extra],
    keyRecords: [history],
    aggregateVersion: version,
  });

test('symbolMerklePath gives the path symbol-sdk proves, for every leaf of trees of 1..33 leaves', () => {
  const prng = createPrng(31);
  for (let n = 1; n <= 33; n++) {
    const leaves = Array.from({ length: n }, () => prng.bytes(32));
    const root = symbolMerkleRoot(leaves);
    for (let i = 0; i < n; i++) {
      const path = symbolMerklePath(leaves, i);
      const leaf = leaves[i] as Uint8Array;
      assert.equal(verifyBlockMerklePath(leaf, path, root), true, `n=${n} i=${i}`);
      const sdkPath = path.map((p) => ({ hash: new Hash256(p.hash), isLeft: p.left }));
      assert.equal(proveMerkle(new Hash256(leaf), sdkPath, new Hash256(root)), true);
      assert.equal(path.length, n === 1 ? 0 : Math.ceil(Math.log2(n)));
    }
  }
  assert.throws(() => symbolMerklePath([new Uint8Array(32)], 1), RangeError);
});

for (const version of [2, 3] as const) {
  test(`v${version}: the share of a batch record verifies, and its hash is the aggregate's`, async () => {
    const signed = await aggregate(version);
    const share = buildAnchorShare(signed.payload, targetRecord);
    assert.ok(share.ok, share.ok ? '' : share.reason);
    assert.deepEqual(share.value.aggregateHeader, signed.payload.subarray(0, 168));
    assert.equal(share.value.recordChunks.length, chunkRecord(targetRecord).length);
    assert.equal(share.value.publicationChunks.length, 0);
    const header = parseAggregateHeader(share.value.aggregateHeader);
    assert.ok(header.ok, header.ok ? '' : header.reason);
    assert.equal(header.value.version, version);
    assert.equal(header.value.payloadSize, signed.payload.length - 168);
    assert.deepEqual(aggregateHeaderHash(header.value, seed), signed.hash);
    const v = verifyAnchorShare({
      aggregateHeader: share.value.aggregateHeader,
      generationHashSeed: seed,
      ed25519,
      record: targetRecord,
      recordChunks: share.value.recordChunks,
    });
    assert.ok(v.ok, v.ok ? '' : v.reason);
    assert.deepEqual(v.value.transactionHash, signed.hash);
    assert.equal(v.value.publication, undefined);
  });
}

test('a checkpoint record and a publication record: both shares verify; the publication decodes', async () => {
  const hashes = batches.map((b) => b.batch.headerHash);
  const body = encodeCheckpoint({
    version: 1,
    logId: target?.fields.logId ?? new Uint8Array(32),
    batchCount: 3n,
    headerLogRoot: headerLog(hashes, nativeSha256).root,
    headHeaderHash: hashes[2] as Uint8Array,
    timeMs: 1_760_000_000_100n,
    algorithmId: key.algorithmId,
    keyId: key.keyId,
  });
  const checkpoint = encodeCheckpointRecord({
    body,
    signatures: [
      {
        algorithmId: key.algorithmId,
        keyId: key.keyId,
        signature: key.sign(body, CHECKPOINT_SIGNATURE_CONTEXT),
      },
    ],
  });
  const signed = await aggregate(3, [checkpoint, publication]);
  const cp = buildAnchorShare(signed.payload, checkpoint);
  assert.ok(cp.ok, cp.ok ? '' : cp.reason);
  const v = verifyAnchorShare({
    aggregateHeader: cp.value.aggregateHeader,
    generationHashSeed: seed,
    ed25519,
    record: checkpoint,
    recordChunks: cp.value.recordChunks,
  });
  assert.ok(v.ok, v.ok ? '' : v.reason);
  const withPublication = buildAnchorShare(signed.payload, targetRecord, { publication: true });
  assert.ok(withPublication.ok, withPublication.ok ? '' : withPublication.reason);
  const chunks = withPublication.value.publicationChunks;
  assert.equal(chunks.length, chunkRecord(publication).length);
  const p = verifyAnchorShare({
    aggregateHeader: withPublication.value.aggregateHeader,
    generationHashSeed: seed,
    ed25519,
    record: targetRecord,
    recordChunks: withPublication.value.recordChunks,
    publicationChunks: chunks,
  });
  assert.ok(p.ok, p.ok ? '' : p.reason);
  assert.equal(p.value.publication?.sequence, target?.fields.sequence);
  assert.equal(
    p.value.publication?.entries[0]?.cid,
    'bafkreibayislsxqpt26dpbgeh2x57vbxj2m3nq2uirckc7tubdndngu2r4',
  );
  // Another batch has no publication record in this aggregate.
  const none = buildAnchorShare(signed.payload, records[0] as Uint8Array, { publication: true });
  assert.equal(none.ok, false);
  if (!none.ok) assert.match(none.reason, /no publication record of this batch/);
});

test('the builder refuses what is not in the aggregate, and bytes that are not an aggregate', async () => {
  const signed = await aggregate();
  const stranger = sealBatch({ key, digests: digestsOf(2, 'stranger'), timeMs: 1n, sequence: 9n });
  const cases: Array<[Uint8Array, Uint8Array, RegExp]> = [
    [
      signed.payload,
      encodeAnchorRecord({ header: stranger.batch.header, signatures: stranger.batch.signatures }),
      /record chunk 0/,
    ],
    [signed.payload, new Uint8Array(3), /record:/],
    [signed.payload.subarray(0, 300), targetRecord, /^aggregate:/],
    [new Uint8Array(0), targetRecord, /^aggregate:/],
  ];
  for (const [payload, record, reason] of cases) {
    const r = buildAnchorShare(payload, record);
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.reason, reason);
  }
});

test('verifyAnchorShare refuses each kind of bad share, naming the field', async () => {
  const signed = await aggregate(3, [publication]);
  const built = buildAnchorShare(signed.payload, targetRecord, { publication: true });
  if (!built.ok) throw new Error(built.reason);
  const good = {
    aggregateHeader: built.value.aggregateHeader,
    generationHashSeed: seed,
    ed25519,
    record: targetRecord,
    recordChunks: built.value.recordChunks,
    publicationChunks: built.value.publicationChunks,
  };
  const at = (bytes: Uint8Array, i: number, value: number): Uint8Array => {
    const out = bytes.slice();
    out[i] = value;
    return out;
  };
  const h = good.aggregateHeader;
  const flippedPath = good.recordChunks.map((p, i) =>
    i === 2 ? p.map((s, k) => (k === 0 ? { ...s, hash: at(s.hash, 0, (s.hash[0] ?? 0) ^ 1) } : s)) : p,
  );
  // The same header with another signature (one bit): what a bundle carrying other signatures rebuilds.
  const otherSignature = encodeAnchorRecord({
    header: target?.batch.header ?? new Uint8Array(0),
    signatures: (target?.batch.signatures ?? []).map((s) => ({
      ...s,
      signature: at(s.signature, 9, (s.signature[9] ?? 0) ^ 1),
    })),
  });
  const pubTx = good.publicationChunks[0]?.transaction ?? new Uint8Array(0);
  const cases: Array<[string, Partial<typeof good>, RegExp]> = [
    [
      'a short header',
      { aggregateHeader: h.subarray(0, 167) },
      /aggregate_header: aggregate header: 167 bytes/,
    ],
    [
      'a size that is not 168 + payload',
      { aggregateHeader: at(h, 0, (h[0] ?? 0) ^ 8) },
      /aggregate header size/,
    ],
    ['a reserved byte', { aggregateHeader: at(h, 5, 1) }, /aggregate header reserved/],
    ['the other reserved word', { aggregateHeader: at(h, 165, 1) }, /aggregate header reserved/],
    ['another type', { aggregateHeader: at(h, 110, 0x42) }, /aggregate header type/],
    ['version 1', { aggregateHeader: at(h, 108, 1) }, /aggregate header version/],
    [
      'a flipped signature',
      { aggregateHeader: at(h, 20, (h[20] ?? 0) ^ 1) },
      /Ed25519 signature .* does not verify/,
    ],
    ['a flipped fee', { aggregateHeader: at(h, 112, (h[112] ?? 0) ^ 1) }, /does not verify/],
    ['another transactionsHash', { aggregateHeader: at(h, 140, (h[140] ?? 0) ^ 1) }, /does not verify/],
    ['another seed', { generationHashSeed: new Uint8Array(32) }, /does not verify/],
    ['a short seed', { generationHashSeed: new Uint8Array(31) }, /network_generation_hash_seed/],
    ['a chunk path changed', { recordChunks: flippedPath }, /record_chunks\[2\]/],
    [
      'a chunk missing',
      { recordChunks: good.recordChunks.slice(1) },
      /record_chunks: 3 entries, the record has 4/,
    ],
    ['another signature', { record: otherSignature }, /record_chunks\[0\]/],
    ['not a record', { record: new Uint8Array(2) }, /^record:/],
    [
      'a publication transfer changed',
      {
        publicationChunks: [
          { transaction: at(pubTx, 100, (pubTx[100] ?? 0) ^ 1), path: good.publicationChunks[0]?.path ?? [] },
        ],
      },
      /publication_chunks\[0\]: path/,
    ],
    [
      'a publication transfer that does not parse',
      { publicationChunks: [{ transaction: pubTx.subarray(0, 60), path: [] }] },
      /publication_chunks\[0\]: transfer/,
    ],
    [
      'a record chunk given as a publication chunk',
      {
        publicationChunks: [
          {
            transaction: encodeSelfTransfer(
              h.subarray(72, 104),
              0x98,
              chunkRecord(targetRecord)[0] as Uint8Array,
            ),
            path: good.recordChunks[0] ?? [],
          },
        ],
      },
      /not a chunk of a publication record/,
    ],
    [
      'a publication chunk twice',
      { publicationChunks: [...good.publicationChunks, ...good.publicationChunks] },
      /publication_chunks: not each chunk/,
    ],
  ];
  for (const [name, change, reason] of cases) {
    const r = verifyAnchorShare({ ...good, ...change });
    assert.equal(r.ok, false, name);
    if (!r.ok) assert.match(r.reason, reason, name);
  }
  assert.equal(verifyAnchorShare(good).ok, true);
});

test('hostile shares never throw: random header bytes, paths and publication transfers', async () => {
  const signed = await aggregate(3, [publication]);
  const built = buildAnchorShare(signed.payload, targetRecord, { publication: true });
  if (!built.ok) throw new Error(built.reason);
  const prng = createPrng(32);
  const mutate = (b: Uint8Array): Uint8Array => {
    const out = b.slice(0, prng.below(4) === 0 ? prng.below(b.length + 1) : b.length);
    for (let k = 0; k < 1 + prng.below(3); k++)
      if (out.length > 0) out[prng.below(out.length)] = prng.below(256);
    return out;
  };
  let refused = 0;
  for (let i = 0; i < 1500; i++) {
    const r = verifyAnchorShare({
      aggregateHeader:
        prng.below(2) === 0 ? mutate(built.value.aggregateHeader) : built.value.aggregateHeader,
      generationHashSeed: seed,
      ed25519,
      record: prng.below(5) === 0 ? mutate(targetRecord) : targetRecord,
      recordChunks: built.value.recordChunks.map((p) =>
        prng.below(4) === 0 ? p.map((s) => ({ left: prng.below(2) === 0, hash: mutate(s.hash) })) : p,
      ),
      publicationChunks: built.value.publicationChunks.map((c) => ({
        transaction: prng.below(3) === 0 ? mutate(c.transaction) : c.transaction,
        path: c.path,
      })),
    });
    if (!r.ok) refused++;
  }
  assert.ok(refused > 1000, `${refused} refused`);
  for (const junk of [undefined, null, 'x', 7, {}, new Uint8Array(168)]) {
    assert.doesNotThrow(() =>
      verifyAnchorShare({
        aggregateHeader: junk as never,
        generationHashSeed: junk as never,
        ed25519,
        record: junk as never,
        recordChunks: [[{ left: true, hash: junk as never }]],
        publicationChunks: [{ transaction: junk as never, path: junk as never }],
      }),
    );
    assert.doesNotThrow(() => buildAnchorShare(junk as never, junk as never));
    assert.equal(parseAggregateHeader(junk as never).ok, false);
  }
  assert.equal(sha3_256(new Uint8Array(0)).length, 32);
});
