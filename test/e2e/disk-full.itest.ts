// Disk full through the real server (docs/operations.md "Disk full"): `spark serve` with its data dir on a 32 MiB
// tmpfs, three quarters taken by a filler file, flooded over SubmitStream until the volume is full. The process
// stays up, refused items get UNAVAILABLE with reason DISK_FULL, reads (Prove, Verify, /healthz) are served,
// /readyz answers 503 saying why, and the failed commits are counted; once the filler is deleted, writes and
// sealing resume by themselves within seconds, every acknowledged leaf is provable and no refused one was stored.
// Skipped when the test cannot mount a tmpfs (not root).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { toBinary } from '@bufbuild/protobuf';
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { nativeSha256 } from '../../src/crypto/native-sha256.ts';
import { createNativeVerifier } from '../../src/crypto/native-verifier.ts';
import { ProofBundleSchema, Status } from '../../src/gen/spark/v1/bundle_pb.js';
import {
  ErrorDetailSchema,
  SparkProcessor,
  type SubmitRequest,
} from '../../src/gen/spark/v1/processor_pb.js';
import { leafHashOfDigest } from '../../src/proof/bundle/leaf.ts';
import { verifyBundle } from '../../src/proof/bundle/verify.ts';
import { mountTmpfs } from '../store/tmpfs.ts';
import { parsePrometheusText, sampleValue } from '../support/prometheus-text.ts';
import { type ServerProcess, startServerProcess } from '../support/spawn-server.ts';

const MiB = 1024 * 1024;
const VOLUME_MIB = 32;
const FILLER_BYTES = 28 * MiB;
/** The flood stops after this many refused items, or these many items, or this long. */
const REFUSALS_WANTED = 2_000;
const MAX_ITEMS = 400_000;
const FLOOD_LIMIT_MS = 60_000;
/** Bound on each wait for recovery. */
const RECOVERY_LIMIT_MS = 30_000;
const PARALLEL = 32;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

async function getJson(
  port: number,
  path: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(5_000) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function metric(port: number, name: string, labels: Record<string, string> = {}): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5_000) });
  return sampleValue(parsePrometheusText(await res.text()), name, labels);
}

/** Runs `fn` over `items`, `PARALLEL` at a time. */
async function eachParallel<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: PARALLEL }, async () => {
      while (next < items.length) await fn(items[next++] as T);
    }),
  );
}

/** Polls `check` every 100 ms until it returns true or `limitMs` passes; the time it took, or undefined. */
async function within(limitMs: number, check: () => Promise<boolean>): Promise<number | undefined> {
  const started = Date.now();
  while (Date.now() - started < limitMs) {
    if (await check().catch(() => false)) return Date.now() - started;
    await sleep(100);
  }
  return undefined;
}

