// Restarts with the default (memory) key provider, anchoring on (docs/anchoring.md §4): each start brings a new
// signing key and a new Symbol account. Key-history entries live under the account that wrote them, so the new
// account starts its own history instead of updating an entry it does not have; every batch, before and after a
// SIGTERM and a kill -9, ends FINALIZED and passes `spark verify --symbol`.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { Status } from '../../src/gen/spark/v1/bundle_pb.js';
import { startSymbolTestNode } from '../fakes/symbol-node/symbol-test-node.ts';
import { runCli, type ServerProcess, startServerProcess, tempDir } from '../support/spawn-server.ts';
import { clientsFor, hex, type Processor, waitFor } from './support.ts';

async function submitAndSeal(port: number, n: number): Promise<Uint8Array[]> {
  const { client, admin } = clientsFor(port);
  const leaves: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const digest = new Uint8Array(32);
    globalThis.crypto.getRandomValues(digest);
    const r = await client.submit({ payload: { case: 'digest', value: digest } });
    assert.ok(r.receipt);
    leaves.push(r.receipt.leafHash);
  }
  await admin.sealNow({});
  return leaves;
}

async function waitFinal(client: Processor, leaves: readonly Uint8Array[]): Promise<void> {
  await waitFor(
    'every leaf FINALIZED',
    async () => {
      for (const l of leaves)
        if ((await client.prove({ leafHash: l })).status !== Status.FINALIZED) return false;
      return true;
    },
    30_000,
    100,
  );
}

test('memory provider: batches anchored before and after a SIGTERM and a kill -9 all finalize and pass --symbol', async (t) => {
  const dir = tempDir('spark-memory-restart-');
  const node = await startSymbolTestNode({ blockIntervalMs: 150, finalizationLagBlocks: 2 });
  let server: ServerProcess | undefined;
  t.after(async () => {
    await server?.kill();
    await node.close();
    dir.cleanup();
  });
  const start = () =>
    startServerProcess({
      dataDir: join(dir.path, 'data'),
      env: {
        SYMBOL_NODE_URL: node.url,
        SYMBOL_POLL_INTERVAL_MS: '100',
        PQC_AGGREGATION_THRESHOLD: '1000',
        PQC_AGGREGATION_TIMEOUT: '3600',
        SPARK_KEY_PROVIDER: 'memory',
      },
    });
  const accounts = new Set<string>();
  const lives: ServerProcess[] = [];
  const account = (s: ServerProcess) => {
    lives.push(s);
    const line = s.logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l['signerPublicKey']);
    return String(line?.['signerPublicKey']);
  };
  const all: Uint8Array[] = [];
  // First life: two batches, then one sealed but not yet anchored when it stops.
  server = await start();
  accounts.add(account(server));
  all.push(...(await submitAndSeal(server.port, 3)));
  await waitFinal(clientsFor(server.port).client, all);
  all.push(...(await submitAndSeal(server.port, 2)));
  assert.equal(await server.stop(), 0, 'a clean SIGTERM');
  // Second life after SIGTERM: a new key and account; the batch of the old key is anchored by the new account.
  server = await start();
  accounts.add(account(server));
  all.push(...(await submitAndSeal(server.port, 3)));
  await waitFinal(clientsFor(server.port).client, all);
  all.push(...(await submitAndSeal(server.port, 2)));
  await server.kill();
  // Third life after kill -9.
  server = await start();
  accounts.add(account(server));
  all.push(...(await submitAndSeal(server.port, 3)));
  const { client } = clientsFor(server.port);
  await waitFinal(client, all);
  assert.equal(accounts.size, 3, 'each start made a new Symbol account');
  const refused = lives.flatMap((s) => s.logs.filter((l) => /anchor failed|Failure_/.test(l)));
  assert.deepEqual(refused, [], 'no announcement refused by the node, in any life');
  // Every bundle, of every life, passes the online checks, key history included.
  const seen = new Set<string>();
  for (const leaf of all) {
    const p = await client.prove({ leafHash: leaf });
    const batch = String(p.bundle?.headerFields?.sequence);
    if (seen.has(batch)) continue;
    seen.add(batch);
    const out = join(dir.path, `${hex(leaf).slice(0, 12)}.spark`);
    const r = await runCli(['prove', '--server', server.address, '--leaf', hex(leaf), '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const v = await runCli(['verify', out, '--symbol', node.url]);
    assert.equal(v.code, 0, `batch ${batch}:\n${v.stdout}`);
  }
  assert.equal(seen.size, 5, 'five batches over three lives');
  const failures = node.dropped().filter((d) => d.reason !== 'duplicate');
  assert.deepEqual(failures, [], 'nothing dropped by the node');
});
