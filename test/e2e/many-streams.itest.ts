// Many SubmitStreams sharing one HTTP/2 connection, through the gRPC fast path and through connect-node
// (SPARK_GRPC_FAST_PATH=false): every stream is answered in full and a Health.Check on that same connection is
// answered within 2 s while they run; a stream past SPARK_MAX_STREAMS_PER_CONNECTION is refused with
// RESOURCE_EXHAUSTED naming it while another connection still gets in; under 100 streams and 20 unary callers for 10 s the server's memory stays
// bounded, and more tightly under SPARK_MEMORY_PROFILE=lean (docs/PERFORMANCE.md §Many streams and overload). Loopback only; every server is stopped by PID, also
// when a test fails; every load is bounded in items and time.
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { join } from 'node:path';
import { test } from 'node:test';
import { OVERLOAD_QUICK, OVERLOAD_SERVER_ENV, overload, overloadLines } from '../../bench/overload.ts';
import { startBenchServer } from '../../bench/server.ts';
import { runStreamLoad } from '../../bench/stream-load.ts';
import { startServerProcess, tempDir } from '../support/spawn-server.ts';

const STREAMS = 200;
const ITEMS_PER_STREAM = 150;
const HEALTH_MAX_MS = 2_000;
/** Bounds for the quick overload, measured at 323–361 MiB anonymous and 629–660 MiB RSS (1,047 / 715 before). */
const ANON_MAX_MIB = 550;
const RSS_MAX_MIB = 900;

/** `spark serve` on a fresh data dir with `env`, stopped (by PID) and removed when the test ends, however it ends. */
async function serverFor(t: { after(fn: () => unknown): void }, env: Record<string, string>) {
  const dir = tempDir('spark-many-streams-');
  t.after(dir.cleanup);
  const server = await startServerProcess({ dataDir: join(dir.path, 'data'), env });
  t.after(() => server.stop());
  return server;
}

