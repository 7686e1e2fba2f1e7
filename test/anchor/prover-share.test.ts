// The prover's anchors (src/batch/prover.ts): compact (bundle version 2) when the stored evidence has the block
// header, whole transactions (version 1) when any anchor's evidence predates block headers, none when sealed only;
// every bundle it makes verifies with every check ok.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BatchAnchor, OutboxEntry, StoredCheckpoint } from '../../src/anchor/anchor-state.ts';
import type { AnchorTracker } from '../../src/anchor/symbol/anchor-tracker.ts';
import type { SignedAnchorTransaction } from '../../src/anchor/transaction-builder.ts';
import { createProver } from '../../src/batch/prover.ts';
import { nativeSha256 } from '../../src/crypto/native-sha256.ts';
import { createNativeVerifier } from '../../src/crypto/native-verifier.ts';
import type { ProofBundle } from '../../src/gen/spark/v1/bundle_pb.js';
import { cidOf } from '../../src/ipfs/cid.ts';
import { encodeAnchorRecord, encodeCheckpointRecord } from '../../src/proof/anchor/anchor-record.ts';
import { encodePublicationRecord } from '../../src/proof/anchor/publication-record.ts';
import { encodeCheckpoint, headerLog } from '../../src/proof/bundle/checkpoint.ts';
import { encodeBundle } from '../../src/proof/bundle/codec.ts';
import { encodeLeafEntry } from '../../src/proof/bundle/leaf.ts';
import { verifyBundle } from '../../src/proof/bundle/verify.ts';
import { CHECKPOINT_SIGNATURE_CONTEXT } from '../../src/proof/crypto/contexts.ts';
import { toHex } from '../../src/proof/encoding/bytes.ts';
import { hashLeaf } from '../../src/proof/merkle/hash.ts';
import { levelReader } from '../../src/proof/merkle/tree.ts';
import type { LeafRecord, Store } from '../../src/store/store.ts';
import { bundleOf, createTestKey, keyEntry, type SealedBatch, sealChain, seedOf } from '../bundle/fixture.ts';
import { blockWith, keyHistoryOf, SHARE_NETWORK, signedAggregate, type TestBlock } from './share-fixture.ts';

const T0 = 1_760_000_000_000;
const key = createTestKey(seedOf(0x71), { impl: 'native' });
const entry = keyEntry(key, { validFromMs: T0 - 1000 });
const batches = sealChain({ key, count: 3, tag: 'prover', timeMs: BigInt(T0), size: (s) => 3 + s });
const [b0, b1, b2] = batches as [SealedBatch, SealedBatch, SealedBatch];
const recordOf = (b: SealedBatch) =>
  encodeAnchorRecord({ header: b.batch.header, signatures: b.batch.signatures });

/** A store holding the three batches, their trees and the key. */
function storeOf(): Store {
  const leaves = new Map<string, LeafRecord>();
  for (const b of batches) {
    b.digests.forEach((digest, index) => {
      const leafHash = hashLeaf(encodeLeafEntry(digest), nativeSha256);
      leaves.set(toHex(leafHash), {
        leafHash,
        digest,
        requestId: '',
        immediate: false,
        acceptedAtMs: T0,
        position: { sequence: b.batch.sequence, index },
      });
    });
  }
  return {
    getLeaf: (h: Uint8Array) => leaves.get(toHex(h)),
    getBatch: (s: bigint) => batches[Number(s)]?.batch,
    readNode: (s: bigint, level: number, index: number) =>
      levelReader((batches[Number(s)] as SealedBatch).levels)(level, index),
    keyHistory: () => [entry],
  } as unknown as Store;
}

const leafOf = (b: SealedBatch, i: number) =>
  hashLeaf(encodeLeafEntry(b.digests[i] as Uint8Array), nativeSha256);

