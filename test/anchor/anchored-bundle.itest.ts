// A bundle whose anchor evidence comes from a (test double) Symbol node through the REST client verifies
// offline down to the block, in both forms: version 1 with the whole aggregate, version 2 with the block header the
// node's fields rebuild, the aggregate header and the record's share; any change to that evidence fails the
// "anchor" check.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { create } from '@bufbuild/protobuf';
import { createMemoryEd25519Signer } from '../../src/anchor/memory-ed25519-signer.ts';
import { createSymbolRestClient, type SymbolRestClient } from '../../src/anchor/symbol/rest-client.ts';
import { buildAnchorTransaction, signAnchorTransaction } from '../../src/anchor/transaction-builder.ts';
import { createNativeVerifier } from '../../src/crypto/native-verifier.ts';
import { AnchorSchema, MerklePathItemSchema, type ProofBundle } from '../../src/gen/spark/v1/bundle_pb.js';
import { encodeAnchorRecord } from '../../src/proof/anchor/anchor-record.ts';
import { buildAnchorShare } from '../../src/proof/anchor/anchor-share.ts';
import { type AnchorEvidence, compactAnchor } from '../../src/proof/bundle/anchor-message.ts';
import { encodeBundle } from '../../src/proof/bundle/codec.ts';
import { verifyBundle } from '../../src/proof/bundle/verify.ts';
import { toHex } from '../../src/proof/encoding/bytes.ts';
import { bundleOf, createTestKey, digestsOf, keyEntry, sealBatch, seedOf } from '../bundle/fixture.ts';
import { type SymbolTestNode, startSymbolTestNode } from '../fakes/symbol-node/symbol-test-node.ts';

const T0 = Date.parse('2026-06-01T00:00:00Z');
const verifier = createNativeVerifier();
let node: SymbolTestNode;
let client: SymbolRestClient;
let anchored: ProofBundle;
let compact: ProofBundle;
let nodeBlockHash: Uint8Array;
let otherBatchBundle: ProofBundle;

before(async () => {
  node = await startSymbolTestNode({ blockIntervalMs: 0, finalizationLagBlocks: 2 });
  client = createSymbolRestClient({ url: node.url, timeoutMs: 5000 });
  const key = createTestKey(seedOf(3), { impl: 'native' });
  const entry = keyEntry(key, { validFromMs: T0 - 1000 });
  const sealed = sealBatch({ key, digests: digestsOf(37), timeMs: BigInt(T0) });
  const other = sealBatch({ key, digests: digestsOf(5, 'other'), timeMs: BigInt(T0 + 1), sequence: 1n });
  const bundle = bundleOf(sealed, 11, [entry]);
  otherBatchBundle = bundleOf(other, 2, [entry]);

  const info = await client.nodeInfo();
  const signer = createMemoryEd25519Signer();
  const fees = await client.fees();
  const deadline = (await client.nodeTime()) + 2n * 3600n * 1000n;
  // Two anchors in the same block, so the block Merkle path is not empty.
  const [signed, neighbour] = await Promise.all(
    [sealed, other].map((s) =>
      signAnchorTransaction(
        buildAnchorTransaction({
          network: { identifier: info.networkIdentifier, generationHashSeed: info.generationHashSeed },
          signerPublicKey: signer.publicKey,
          records: [encodeAnchorRecord({ header: s.batch.header, signatures: s.batch.signatures })],
          aggregateVersion: 3,
          feeMultiplier: fees.median,
          deadline,
        }),
        signer,
      ),
    ),
  );
  assert.ok(signed && neighbour);
  await client.announce(signed.payload);
  await client.announce(neighbour.payload);
  await node.whenIdle();
  assert.equal((await client.transactionStatus(signed.hash))?.group, 'unconfirmed');
  for (let i = 0; i < 3; i++) node.produceBlock();
  const meta = await client.confirmed(signed.hash);
  assert.ok(meta, 'the anchor is confirmed');
  const block = await client.block(meta.height);
  const path = await client.merklePath(meta.height, meta.merkleComponentHash);
  assert.ok(path !== undefined && path.length > 0, 'two transactions in the block: a non-empty path');
  const chain = await client.chainInfo();
  bundle.anchor = create(AnchorSchema, {
    networkGenerationHashSeed: info.generationHashSeed,
    transactionHash: signed.hash,
    height: meta.height,
    blockTimestamp: block.timestamp,
    merkleComponentHash: meta.merkleComponentHash,
    merklePath: path.map((p) => create(MerklePathItemSchema, p)),
    transactionsHash: block.transactionsHash,
    finalizedHeight: chain.finalizedHeight,
    transaction: signed.payload,
  });
  anchored = bundle;
  // Version 2: the same evidence, the block header instead of the whole transaction.
  const evidence: AnchorEvidence = {
    generationHashSeed: info.generationHashSeed,
    transactionHash: signed.hash,
    height: meta.height,
    blockTimestamp: block.timestamp,
    merkleComponentHash: meta.merkleComponentHash,
    path,
    transactionsHash: block.transactionsHash,
    finalizedHeight: chain.finalizedHeight,
  };
  const share = buildAnchorShare(
    signed.payload,
    encodeAnchorRecord({ header: sealed.batch.header, signatures: sealed.batch.signatures }),
  );
  if (!share.ok) throw new Error(share.reason);
  compact = structuredClone(bundle);
  compact.version = 2;
  compact.anchor = compactAnchor(evidence, block.header, share.value);
  nodeBlockHash = block.hash;
});

