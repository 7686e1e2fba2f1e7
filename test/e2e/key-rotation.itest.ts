// Key rotation end to end (SPEC §7): on demand under load, on a schedule, on an algorithm change, and from the CLI.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { toBinary } from '@bufbuild/protobuf';
import { type Client, createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { loadConfig } from '../../src/config/config.ts';
import { nativeSha256 } from '../../src/crypto/native-sha256.ts';
import { createNativeVerifier } from '../../src/crypto/native-verifier.ts';
import { SparkAdmin } from '../../src/gen/spark/v1/admin_pb.js';
import { ProofBundleSchema } from '../../src/gen/spark/v1/bundle_pb.js';
import { SparkProcessor } from '../../src/gen/spark/v1/processor_pb.js';
import { createLogger } from '../../src/log/logger.ts';
import { type App, createApp } from '../../src/main.ts';
import { encodeBundle } from '../../src/proof/bundle/codec.ts';
import { verifyBundle } from '../../src/proof/bundle/verify.ts';
import { ML_DSA_65, ML_DSA_87 } from '../../src/proof/crypto/algorithms.ts';
import { toHex } from '../../src/proof/encoding/bytes.ts';
import { runCli, startServerProcess, tempDir } from '../support/spawn-server.ts';

const verifyOptions = { verifier: createNativeVerifier(), sha256: nativeSha256 };

/** A data dir and a secrets dir with fresh seeds (mode 0400), removed after the test. */
function setup(t: { after(fn: () => void): void }, prefix: string) {
  const dir = tempDir(prefix);
  t.after(dir.cleanup);
  const secrets = join(dir.path, 'secrets');
  mkdirSync(secrets, { mode: 0o700 });
  writeFileSync(join(secrets, 'spark_pqc_seed'), randomBytes(32).toString('hex'), { mode: 0o400 });
  writeFileSync(join(secrets, 'spark_symbol_seed'), randomBytes(32), { mode: 0o400 });
  return {
    SPARK_LISTEN: '127.0.0.1:0',
    SPARK_DATA_DIR: join(dir.path, 'data'),
    SPARK_KEY_PROVIDER: 'docker-secret',
    SPARK_SECRETS_DIR: secrets,
  };
}

function clients(app: App): {
  processor: Client<typeof SparkProcessor>;
  admin: Client<typeof SparkAdmin>;
} {
  const transport = createGrpcTransport({ baseUrl: `http://127.0.0.1:${app.address.port}` });
  return { processor: createClient(SparkProcessor, transport), admin: createClient(SparkAdmin, transport) };
}

/** Proves and verifies each leaf offline; returns the key ids that signed them. */
async function proveAll(processor: Client<typeof SparkProcessor>, leaves: readonly Uint8Array[]) {
  const signers = new Set<string>();
  for (const leafHash of leaves) {
    const { bundle } = await processor.prove({ leafHash });
    assert.ok(bundle !== undefined, `leaf ${toHex(leafHash)} has a bundle`);
    const report = verifyBundle(encodeBundle(bundle), verifyOptions);
    assert.equal(report.valid, true, JSON.stringify(report.checks.filter((c) => !c.ok)));
    signers.add(toHex(bundle.signatures[0]?.keyId ?? new Uint8Array()));
  }
  return signers;
}

test('rotations under a steady stream of submissions refuse none; bundles before and after verify', async (t) => {
  const env = {
    ...setup(t, 'spark-rotate-load-'),
    PQC_AGGREGATION_THRESHOLD: '40',
    PQC_AGGREGATION_TIMEOUT: '1',
  };
  const app = await createApp(loadConfig(env), createLogger('silent'));
  t.after(() => app.close());
  const { processor, admin } = clients(app);

  const leaves: Uint8Array[] = [];
  const latencies: number[] = [];
  const refused: string[] = [];
  const started = performance.now();
  const deadline = started + 10_000;
  const MAX = 5000;
  /** Submissions between rotations, and after the last: each key signs several batches of 40. */
  const EACH = 400;
  let rotationsDone = 0;
  let submittedAtLastRotation = Number.POSITIVE_INFINITY;
  // Submissions run from before the first rotation until EACH after the last (bounded in count and time).
  const going = () =>
    leaves.length + refused.length < MAX &&
    performance.now() < deadline &&
    leaves.length < submittedAtLastRotation + EACH;
  async function submitter(): Promise<void> {
    while (going()) {
      const t0 = performance.now();
      try {
        const res = await processor.submit({ payload: { case: 'digest', value: randomBytes(32) } });
        latencies.push(performance.now() - t0);
        leaves.push(res.receipt?.leafHash as Uint8Array);
      } catch (err) {
        refused.push(String(err));
      }
    }
  }
  async function rotator(): Promise<void> {
    for (let i = 0; i < 3; i++) {
      // Counted, not timed: the next rotation after EACH more submissions.
      while (leaves.length < (i + 1) * EACH && performance.now() < deadline) {
        await new Promise((r) => setTimeout(r, 5));
      }
      const res = await admin.rotateKey({});
      assert.equal(res.generation, i + 1);
      assert.ok((res.key?.endorsement.length ?? 0) > 0, 'the new key is endorsed by the old one');
      rotationsDone++;
    }
    submittedAtLastRotation = leaves.length;
  }
  await Promise.all([submitter(), submitter(), submitter(), submitter(), rotator()]);
  assert.equal(rotationsDone, 3);
  assert.deepEqual(refused, [], 'no submission is refused during rotations');
  latencies.sort((x, y) => x - y);
  const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `rotation under load: ${leaves.length} submissions in ${seconds.toFixed(1)} s (${Math.round(leaves.length / seconds)}/s), 3 rotations, 0 refused; latency p50 ${p(0.5).toFixed(1)} ms, p99 ${p(0.99).toFixed(1)} ms, max ${p(1).toFixed(1)} ms`,
  );
  await admin.sealNow({});
  const signers = await proveAll(processor, leaves);
  assert.ok(signers.size >= 3, `batches were signed by ${signers.size} keys`);

  const { keys } = await processor.getKeyHistory({});
  assert.equal(keys.length, 4);
  for (const [i, k] of keys.entries()) {
    const next = keys[i + 1];
    if (next === undefined) {
      assert.equal(k.validUntilMs, 0n);
      continue;
    }
    assert.equal(k.validUntilMs, next.validFromMs, 'each window ends where the next begins');
    assert.deepEqual(next.previousKeyId, k.keyId);
    assert.ok(next.endorsement.length > 0);
  }
  const inventory = await processor.getInventory({});
  assert.equal(inventory.keys.length, 4);
  assert.deepEqual(
    inventory.algorithms.filter((a) => a.active).map((a) => a.id),
    [ML_DSA_65],
  );
});

