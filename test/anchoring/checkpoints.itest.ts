// Checkpoints end to end against the Symbol test double: with SPARK_CHECKPOINT_INTERVAL=1 the head of the header
// chain is signed, anchored (record kind C) and FINALIZED, and a bundle of an earlier batch carries it and verifies.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { create, toBinary } from '@bufbuild/protobuf';
import { createNativeVerifier } from '../../src/crypto/native-verifier.ts';
import {
  AnchorSchema,
  type ProofBundle,
  ProofBundleSchema,
  Status,
} from '../../src/gen/spark/v1/bundle_pb.js';
import { createNobleEd25519Verifier } from '../../src/proof/anchor/noble-ed25519-verifier.ts';
import { verifyAnchorTransaction } from '../../src/proof/anchor/verify-anchor.ts';
import { verifyBundle } from '../../src/proof/bundle/verify.ts';
import { type SymbolTestNode, startSymbolTestNode } from '../fakes/symbol-node/symbol-test-node.ts';
import { tempDir } from '../support/spawn-server.ts';
import { startTestApp, type TestApp, waitFor } from './support.ts';

const dir = tempDir('spark-checkpoint-');
let node: SymbolTestNode;
let t: TestApp;

before(async () => {
  node = await startSymbolTestNode({ blockIntervalMs: 250, finalizationLagBlocks: 2 });
  t = await startTestApp(node, dir.path, { PQC_IMMEDIATE_MODE: 'true', SPARK_CHECKPOINT_INTERVAL: '1' });
});

after(async () => {
  await t?.app.close();
  await node?.close();
  dir.cleanup();
});

const verifier = createNativeVerifier();
const bytesOf = (b: ProofBundle) => toBinary(ProofBundleSchema, b);

test('a finalized checkpoint over several batches travels in an earlier batch bundle and verifies', async () => {
  const leaves: Uint8Array[] = [];
  for (let i = 0; i < 3; i++) {
    const r = await t.client.submit({ payload: { case: 'digest', value: randomBytes(32) }, immediate: true });
    leaves.push(r.receipt?.leafHash as Uint8Array);
  }
  const first = leaves[0] as Uint8Array;
  for (const leaf of leaves) {
    await waitFor(
      'batch FINALIZED',
      async () => (await t.client.prove({ leafHash: leaf })).status === Status.FINALIZED,
      30_000,
    );
  }
  // A checkpoint covering all three batches, anchored and final, in the bundle of the first batch.
  const bundle = await waitFor(
    'a final checkpoint of 3 batches',
    async () => {
      const b = (await t.client.prove({ leafHash: first })).bundle;
      const c = b?.checkpoint;
      const a = c?.anchor;
      return c !== undefined && c.batchCount >= 3n && a !== undefined && a.finalizedHeight >= a.height
        ? b
        : undefined;
    },
    30_000,
  );
  assert.ok(bundle?.checkpoint?.anchor && bundle.headerFields);
  assert.equal(bundle.headerFields.sequence, 0n);
  assert.ok(bundle.checkpoint.headerPath.length > 0);
  const report = verifyBundle(bytesOf(bundle), { verifier });
  assert.equal(report.valid, true, JSON.stringify(report.checks.filter((c) => !c.ok)));
  const detail = report.checks.find((c) => c.name === 'checkpoint')?.detail ?? '';
  assert.match(detail, /batch 0 is in the header log of \d+ batches/);
  assert.match(
    detail,
    /checkpoint anchored in Symbol transaction [0-9a-f]{64} on .*, signed by account [0-9a-f]{64} \(network and account not pinned by this check: a trust root pins them, issuer check\); height \d+ and time .* signed by harvester [0-9a-f]{64} in block [0-9a-f]{64}; claimed final/,
  );

  // The checkpoint's transaction is on the test chain and carries its record alone.
  const ca = bundle.checkpoint.anchor;
  const txHash = Buffer.from(ca.transactionHash).toString('hex');
  const tx = node.confirmedTransactions().find((x) => x.hash.toLowerCase() === txHash);
  assert.ok(tx, 'the checkpoint anchor is on the test chain');
  const v = verifyAnchorTransaction(tx.payload, {
    generationHashSeed: ca.networkGenerationHashSeed,
    ed25519: createNobleEd25519Verifier(),
  });
  assert.equal(v.checkpointRecords.length, 1);
  assert.equal(v.batchRecords.length, 0);

  // Evidence of another transaction (the batch's own anchor) lacks the checkpoint record: fails.
  const swapped = structuredClone(bundle);
  if (swapped.checkpoint && bundle.anchor)
    swapped.checkpoint.anchor = create(AnchorSchema, { ...bundle.anchor, publicationChunks: [] });
  const bad = verifyBundle(bytesOf(swapped), { verifier });
  const failed = bad.checks.filter((c) => !c.ok);
  assert.deepEqual(
    failed.map((c) => c.name),
    ['checkpoint'],
  );
  // Version 1 evidence carries the whole transaction (no record in it); version 2 the paths of another record.
  assert.match(
    failed[0]?.detail ?? '',
    /the bundle's record: chunk \d+ of the record's \d+ is not in the aggregate|record_chunks\[\d+\]: .* does not lead/,
  );
  // That no later checkpoint is made while the head does not move is test/anchor/checkpointer.test.ts, on mocked timers.
});
