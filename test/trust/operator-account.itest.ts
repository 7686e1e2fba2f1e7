// The operator's side of trust (docs/trust.md §5, docs/operations.md "The Symbol account"): keys that do not persist
// say so loudly and may not face the network unless asked for; every key change shows in spark status; spark account
// prints the address to fund and its balance; below SYMBOL_MIN_BALANCE a warning is logged and the metric is set.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { Status } from '../../src/gen/spark/v1/bundle_pb.js';
import { clientsFor, waitFor } from '../anchoring/support.ts';
import { startSymbolTestNode } from '../fakes/symbol-node/symbol-test-node.ts';
import { runCli, type ServerProcess, startServerProcess, tempDir } from '../support/spawn-server.ts';

const freePort = () =>
  new Promise<number>((res) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => res(typeof a === 'object' && a !== null ? a.port : 0));
    });
  });

test('memory keys facing the network: refused without --ephemeral-keys; with it, one loud warning', async (t) => {
  const dir = tempDir('spark-ephemeral-');
  let server: ServerProcess | undefined;
  t.after(async () => {
    await server?.kill();
    dir.cleanup();
  });
  const port = await freePort();
  const refused = await runCli(
    ['serve', '--listen', `0.0.0.0:${port}`, '--insecure', '--data-dir', join(dir.path, 'a')],
    30_000,
    {
      SPARK_HTTP_LISTEN: 'off',
    },
  );
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /SPARK_KEY_PROVIDER: memory keys .* are new at every start.*--ephemeral-keys/);
  server = await startServerProcess({
    dataDir: join(dir.path, 'b'),
    args: [
      '--listen',
      `0.0.0.0:${await freePort()}`,
      '--insecure',
      '--ephemeral-keys',
      '--data-dir',
      join(dir.path, 'b'),
    ],
    env: { SPARK_HTTP_LISTEN: 'off' },
  });
  const warnings = server.logs.filter((l) => /keys and the Symbol account are ephemeral/.test(l));
  assert.equal(warnings.length, 1, 'one warning line');
  assert.equal(JSON.parse(warnings[0] as string).level, 40);
});

test('every restart of the memory provider shows in spark status and spark keys list as a key not endorsed', async (t) => {
  const dir = tempDir('spark-key-changes-');
  let server: ServerProcess | undefined;
  t.after(async () => {
    await server?.kill();
    dir.cleanup();
  });
  const data = join(dir.path, 'data');
  for (let life = 0; life < 3; life++) {
    if (server !== undefined) assert.equal(await server.stop(), 0);
    server = await startServerProcess({ dataDir: data });
  }
  const status = await runCli(['status', '--server', server?.address ?? '']);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /Signing keys: 3, 2 not endorsed by the key before/);
  const keys = await runCli(['keys', 'list', '--server', server?.address ?? '']);
  assert.equal(keys.stdout.match(/\(not endorsed\)/g)?.length, 2);
  const json = JSON.parse((await runCli(['status', '--server', server?.address ?? '', '--json'])).stdout);
  assert.deepEqual(json.keys, { count: 3, unendorsed: 2 });
});

test('spark account: the address to fund, its balance, the low-balance warning and metric, the cost once anchoring', async (t) => {
  const dir = tempDir('spark-account-');
  // Balance bookkeeping on: fees are charged and an unfunded account cannot anchor.
  const node = await startSymbolTestNode({ blockIntervalMs: 200, finalizationLagBlocks: 2, balances: {} });
  let server: ServerProcess | undefined;
  t.after(async () => {
    await server?.kill();
    await node.close();
    dir.cleanup();
  });
  server = await startServerProcess({
    dataDir: join(dir.path, 'data'),
    env: { SYMBOL_NODE_URL: node.url, SYMBOL_POLL_INTERVAL_MS: '100', SYMBOL_MIN_BALANCE: '5' },
  });
  const address = await waitFor(
    'the address',
    async () => {
      const r = JSON.parse((await runCli(['account', '--server', server?.address ?? '', '--json'])).stdout);
      return typeof r.address === 'string' && r.address !== '' && r.balance !== null ? r : undefined;
    },
    15_000,
    200,
  );
  assert.match(address.address, /^T[A-Z2-7]{38}$/);
  assert.deepEqual([address.balance, address.accountOnChain, address.belowMinBalance], ['0', false, true]);
  const warning = await waitFor(
    'the warning',
    () => server?.logs.find((l) => /is below SYMBOL_MIN_BALANCE 5 XYM: fund T/.test(l)),
    10_000,
  );
  assert.equal(JSON.parse(warning).level, 40);
  const scrape = async () => (await fetch(`http://127.0.0.1:${server?.httpPort}/metrics`)).text();
  assert.match(await scrape(), /^spark_symbol_account_balance_low 1$/m);
  // Funded: the warning clears, anchoring goes through, and the recent cost and days left appear.
  node.fund(address.address, 100_000_000n);
  const { client, admin } = clientsFor(server.port);
  const leaf = (await client.submit({ payload: { case: 'digest', value: randomBytes(32) } })).receipt
    ?.leafHash;
  await admin.sealNow({});
  await waitFor(
    'FINALIZED',
    async () => (await client.prove({ leafHash: leaf as Uint8Array })).status === Status.FINALIZED,
    60_000,
    200,
  );
  const text = await waitFor(
    'the recent cost',
    async () => {
      const r = await runCli(['account', '--server', server?.address ?? '']);
      return /recent cost {2}1 anchors/.test(r.stdout) && /balance {6}9\d\.\d+ XYM/.test(r.stdout)
        ? r.stdout
        : undefined;
    },
    15_000,
    300,
  );
  assert.match(text, new RegExp(`address {6}${address.address}`));
  assert.match(text, /network {6}custom network 0x98|network {6}testnet/);
  assert.match(text, /XYM per anchor/);
  assert.match(text, /funding {6}lasts about [\d.]+ days at that rate/);
  assert.match(await scrape(), /^spark_symbol_account_balance_low 0$/m);
  assert.ok(server.logs.some((l) => /balance is above SYMBOL_MIN_BALANCE again/.test(l)));
  const status = await runCli(['status', '--server', server.address]);
  assert.match(status.stdout, /Symbol account:\n {2}network/);
});
