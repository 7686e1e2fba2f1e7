// Online checks of a bundle's anchor against the Symbol test double: via the CLI (`spark verify --symbol`),
// the Verify RPC (check_on_chain) and checkOnChain directly, with tampered anchors, stalled finality and a down node.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { clone, toBinary } from '@bufbuild/protobuf';
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { checkOnChain, ONLINE_CHECK_NAMES } from '../../src/anchor/symbol/online-check.ts';
import { createSymbolRestClient } from '../../src/anchor/symbol/rest-client.ts';
import { loadConfig } from '../../src/config/config.ts';
import { type ProofBundle, ProofBundleSchema, Status } from '../../src/gen/spark/v1/bundle_pb.js';
import { SparkProcessor } from '../../src/gen/spark/v1/processor_pb.js';
import { createLogger } from '../../src/log/logger.ts';
import { type App, createApp } from '../../src/main.ts';
import { type SymbolTestNode, startSymbolTestNode } from '../fakes/symbol-node/symbol-test-node.ts';
import { runCli, tempDir } from '../support/spawn-server.ts';

const dir = tempDir('spark-online-');
const bareDir = tempDir('spark-online-bare-');
let node: SymbolTestNode;
let app: App;
let bare: App | undefined;
let client: ReturnType<typeof createClient<typeof SparkProcessor>>;
let finalBundle: ProofBundle;

const clientFor = (port: number) =>
  createClient(SparkProcessor, createGrpcTransport({ baseUrl: `http://127.0.0.1:${port}` }));

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
  client = clientFor(app.address.port);
  finalBundle = await anchoredBundle(Status.FINALIZED);
});

after(async () => {
  await bare?.close();
  await app?.close();
  await node?.close();
  dir.cleanup();
  bareDir.cleanup();
});

/** Submits one immediate digest and follows it (bounded) until `until`; returns its bundle then. */
async function anchoredBundle(until: Status): Promise<ProofBundle> {
  const r = await client.submit({ payload: { case: 'digest', value: randomBytes(32) }, immediate: true });
  const leafHash = r.receipt?.leafHash as Uint8Array;
  for await (const u of client.watchProof({ leafHash }, { signal: AbortSignal.timeout(30_000) })) {
    if (u.status === until) {
      assert.ok(u.bundle?.anchor, `a ${Status[until]} bundle carries its anchor`);
      return u.bundle;
    }
  }
  throw new Error(`leaf never reached ${Status[until]}`);
}

const byName = (checks: readonly { name: string; ok: boolean; detail: string }[], name: string) => {
  const c = checks.find((x) => x.name === name);
  assert.ok(c, `check ${name} reported`);
  return c;
};

test('a FINALIZED bundle passes every online check via the CLI', async () => {
  const file = join(dir.path, 'final.spark');
  writeFileSync(file, toBinary(ProofBundleSchema, finalBundle));
  const r = await runCli(['verify', file, '--symbol', node.url]);
  assert.equal(r.code, 0, `${r.stdout}${r.stderr}`);
  for (const name of ONLINE_CHECK_NAMES) assert.match(r.stdout, new RegExp(`^ok +${name} `, 'm'));
  assert.match(r.stdout, /^VALID \(issuer not pinned\), no data checked$/m);
  const json = await runCli(['verify', file, '--symbol', node.url, '--json']);
  assert.equal(json.code, 0);
  const report = JSON.parse(json.stdout) as { valid: boolean; checks: { name: string; ok: boolean }[] };
  assert.equal(report.valid, true);
  assert.deepEqual(
    report.checks.slice(-ONLINE_CHECK_NAMES.length).map((c) => c.name),
    [...ONLINE_CHECK_NAMES],
  );
});

test('the CLI refuses a bad --symbol URL with a usage error (exit 2)', async () => {
  const file = join(dir.path, 'final.spark');
  writeFileSync(file, toBinary(ProofBundleSchema, finalBundle));
  const r = await runCli(['verify', file, '--symbol', 'not a url']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /--symbol/);
});

test('the Verify RPC appends the online checks when check_on_chain is set', async () => {
  const bytes = toBinary(ProofBundleSchema, finalBundle);
  const res = await client.verify({ bundle: bytes, checkOnChain: true });
  assert.equal(res.valid, true, JSON.stringify(res.checks.filter((c) => !c.ok)));
  for (const name of ONLINE_CHECK_NAMES) assert.equal(byName(res.checks, name).ok, true);
  assert.match(byName(res.checks, 'chain-key-history').detail, /ML-DSA/);
  const offline = await client.verify({ bundle: bytes });
  assert.equal(offline.valid, true);
  assert.ok(!offline.checks.some((c) => c.name.startsWith('chain-')), 'no online checks unless asked');
});

