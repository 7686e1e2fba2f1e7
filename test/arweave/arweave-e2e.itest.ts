// `spark serve` with the Arweave publisher (SPARK_ARWEAVE_URL, SPARK_ARWEAVE_WALLET_FILE) against the gateway test
// double: a published bundle goes to Arweave, the gateway drops the first transaction and the worker posts it
// again, the publication records the transaction id once confirmed, the bytes fetched back from the gateway by that
// id are the bundle's, and `spark verify` accepts them. Loopback only; the server is stopped by PID.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { toHex } from '../../src/proof/encoding/bytes.ts';
import { clientsFor, waitFor } from '../anchoring/support.ts';
import { startArweaveGatewayDouble } from '../fakes/arweave-gateway/arweave-gateway.ts';
import { runCli, startServerProcess, tempDir } from '../support/spawn-server.ts';
import { arweaveServerEnv } from './arweave-server-env.ts';

test('a published bundle reaches Arweave once confirmed, after a dropped transaction is posted again', {
  timeout: 120_000,
}, async (t) => {
  const dir = tempDir('spark-arweave-');
  const gateway = await startArweaveGatewayDouble();
  t.after(async () => {
    await gateway.close();
    dir.cleanup();
  });
  const { wallet, env } = await arweaveServerEnv(dir.path, gateway.url);
  const server = await startServerProcess({ dataDir: join(dir.path, 'data'), env });
  t.after(() => server.kill());
  const { client, admin } = clientsFor(server.port);
  const r = await client.submit({ payload: { case: 'digest', value: new Uint8Array(randomBytes(32)) } });
  assert.ok(r.receipt);
  await admin.sealNow({});
  gateway.faults.dropNext = 1;
  const published = await client.publish({ leafHash: r.receipt.leafHash });
  assert.deepEqual(
    published.publishers.map((p) => p.publisher),
    ['arweave'],
  );
  // Blocks come while the worker polls; the first transaction is gone, the second is mined.
  const miner = setInterval(() => gateway.mine(1), 150);
  t.after(() => clearInterval(miner));
  let reference = '';
  await waitFor(
    'the arweave copy PUBLISHED',
    async () => {
      const p = (await client.getPublication({ cid: published.cid })).publishers[0];
      if (p?.state === 'FAILED') throw new Error(`publication failed: ${p.lastError}`);
      reference = p?.reference ?? '';
      return p?.state === 'PUBLISHED';
    },
    60_000,
    100,
  );
  clearInterval(miner);
  const final = (await client.getPublication({ cid: published.cid })).publishers[0];
  assert.ok((final?.attempts ?? 0) >= 2, `posted ${final?.attempts} times: the dropped one and its repost`);
  assert.match(reference, /^[A-Za-z0-9_-]{43}$/);
  const copies = gateway
    .transactions()
    .filter((tx) => tx.tags.some(([n, v]) => n === 'Spark-CID' && v === published.cid));
  assert.deepEqual(
    copies.map((c) => c.id),
    [reference],
    'one copy on the gateway: the one recorded',
  );
  assert.deepEqual(
    copies[0]?.tags.find(([n]) => n === 'Spark-Log-Id')?.[1],
    toHex((await client.getInventory({})).logId),
  );
  // Fetched back by its id: the very bytes the sidecar's own gateway serves under the CID, and a valid bundle.
  const fromArweave = new Uint8Array(await (await fetch(`${gateway.url}/${reference}`)).arrayBuffer());
  const fromSidecar = new Uint8Array(
    await (await fetch(`http://127.0.0.1:${server.httpPort}/ipfs/${published.cid}?format=raw`)).arrayBuffer(),
  );
  assert.deepEqual(fromArweave, fromSidecar);
  const file = join(dir.path, 'from-arweave.spark');
  writeFileSync(file, fromArweave);
  const verified = await runCli(['verify', file]);
  assert.equal(verified.code, 0, verified.stdout + verified.stderr);
  assert.match(verified.stdout, /VALID/);
  // The wallet's private parts are in no log line.
  const logs = server.logs.join('\n') + server.stderr();
  for (const part of [wallet.d, wallet.p, wallet.q]) assert.ok(part !== undefined && !logs.includes(part));
});
