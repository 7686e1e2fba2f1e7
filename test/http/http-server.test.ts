import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import {
  findRoute,
  type HttpRoute,
  type RunningHttpServer,
  sendJson,
  startHttpServer,
} from '../../src/http/http-server.ts';
import { createLogger } from '../../src/log/logger.ts';

const routes: HttpRoute[] = [
  { path: '/ok', methods: ['GET'], handle: (_q, res) => sendJson(res, 200, { ok: true }) },
  { path: '/tree/', methods: ['GET'], handle: (_q, res, url) => sendJson(res, 200, { path: url.pathname }) },
  { path: '/tree/deeper/', methods: ['GET'], handle: (_q, res) => sendJson(res, 200, { deeper: true }) },
  {
    path: '/boom',
    methods: ['GET'],
    handle: () => {
      throw new Error('route bug');
    },
  },
];

describe('HTTP port', () => {
  let server: RunningHttpServer;
  let base: string;
  const logged: string[] = [];
  before(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        logged.push(chunk.toString());
        done();
      },
    });
    const log = createLogger('info', sink);
    server = await startHttpServer({ host: '127.0.0.1', port: 0, routes, log });
    base = `http://127.0.0.1:${server.address.port}`;
  });
  after(() => server.close());

  test('exact paths and the longest prefix win', () => {
    assert.equal(findRoute(routes, '/ok')?.path, '/ok');
    assert.equal(findRoute(routes, '/ok/'), undefined);
    assert.equal(findRoute(routes, '/tree/a')?.path, '/tree/');
    assert.equal(findRoute(routes, '/tree/deeper/x')?.path, '/tree/deeper/');
    assert.equal(findRoute(routes, '/tre'), undefined);
  });

  test('a GET route answers GET and HEAD; other methods get 405 with Allow', async () => {
    assert.deepEqual(await (await fetch(`${base}/ok`)).json(), { ok: true });
    const head = await fetch(`${base}/ok`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
    const post = await fetch(`${base}/ok`, { method: 'POST', body: 'x' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');
    assert.match(((await post.json()) as { error: string }).error, /POST is not allowed on \/ok/);
  });

  test('an unknown path is 404 in JSON', async () => {
    const r = await fetch(`${base}/nope`);
    assert.equal(r.status, 404);
    assert.deepEqual(await r.json(), { error: 'no such path: /nope' });
  });

  test('a failing route is a 500 without its message, logged, and the port keeps serving', async () => {
    const r = await fetch(`${base}/boom`);
    assert.equal(r.status, 500);
    assert.deepEqual(await r.json(), { error: 'internal error' });
    assert.ok(logged.some((l) => l.includes('http route failed') && l.includes('route bug')));
    assert.equal((await fetch(`${base}/ok`)).status, 200);
  });
});
