// Usage, quotas and fee shares end to end (docs/operations.md §Usage, quotas and fees): `spark token create --file`
// and `spark token quota` write the tokens file; two clients submit 300 and 200 items (some immediate) to a spawned
// `spark serve` anchoring on the Symbol test double; once every batch is FINALIZED, `spark usage --format json`
// shows exactly those counts and fee shares adding up to the fees recorded for the batches; a client over its daily
// quota is refused naming it while the others are not; after kill -9 in the middle of a burst the counts still equal
// what was acknowledged. Loopback only; the server and the node are stopped by the test, also on failure.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Status } from '../../src/gen/spark/v1/bundle_pb.js';
import { clientsFor, waitFor } from '../anchoring/support.ts';
import { startSymbolTestNode } from '../fakes/symbol-node/symbol-test-node.ts';
import { createCliTokens } from '../support/cli-tokens.ts';
import { runCli, type ServerProcess, startServerProcess, tempDir } from '../support/spawn-server.ts';

interface UsageJson {
  clients: Array<{
    client: string;
    submissions: number;
    immediate: number;
    feePaid: number;
    anchorFee: number;
    batches: number;
    credit: null;
    quota: Record<string, number> | null;
    today: number;
  }>;
  feesRecorded: number;
  batches: number;
}

const digest = () => new Uint8Array(randomBytes(32));

