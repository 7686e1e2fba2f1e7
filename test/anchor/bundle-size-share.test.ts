// Bundle sizes (docs/PERFORMANCE.md §Bundle sizes): an anchored ML-DSA-65 bundle in version 2 stays within 12 KB
// whatever its aggregate holds (20 batches and the key's history here), a checkpoint adding its own share on top;
// version 1 grows with the aggregate. Every bundle measured verifies offline with every check ok.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { create } from '@bufbuild/protobuf';
import { nativeSha256 } from '../../src/crypto/native-sha256.ts';
import { createNativeVerifier } from '../../src/crypto/native-verifier.ts';
import { CheckpointSchema, type ProofBundle, SignatureSchema } from '../../src/gen/spark/v1/bundle_pb.js';
import { encodeAnchorRecord, encodeCheckpointRecord } from '../../src/proof/anchor/anchor-record.ts';
import { encodeCheckpoint, headerLog } from '../../src/proof/bundle/checkpoint.ts';
import { encodeBundle } from '../../src/proof/bundle/codec.ts';
import { verifyBundle } from '../../src/proof/bundle/verify.ts';
import { CHECKPOINT_SIGNATURE_CONTEXT } from '../../src/proof/crypto/contexts.ts';
import { bundleOf, createTestKey, keyEntry, type SealedBatch, sealChain, seedOf } from '../bundle/fixture.ts';
import { anchorIn, blockWith, keyHistoryOf, signedAggregate } from './share-fixture.ts';

/** The limit of an anchored ML-DSA-65 bundle in version 2, without a checkpoint. */
const LIMIT = 12_288;
const BATCHES = 20;
/** The proven batch holds this many leaves (a 10-element inclusion path); the others 4 each. */
const PROVEN = 7;
const LEAVES = 1_000;

const T0 = 1_767_225_600_000;
const key = createTestKey(seedOf(0x65), { impl: 'native' });
const entry = keyEntry(key, { validFromMs: T0 - 1_000 });
const chain = sealChain({
  key,
  count: BATCHES,
  tag: 'size',
  timeMs: BigInt(T0),
  size: (s) => (s === PROVEN ? LEAVES : 4),
});
const proven = chain[PROVEN] as SealedBatch;
const recordOf = (b: SealedBatch) =>
  encodeAnchorRecord({ header: b.batch.header, signatures: b.batch.signatures });
const provenRecord = recordOf(proven);

// The checkpoint over all 20 batches, anchored alone as the tracker does.
const log = headerLog(
  chain.map((b) => b.batch.headerHash),
  nativeSha256,
);
const body = encodeCheckpoint({
  version: 1,
  logId: proven.fields.logId,
  batchCount: BigInt(BATCHES),
  headerLogRoot: log.root,
  headHeaderHash: (chain[BATCHES - 1] as SealedBatch).batch.headerHash,
  timeMs: BigInt(T0 + 60_000),
  algorithmId: key.algorithmId,
  keyId: key.keyId,
});
const signatures = [
  { algorithmId: key.algorithmId, keyId: key.keyId, signature: key.sign(body, CHECKPOINT_SIGNATURE_CONTEXT) },
];
const checkpointRecord = encodeCheckpointRecord({ body, signatures });

const verifier = createNativeVerifier();

test(`an anchored ML-DSA-65 bundle in version 2 is at most ${LIMIT} bytes whatever the aggregate holds`, async () => {
  // The first aggregate of a key carries its history too (docs/anchoring.md §4): its metadata entry and its
  // public-key record (6 chunks with the self-signature), so 20 × 4 + 1 + 6 = 87 embedded transactions.
  const aggregates = {
    1: await signedAggregate({ records: [provenRecord], keyRecords: [keyHistoryOf(entry)] }),
    [BATCHES]: await signedAggregate({ records: chain.map(recordOf), keyRecords: [keyHistoryOf(entry)] }),
  } as const;
  const checkpointAggregate = await signedAggregate({ records: [checkpointRecord], deadline: 99_300_000n });
  const checkpointBlock = blockWith(checkpointAggregate.merkleComponentHash, {
    height: 2_000n,
    timestamp: 90_000_000n,
    others: 30,
    index: 17,
  });
  const sizes: Array<{ batches: number; version: 1 | 2; checkpoint: boolean; bytes: number }> = [];
  for (const batches of [1, BATCHES] as const) {
    const signed = aggregates[batches];
    // A busy block: the anchor among 30 other transactions (a 5-step block path).
    const block = blockWith(signed.merkleComponentHash, {
      height: 1_990n,
      timestamp: 89_000_000n,
      others: 30,
      index: 9,
    });
    for (const version of [1, 2] as const) {
      for (const checkpoint of [false, true]) {
        const b: ProofBundle = bundleOf(proven, 617, [entry]);
        b.version = version;
        b.anchor = anchorIn(version, signed, provenRecord, block);
        if (checkpoint) {
          b.checkpoint = create(CheckpointSchema, {
            sequence: BigInt(BATCHES - 1),
            headerHash: (chain[BATCHES - 1] as SealedBatch).batch.headerHash,
            batchCount: BigInt(BATCHES),
            body,
            signatures: signatures.map((s) => create(SignatureSchema, s)),
            anchor: anchorIn(version, checkpointAggregate, checkpointRecord, checkpointBlock),
            headerPath: log.path(PROVEN),
          });
        }
        const bytes = encodeBundle(b);
        const report = verifyBundle(bytes, { verifier });
        assert.ok(
          report.checks.every((c) => c.ok),
          `${batches} batches, v${version}: ${JSON.stringify(report.checks.filter((c) => !c.ok))}`,
        );
        sizes.push({ batches, version, checkpoint, bytes: bytes.length });
      }
    }
  }
  const size = (batches: number, version: number, checkpoint: boolean): number =>
    sizes.find((s) => s.batches === batches && s.version === version && s.checkpoint === checkpoint)?.bytes ??
    0;
  console.log('anchored ML-DSA-65 bundle sizes, bytes (tree of 1000 leaves, block of 31 transactions):');
  console.log('| aggregate | version 1 | version 2 | version 1 + checkpoint | version 2 + checkpoint |');
  for (const batches of [1, BATCHES]) {
    const row = [
      size(batches, 1, false),
      size(batches, 2, false),
      size(batches, 1, true),
      size(batches, 2, true),
    ];
    console.log(`| ${batches} batch${batches === 1 ? '' : 'es'} + key history | ${row.join(' | ')} |`);
  }
  assert.ok(size(BATCHES, 2, false) <= LIMIT, `${size(BATCHES, 2, false)} bytes`);
  assert.ok(size(1, 2, false) <= LIMIT);
  // The compact form grows only by a Merkle step per chunk when the aggregate fills up: 4 chunks × 4 more steps.
  assert.ok(size(BATCHES, 2, false) - size(1, 2, false) <= 4 * 4 * 40);
  // The checkpoint adds its body, its signature and its own compact anchor, not another aggregate.
  assert.ok(size(BATCHES, 2, true) - size(BATCHES, 2, false) <= 152 + 3_309 + 1_700);
  assert.ok(size(BATCHES, 1, false) > 8 * size(BATCHES, 2, false));
});
