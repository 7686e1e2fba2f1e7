// Rotation on chain (SPEC §7): the new key's entry is anchored with its endorsement, the retired key's entry is
// updated in place with its valid_until, and bundles of both keys pass the online checks.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { toBinary } from '@bufbuild/protobuf';
import { PublicKey } from 'symbol-sdk';
import { SymbolFacade } from 'symbol-sdk/symbol';
import { type ProofBundle, ProofBundleSchema, Status } from '../../src/gen/spark/v1/bundle_pb.js';
import { decodeKeyMetadata } from '../../src/proof/anchor/key-history-record.ts';
import { createNobleEd25519Verifier } from '../../src/proof/anchor/noble-ed25519-verifier.ts';
import { verifyAnchorTransaction } from '../../src/proof/anchor/verify-anchor.ts';
import { type SymbolTestNode, startSymbolTestNode } from '../fakes/symbol-node/symbol-test-node.ts';
import { tempDir } from '../support/spawn-server.ts';
import { anchorTransactionOf, hex, startTestApp, type TestApp, waitFor } from './support.ts';

const dir = tempDir('spark-anchor-rotation-');
let node: SymbolTestNode;
let t: TestApp;

before(async () => {
  node = await startSymbolTestNode({ blockIntervalMs: 250, finalizationLagBlocks: 2 });
  t = await startTestApp(node, dir.path);
});

after(async () => {
  await t?.app.close();
  await node?.close();
  dir.cleanup();
});

/** Submits `n` digests, seals them, and waits until their batch is FINALIZED; returns one leaf's bundle. */
async function finalizedBatch(n: number): Promise<ProofBundle> {
  const leaves: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    leaves.push(
      (await t.client.submit({ payload: { case: 'digest', value: randomBytes(32) } })).receipt
        ?.leafHash as Uint8Array,
    );
  }
  await t.admin.sealNow({});
  const leaf = leaves[0] as Uint8Array;
  return waitFor(
    'the batch to be FINALIZED',
    async () => {
      const p = await t.client.prove({ leafHash: leaf });
      return p.status === Status.FINALIZED ? p.bundle : undefined;
    },
    30_000,
  );
}

/** The metadata value stored on chain for `keyId` by the anchoring account. */
async function onChainValue(bundle: ProofBundle, keyId: Uint8Array) {
  const anchor = bundle.anchor;
  assert.ok(anchor);
  const tx = verifyAnchorTransaction(anchorTransactionOf(node, anchor), {
    generationHashSeed: anchor.networkGenerationHashSeed,
    ed25519: createNobleEd25519Verifier(),
  });
  assert.ok(tx.transaction);
  const address = new SymbolFacade('testnet').network.publicKeyToAddress(
    new PublicKey(tx.transaction.signerPublicKey),
  );
  const scoped = hex(keyId).slice(0, 16).toUpperCase();
  const url = `${node.url}/metadata?targetAddress=${address.toString()}&scopedMetadataKey=${scoped}&metadataType=0`;
  const body = (await (await fetch(url)).json()) as { data: Array<{ metadataEntry: { value: string } }> };
  assert.equal(body.data.length, 1, `one metadata entry for key ${scoped}`);
  const decoded = decodeKeyMetadata(
    Uint8Array.from(Buffer.from(body.data[0]?.metadataEntry.value ?? '', 'hex')),
  );
  assert.ok(decoded.ok, decoded.ok ? '' : decoded.reason);
  return decoded.value;
}

test('a rotation is anchored: the new entry with its endorsement, the old entry closed in place', async () => {
  const before = await finalizedBatch(3);
  const oldKey = before.headerFields?.keyId as Uint8Array;
  assert.equal((await onChainValue(before, oldKey)).validUntilMs, 0n, 'the first key is current on chain');

  const rotated = await t.admin.rotateKey({});
  const newKey = rotated.key?.keyId as Uint8Array;
  const afterBundle = await finalizedBatch(3);
  assert.equal(hex(afterBundle.headerFields?.keyId as Uint8Array), hex(newKey));

  const closed = await onChainValue(afterBundle, oldKey);
  assert.equal(closed.validUntilMs, rotated.key?.validFromMs, 'the old key closes where the new one starts');
  const opened = await onChainValue(afterBundle, newKey);
  assert.equal(opened.validFromMs, rotated.key?.validFromMs);
  assert.equal(opened.validUntilMs, 0n);
  assert.equal(hex(opened.previousKeyId), hex(oldKey));

  // The new key's public-key record (with the endorsement) travelled in the anchor of its first batch.
  const anchor = afterBundle.anchor;
  assert.ok(anchor);
  const records = verifyAnchorTransaction(anchorTransactionOf(node, anchor), {
    generationHashSeed: anchor.networkGenerationHashSeed,
    ed25519: createNobleEd25519Verifier(),
  }).records;
  assert.ok(
    records.some((r) => r.kind === 0x4b),
    'a public-key record is in the aggregate',
  );

  // Both bundles pass every offline and online check, the old one with its key's closed window.
  for (const bundle of [
    await t.client.prove({ leafHash: before.leaf?.leafHash as Uint8Array }),
    { bundle: afterBundle },
  ]) {
    const verdict = await t.client.verify({
      bundle: toBinary(ProofBundleSchema, bundle.bundle as ProofBundle),
      checkOnChain: true,
    });
    assert.equal(verdict.valid, true, JSON.stringify(verdict.checks.filter((c) => !c.ok)));
  }
  assert.deepEqual(
    node.dropped(),
    [],
    'the node dropped no announcement (a wrong XOR delta would be dropped)',
  );
});
