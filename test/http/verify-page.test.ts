// GET /verify: the committed web verifier page, byte for byte, with its meta CSP repeated as a header; HEAD
// without a body; no route (and a reason for the log) when the page file is missing or has no CSP.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { type RunningHttpServer, startHttpServer } from '../../src/http/http-server.ts';
import { VERIFY_PAGE_FILE, verifyPageRoute } from '../../src/http/verify-page.ts';
import { createLogger } from '../../src/log/logger.ts';
import { tempDir } from '../support/spawn-server.ts';

describe('GET /verify', () => {
  const page = readFileSync(VERIFY_PAGE_FILE);
  let server: RunningHttpServer;
  let url: string;
  before(async () => {
    const route = verifyPageRoute();
    assert.ok(typeof route !== 'string', String(route));
    const sink = new Writable({ write: (_c, _e, done) => done() });
    server = await startHttpServer({
      host: '127.0.0.1',
      port: 0,
      routes: [route],
      log: createLogger('info', sink),
    });
    url = `http://127.0.0.1:${server.address.port}/verify`;
  });
  after(() => server.close());

  test('serves the committed page with its CSP as a header', async () => {
    const res = await fetch(url);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.ok(page.toString('utf8').includes(`content="${csp}"`), 'the header is the page meta CSP');
    for (const directive of ["default-src 'none'", "connect-src 'none'", "form-action 'none'"]) {
      assert.ok(csp.split('; ').includes(directive), `${directive} in ${csp}`);
    }
    assert.match(csp, /script-src 'sha256-[A-Za-z0-9+/]{43}='(;|$)/, 'scripts only by hash');
    assert.ok(Buffer.from(await res.arrayBuffer()).equals(page));
  });

  test('HEAD answers the headers without the page; other methods are refused', async () => {
    const head = await fetch(url, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(page.length));
    assert.equal((await head.arrayBuffer()).byteLength, 0);
    const post = await fetch(url, { method: 'POST', body: 'x' });
    assert.equal(post.status, 405);
    await post.arrayBuffer();
  });

  test('a missing page file or one without a CSP gives no route but a reason', () => {
    const dir = tempDir('spark-verify-page-');
    try {
      const missing = verifyPageRoute(pathToFileURL(join(dir.path, 'absent.html')));
      assert.equal(missing, 'web verifier page not found (ENOENT): run npm run build:web');
      const bare = join(dir.path, 'bare.html');
      writeFileSync(bare, '<!doctype html><title>x</title>');
      assert.equal(verifyPageRoute(pathToFileURL(bare)), 'web verifier page has no Content-Security-Policy');
    } finally {
      dir.cleanup();
    }
  });
});