test('two clients: usage counts and fee shares after anchoring, a daily quota, and counts after kill -9', {
  timeout: 240_000,
}, async (t) => {
  const dir = tempDir('spark-usage-');
  const node = await startSymbolTestNode({ blockIntervalMs: 150, finalizationLagBlocks: 2 });
  let server: ServerProcess | undefined;
  t.after(async () => {
    await server?.kill();
    await node.close();
    dir.cleanup();
  });
  const made = await createCliTokens(dir.path, [
    ['alice', 'client'],
    ['bob', 'client'],
    ['carol', 'client'],
    ['op', 'admin'],
  ]);
  const tokensFile = made.file;
  const tokens = made.tokens;
  const q = await runCli(['token', 'quota', '--name', 'carol', '--daily', '5', '--file', tokensFile]);
  assert.equal(q.code, 0, q.stderr);
  assert.match(q.stdout, /^carol: daily=5 \(written to /);
  assert.match(readFileSync(tokensFile, 'utf8'), /^carol client [0-9a-f]{64} daily=5$/m);
  const opFile = join(dir.path, 'op.token');
  writeFileSync(opFile, `${tokens.get('op')}\n`, { mode: 0o600 });

  const start = () =>
    startServerProcess({
      dataDir: join(dir.path, 'data'),
      env: {
        SPARK_AUTH_TOKENS: tokensFile,
        SYMBOL_NODE_URL: node.url,
        SYMBOL_POLL_INTERVAL_MS: '100',
        PQC_AGGREGATION_THRESHOLD: '100000',
        PQC_AGGREGATION_TIMEOUT: '3600',
        PQC_IMMEDIATE_MODE: 'true',
        PQC_IMMEDIATE_FEE_MULTIPLIER: '3',
      },
    });
  server = await start();
  const as = (name: string) => clientsFor((server as ServerProcess).port, tokens.get(name) as string);

  // alice: 300 (5 of them immediate, each anchored alone); bob: 200 (3 immediate).
  const plan: Array<[string, number, number]> = [
    ['alice', 300, 5],
    ['bob', 200, 3],
  ];
  const leaves: Uint8Array[] = [];
  for (const [name, n, immediate] of plan) {
    const { client } = as(name);
    const batch = await client.submitBatch({
      items: Array.from({ length: n - immediate }, () => ({
        payload: { case: 'digest' as const, value: digest() },
      })),
    });
    for (const r of batch.results) {
      assert.equal(r.result.case, 'receipt');
      if (r.result.case === 'receipt') leaves.push(r.result.value.leafHash);
    }
    for (let i = 0; i < immediate; i++) {
      const r = await client.submit({ payload: { case: 'digest', value: digest() }, immediate: true });
      assert.ok(r.receipt);
      leaves.push(r.receipt.leafHash);
    }
  }
  // A duplicate is acknowledged and not counted.
  const once = digest();
  const first = await as('bob').client.submit({ payload: { case: 'digest', value: once } });
  const repeat = await as('bob').client.submit({ payload: { case: 'digest', value: once } });
  assert.ok(first.receipt && repeat.receipt?.duplicate);
  leaves.push(first.receipt.leafHash);

  // carol: 5 pass, the 6th is refused naming the quota; alice is not affected.
  for (let i = 0; i < 5; i++)
    await as('carol').client.submit({ payload: { case: 'digest', value: digest() } });
  await assert.rejects(
    as('carol').client.submit({ payload: { case: 'digest', value: digest() } }),
    (err: Error) => {
      assert.match(err.message, /resource_exhausted|RESOURCE_EXHAUSTED|\[resource_exhausted\]/i);
      assert.match(
        err.message,
        /quota daily of client carol reached: 5 submissions per day; resets at \d{4}-\d{2}-\d{2}T00:00:00\.000Z/,
      );
      return true;
    },
  );
  assert.ok((await as('alice').client.submit({ payload: { case: 'digest', value: digest() } })).receipt);

  await as('op').admin.sealNow({});
  const { client: reader } = as('alice');
  await waitFor(
    'every leaf FINALIZED',
    async () => {
      for (const l of leaves)
        if ((await reader.prove({ leafHash: l })).status !== Status.FINALIZED) return false;
      return true;
    },
    90_000,
    200,
  );
  const usage = async (): Promise<UsageJson> => {
    const r = await runCli([
      'usage',
      '--server',
      (server as ServerProcess).address,
      '--format',
      'json',
      '--token-file',
      opFile,
    ]);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as UsageJson;
  };
  const u = await usage();
  const by = new Map(u.clients.map((c) => [c.client, c]));
  assert.deepEqual(
    [...by.values()].map((c) => [c.client, c.submissions, c.immediate]),
    [
      ['alice', 301, 5],
      ['bob', 201, 3],
      ['carol', 5, 0],
      ['op', 0, 0],
    ],
  );
  assert.deepEqual(by.get('carol')?.quota, { daily: 5 });
  assert.equal(by.get('alice')?.credit, null);
  // Shares add up to the fees recorded for the batches, and those are what the chain charged, but for the division
  // remainder of each aggregate (less than one µXYM per batch) and the checkpoints' share.
  const shares = u.clients.reduce((a, c) => a + c.anchorFee, 0);
  assert.ok(u.feesRecorded > 0, 'fees were recorded');
  assert.equal(shares, u.feesRecorded);
  // What the anchors could have cost at most: each aggregate's max fee (u64 at byte 112 of a Symbol transaction).
  const maxFees = node
    .confirmedTransactions()
    .reduce((a, tx) => a + Number(Buffer.from(tx.payload).readBigUInt64LE(112)), 0);
  assert.ok(
    maxFees > 0 && u.feesRecorded <= maxFees,
    `${u.feesRecorded} recorded, at most ${maxFees} charged`,
  );
  // Immediate batches: alice's 5 and bob's 3 paid × 3 of their share.
  assert.ok((by.get('alice')?.feePaid ?? 0) > (by.get('alice')?.anchorFee ?? 0));
  assert.ok((by.get('carol')?.feePaid ?? -1) === (by.get('carol')?.anchorFee ?? -2));
  // table and CSV forms of the same numbers.
  const csv = await runCli(['usage', '--server', server.address, '--format', 'csv', '--token-file', opFile]);
  assert.equal(csv.code, 0, csv.stderr);
  assert.match(csv.stdout, /^client,submissions,immediate,fee_paid_micro_xym,/);
  assert.match(csv.stdout, new RegExp(`^alice,301,5,${by.get('alice')?.feePaid},`, 'm'));
  const table = await runCli(['usage', '--server', server.address, '--token-file', opFile]);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^bob\s+201\s+3\s+\d+\.\d{6}\s+\d+/m);
  assert.match(table.stdout, /^carol\s+5\s+0\s+\d+\.\d{6}\s+\d+\s+5\/5\s/m);
  process.stdout.write(table.stdout);
  const one = await runCli([
    'usage',
    '--server',
    server.address,
    '--client',
    'bob',
    '--format',
    'json',
    '--token-file',
    opFile,
  ]);
  assert.equal(one.code, 0, one.stderr);
  const bobOnly = JSON.parse(one.stdout) as UsageJson;
  assert.deepEqual(
    bobOnly.clients.map((c) => c.client),
    ['bob'],
  );
  assert.equal(bobOnly.feesRecorded, by.get('bob')?.anchorFee);
  process.stdout.write(one.stdout);
  // A client token may not read usage.
  const aliceFile = join(dir.path, 'alice.token');
  writeFileSync(aliceFile, `${tokens.get('alice')}\n`, { mode: 0o600 });
  const refused = await runCli(['usage', '--server', server.address, '--token-file', aliceFile]);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /permission|denied/i);

  // kill -9 in the middle of a burst: every acknowledged submission is counted, and nothing beyond what was stored.
  const before = by.get('bob')?.submissions ?? 0;
  const acked: Uint8Array[] = [];
  const burst = (async () => {
    const { client } = as('bob');
    for (let i = 0; i < 2000; i++) {
      const r = await client.submit({ payload: { case: 'digest', value: digest() } }).catch(() => undefined);
      if (r?.receipt === undefined) return;
      acked.push(r.receipt.leafHash);
    }
  })();
  await waitFor('some of the burst acknowledged', async () => acked.length >= 50, 30_000, 20);
  await server.kill();
  await burst;
  server = await start();
  const after = await usage();
  const bob = after.clients.find((c) => c.client === 'bob')?.submissions ?? 0;
  // Stored but not yet acknowledged when the process died: at most the one call in flight.
  assert.ok(
    bob - before >= acked.length && bob - before <= acked.length + 1,
    `${bob - before} counted, ${acked.length} acked`,
  );
  const { client: again2 } = as('alice');
  for (const l of acked) assert.notEqual((await again2.prove({ leafHash: l })).status, Status.UNSPECIFIED);
  console.log(
    `usage: alice ${by.get('alice')?.submissions} (fee paid ${by.get('alice')?.feePaid} µXYM), bob ${by.get('bob')?.submissions} (${by.get('bob')?.feePaid} µXYM), fees recorded ${u.feesRecorded} µXYM over ${u.batches} batches; after kill -9: ${acked.length} acknowledged, ${bob - before} counted`,
  );
});
