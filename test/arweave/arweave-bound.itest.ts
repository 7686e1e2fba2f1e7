// The Arweave copy bound into the proof (docs/publication.md, docs/proof-format.md §9.6): a spawned `spark serve`
// with immediate mode, anchoring on the Symbol test double and the Arweave publisher on the gateway test double.
// An immediate leaf's sealed bundle is published by the anchor (its CID in the publication record) and posted to
// Arweave; the bundle saved before the copy is confirmed has none, and once it is, `Prove` returns the anchored bundle
// with `publication.arweave`, the signed transaction whose id the publication records, and `spark upgrade` brings
// the saved file to it; `spark verify` accepts it naming the transaction; the bytes fetched back from
// the gateway by that id are the ones the CID names; a copy altered in the bundle fails the anchor check naming
// the field. Loopback only; processes are stopped by the test.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { toBinary } from '@bufbuild/protobuf';
import Arweave from 'arweave';
import { nativeSha256 } from '../../src/crypto/native-sha256.ts';
import { type ProofBundle, ProofBundleSchema, Status } from '../../src/gen/spark/v1/bundle_pb.js';
import { cidOf } from '../../src/ipfs/cid.ts';
import { clientsFor, waitFor } from '../anchoring/support.ts';
import { startArweaveGatewayDouble } from '../fakes/arweave-gateway/arweave-gateway.ts';
import { startSymbolTestNode } from '../fakes/symbol-node/symbol-test-node.ts';
import { assertNoSecrets } from '../support/secret-scan.ts';
import { runCli, startServerProcess, tempDir } from '../support/spawn-server.ts';
import { arweaveServerEnv } from './arweave-server-env.ts';

