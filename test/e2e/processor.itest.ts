// SparkProcessor behaviour over a real server: idempotency, streams, watch, immediate mode, keys, restart.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { toBinary } from '@bufbuild/protobuf';
import { createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { loadConfig } from '../../src/config/config.ts';
import { SparkAdmin } from '../../src/gen/spark/v1/admin_pb.js';
import { ProofBundleSchema, Status } from '../../src/gen/spark/v1/bundle_pb.js';
import { SparkProcessor } from '../../src/gen/spark/v1/processor_pb.js';
import { createLogger } from '../../src/log/logger.ts';
import { createApp } from '../../src/main.ts';
import { tempDir } from '../support/spawn-server.ts';

async function start(dataDir: string, env: Record<string, string> = {}) {
  const app = await createApp(
    loadConfig({ SPARK_LISTEN: '127.0.0.1:0', SPARK_DATA_DIR: dataDir, ...env }),
    createLogger('silent'),
  );
  const transport = createGrpcTransport({ baseUrl: `http://127.0.0.1:${app.address.port}` });
  return { app, client: createClient(SparkProcessor, transport), admin: createClient(SparkAdmin, transport) };
}

const digestReq = (d: Uint8Array, extra: { requestId?: string; immediate?: boolean } = {}) => ({
  payload: { case: 'digest' as const, value: d },
  ...extra,
});

test('identical leaves and repeated request ids return the first receipt', async (t) => {
  const dir = tempDir('spark-idem-');
  const { app, client } = await start(dir.path);
  t.after(async () => {
    await app.close();
    dir.cleanup();
  });
  const d = randomBytes(32);
  const first = (await client.submit(digestReq(d, { requestId: 'r-1' }))).receipt;
  const same = (await client.submit(digestReq(d))).receipt;
  const sameId = (await client.submit(digestReq(randomBytes(32), { requestId: 'r-1' }))).receipt;
  assert.equal(first?.duplicate, false);
  assert.equal(same?.duplicate, true);
  assert.equal(sameId?.duplicate, true);
  assert.deepEqual(same?.leafHash, first?.leafHash);
  assert.deepEqual(sameId?.leafHash, first?.leafHash);
  assert.equal(sameId?.acceptedAtMs, first?.acceptedAtMs);
  const data = (await client.submit({ payload: { case: 'data', value: new TextEncoder().encode('hi') } }))
    .receipt;
  assert.equal(
    Buffer.from(data?.digest ?? []).toString('hex'),
    '8f434346648f6b96df89dda901c5176b10a6d83961dd3c1ac88b59b2dc327aa4',
  );
});

test('SubmitStream answers in order, per-item errors do not end the stream', async (t) => {
  const dir = tempDir('spark-stream-');
  const { app, client } = await start(dir.path, { PQC_AGGREGATION_THRESHOLD: '100' });
  t.after(async () => {
    await app.close();
    dir.cleanup();
  });
  const n = 300;
  async function* requests() {
    for (let i = 0; i < n; i++) {
      yield i === 5 ? digestReq(new Uint8Array(3)) : digestReq(randomBytes(32));
    }
  }
  const out = [];
  for await (const r of client.submitStream(requests())) out.push(r);
  assert.equal(out.length, n);
  for (const [i, r] of out.entries()) assert.equal(r.index, BigInt(i));
  assert.equal(out[5]?.result.case, 'error');
  if (out[5]?.result.case === 'error') {
    assert.equal(out[5].result.value.code, 'INVALID_ARGUMENT');
    assert.equal(out[5].result.value.field, 'digest');
  }
  assert.equal(out.filter((r) => r.result.case === 'receipt').length, n - 1);
});

test('WatchProof streams PENDING then SEALED; immediate seals at once when enabled', async (t) => {
  const dir = tempDir('spark-watch-');
  const { app, client, admin } = await start(dir.path, {
    PQC_IMMEDIATE_MODE: 'true',
    PQC_AGGREGATION_TIMEOUT: '3600',
  });
  t.after(async () => {
    await app.close();
    dir.cleanup();
  });
  const leaf = (await client.submit(digestReq(randomBytes(32)))).receipt?.leafHash as Uint8Array;
  const seen: Status[] = [];
  const watching = (async () => {
    for await (const u of client.watchProof({ leafHash: leaf }, { signal: AbortSignal.timeout(10_000) })) {
      seen.push(u.status);
    }
  })();
  await new Promise((r) => setTimeout(r, 200));
  await admin.sealNow({});
  await watching;
  assert.deepEqual(seen, [Status.PENDING, Status.SEALED]);

  const imm = (await client.submit(digestReq(randomBytes(32), { immediate: true }))).receipt;
  assert.equal(imm?.status, Status.SEALED, 'an immediate receipt comes back sealed');
  assert.equal(typeof imm?.batchSequence, 'bigint');
  const proof = await client.prove({ leafHash: imm?.leafHash as Uint8Array });
  const verdict = await client.verify({ bundle: toBinary(ProofBundleSchema, proof.bundle as never) });
  assert.equal(verdict.valid, true, JSON.stringify(verdict.checks));
});

test('restart: pending leaves recovered, a new memory key is recorded, old bundles still verify', async (t) => {
  const dir = tempDir('spark-restart-');
  t.after(dir.cleanup);
  let s = await start(dir.path);
  const sealedLeaf = (await s.client.submit(digestReq(randomBytes(32)))).receipt?.leafHash as Uint8Array;
  await s.admin.sealNow({});
  const pendingLeaf = (await s.client.submit(digestReq(randomBytes(32)))).receipt?.leafHash as Uint8Array;
  const keysBefore = (await s.client.getKeyHistory({})).keys;
  await s.app.close();

  s = await start(dir.path);
  t.after(() => s.app.close());
  const inv = await s.client.getInventory({});
  assert.equal(inv.pendingLeaves, 1n, 'the pending leaf survived the restart');
  assert.equal(inv.keys.length, keysBefore.length + 1, 'the new memory key joined the history');
  const [oldKey, newKey] = inv.keys.slice(-2);
  assert.deepEqual(newKey?.previousKeyId, oldKey?.keyId);
  assert.equal(oldKey?.validUntilMs, newKey?.validFromMs);
  assert.ok(inv.algorithms.some((a) => a.name === 'ML-DSA-65' && a.active));
  await s.admin.sealNow({});
  for (const leaf of [sealedLeaf, pendingLeaf]) {
    const p = await s.client.prove({ leafHash: leaf });
    assert.equal(p.status, Status.SEALED);
    const v = await s.client.verify({ bundle: toBinary(ProofBundleSchema, p.bundle as never) });
    assert.equal(v.valid, true, JSON.stringify(v.checks.filter((c) => !c.ok)));
  }
});