/** A confirmed state of `signed` in `block`; with `headers` false, evidence stored before block headers were kept. */
function confirmed(
  sequence: bigint,
  signed: SignedAnchorTransaction,
  block: TestBlock,
  headers: boolean,
): BatchAnchor {
  return {
    sequence,
    status: 'FINALIZED',
    immediate: false,
    txHash: signed.hash,
    attempts: 1,
    lastFailure: undefined,
    confirmed: {
      txHash: signed.hash,
      height: block.height,
      blockTimestamp: block.timestamp,
      merkleComponentHash: signed.merkleComponentHash,
      path: block.path,
      transactionsHash: block.transactionsHash,
      feeMultiplier: 100,
      feePaid: 1n,
      blockHeader: headers ? block.header : new Uint8Array(0),
      blockHash: headers ? block.hash : new Uint8Array(0),
    },
    finalizedHeight: block.height + 5n,
    history: [],
  } as unknown as BatchAnchor;
}

function outboxOf(signed: SignedAnchorTransaction, sequences: bigint[]): OutboxEntry {
  return {
    txHash: signed.hash,
    payload: signed.payload,
    generationHashSeed: SHARE_NETWORK.generationHashSeed,
    sequences,
    state: 'final',
  } as unknown as OutboxEntry;
}

/** A tracker that knows the given states and outbox entries. */
function trackerOf(
  states: Map<bigint, BatchAnchor>,
  outbox: OutboxEntry[],
  checkpoint?: { checkpoint: StoredCheckpoint; state: BatchAnchor },
): AnchorTracker {
  return {
    state: (s: bigint) => states.get(s),
    outbox: (h: Uint8Array) => outbox.find((o) => toHex(o.txHash) === toHex(h)),
    finalizedHeight: () => 5000n,
    checkpointFor: (s: bigint) =>
      checkpoint !== undefined && checkpoint.checkpoint.batchCount > s ? checkpoint : undefined,
  } as unknown as AnchorTracker;
}

const verifier = createNativeVerifier();
function assertValid(b: ProofBundle | undefined): ProofBundle {
  assert.ok(b !== undefined);
  const r = verifyBundle(encodeBundle(b), { verifier });
  assert.ok(r.valid, JSON.stringify(r.checks.filter((c) => !c.ok)));
  return b;
}

// Batches 0..2 in one aggregate with the key's history; a checkpoint over them alone in its own.
const aggregate = await signedAggregate({
  records: batches.map(recordOf),
  keyRecords: [keyHistoryOf(entry)],
});
const block = blockWith(aggregate.merkleComponentHash, { height: 700n, timestamp: 70_000_000n });
const log = headerLog(
  batches.map((b) => b.batch.headerHash),
  nativeSha256,
);
const body = encodeCheckpoint({
  version: 1,
  logId: b0.fields.logId,
  batchCount: 3n,
  headerLogRoot: log.root,
  headHeaderHash: b2.batch.headerHash,
  timeMs: BigInt(T0 + 100),
  algorithmId: key.algorithmId,
  keyId: key.keyId,
});
const stored: StoredCheckpoint = {
  batchCount: 3n,
  body,
  signatures: [
    {
      algorithmId: key.algorithmId,
      keyId: key.keyId,
      signature: key.sign(body, CHECKPOINT_SIGNATURE_CONTEXT),
    },
  ],
};
const checkpointAggregate = await signedAggregate({
  records: [encodeCheckpointRecord({ body, signatures: stored.signatures })],
  deadline: 99_500_000n,
});
const checkpointBlock = blockWith(checkpointAggregate.merkleComponentHash, {
  height: 710n,
  timestamp: 71_000_000n,
  others: 6,
  index: 5,
});

function proverWith(batchHeaders: boolean, checkpointHeaders: boolean | undefined) {
  const states = new Map(
    batches.map((b) => [b.batch.sequence, confirmed(b.batch.sequence, aggregate, block, batchHeaders)]),
  );
  const outbox = [outboxOf(aggregate, [0n, 1n, 2n]), outboxOf(checkpointAggregate, [])];
  const checkpoint =
    checkpointHeaders === undefined
      ? undefined
      : { checkpoint: stored, state: confirmed(3n, checkpointAggregate, checkpointBlock, checkpointHeaders) };
  return createProver(storeOf(), nativeSha256, trackerOf(states, outbox, checkpoint));
}