after(async () => {
  await node?.close();
});

const anchorCheck = (b: ProofBundle) => {
  const report = verifyBundle(encodeBundle(b), { verifier });
  return { report, anchor: report.checks.find((c) => c.name === 'anchor') };
};

test('an anchored bundle verifies offline down to the block', () => {
  const { report, anchor } = anchorCheck(anchored);
  assert.equal(report.valid, true, JSON.stringify(report.checks.filter((c) => !c.ok)));
  assert.match(
    anchor?.detail ?? '',
    /anchored in Symbol transaction [0-9a-f]{64} on Symbol testnet, signed by account [0-9a-f]{64} \(network and account not pinned by this check: a trust root pins them, issuer check\); claimed height \d+, final/,
  );
});

test('a confirmed but not yet finalized anchor is valid and says so', () => {
  const b = structuredClone(anchored);
  if (b.anchor) b.anchor.finalizedHeight = b.anchor.height - 1n;
  const { report, anchor } = anchorCheck(b);
  assert.equal(report.valid, true);
  assert.match(anchor?.detail ?? '', /not yet final/);
});

/** Flips every bit of one byte, so the change can never be a no-op. */
function flipByte(bytes: Uint8Array | undefined, i: number): void {
  if (bytes === undefined || i >= bytes.length) throw new Error('nothing to corrupt');
  bytes[i] = (bytes[i] as number) ^ 0xff;
}

const corruptions: Array<[string, (b: ProofBundle) => void, RegExp]> = [
  [
    'a flipped transaction byte',
    (b) => b.anchor?.transaction.set([(b.anchor.transaction[200] ?? 0) ^ 1], 200),
    /anchor transaction/,
  ],
  [
    'another transaction hash',
    (b) => b.anchor?.transactionHash.set([(b.anchor.transactionHash[0] ?? 0) ^ 1], 0),
    /transaction hash/,
  ],
  [
    'another generation hash seed',
    (b) => flipByte(b.anchor?.networkGenerationHashSeed, 0),
    /anchor transaction/,
  ],
  ['a changed Merkle path', (b) => flipByte(b.anchor?.merklePath[0]?.hash, 0), /Merkle path/],
  ['another transactionsHash', (b) => flipByte(b.anchor?.transactionsHash, 31), /Merkle path/],
  [
    'an empty anchor',
    (b) => {
      b.anchor = create(AnchorSchema, {});
    },
    /empty/,
  ],
];

for (const [name, corrupt, reason] of corruptions) {
  test(`anchor check fails for ${name}`, () => {
    const b = structuredClone(anchored);
    corrupt(b);
    const { report, anchor } = anchorCheck(b);
    assert.equal(report.valid, false);
    assert.equal(anchor?.ok, false);
    assert.match(anchor?.detail ?? '', reason);
  });
}

test("another batch's bundle cannot borrow this anchor", () => {
  const b = structuredClone(otherBatchBundle);
  b.anchor = structuredClone(anchored.anchor);
  const { anchor } = anchorCheck(b);
  assert.equal(anchor?.ok, false);
  assert.match(
    anchor?.detail ?? '',
    /the bundle's record: chunk 0 of the record's \d+ is not in the aggregate/,
  );
});

test('version 2 from the node: the block header it serves binds height and time; the detail names its block hash', () => {
  const { report, anchor } = anchorCheck(compact);
  assert.equal(report.valid, true, JSON.stringify(report.checks.filter((c) => !c.ok)));
  assert.ok(encodeBundle(compact).length < encodeBundle(anchored).length);
  const detail = anchor?.detail ?? '';
  assert.ok(detail.includes(`in block ${toHex(nodeBlockHash)}`), detail);
  assert.match(detail, /signed by harvester [0-9a-f]{64}/);
  assert.match(detail, /on the Symbol chain and final is checked only with --symbol/);
});

const compactCorruptions: Array<[string, (b: ProofBundle) => void, RegExp]> = [
  ['a flipped block header signature byte', (b) => flipByte(b.anchor?.blockHeader, 40), /harvester/],
  [
    'another height',
    (b) => {
      if (b.anchor) b.anchor.height += 1n;
    },
    /block header height/,
  ],
  [
    'another block time',
    (b) => {
      if (b.anchor) b.anchor.blockTimestamp -= 1n;
    },
    /block header timestamp/,
  ],
  ['a flipped aggregate header byte', (b) => flipByte(b.anchor?.aggregateHeader, 130), /aggregate_header/],
  [
    'a changed record chunk path',
    (b) => flipByte(b.anchor?.recordChunks[0]?.path[0]?.hash, 1),
    /record_chunks\[0\]/,
  ],
  [
    'the whole transaction as well',
    (b) => {
      if (b.anchor) b.anchor.transaction = anchored.anchor?.transaction ?? new Uint8Array(0);
    },
    /anchor\.transaction/,
  ],
];

for (const [name, corrupt, reason] of compactCorruptions) {
  test(`version 2: the anchor check fails for ${name}`, () => {
    const b = structuredClone(compact);
    corrupt(b);
    const { report, anchor } = anchorCheck(b);
    assert.equal(report.valid, false);
    assert.equal(anchor?.ok, false);
    assert.match(anchor?.detail ?? '', reason);
  });
}