test('changing PQC_ALGORITHM rotates into the new algorithm, endorsed by the old key; old bundles still verify', async (t) => {
  const env = { ...setup(t, 'spark-rotate-alg-'), PQC_AGGREGATION_THRESHOLD: '5' };
  let app = await createApp(loadConfig(env), createLogger('silent'));
  let { processor, admin } = clients(app);
  const before: Uint8Array[] = [];
  for (let i = 0; i < 5; i++) {
    before.push(
      (await processor.submit({ payload: { case: 'digest', value: randomBytes(32) } })).receipt
        ?.leafHash as Uint8Array,
    );
  }
  await admin.sealNow({});
  await app.close();

  app = await createApp(loadConfig({ ...env, PQC_ALGORITHM: 'ML-DSA-87' }), createLogger('silent'));
  t.after(() => app.close());
  ({ processor, admin } = clients(app));
  const { keys } = await processor.getKeyHistory({});
  assert.deepEqual(
    keys.map((k) => k.algorithmId),
    [ML_DSA_65, ML_DSA_87],
  );
  assert.ok((keys[1]?.endorsement.length ?? 0) > 0, 'the ML-DSA-87 key is endorsed by the ML-DSA-65 key');
  const after: Uint8Array[] = [];
  for (let i = 0; i < 5; i++) {
    after.push(
      (await processor.submit({ payload: { case: 'digest', value: randomBytes(32) } })).receipt
        ?.leafHash as Uint8Array,
    );
  }
  await admin.sealNow({});
  const oldSigners = await proveAll(processor, before);
  const newSigners = await proveAll(processor, after);
  assert.deepEqual([...oldSigners], [toHex(keys[0]?.keyId ?? new Uint8Array())]);
  assert.deepEqual([...newSigners], [toHex(keys[1]?.keyId ?? new Uint8Array())]);
  const { bundle } = await processor.prove({ leafHash: after[0] as Uint8Array });
  assert.equal(bundle?.keys.length, 2, 'a new-key bundle carries its endorser');
  const verdict = await processor.verify({ bundle: toBinary(ProofBundleSchema, bundle as never) });
  assert.equal(verdict.valid, true);

  // A third start with the same settings reopens the ML-DSA-87 key: no new entry.
  await app.close();
  app = await createApp(loadConfig({ ...env, PQC_ALGORITHM: 'ML-DSA-87' }), createLogger('silent'));
  ({ processor } = clients(app));
  assert.equal((await processor.getKeyHistory({})).keys.length, 2);
});

