// /metrics, /healthz and /readyz of a running `spark serve` anchoring on the Symbol test double: after a known
// sequence of submissions, refusals, a failed and a successful announcement, the scrape is parsed and every
// series the operators rely on is there with the counts the test caused; `spark status` counts the same batch and
// `spark prove --wait` reports the leaf's way from PENDING to FINALIZED.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { Status } from '../../src/gen/spark/v1/bundle_pb.js';
import { clientsFor, traceStatuses, waitFor } from '../anchoring/support.ts';
import { type SymbolTestNode, startSymbolTestNode } from '../fakes/symbol-node/symbol-test-node.ts';
import { type Exposition, parsePrometheusText, samplesOf, sampleValue } from '../support/prometheus-text.ts';
import {
  type CliRun,
  runCli,
  type ServerProcess,
  startCli,
  startServerProcess,
  tempDir,
} from '../support/spawn-server.ts';

async function scrape(port: number): Promise<Exposition> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(10_000) });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(await res.text());
}

async function probe(port: number, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

test('metrics and probes during an anchored run', async (t) => {
  const dir = tempDir('spark-metrics-');
  let node: SymbolTestNode | undefined;
  let server: ServerProcess | undefined;
  let proving: CliRun | undefined;
  t.after(async () => {
    await proving?.kill();
    await server?.stop();
    await node?.close();
    dir.cleanup();
  });
  node = await startSymbolTestNode({ blockIntervalMs: 250, finalizationLagBlocks: 2 });
  server = await startServerProcess({
    dataDir: join(dir.path, 'data'),
    env: {
      SYMBOL_NODE_URL: node.url,
      SYMBOL_POLL_INTERVAL_MS: '100',
      PQC_AGGREGATION_THRESHOLD: '1000',
      PQC_AGGREGATION_TIMEOUT: '3600',
      SPARK_MAX_ITEMS_PER_REQUEST: '10',
    },
    timeoutMs: 60_000,
  });
  const httpPort = server.httpPort as number;
  assert.ok(httpPort > 0, 'the HTTP port is announced');
  const { client, admin } = clientsFor(server.port);

  assert.deepEqual(await probe(httpPort, '/healthz'), { status: 200, body: { status: 'ok' } });
  assert.deepEqual(await probe(httpPort, '/readyz'), { status: 200, body: { status: 'ready' } });

  // 6 accepted, 1 duplicate, 2 invalid digests, a SubmitBatch of 11 refused whole (SPARK_MAX_ITEMS_PER_REQUEST=10).
  const leaves: Uint8Array[] = [];
  for (let i = 0; i < 6; i++) {
    const r = await client.submit({ payload: { case: 'digest', value: new Uint8Array(32).fill(0x30 + i) } });
    leaves.push(r.receipt?.leafHash as Uint8Array);
  }
  await client.submit({ payload: { case: 'digest', value: new Uint8Array(32).fill(0x30) } });
  const batch = await client.submitBatch({
    items: [
      { payload: { case: 'digest', value: new Uint8Array(31) } },
      { payload: { case: 'digest', value: new Uint8Array(5) } },
    ],
  });
  assert.equal(batch.results.filter((r) => r.result.case === 'error').length, 2);
  await assert.rejects(
    client.submitBatch({
      items: Array.from({ length: 11 }, (_, i) => ({
        payload: { case: 'digest' as const, value: new Uint8Array(32).fill(0x60 + i) },
      })),
    }),
  );
  let m = await scrape(httpPort);
  assert.equal(sampleValue(m, 'spark_submissions_total', { result: 'accepted' }), 6);
  assert.equal(sampleValue(m, 'spark_submissions_total', { result: 'duplicate' }), 1);
  assert.equal(sampleValue(m, 'spark_submissions_total', { result: 'field_invalid' }), 2);
  assert.equal(sampleValue(m, 'spark_submissions_total', { result: 'too_many_items' }), 11);
  assert.equal(sampleValue(m, 'spark_pending_leaves'), 6);

  // `spark prove --wait` follows another leaf of the batch from PENDING, reporting each change on stderr.
  proving = startCli(
    [
      'prove',
      '--leaf',
      Buffer.from(leaves[1] as Uint8Array).toString('hex'),
      '--wait',
      '40',
      '--out',
      join(dir.path, 'leaf1.spark'),
      '--server',
      server.address,
    ],
    60_000,
  );
  const cli = proving;
  await waitFor('prove --wait sees PENDING', () => /PENDING$/m.test(cli.stderr()), 20_000);

  // The first announcement fails at the node; the retry goes through to FINALIZED.
  node.faults.rejectWith('Failure_Core_Insufficient_Balance');
  const trace = traceStatuses(client, leaves[0] as Uint8Array, 40_000);
  await admin.sealNow({});
  await trace.done;
  assert.equal(trace.statuses.at(-1), Status.FINALIZED);
  const proved = await cli.done;
  assert.equal(proved.code, 0, proved.stderr);
  assert.match(proved.stdout, /^FINALIZED: bundle written to /);
  assert.ok(!proved.stderr.includes('\r'), 'nothing rewritten in place when stderr is not a terminal');
  const changes = [...proved.stderr.matchAll(/^ +\d+\.\d s {2}([A-Z]+)$/gm)].map((x) => x[1]);
  assert.deepEqual(changes.slice(0, 2), ['PENDING', 'SEALED'], proved.stderr);
  assert.deepEqual(changes.slice(-3), ['ANNOUNCED', 'CONFIRMED', 'FINALIZED'], proved.stderr);
  assert.ok(
    changes.every((c, i) => c !== changes[i - 1]),
    `one line per change: ${changes.join(' → ')}`,
  );

  m = await scrape(httpPort);
  assert.equal(sampleValue(m, 'spark_pending_leaves'), 0);
  assert.equal(sampleValue(m, 'spark_batch_size_count'), 1);
  assert.equal(sampleValue(m, 'spark_batch_size_sum'), 6);
  assert.equal(sampleValue(m, 'spark_seal_duration_seconds_count'), 1);
  assert.ok(sampleValue(m, 'spark_seal_duration_seconds_sum') > 0);
  assert.equal(
    sampleValue(m, 'spark_announcement_failures_total', { code: 'failure_core_insufficient_balance' }),
    1,
  );
  // `spark status` agrees: one finalized batch of 6 leaves, nothing pending or on its way.
  const status = await runCli(['status', '--json', '--server', server.address]);
  assert.equal(status.code, 0, status.stderr);
  const summary = JSON.parse(status.stdout) as {
    anchoring: boolean;
    counts: { status: string; batches: number; leaves: number }[];
  };
  assert.equal(summary.anchoring, true);
  assert.deepEqual(
    summary.counts.map((c) => `${c.status} ${c.batches} ${c.leaves}`),
    ['pending 0 0', 'sealed 0 0', 'announced 0 0', 'confirmed 0 0', 'finalized 1 6', 'failed 0 0'],
  );
  for (const stage of ['announced', 'confirmed', 'finalized']) {
    assert.equal(sampleValue(m, 'spark_anchor_latency_seconds_count', { stage }), 1, stage);
    assert.ok(sampleValue(m, 'spark_anchor_latency_seconds_sum', { stage }) > 0, stage);
  }
  const signs = samplesOf(m, 'spark_sign_duration_seconds_count', {
    provider: 'memory',
    algorithm: 'ML-DSA-65',
  });
  assert.equal(signs.length, 1);
  assert.ok((signs[0]?.value ?? 0) >= 1, 'the header signature was timed');
  assert.equal(sampleValue(m, 'spark_http_requests_total', { route: '/readyz', status: '200' }), 1);
  assert.ok(sampleValue(m, 'spark_http_requests_total', { route: '/metrics', status: '200' }) >= 1);
  for (const family of [
    'spark_submissions_total',
    'spark_anchor_latency_seconds',
    'process_resident_memory_bytes',
  ]) {
    assert.ok(m.type.has(family) && m.help.has(family), `${family} has TYPE and HELP`);
  }
  // The one node is reachable and has had no answer refused.
  assert.equal(sampleValue(m, 'spark_symbol_nodes', { state: 'ok' }), 1);
  assert.equal(sampleValue(m, 'spark_symbol_nodes', { state: 'flagged' }), 0);
  await fetch(`http://127.0.0.1:${httpPort}/nowhere`);
  m = await scrape(httpPort);
  assert.equal(sampleValue(m, 'spark_http_requests_total', { route: 'unmatched', status: '404' }), 1);

  // The node down: not ready (after the 5 s cache), naming it; up again: ready.
  await node.faults.down();
  const down = await waitFor(
    'readyz 503',
    async () => {
      const r = await probe(httpPort, '/readyz');
      return r.status === 503 ? r : undefined;
    },
    20_000,
  );
  assert.equal(down.body['status'], 'not ready');
  assert.match(String((down.body['problems'] as string[])[0]), /^symbol node: /);
  assert.equal((await probe(httpPort, '/healthz')).status, 200, 'still alive');
  await node.faults.up();
  await waitFor(
    'readyz 200',
    async () => ((await probe(httpPort, '/readyz')).status === 200 ? true : undefined),
    20_000,
  );
  console.log(
    `metrics: ${m.samples.length} samples in ${m.type.size} families; anchor latency finalized ${sampleValue(m, 'spark_anchor_latency_seconds_sum', { stage: 'finalized' }).toFixed(2)} s; prove --wait: ${changes.join(' → ')}`,
  );
});
