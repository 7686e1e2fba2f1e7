// Prepaid credit end to end (docs/operations.md §Prepaid credit): a spawned `spark serve` with SPARK_CREDIT_PRICE,
// anchoring on the Symbol test double. alice has no credit and is refused with FAILED_PRECONDITION naming her balance
// and the price; bob's tokens-file price is 0 and he submits freely; alice's transfer to the operator's account with
// the message spark-credit:alice is credited once final; her submissions debit it (immediate × the multiplier) down
// to zero, where she is refused again; `spark credit` shows her own, `spark usage` everyone's; after kill -9 and a
// restart the credit is neither lost nor counted twice. Loopback only; processes are stopped by the test.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { test } from 'node:test';
import { Code, ConnectError } from '@connectrpc/connect';
import { createSymbolRestClient } from '../../src/anchor/symbol/rest-client.ts';
import { addressOf } from '../../src/proof/trust/trust-root.ts';
import { clientsFor, moreTrackerRounds, waitFor } from '../anchoring/support.ts';
import { buildTransfer, testKeyPair } from '../fakes/symbol-node/fixture.ts';
import { startSymbolTestNode } from '../fakes/symbol-node/symbol-test-node.ts';
import { createCliTokens } from '../support/cli-tokens.ts';
import { runCli, type ServerProcess, startServerProcess, tempDir } from '../support/spawn-server.ts';

const wallet = testKeyPair('C1');

const digest = () => ({ case: 'digest' as const, value: new Uint8Array(randomBytes(32)) });