for (const fastPath of [true, false]) {
  const path = fastPath ? 'the fast path' : "connect's path";

  test(`${STREAMS} SubmitStreams on one HTTP/2 connection through ${path}: each answered in full, Health.Check on it < ${HEALTH_MAX_MS} ms`, {
    timeout: 180_000,
  }, async (t) => {
    const server = await serverFor(t, { SPARK_GRPC_FAST_PATH: String(fastPath) });
    const r = await runStreamLoad({
      address: server.address,
      streams: STREAMS,
      connections: 1,
      itemsPerStream: ITEMS_PER_STREAM,
      sendMs: 60_000,
      unaryCallers: 0,
      healthEveryMs: 100,
      drainMs: 30_000,
    });
    const failures = Object.entries(r.streams.failures)
      .map(([why, n]) => `${n} × ${why}`)
      .join('; ');
    console.log(
      `${path}: ${r.streams.complete}/${STREAMS} streams answered in full (${r.streams.answers} answers) by ${Math.round(r.streams.lastEndMs)} ms, every stream's first answer by ${Math.round(r.streams.firstAnswerMaxMs)} ms; Health.Check on the same connection: ${r.health.calls} calls, p50 ${Math.round(r.health.p50Ms)} ms, max ${Math.round(r.health.maxMs)} ms`,
    );
    assert.equal(r.streams.complete, STREAMS, failures);
    assert.equal(r.streams.answers, STREAMS * ITEMS_PER_STREAM);
    assert.equal(r.streams.itemErrors, 0);
    assert.ok(r.health.calls >= 3, `${r.health.calls} health checks while the streams ran`);
    assert.equal(r.health.failed, 0);
    assert.ok(r.health.maxMs < HEALTH_MAX_MS, `Health.Check took up to ${Math.round(r.health.maxMs)} ms`);
  });

  test(`${OVERLOAD_QUICK.streams} SubmitStreams and ${OVERLOAD_QUICK.unaryCallers} unary callers for ${OVERLOAD_QUICK.seconds} s through ${path}: server memory bounded`, {
    timeout: 240_000,
  }, async (t) => {
    const server = await startBenchServer({ ...OVERLOAD_SERVER_ENV, SPARK_GRPC_FAST_PATH: String(fastPath) });
    t.after(() => server.close());
    const f = await overload(server, OVERLOAD_QUICK);
    for (const line of overloadLines(f, fastPath)) console.log(line);
    assert.equal(f.load.streams.neverAnswered, 0);
    assert.ok(f.load.streams.answers > 0 && f.load.unary.ok > 0, 'the load ran');
    assert.ok(f.peak.anonMiB <= ANON_MAX_MIB, `anonymous memory peaked at ${Math.round(f.peak.anonMiB)} MiB`);
    assert.ok(f.peak.rssMiB <= RSS_MAX_MIB, `RSS peaked at ${Math.round(f.peak.rssMiB)} MiB`);
  });

  test(`a stream past SPARK_MAX_STREAMS_PER_CONNECTION through ${path} is refused naming it; HTTP/2 announces 100 more`, {
    timeout: 120_000,
  }, async (t) => {
    const server = await serverFor(t, {
      SPARK_GRPC_FAST_PATH: String(fastPath),
      SPARK_MAX_STREAMS_PER_CONNECTION: '5',
    });
    const session = http2.connect(`http://${server.address}`);
    t.after(() => session.destroy());
    const settings = await new Promise<http2.Settings>((resolve) => session.once('remoteSettings', resolve));
    assert.equal(settings.maxConcurrentStreams, 105);
    const one = await runStreamLoad({
      address: server.address,
      streams: 6,
      connections: 1,
      itemsPerStream: 2_000,
      sendMs: 60_000,
      unaryCallers: 0,
      healthEveryMs: 0,
      drainMs: 30_000,
    });
    assert.equal(one.streams.complete, 5);
    assert.deepEqual(Object.entries(one.streams.failures), [
      [
        '8 too many open streams on this connection: SPARK_MAX_STREAMS_PER_CONNECTION is 5; open another connection or retry when one ends',
        1,
      ],
    ]);
    // Spread over two connections the same six streams all get in.
    const two = await runStreamLoad({
      address: server.address,
      streams: 6,
      connections: 2,
      itemsPerStream: 2_000,
      sendMs: 60_000,
      unaryCallers: 0,
      healthEveryMs: 0,
      drainMs: 30_000,
    });
    assert.equal(two.streams.complete, 6);
  });
}

/** Bounds for the quick overload under SPARK_MEMORY_PROFILE=lean, well above what it measured (docs/PERFORMANCE.md). */
const LEAN_ANON_MAX_MIB = 320;
const LEAN_RSS_MAX_MIB = 480;

test(`${OVERLOAD_QUICK.streams} SubmitStreams and ${OVERLOAD_QUICK.unaryCallers} unary callers for ${OVERLOAD_QUICK.seconds} s under SPARK_MEMORY_PROFILE=lean: tighter memory`, {
  timeout: 240_000,
}, async (t) => {
  const server = await startBenchServer({ ...OVERLOAD_SERVER_ENV, SPARK_MEMORY_PROFILE: 'lean' });
  t.after(() => server.close());
  const f = await overload(server, OVERLOAD_QUICK);
  for (const line of overloadLines(f, true, 'lean')) console.log(line);
  assert.equal(f.load.streams.neverAnswered, 0);
  assert.ok(f.load.streams.answers > 0 && f.load.unary.ok > 0, 'the load ran');
  assert.ok(
    f.peak.anonMiB <= LEAN_ANON_MAX_MIB,
    `anonymous memory peaked at ${Math.round(f.peak.anonMiB)} MiB`,
  );
  assert.ok(f.peak.rssMiB <= LEAN_RSS_MAX_MIB, `RSS peaked at ${Math.round(f.peak.rssMiB)} MiB`);
});
