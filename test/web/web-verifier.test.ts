// The web verifier in headless Chromium (Debian's chromium, driven by playwright-core): a real bundle from a
// running sidecar shows VALID with every check, a tampered one shows which check failed, the original file is
// hashed in the page; loaded from the sidecar's /verify and from disk (file://); and the page makes no request
// but its own load. Screenshots of the valid and tampered results are saved under a temporary folder.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { toBinary } from '@bufbuild/protobuf';
import { type Browser, type BrowserServer, chromium, type Page } from 'playwright-core';
import { ProofBundleSchema } from '../../src/gen/spark/v1/bundle_pb.js';
import { buildVerifyPage, VERIFY_PAGE_PATH } from '../../web/build.ts';
import { clientsFor } from '../anchoring/support.ts';
import { type ServerProcess, startServerProcess, tempDir } from '../support/spawn-server.ts';

const CHROMIUM = '/usr/bin/chromium';

describe('web verifier in Chromium', () => {
  const dir = tempDir('spark-web-');
  const shots = tempDir('spark-web-shots-');
  let server: ServerProcess;
  let browserServer: BrowserServer;
  let browser: Browser;
  const files = {
    bundle: join(dir.path, 'contract.spark'),
    tampered: join(dir.path, 'tampered.spark'),
    data: join(dir.path, 'contract.txt'),
    other: join(dir.path, 'other.txt'),
  };

  before(async () => {
    server = await startServerProcess({ dataDir: join(dir.path, 'data'), timeoutMs: 60_000 });
    const { client, admin } = clientsFor(server.port);
    const data = Buffer.from('the contract the page must recognise\n');
    writeFileSync(files.data, data);
    writeFileSync(files.other, 'another file\n');
    const receipt = (await client.submit({ payload: { case: 'data', value: data } })).receipt;
    await admin.sealNow({});
    const proof = await client.prove({ leafHash: receipt?.leafHash as Uint8Array });
    const bytes = toBinary(ProofBundleSchema, proof.bundle as never);
    writeFileSync(files.bundle, bytes);
    const tampered = Buffer.from(bytes);
    // A byte inside the header's signature: only the signature check can notice it.
    const sig = proof.bundle?.signatures[0]?.signature as Uint8Array;
    const at = Buffer.from(bytes).indexOf(Buffer.from(sig)) + 100;
    tampered[at] = (tampered[at] as number) ^ 0x01;
    writeFileSync(files.tampered, tampered);
    browserServer = await chromium.launchServer({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox'],
    });
    browser = await chromium.connect(browserServer.wsEndpoint());
  });

  after(async () => {
    const pid = browserServer?.process().pid;
    await browser?.close().catch(() => undefined);
    await browserServer?.close().catch(() => {
      if (pid !== undefined) process.kill(pid, 'SIGKILL');
    });
    await server?.stop();
    dir.cleanup();
    console.log(`web verifier screenshots kept in ${shots.path}`);
  });

  /** Opens `url` with every request recorded; anything but the page itself (and data:/blob:) is aborted. */
  async function open(url: string): Promise<{ page: Page; requests: string[] }> {
    const context = await browser.newContext();
    const page = await context.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.route('**/*', (route) => {
      const u = route.request().url();
      return u === url || u.startsWith('data:') || u.startsWith('blob:') ? route.continue() : route.abort();
    });
    await page.goto(url);
    return { page, requests };
  }

  async function verify(
    page: Page,
    bundle: string,
    data?: string,
  ): Promise<{ verdict: string; checks: Record<string, boolean> }> {
    if (data !== undefined) await page.setInputFiles('#data-input', data);
    await page.setInputFiles('#bundle-input', bundle);
    await page.waitForSelector('#verdict[data-valid]', { timeout: 60_000 });
    const verdict = (await page.textContent('#verdict')) ?? '';
    const rows = page.locator('#checks tr');
    const checks: Record<string, boolean> = {};
    for (let i = 0; i < (await rows.count()); i++) {
      const row = rows.nth(i);
      checks[(await row.getAttribute('data-check')) ?? ''] = (await row.getAttribute('data-ok')) === 'true';
    }
    return { verdict, checks };
  }

  test('the committed page is what the build makes from the sources', async () => {
    assert.equal(
      await buildVerifyPage(),
      readFileSync(VERIFY_PAGE_PATH, 'utf8'),
      'run npm run build:web and commit web/dist',
    );
  });

  test('served at /verify: a valid bundle with its file shows VALID and every check; no request is made', async () => {
    const url = `http://127.0.0.1:${server.httpPort}/verify`;
    const res = await fetch(url);
    assert.match(res.headers.get('content-security-policy') ?? '', /connect-src 'none'/);
    const { page, requests } = await open(url);
    const r = await verify(page, files.bundle, files.data);
    assert.equal(r.verdict, 'VALID');
    assert.ok(Object.keys(r.checks).length >= 14, `checks shown: ${Object.keys(r.checks)}`);
    assert.ok(Object.values(r.checks).every((ok) => ok));
    assert.match((await page.textContent('#summary')) ?? '', /ML-DSA-65/);
    await page.screenshot({ path: join(shots.path, 'valid.png'), fullPage: true });
    assert.deepEqual(requests, [url], 'only the page itself was requested');
    await page.context().close();
  });

  test('from disk (file://): a tampered bundle shows INVALID naming the signature check', async () => {
    const url = pathToFileURL(VERIFY_PAGE_PATH).href;
    const { page, requests } = await open(url);
    const r = await verify(page, files.tampered);
    assert.match(r.verdict, /^INVALID: failed .*signature/);
    assert.equal(r.checks['signature'], false);
    assert.equal(r.checks['inclusion'], true, 'the other checks still pass');
    const failing = await page.textContent('tr[data-check="signature"] td.detail');
    assert.ok((failing ?? '').length > 0, 'the failing check says why');
    await page.screenshot({ path: join(shots.path, 'tampered.png'), fullPage: true });
    assert.deepEqual(requests, [url]);
    await page.context().close();
  });

  test('the original file is hashed in the page: another file fails the subject check', async () => {
    const url = pathToFileURL(VERIFY_PAGE_PATH).href;
    const { page, requests } = await open(url);
    const r = await verify(page, files.bundle, files.other);
    assert.match(r.verdict, /^INVALID: failed subject$/);
    assert.equal(r.checks['subject'], false);
    assert.deepEqual(requests, [url]);
    await page.context().close();
  });
});