test('an anchored immediate bundle carries its confirmed Arweave copy, and spark verify binds it to the CID', {
  timeout: 180_000,
}, async (t) => {
  const dir = tempDir('spark-arweave-bound-');
  const [gateway, node] = await Promise.all([
    startArweaveGatewayDouble(),
    startSymbolTestNode({ blockIntervalMs: 150, finalizationLagBlocks: 2 }),
  ]);
  t.after(async () => {
    await Promise.all([gateway.close(), node.close()]);
    dir.cleanup();
  });
  const arweave = Arweave.init({});
  const { wallet, env } = await arweaveServerEnv(dir.path, gateway.url);
  const server = await startServerProcess({
    dataDir: join(dir.path, 'data'),
    env: { ...env, SYMBOL_NODE_URL: node.url, SYMBOL_POLL_INTERVAL_MS: '100', PQC_IMMEDIATE_MODE: 'true' },
  });
  t.after(() => server.kill());
  const { client } = clientsFor(server.port);
  // No Arweave block until the leaf is FINALIZED on Symbol: its copy is posted but not yet confirmed.
  let miner: NodeJS.Timeout | undefined;
  t.after(() => clearInterval(miner));

  const r = await client.submit({
    payload: { case: 'digest', value: new Uint8Array(randomBytes(32)) },
    immediate: true,
  });
  const leafHash = r.receipt?.leafHash as Uint8Array;
  // FINALIZED on Symbol; the sealed bundle the anchor names is posted to Arweave meanwhile.
  let bundle: ProofBundle | undefined;
  await waitFor(
    'the leaf FINALIZED',
    async () => {
      const p = await client.prove({ leafHash });
      bundle = p.bundle;
      return p.status === Status.FINALIZED;
    },
    60_000,
    100,
  );
  const cid = bundle?.publication?.ipfsCid ?? '';
  assert.match(cid, /^bafkrei/);
  assert.equal(bundle?.publication?.arweave, undefined, 'no Arweave copy before it is confirmed');
  const file = join(dir.path, 'anchored.spark');
  writeFileSync(file, toBinary(ProofBundleSchema, bundle as ProofBundle));
  miner = setInterval(() => gateway.mine(1), 150);
  let reference = '';
  await waitFor(
    'the Arweave copy of the sealed bundle PUBLISHED',
    async () => {
      const p = (await client.getPublication({ cid })).publishers.find((x) => x.publisher === 'arweave');
      if (p?.state === 'FAILED') throw new Error(`publication failed: ${p.lastError}`);
      reference = p?.reference ?? '';
      return p?.state === 'PUBLISHED';
    },
    60_000,
    100,
  );
  clearInterval(miner);

  const anchored = (await client.prove({ leafHash })).bundle;
  assert.ok(anchored?.publication?.arweave, 'the anchored bundle carries the Arweave copy');
  assert.equal(anchored.publication.ipfsCid, cid);
  assert.equal(anchored.publication.arweave.id, reference, 'the copy the publication records');
  assert.equal(anchored.publication.arweave.owner.length, 512);
  // The bytes Arweave serves under that id are the ones the CID (named by the anchor) names.
  const fromArweave = new Uint8Array(await (await fetch(`${gateway.url}/${reference}`)).arrayBuffer());
  assert.equal(cidOf(fromArweave, nativeSha256), cid);

  // `spark upgrade` brings the file the copy: the same bundle as Prove's now.
  const upgraded = await runCli(['upgrade', file, '--server', server.address]);
  assert.equal(upgraded.code, 0, upgraded.stdout + upgraded.stderr);
  assert.match(upgraded.stdout, new RegExp(`FINALIZED; Arweave copy ${reference}`));
  assert.deepEqual(new Uint8Array(readFileSync(file)), toBinary(ProofBundleSchema, anchored));
  const verified = await runCli(['verify', file]);
  assert.equal(verified.code, 0, verified.stdout + verified.stderr);
  assert.match(verified.stdout, /VALID/);
  const address = await arweave.wallets.jwkToAddress(wallet);
  assert.match(
    verified.stdout,
    new RegExp(
      `Arweave copy: transaction ${reference} \\(wallet ${address}, not pinned: any wallet may store the same bytes\\) commits to exactly those bytes`,
    ),
  );

  const inspected = await runCli(['inspect', file]);
  assert.match(inspected.stdout, new RegExp(`published +IPFS ${cid}, Arweave transaction ${reference}\n`));

  // Altered in the bundle: the anchor check fails naming the field, as for a forged CID.
  const forged = structuredClone(anchored);
  const copy = forged.publication?.arweave;
  assert.ok(copy);
  copy.reward = `${copy.reward}0`;
  const forgedFile = join(dir.path, 'forged.spark');
  writeFileSync(forgedFile, toBinary(ProofBundleSchema, forged));
  const refused = await runCli(['verify', forgedFile]);
  assert.equal(refused.code, 1, refused.stdout + refused.stderr);
  assert.match(refused.stdout, /publication\.arweave\.signature: does not verify/);

  // The evidence kept with the publication is the transaction's public part: no private part of the wallet is in
  // the data dir (raw or printed), the logs or the bundle.
  const privateParts = new Map(
    (['d', 'p', 'q', 'dp', 'dq', 'qi'] as const).map((k) => [
      `wallet ${k}`,
      new Uint8Array(Buffer.from(wallet[k] ?? '', 'base64url')),
    ]),
  );
  for (const [name, part] of privateParts) assert.ok(part.length >= 64, `${name} read from the wallet`);
  const dataDir = join(dir.path, 'data');
  let scanned = 0;
  for (const f of readdirSync(dataDir, { recursive: true, encoding: 'utf8' })) {
    const path = join(dataDir, f);
    if (!statSync(path).isFile()) continue;
    const bytes = readFileSync(path);
    scanned += bytes.length;
    for (const [name, part] of privateParts) assert.equal(bytes.indexOf(part), -1, `${f} holds the ${name}`);
    assertNoSecrets(bytes.toString('latin1'), privateParts, f);
  }
  assert.ok(scanned > 100_000, `the data dir was read (${scanned} bytes)`);
  assertNoSecrets(server.logs.join('\n') + server.stderr(), privateParts, 'the server log');
  assertNoSecrets(
    Buffer.from(toBinary(ProofBundleSchema, anchored)).toString('latin1'),
    privateParts,
    'the bundle',
  );
});