test('an anchor claiming another height or transactionsHash fails chain-block', async () => {
  const rest = createSymbolRestClient({ url: node.url });
  const otherHeight = clone(ProofBundleSchema, finalBundle);
  if (otherHeight.anchor) otherHeight.anchor.height -= 1n;
  const a = await checkOnChain(otherHeight, rest);
  assert.equal(byName(a, 'chain-block').ok, false);
  assert.equal(byName(a, 'chain-transaction').ok, false, 'the transaction is at another height');

  const otherHash = clone(ProofBundleSchema, finalBundle);
  if (otherHash.anchor) otherHash.anchor.transactionsHash = randomBytes(32);
  const b = await checkOnChain(otherHash, rest);
  assert.equal(byName(b, 'chain-block').ok, false);
  assert.match(byName(b, 'chain-block').detail, /transactionsHash/);
  assert.equal(byName(b, 'chain-transaction').ok, true);

  // Re-encoded, the offline anchor check fails too, and the CLI names both.
  const file = join(dir.path, 'tampered.spark');
  writeFileSync(file, toBinary(ProofBundleSchema, otherHash));
  const r = await runCli(['verify', file, '--symbol', node.url]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /INVALID: failed .*anchor.*chain-block/);
});

test('a bundle without an anchor gives one failing chain-anchor result', async () => {
  const unanchored = clone(ProofBundleSchema, finalBundle);
  unanchored.anchor = undefined;
  const r = await checkOnChain(unanchored, createSymbolRestClient({ url: node.url }));
  assert.deepEqual(r, [{ name: 'chain-anchor', ok: false, detail: 'the bundle has no anchor to check' }]);
});

test('stalled finality fails chain-finality while stalled, then passes', async () => {
  node.faults.stallFinality(true);
  try {
    const confirmed = await anchoredBundle(Status.CONFIRMED);
    const rest = createSymbolRestClient({ url: node.url });
    const stalled = await checkOnChain(confirmed, rest);
    assert.equal(byName(stalled, 'chain-finality').ok, false);
    assert.match(byName(stalled, 'chain-finality').detail, /not final/);
    assert.equal(byName(stalled, 'chain-block').ok, true);
    node.faults.stallFinality(false);
    // Finality resumes within a few blocks of 250 ms: poll, bounded.
    let after = stalled;
    for (let i = 0; i < 40 && !byName(after, 'chain-finality').ok; i++) {
      await new Promise((r) => setTimeout(r, 250));
      after = await checkOnChain(confirmed, rest);
    }
    assert.equal(byName(after, 'chain-finality').ok, true, byName(after, 'chain-finality').detail);
  } finally {
    node.faults.stallFinality(false);
  }
});

test('a node that is down gives failing results with the reason, not a crash', async () => {
  const rest = createSymbolRestClient({ url: node.url, timeoutMs: 2_000 });
  await node.faults.down();
  try {
    const r = await checkOnChain(finalBundle, rest);
    assert.deepEqual(
      r.map((c) => c.name),
      [...ONLINE_CHECK_NAMES],
    );
    for (const c of r) {
      assert.equal(c.ok, false, c.name);
      assert.match(c.detail, /unreachable|no answer/);
    }
    const res = await client.verify({ bundle: toBinary(ProofBundleSchema, finalBundle), checkOnChain: true });
    assert.equal(res.valid, false);
    assert.equal(byName(res.checks, 'anchor').ok, true, 'the offline checks still pass');
    assert.equal(byName(res.checks, 'chain-block').ok, false);
    const file = join(dir.path, 'down.spark');
    writeFileSync(file, toBinary(ProofBundleSchema, finalBundle));
    const cli = await runCli(['verify', file, '--symbol', node.url]);
    assert.equal(cli.code, 1, cli.stderr);
    assert.match(cli.stdout, /FAIL chain-network +node check failed: .*unreachable/);
  } finally {
    await node.faults.up();
  }
});

test('check_on_chain on a server without SYMBOL_NODE_URL is FAILED_PRECONDITION naming check_on_chain', async () => {
  bare = await createApp(
    loadConfig({ SPARK_LISTEN: '127.0.0.1:0', SPARK_DATA_DIR: bareDir.path }),
    createLogger('silent'),
  );
  const bareClient = clientFor(bare.address.port);
  await assert.rejects(
    bareClient.verify({ bundle: toBinary(ProofBundleSchema, finalBundle), checkOnChain: true }),
    (err: unknown) =>
      err instanceof ConnectError &&
      err.code === Code.FailedPrecondition &&
      /check_on_chain/.test(err.rawMessage),
  );
  const offline = await bareClient.verify({ bundle: toBinary(ProofBundleSchema, finalBundle) });
  assert.equal(offline.valid, true);
});
