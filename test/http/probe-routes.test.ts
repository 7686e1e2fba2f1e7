// /healthz, /readyz and /metrics on a real HTTP port with controlled readiness inputs: each failing condition is
// named in the 503, draining turns readiness off while liveness stays on, and the Symbol node is asked at most
// once per cache period however many probes arrive (concurrent ones share one check).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type RunningHttpServer, startHttpServer } from '../../src/http/http-server.ts';
import { NODE_CHECK_CACHE_MS, probeRoutes } from '../../src/http/probe-routes.ts';
import { createLogger } from '../../src/log/logger.ts';
import { createMetrics } from '../../src/metrics/metrics.ts';
import { parsePrometheusText, sampleValue } from '../support/prometheus-text.ts';

const state = { draining: false, storeOpen: true, keys: true, nodeUp: true };
let nodeCalls = 0;
let clock = 1_000_000;
const metrics = createMetrics({ pendingLeaves: () => 4 });
let server: RunningHttpServer;
let base: string;

before(async () => {
  const routes = probeRoutes(
    metrics,
    {
      draining: () => state.draining,
      storeCheck: () => {
        if (!state.storeOpen) throw new Error('the store is closed');
      },
      keysLoaded: () => state.keys,
      nodeCheck: async () => {
        nodeCalls++;
        await new Promise((r) => setTimeout(r, 20));
        if (!state.nodeUp) throw new Error('connect ECONNREFUSED');
      },
    },
    () => clock,
  );
  server = await startHttpServer({
    host: '127.0.0.1',
    port: 0,
    routes,
    log: createLogger('error'),
    onResponse: (route, status) => metrics.httpRequest(route, status),
  });
  base = `http://127.0.0.1:${server.address.port}`;
});
after(() => server.close());

async function get(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(base + path, { signal: AbortSignal.timeout(5_000) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

test('readiness names every failing condition; liveness stays up', async () => {
  assert.deepEqual(await get('/readyz'), { status: 200, body: { status: 'ready' } });
  Object.assign(state, { draining: true, storeOpen: false, keys: false });
  const r = await get('/readyz');
  assert.equal(r.status, 503);
  assert.deepEqual(r.body['problems'], [
    'draining: the server is shutting down',
    'store: the store is closed',
    'keys: the signing key is not loaded',
  ]);
  assert.deepEqual(await get('/healthz'), { status: 200, body: { status: 'ok' } });
  Object.assign(state, { draining: false, storeOpen: true, keys: true });
  assert.equal((await get('/readyz')).status, 200);
});

test('the node is checked at most once per cache period, concurrent probes share the check', async () => {
  clock += NODE_CHECK_CACHE_MS;
  const before = nodeCalls;
  state.nodeUp = false;
  const many = await Promise.all(Array.from({ length: 8 }, () => get('/readyz')));
  assert.deepEqual(
    many.map((r) => r.status),
    Array(8).fill(503),
  );
  assert.deepEqual(many[0]?.body['problems'], ['symbol node: connect ECONNREFUSED']);
  assert.equal(nodeCalls - before, 1, 'one node request for eight probes');
  state.nodeUp = true;
  clock += NODE_CHECK_CACHE_MS - 1;
  assert.equal((await get('/readyz')).status, 503, 'the cached outcome holds within the period');
  assert.equal(nodeCalls - before, 1);
  clock += 1;
  assert.equal((await get('/readyz')).status, 200, 'checked again once the period is over');
  assert.equal(nodeCalls - before, 2);
});

test('/metrics answers with the registry content type and counts the probes by route and status', async () => {
  const res = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(5_000) });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), metrics.contentType);
  const m = parsePrometheusText(await res.text());
  assert.equal(sampleValue(m, 'spark_pending_leaves'), 4);
  assert.ok(sampleValue(m, 'spark_http_requests_total', { route: '/readyz', status: '503' }) >= 10);
  assert.equal(sampleValue(m, 'spark_http_requests_total', { route: '/healthz', status: '200' }), 1);
  const wrongMethod = await fetch(`${base}/metrics`, { method: 'POST', signal: AbortSignal.timeout(5_000) });
  await wrongMethod.body?.cancel();
  assert.equal(wrongMethod.status, 405);
});