test('prepaid credit: refused without it, credited once final, debited to zero, kept across kill -9', {
  timeout: 180_000,
}, async (t) => {
  const dir = tempDir('spark-credit-e2e-');
  const node = await startSymbolTestNode({
    blockIntervalMs: 150,
    finalizationLagBlocks: 2,
    balances: { [addressOf(wallet.publicKey.bytes, 0x98)]: 100_000_000n },
  });
  let server: ServerProcess | undefined;
  t.after(async () => {
    await server?.kill();
    await node.close();
    dir.cleanup();
  });
  const made = await createCliTokens(dir.path, [
    ['alice', 'client'],
    ['bob', 'client'],
    ['op', 'admin'],
  ]);
  const tokensFile = made.file;
  const tokens = made.tokens;
  const free = await runCli(['token', 'quota', '--name', 'bob', '--price', '0', '--file', tokensFile]);
  assert.equal(free.code, 0, free.stderr);
  assert.match(free.stdout, /^bob: price=0 \(written to /);
  const aliceFile = made.tokenFile('alice');
  const opFile = made.tokenFile('op');
  const start = () =>
    startServerProcess({
      dataDir: join(dir.path, 'data'),
      env: {
        SPARK_AUTH_TOKENS: tokensFile,
        SYMBOL_NODE_URL: node.url,
        SYMBOL_POLL_INTERVAL_MS: '100',
        SPARK_CREDIT_PRICE: '0.001',
        PQC_IMMEDIATE_MODE: 'true',
        PQC_IMMEDIATE_FEE_MULTIPLIER: '3',
      },
    });
  server = await start();
  const alice = () => clientsFor((server as ServerProcess).port, tokens.get('alice') as string).client;
  const bob = () => clientsFor((server as ServerProcess).port, tokens.get('bob') as string).client;

  const refusal = async () => {
    const err = await alice()
      .submit({ payload: digest() })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    assert.ok(err instanceof ConnectError, `expected a refusal, got ${String(err)}`);
    return err;
  };
  const none = await refusal();
  assert.equal(none.code, Code.FailedPrecondition);
  assert.match(
    none.rawMessage,
    /^credit: balance 0 XYM, needs 0\.001 XYM \(client alice; .*spark-credit:alice\)$/,
  );
  assert.ok((await bob().submit({ payload: digest() })).receipt, 'bob is free');

  const own = await waitFor(
    'the operator address',
    async () => {
      const c = await alice().getCredit({});
      return c.address === '' ? undefined : c;
    },
    20_000,
  );
  assert.equal(own.enabled, true);
  assert.equal(own.client, 'alice');
  assert.equal(own.message, 'spark-credit:alice');
  assert.equal(own.credit?.priceMicroXym, 1_000n);
  assert.equal(own.credit?.immediatePriceMicroXym, 3_000n);

  // alice tops up 0.005 XYM from her wallet.
  const rest = createSymbolRestClient({ url: node.url });
  const transfer = buildTransfer({
    nowMs: await rest.nodeTime(),
    signer: wallet,
    recipient: own.address,
    amount: 5_000n,
    text: 'spark-credit:alice',
  });
  await rest.announce(transfer.bytes);
  const credited = await waitFor(
    'the top-up credited',
    async () => {
      const c = (await alice().getCredit({})).credit;
      return c !== undefined && c.creditedMicroXym > 0n ? c : undefined;
    },
    30_000,
  );
  assert.equal(credited.creditedMicroXym, 5_000n);
  assert.ok(
    server.logs.some((l) => l.includes('credit: 0.005 XYM credited to client alice')),
    'the credit is logged',
  );
  const metrics = await fetch(`http://127.0.0.1:${server.httpPort}/metrics`).then((r) => r.text());
  assert.match(metrics, /^spark_client_credit_microxym_total\{client="alice"\} 5000$/m);
  // 2 × 0.001 + 1 immediate × 0.003 = 0.005: then nothing is left.
  assert.ok((await alice().submit({ payload: digest() })).receipt);
  assert.ok((await alice().submit({ payload: digest() })).receipt);
  assert.ok((await alice().submit({ payload: digest(), immediate: true })).receipt);
  const empty = await refusal();
  assert.equal(empty.code, Code.FailedPrecondition);
  assert.match(empty.rawMessage, /^credit: balance 0 XYM, needs 0\.001 XYM/);

  const mine = await runCli(['credit', '--server', server.address, '--token-file', aliceFile, '--json']);
  assert.equal(mine.code, 0, mine.stderr);
  assert.deepEqual(JSON.parse(mine.stdout), {
    enabled: true,
    client: 'alice',
    credit: { balance: 0, credited: 5_000, spent: 5_000, price: 1_000, immediatePrice: 3_000 },
    address: own.address,
    message: 'spark-credit:alice',
    unit: 'µXYM',
  });
  const text = await runCli(['credit', '--server', server.address, '--token-file', aliceFile]);
  assert.match(text.stdout, /^balance {6}0 XYM \(credited 0\.005, spent 0\.005\)$/m);
  assert.match(
    text.stdout,
    new RegExp(`send XYM to ${own.address} with the plain message spark-credit:alice`),
  );

  const usage = async () => {
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
    const clients = (JSON.parse(r.stdout) as { clients: Array<{ client: string; credit: unknown }> }).clients;
    return Object.fromEntries(clients.map((c) => [c.client, c.credit]));
  };
  const before = await usage();
  assert.deepEqual(before['alice'], {
    balance: 0,
    credited: 5_000,
    spent: 5_000,
    price: 1_000,
    immediatePrice: 3_000,
  });
  assert.deepEqual(before['bob'], { balance: 0, credited: 0, spent: 0, price: 0, immediatePrice: 0 });

  // kill -9, restart, let the tracker go round many times over the same finalized blocks: nothing doubles.
  await server.kill();
  server = await start();
  // The first round after the restart has read the network (the address is known again); twenty more follow.
  await waitFor(
    'a round after the restart',
    async () => (await alice().getCredit({})).address !== '' || undefined,
    20_000,
  );
  await moreTrackerRounds([node], 20);
  assert.deepEqual(await usage(), before, 'credit kept, not counted twice, after kill -9');
  assert.equal((await refusal()).code, Code.FailedPrecondition);
});
