// Anchoring end to end against the Symbol test double: sealed batches reach FINALIZED and their bundles
// verify offline down to the block.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { toBinary } from '@bufbuild/protobuf';
import { createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { PublicKey } from 'symbol-sdk';
import { SymbolFacade } from 'symbol-sdk/symbol';
import { loadConfig } from '../../src/config/config.ts';
import { nativeSha256 } from '../../src/crypto/native-sha256.ts';
import { createNativeVerifier } from '../../src/crypto/native-verifier.ts';
import { SparkAdmin } from '../../src/gen/spark/v1/admin_pb.js';
import { ProofBundleSchema, Status } from '../../src/gen/spark/v1/bundle_pb.js';
import { SparkProcessor } from '../../src/gen/spark/v1/processor_pb.js';
import { cidOf } from '../../src/ipfs/cid.ts';
import { createLogger } from '../../src/log/logger.ts';
import { type App, createApp } from '../../src/main.ts';
import { reconstructKeyHistoryEntry } from '../../src/proof/anchor/key-history-record.ts';
import { createNobleEd25519Verifier } from '../../src/proof/anchor/noble-ed25519-verifier.ts';
import { verifyAnchorTransaction } from '../../src/proof/anchor/verify-anchor.ts';
import { verifyBundle } from '../../src/proof/bundle/verify.ts';
import { HEADER_SIGNATURE_CONTEXT } from '../../src/proof/crypto/contexts.ts';
import { type SymbolTestNode, startSymbolTestNode } from '../fakes/symbol-node/symbol-test-node.ts';
import { tempDir } from '../support/spawn-server.ts';
import { anchorTransactionOf } from './support.ts';

const dir = tempDir('spark-anchor-');
let node: SymbolTestNode;
let app: App;
let client: ReturnType<typeof createClient<typeof SparkProcessor>>;
let admin: ReturnType<typeof createClient<typeof SparkAdmin>>;

before(async () => {
  node = await startSymbolTestNode({ blockIntervalMs: 250, finalizationLagBlocks: 2 });
  app = await createApp(
    loadConfig({
      SPARK_LISTEN: '127.0.0.1:0',
      SPARK_DATA_DIR: dir.path,
      SYMBOL_NODE_URL: node.url,
      SYMBOL_POLL_INTERVAL_MS: '100',
      PQC_AGGREGATION_THRESHOLD: '10',
      PQC_IMMEDIATE_MODE: 'true',
    }),
    createLogger('silent'),
  );
  const transport = createGrpcTransport({ baseUrl: `http://127.0.0.1:${app.address.port}` });
  client = createClient(SparkProcessor, transport);
  admin = createClient(SparkAdmin, transport);
});

after(async () => {
  await app?.close();
  await node?.close();
  dir.cleanup();
});

async function watchUntilFinal(leafHash: Uint8Array): Promise<Status[]> {
  const seen: Status[] = [];
  for await (const u of client.watchProof({ leafHash }, { signal: AbortSignal.timeout(30_000) }))
    seen.push(u.status);
  return seen;
}

test('25 submissions: every batch is anchored, FINALIZED, and each bundle verifies down to the block', async () => {
  const leaves = [];
  for (let i = 0; i < 25; i++) {
    const r = await client.submit({ payload: { case: 'digest', value: randomBytes(32) } });
    leaves.push(r.receipt?.leafHash as Uint8Array);
  }
  await admin.sealNow({});
  const statuses = await Promise.all(leaves.map(watchUntilFinal));
  for (const s of statuses)
    assert.equal(s[s.length - 1], Status.FINALIZED, `saw ${s.map((x) => Status[x]).join(' → ')}`);
  assert.ok(statuses.some((s) => s.includes(Status.CONFIRMED) || s.includes(Status.ANNOUNCED)));
  const verifier = createNativeVerifier();
  const txs = new Set<string>();
  for (const leaf of leaves) {
    const p = await client.prove({ leafHash: leaf });
    assert.equal(p.status, Status.FINALIZED);
    const anchor = p.bundle?.anchor;
    assert.ok(anchor, 'the bundle carries its anchor');
    assert.ok(anchor.finalizedHeight >= anchor.height);
    txs.add(Buffer.from(anchor.transactionHash).toString('hex'));
    const report = verifyBundle(toBinary(ProofBundleSchema, p.bundle as never), { verifier });
    assert.equal(report.valid, true, JSON.stringify(report.checks.filter((c) => !c.ok)));
    assert.match(report.checks.find((c) => c.name === 'anchor')?.detail ?? '', /final/);
  }
  assert.ok(txs.size >= 1 && txs.size <= 3, `${txs.size} anchor transactions for 3 batches`);
  assert.equal(
    node.confirmedTransactions().length,
    txs.size,
    'one confirmed anchor per transaction, none doubled',
  );
});

test('an immediate request is anchored alone and quotes the immediate fee', async () => {
  const r = await client.submit({ payload: { case: 'digest', value: randomBytes(32) }, immediate: true });
  const receipt = r.receipt;
  assert.equal(receipt?.status, Status.SEALED);
  assert.ok(receipt?.feeQuote, 'a fee quote once the node fees are known');
  assert.equal(receipt.feeQuote.immediate, true);
  assert.ok(
    receipt.feeQuote.amountMicroXym >=
      BigInt(receipt.feeQuote.anchorSize) * BigInt(receipt.feeQuote.feeMultiplier) * 3n,
  );
  const s = await watchUntilFinal(receipt.leafHash);
  assert.equal(s[s.length - 1], Status.FINALIZED);
  const p = await client.prove({ leafHash: receipt.leafHash });
  const txHash = Buffer.from(p.bundle?.anchor?.transactionHash ?? []).toString('hex');
  const tx = node.confirmedTransactions().find((t) => t.hash.toLowerCase() === txHash);
  assert.ok(tx, 'the immediate anchor is on the test chain');
  const records = verifyAnchorTransaction(tx.payload, {
    generationHashSeed: p.bundle?.anchor?.networkGenerationHashSeed ?? new Uint8Array(32),
    ed25519: createNobleEd25519Verifier(),
  }).batchRecords;
  assert.equal(records.length, 1, 'the immediate batch is anchored alone');
});

test('an immediate anchor names the sealed bundle by CID: served by the gateway, bound in the anchored bundle', async () => {
  const r = await client.submit({ payload: { case: 'digest', value: randomBytes(32) }, immediate: true });
  const leafHash = r.receipt?.leafHash as Uint8Array;
  const sealed = (await client.prove({ leafHash })).bundle;
  assert.ok(sealed);
  await watchUntilFinal(leafHash);
  const bundle = (await client.prove({ leafHash })).bundle;
  assert.ok(bundle?.anchor && bundle.publication && bundle.inclusion);
  const cid = bundle.publication.ipfsCid;
  // The anchor transaction itself carries the CID for this leaf.
  const v = verifyAnchorTransaction(anchorTransactionOf(node, bundle.anchor), {
    generationHashSeed: bundle.anchor.networkGenerationHashSeed,
    ed25519: createNobleEd25519Verifier(),
  });
  assert.equal(v.ok, true);
  assert.deepEqual(
    v.publicationRecords.flatMap((p) => p.fields.entries),
    [{ leafIndex: Number(bundle.inclusion.leafIndex), cid }],
  );
  // The CID names the bundle as of sealing, which the gateway serves and which verifies on its own.
  const sealedBytes = toBinary(ProofBundleSchema, sealed);
  assert.equal(cidOf(sealedBytes, nativeSha256), cid);
  const res = await fetch(`http://127.0.0.1:${app.httpAddress?.port}/ipfs/${cid}?format=raw`);
  assert.equal(res.status, 200);
  const served = new Uint8Array(await res.arrayBuffer());
  assert.deepEqual(served, sealedBytes);
  assert.equal((await client.getPublication({ cid })).leafHash.length, 32);
  const verifier = createNativeVerifier();
  assert.equal(verifyBundle(served, { verifier }).valid, true);
  // The anchored bundle verifies with its publication; a CID the anchor does not name fails the anchor check.
  const full = verifyBundle(toBinary(ProofBundleSchema, bundle), { verifier });
  assert.equal(full.valid, true, JSON.stringify(full.checks.filter((c) => !c.ok)));
  assert.match(full.checks.find((c) => c.name === 'anchor')?.detail ?? '', new RegExp(`publication ${cid}`));
  const other = cidOf(randomBytes(40), nativeSha256);
  const forged = verifyBundle(
    toBinary(ProofBundleSchema, { ...bundle, publication: { ...bundle.publication, ipfsCid: other } }),
    { verifier },
  );
  assert.equal(forged.valid, false);
  assert.match(forged.checks.find((c) => c.name === 'anchor')?.detail ?? '', /publication: the anchor names/);
});

test('the key history read back from /metadata and the anchor transaction gives the key that verifies the bundles', async () => {
  const r = await client.submit({ payload: { case: 'digest', value: randomBytes(32) }, immediate: true });
  const leaf = r.receipt?.leafHash as Uint8Array;
  await watchUntilFinal(leaf);
  const bundle = (await client.prove({ leafHash: leaf })).bundle;
  assert.ok(bundle?.anchor && bundle.headerFields);
  const keyId = Buffer.from(bundle.headerFields.keyId).toString('hex');
  // Who anchored: the aggregate's signer; its address is the metadata source and target.
  const tx = verifyAnchorTransaction(anchorTransactionOf(node, bundle.anchor), {
    generationHashSeed: bundle.anchor.networkGenerationHashSeed,
    ed25519: createNobleEd25519Verifier(),
  });
  assert.ok(tx.transaction);
  const address = new SymbolFacade('testnet').network.publicKeyToAddress(
    new PublicKey(tx.transaction.signerPublicKey),
  );
  const url = `${node.url}/metadata?targetAddress=${address.toString()}&scopedMetadataKey=${keyId.slice(0, 16).toUpperCase()}&metadataType=0`;
  const body = (await (await fetch(url)).json()) as { data: Array<{ metadataEntry: { value: string } }> };
  assert.equal(body.data.length, 1, 'one metadata entry for the key');
  const value = Uint8Array.from(Buffer.from(body.data[0]?.metadataEntry.value ?? '', 'hex'));
  // The key's public-key record travelled in the first anchor of that key: find it among the confirmed anchors.
  let entry: ReturnType<typeof reconstructKeyHistoryEntry> = { ok: false, reason: 'no anchor carries it' };
  for (const confirmed of node.confirmedTransactions()) {
    const records = verifyAnchorTransaction(confirmed.payload, {
      generationHashSeed: bundle.anchor.networkGenerationHashSeed,
      ed25519: createNobleEd25519Verifier(),
    }).records;
    entry = reconstructKeyHistoryEntry(value, records, { verifier: createNativeVerifier() });
    if (entry.ok) break;
  }
  assert.ok(entry.ok, entry.ok ? '' : entry.reason);
  assert.equal(Buffer.from(entry.value.keyId).toString('hex'), keyId);
  const signature = bundle.signatures[0];
  assert.ok(signature);
  assert.equal(
    createNativeVerifier().verify(
      bundle.headerFields.algorithmId,
      entry.value.publicKey,
      bundle.header,
      signature.signature,
      HEADER_SIGNATURE_CONTEXT,
    ),
    true,
    'the public key from the chain verifies the bundle header',
  );
});
