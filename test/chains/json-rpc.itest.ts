// The chain JSON-RPC client against a loopback HTTP server: basic auth sent and never repeated in an error, answers
// bounded in size and time, at most maxInFlight calls at once and a bounded queue behind them.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { createJsonRpc, MAX_ANSWER_BYTES } from '../../src/chains/json-rpc.ts';
import { createLogger } from '../../src/log/logger.ts';

const PASSWORD = 'rpc-pa55word';
let url = '';
let inFlight = 0;
let mostInFlight = 0;
let seenAuth: string | undefined;
const server = http.createServer(async (req, res) => {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const body = JSON.parse(Buffer.concat(chunks).toString()) as {
    id: number;
    method: string;
    jsonrpc: string;
  };
  seenAuth = req.headers.authorization;
  const send = (status: number, text: string) => {
    if (!res.destroyed) res.writeHead(status, { 'content-type': 'application/json' }).end(text);
  };
  switch (body.method) {
    case 'echo':
      send(200, JSON.stringify({ jsonrpc: body.jsonrpc, id: body.id, result: { version: body.jsonrpc } }));
      return;
    case 'fail':
      send(
        500,
        JSON.stringify({ result: null, id: body.id, error: { code: -5, message: 'x'.repeat(1000) } }),
      );
      return;
    case 'huge':
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"result":"');
      for (let i = 0; i < 5 && !res.destroyed; i++) res.write('a'.repeat(MAX_ANSWER_BYTES / 4));
      res.end('"}');
      return;
    case 'scalar':
      send(200, '42');
      return;
    case 'html':
      send(502, '<html>bad gateway</html>');
      return;
    case 'hang':
      return; // never answers; the client's timeout ends it
    case 'slow':
      inFlight++;
      mostInFlight = Math.max(mostInFlight, inFlight);
      setTimeout(() => {
        inFlight--;
        send(200, JSON.stringify({ id: body.id, result: 'done' }));
      }, 60);
      return;
  }
  send(404, JSON.stringify({ id: body.id, error: { code: -32601, message: 'Method not found' } }));
});

before(
  () =>
    new Promise<void>((resolve) =>
      server.listen(0, '127.0.0.1', () => {
        url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
        resolve();
      }),
    ),
);
after(
  () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
);

test('results and node errors come back as such; basic auth is sent, JSON-RPC version as asked', async () => {
  const rpc = createJsonRpc({ url, basicAuth: `spark:${PASSWORD}`, timeoutMs: 2000, version: '1.0' });
  assert.deepEqual(await rpc.call('echo', []), { result: { version: '1.0' } });
  assert.equal(seenAuth, `Basic ${Buffer.from(`spark:${PASSWORD}`).toString('base64')}`);
  const failed = await rpc.call('fail', []);
  assert.ok('error' in failed);
  assert.equal(failed.error.code, -5);
  assert.equal(failed.error.message.length, 200, 'a node message is cut to 200 characters');
  assert.deepEqual(await createJsonRpc({ url, timeoutMs: 2000 }).call('echo', []), {
    result: { version: '2.0' },
  });
});

test('oversized, non-JSON, non-object, hung and unreachable answers are errors naming the host only', async () => {
  const rpc = createJsonRpc({ url, basicAuth: `spark:${PASSWORD}`, timeoutMs: 500 });
  const host = new URL(url).host;
  const cases: Array<[string, RegExp]> = [
    ['huge', /answer larger than 4194304 bytes/],
    ['html', /HTTP 502, not JSON/],
    ['scalar', /not a JSON-RPC response object/],
    ['hang', /no answer within 500 ms/],
  ];
  for (const [method, message] of cases) {
    await assert.rejects(rpc.call(method, []), (e: Error) => {
      assert.match(e.message, message);
      assert.ok(e.message.startsWith(`${host}: `), e.message);
      assert.ok(!e.message.includes(PASSWORD) && !e.message.includes('c3Bhcms6'), 'no credentials');
      return true;
    });
  }
  const closed = createJsonRpc({
    url: 'http://127.0.0.1:1/',
    basicAuth: `spark:${PASSWORD}`,
    timeoutMs: 500,
  });
  await assert.rejects(closed.call('echo', []), /^Error: 127\.0\.0\.1:1: unreachable$/);
});

test('at most maxInFlight calls at once; beyond maxWaiting a call fails at once', async () => {
  const rpc = createJsonRpc({ url, timeoutMs: 5000, maxInFlight: 3, maxWaiting: 5 });
  mostInFlight = 0;
  const results = await Promise.allSettled(Array.from({ length: 10 }, () => rpc.call('slow', [])));
  const fulfilled = results.filter((r) => r.status === 'fulfilled');
  const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  assert.equal(fulfilled.length, 8, '3 in flight and 5 waiting');
  assert.equal(rejected.length, 2);
  for (const r of rejected) assert.match(String(r.reason), /5 calls already waiting/);
  assert.equal(mostInFlight, 3);
  assert.deepEqual(await rpc.call('slow', []), { result: 'done' }, 'slots are given back');
});

test('the endpoint options, if ever logged, show no credentials: basicAuth is a redacted path', () => {
  const lines: string[] = [];
  const log = createLogger('info', {
    write: (l: string) => {
      lines.push(l);
      return true;
    },
  } as never);
  const options = { url, basicAuth: `spark:${PASSWORD}`, timeoutMs: 1000 };
  log.info(options, 'endpoint');
  log.info({ bitcoin: options }, 'endpoints');
  assert.equal(lines.length, 2);
  for (const line of lines) {
    assert.ok(!line.includes(PASSWORD), line);
    assert.match(line, /"basicAuth":"\[redacted\]"/);
  }
});