test('evidence with block headers: a version-2 bundle, compact anchors for the batch and its checkpoint', () => {
  const b = assertValid(proverWith(true, true).prove(leafOf(b1, 2)).bundle);
  assert.equal(b.version, 2);
  for (const a of [b.anchor, b.checkpoint?.anchor]) {
    assert.ok(a !== undefined);
    assert.equal(a.transaction.length, 0);
    assert.equal(a.blockHeader.length, 376);
    assert.equal(a.aggregateHeader.length, 168);
    assert.ok(a.recordChunks.length >= 3);
  }
  assert.deepEqual(b.anchor?.blockHeader, block.header);
  assert.deepEqual(b.checkpoint?.anchor?.blockHeader, checkpointBlock.header);
  assert.equal(b.publication, undefined);
});

test("one anchor's evidence predates block headers: the whole bundle stays version 1", () => {
  for (const [batchHeaders, checkpointHeaders] of [
    [true, false],
    [false, true],
    [false, false],
  ] as const) {
    const b = assertValid(proverWith(batchHeaders, checkpointHeaders).prove(leafOf(b0, 1)).bundle);
    assert.equal(b.version, 1, `batch ${batchHeaders}, checkpoint ${checkpointHeaders}`);
    assert.deepEqual(b.anchor?.transaction, aggregate.payload);
    assert.deepEqual(b.checkpoint?.anchor?.transaction, checkpointAggregate.payload);
    assert.equal(b.anchor?.blockHeader.length, 0);
  }
});

test('no checkpoint yet: the batch anchor alone decides the version; sealed only stays version 1 as sealed', () => {
  const prover = proverWith(true, undefined);
  const b = assertValid(prover.prove(leafOf(b2, 4)).bundle);
  assert.equal(b.version, 2);
  assert.equal(b.checkpoint, undefined);
  const sealed = prover.prove(leafOf(b2, 4), { sealedOnly: true }).bundle;
  assert.ok(sealed !== undefined);
  assert.equal(sealed.version, 1);
  assert.equal(sealed.anchor, undefined);
  assert.deepEqual(encodeBundle(sealed), encodeBundle(bundleOf(b2, 4, [entry])));
});

test('an immediate batch: its publication CID comes from the CIDs stored with the batch and travels with its transfers', async () => {
  const sealed = bundleOf(b1, 0, [entry]);
  const cid = cidOf(encodeBundle(sealed), nativeSha256);
  const publication = encodePublicationRecord({
    sequence: 1n,
    root: b1.fields.root,
    entries: [{ leafIndex: 0, cid }],
  });
  const immediate = await signedAggregate({ records: [recordOf(b1), publication], deadline: 99_700_000n });
  const immediateBlock = blockWith(immediate.merkleComponentHash, { height: 720n, timestamp: 72_000_000n });
  const states = new Map([[1n, { ...confirmed(1n, immediate, immediateBlock, true), immediate: true }]]);
  const stored = new Map([[1n, [{ leafIndex: 0, cid }]]]);
  const prover = createProver(storeOf(), nativeSha256, trackerOf(states, [outboxOf(immediate, [1n])]), {
    sealedCids: (sequence) => stored.get(sequence),
  });
  const b = assertValid(prover.prove(leafOf(b1, 0)).bundle);
  assert.equal(b.version, 2);
  assert.equal(b.publication?.ipfsCid, cid);
  assert.ok((b.anchor?.publicationChunks.length ?? 0) > 0);
  // Leaf 1 has no CID in the record: no publication, and no publication transfers either.
  const other = assertValid(prover.prove(leafOf(b1, 1)).bundle);
  assert.equal(other.publication, undefined);
  assert.equal(other.anchor?.publicationChunks.length, 0);
  // Nothing stored for the batch (it was never published): no publication, whatever the aggregate carries.
  const unpublished = createProver(storeOf(), nativeSha256, trackerOf(states, [outboxOf(immediate, [1n])]));
  const bare = assertValid(unpublished.prove(leafOf(b1, 0)).bundle);
  assert.equal(bare.publication, undefined);
  assert.equal(bare.anchor?.publicationChunks.length, 0);
  // CIDs stored for a batch anchored as non-immediate (whose anchor carries no publication record): none named.
  const plain = new Map([[1n, confirmed(1n, immediate, immediateBlock, true)]]);
  const notImmediate = createProver(storeOf(), nativeSha256, trackerOf(plain, [outboxOf(immediate, [1n])]), {
    sealedCids: (sequence) => stored.get(sequence),
  });
  assert.equal(assertValid(notImmediate.prove(leafOf(b1, 0)).bundle).publication, undefined);
});