test('a full data volume: the server stays up, refuses writes with UNAVAILABLE/DISK_FULL, serves reads, is not ready, and resumes by itself once space is freed', async (t) => {
  const fs = mountTmpfs(VOLUME_MIB);
  if (typeof fs === 'string') {
    t.skip(fs);
    return;
  }
  let server: ServerProcess | undefined;
  // One hook, in this order even on failure: the server (by PID) before the volume it writes to.
  t.after(async () => {
    await server?.kill();
    fs.unmount();
  });
  const filler = fs.fill('filler', FILLER_BYTES);
  server = await startServerProcess({
    dataDir: join(fs.path, 'data'),
    env: { PQC_AGGREGATION_THRESHOLD: '1000', PQC_AGGREGATION_TIMEOUT: '1' },
  });
  const httpPort = server.httpPort;
  assert.ok(httpPort !== undefined, 'the HTTP port is on');
  const pid = server.child.pid as number;
  const client = createClient(SparkProcessor, createGrpcTransport({ baseUrl: `http://${server.address}` }));

  // The flood: one stream, items generated as the transport takes them, until enough are refused.
  const acked: Uint8Array[] = [];
  const refused: Uint8Array[] = [];
  const sent: Uint8Array[] = [];
  let stop = false;
  const floodStarted = Date.now();
  async function* items(): AsyncGenerator<SubmitRequest> {
    while (!stop && sent.length < MAX_ITEMS && Date.now() - floodStarted < FLOOD_LIMIT_MS) {
      const digest = new Uint8Array(randomBytes(32));
      sent.push(digest);
      yield { payload: { case: 'digest', value: digest } } as SubmitRequest;
    }
  }
  let firstRefusalAt: number | undefined;
  for await (const r of client.submitStream(items())) {
    const digest = sent[Number(r.index)] as Uint8Array;
    if (r.result.case === 'receipt') {
      assert.equal(hex(r.result.value.leafHash), hex(leafHashOfDigest(digest, nativeSha256)));
      acked.push(r.result.value.leafHash);
    } else if (r.result.case === 'error') {
      const e = r.result.value;
      assert.equal(e.code, 'UNAVAILABLE', e.message);
      assert.equal(e.reason, 'DISK_FULL', e.message);
      assert.match(
        e.message,
        /^disk full: the commit to the data dir failed \((ENOSPC|EIO): .+\); nothing of this write was stored/,
      );
      firstRefusalAt ??= acked.length;
      refused.push(leafHashOfDigest(digest, nativeSha256));
      if (refused.length >= REFUSALS_WANTED) stop = true;
    }
  }
  const floodMs = Date.now() - floodStarted;
  assert.ok(
    refused.length > 0,
    `the volume never filled: ${acked.length} of ${sent.length} items acknowledged`,
  );
  assert.equal(acked.length + refused.length, sent.length, 'one answer per item');

  // Full: alive, not ready and saying why, the failures counted, reads served.
  process.kill(pid, 0);
  assert.equal(server.child.exitCode, null, `the server exited: ${server.stderr().slice(-2000)}`);
  const ready = await getJson(httpPort, '/readyz');
  assert.equal(ready.status, 503);
  const problems = ready.body['problems'] as string[];
  assert.ok(
    problems.some((p) =>
      /^store: disk full: commits to the data dir .+ fail \((ENOSPC|EIO): .+\); \d+ commits? failed since .+; reads are served; .+ available on its volume; writes resume by themselves once 4.0 MiB is$/.test(
        p,
      ),
    ),
    JSON.stringify(problems),
  );
  assert.deepEqual(await getJson(httpPort, '/healthz'), { status: 200, body: { status: 'ok' } });
  const failedCommits = await metric(httpPort, 'spark_store_commit_failures_total', { reason: 'disk_full' });
  assert.ok(failedCommits >= 1, `${failedCommits} failed commits counted`);
  assert.ok((await metric(httpPort, 'spark_data_volume_available_bytes')) < 4 * MiB);
  // Unary Submit: refused the same way. Small commits can still fit in pages LMDB freed earlier, so unary calls
  // go on (32 at a time, each acknowledgement counted) until one is refused.
  let unaryRefusal: ConnectError | undefined;
  const unary = Array.from({ length: 4_000 }, () => new Uint8Array(randomBytes(32)));
  await eachParallel(unary, async (digest) => {
    if (unaryRefusal !== undefined) return;
    try {
      const r = await client.submit({ payload: { case: 'digest', value: digest } });
      acked.push(r.receipt?.leafHash as Uint8Array);
    } catch (e) {
      unaryRefusal ??= ConnectError.from(e);
      refused.push(leafHashOfDigest(digest, nativeSha256));
    }
  });
  assert.ok(unaryRefusal !== undefined, 'no unary Submit was refused on the full volume');
  assert.equal(unaryRefusal.code, Code.Unavailable);
  assert.equal(unaryRefusal.findDetails(ErrorDetailSchema)[0]?.reason, 'DISK_FULL');
  // Prove and Verify answer: a leaf sealed before the volume filled verifies.
  let verifiedWhileFull = false;
  for (const leafHash of acked.slice(0, 3_000)) {
    const proof = await client.prove({ leafHash });
    if (proof.status !== Status.SEALED || proof.bundle === undefined) continue;
    const verdict = await client.verify({ bundle: toBinary(ProofBundleSchema, proof.bundle) });
    assert.equal(verdict.valid, true);
    verifiedWhileFull = true;
    break;
  }
  assert.ok(verifiedWhileFull, 'a sealed leaf was proved and verified while the volume was full');

  // Space back: no restart, no client retrying meanwhile.
  rmSync(filler);
  const freedAt = Date.now();
  const readyMs = await within(
    RECOVERY_LIMIT_MS,
    async () => (await getJson(httpPort, '/readyz')).status === 200,
  );
  assert.ok(readyMs !== undefined, `not ready ${RECOVERY_LIMIT_MS} ms after space was freed`);
  const after = await client.submit({ payload: { case: 'digest', value: new Uint8Array(randomBytes(32)) } });
  acked.push(after.receipt?.leafHash as Uint8Array);
  const acceptedMs = Date.now() - freedAt;
  const sealedMs = await within(
    RECOVERY_LIMIT_MS,
    async () => (await client.getInventory({})).pendingLeaves === 0n,
  );
  assert.ok(sealedMs !== undefined, 'sealing did not catch up after space was freed');

  // Every acknowledged leaf is sealed and provable, each at its own position; no refused leaf was stored.
  const verifier = createNativeVerifier();
  const positions = new Set<string>();
  let checked = 0;
  await eachParallel(acked, async (leafHash) => {
    const proof = await client.prove({ leafHash });
    assert.equal(proof.status, Status.SEALED, `leaf ${hex(leafHash)}`);
    const bundle = proof.bundle;
    assert.ok(bundle !== undefined);
    const at = `${bundle.headerFields?.sequence}:${bundle.inclusion?.leafIndex}`;
    assert.ok(!positions.has(at), `two leaves at ${at}`);
    positions.add(at);
    if (checked++ % 1_000 === 0) {
      const report = verifyBundle(toBinary(ProofBundleSchema, bundle), { verifier });
      assert.equal(report.valid, true, JSON.stringify(report.checks.filter((c) => !c.ok)));
    }
  });
  await eachParallel(refused.slice(0, 500), async (leafHash) => {
    const e = await client.prove({ leafHash }).then(
      () => assert.fail(`refused leaf ${hex(leafHash)} was stored`),
      (err: unknown) => ConnectError.from(err),
    );
    assert.equal(e.code, Code.NotFound);
  });
  process.kill(pid, 0);
  assert.equal(await server.stop(), 0, 'a clean shutdown after the episode');
  t.diagnostic(
    `${VOLUME_MIB} MiB tmpfs with ${FILLER_BYTES / MiB} MiB filler: ${firstRefusalAt} leaves acknowledged before the first refusal, ${acked.length} in all; ${refused.length} stream items refused (UNAVAILABLE/DISK_FULL) over ${floodMs} ms, ${failedCommits} failed commits counted; after the filler was deleted: ready in ${readyMs} ms, a Submit acknowledged at ${acceptedMs} ms, pending sealed ${sealedMs} ms later; ${acked.length} leaves proved (${Math.ceil(checked / 1_000)} verified offline)`,
  );
});