test('PQC_KEY_ROTATION_INTERVAL rotates on schedule', async (t) => {
  const env = {
    ...setup(t, 'spark-rotate-sched-'),
    PQC_KEY_ROTATION_INTERVAL: '1',
    PQC_AGGREGATION_THRESHOLD: '1',
  };
  const app = await createApp(loadConfig(env), createLogger('silent'));
  t.after(() => app.close());
  const { processor } = clients(app);
  const leaves: Uint8Array[] = [];
  // Until the schedule made two rotations (bounded: 10 s, 200 submissions), submitting as it goes.
  const started = Date.now();
  let keys = (await processor.getKeyHistory({})).keys;
  while (keys.length < 3 && Date.now() < started + 10_000 && leaves.length < 200) {
    leaves.push(
      (await processor.submit({ payload: { case: 'digest', value: randomBytes(32) } })).receipt
        ?.leafHash as Uint8Array,
    );
    await new Promise((r) => setTimeout(r, 50));
    keys = (await processor.getKeyHistory({})).keys;
  }
  const seconds = (Date.now() - started) / 1000;
  assert.ok(keys.length >= 3, `${keys.length} keys after ${seconds} s with a 1 s interval`);
  assert.ok(seconds >= 1, `two rotations 1 s apart cannot come within ${seconds} s`);
  assert.ok(keys.slice(1).every((k) => k.endorsement.length > 0));
  const signers = await proveAll(processor, leaves);
  assert.ok(signers.size >= 2);
});

test('spark keys rotate and spark keys list', async (t) => {
  const dir = tempDir('spark-keys-cli-');
  t.after(dir.cleanup);
  const server = await startServerProcess({ dataDir: join(dir.path, 'data') });
  t.after(() => server.stop());
  const rotated = await runCli(['keys', 'rotate', '--server', server.address, '--json']);
  assert.equal(rotated.code, 0, rotated.stderr);
  const entry = JSON.parse(rotated.stdout) as { keyId: string; generation: number; endorsed: boolean };
  assert.equal(entry.generation, 1);
  assert.equal(entry.endorsed, true);
  const listed = await runCli(['keys', 'list', '--server', server.address]);
  assert.equal(listed.code, 0, listed.stderr);
  const lines = listed.stdout.trim().split('\n');
  assert.equal(lines.length, 2);
  assert.match(lines[0] ?? '', /ML-DSA-65 {2}memory .* until .* first key/);
  assert.match(
    lines[1] ?? '',
    new RegExp(`^${entry.keyId} {2}ML-DSA-65 {2}memory .* current {2}endorsed by`),
  );
  const bad = await runCli(['keys', 'spin', '--server', server.address]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown action "spin"/);
});
