// The web verifier in headless Chromium (Debian's chromium, driven by playwright-core): a real bundle from a
// running sidecar shows VALID with every check, a tampered one shows which check failed, the original file is
// hashed in the page; loaded from the sidecar's /verify and from disk (file://); and the page makes no request
// but its own load. Every check's name, verdict and detail is the library's (as `spark verify` reports them), for
// the live bundle and for every proof-format test vector. The original file is streamed through SHA-256 in the
// page (a file of several MB, one changed byte, a run replaced by another); a file too large to be a bundle is
// refused without being read. Screenshots of the valid and tampered results are saved
// under a temporary folder.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { toBinary } from '@bufbuild/protobuf';
import { type Browser, type BrowserServer, chromium, type Page } from 'playwright-core';
import { ProofBundleSchema } from '../../src/gen/spark/v1/bundle_pb.js';
import { MAX_BUNDLE_BYTES } from '../../src/proof/bundle/codec.ts';
import { CHECK_NAMES, type CheckResult, verifyBundle } from '../../src/proof/bundle/verify.ts';
import { createNobleVerifier } from '../../src/proof/crypto/noble-verifier.ts';
import { portableSha256 } from '../../src/proof/crypto/sha256.ts';
import { fromHex } from '../../src/proof/encoding/bytes.ts';
import { buildVerifyPage, VERIFY_PAGE_PATH } from '../../web/build.ts';
import { clientsFor } from '../anchoring/support.ts';
import { type ServerProcess, startServerProcess, tempDir } from '../support/spawn-server.ts';

const CHROMIUM = '/usr/bin/chromium';
const VECTORS = new URL('../vectors/bundles.json', import.meta.url);

/**
 * The checks as the library reports them with the page's implementations (noble signatures, portable SHA-256),
 * the original file given by its digest as `spark verify --data FILE` gives it. `spark verify` runs the same
 * checks with node:crypto; only the "signature" detail then names that implementation instead
 * (test/bundle/vectors.test.ts holds both to the same verdicts).
 */
function libraryChecks(bundle: string, data?: Uint8Array): CheckResult[] {
  return verifyBundle(new Uint8Array(readFileSync(bundle)), {
    verifier: createNobleVerifier(),
    sha256: portableSha256,
    ...(data === undefined ? {} : { digest: portableSha256(data) }),
  }).checks;
}

/** Over 5 MB, not a multiple of any chunk size: the page hashes it in many chunks. */
const LARGE = Buffer.alloc(5 * 1024 * 1024 + 17, 'a video the page must hash in pieces ');

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
    /** LARGE, submitted by its digest, and its bundle. */
    large: join(dir.path, 'large.bin'),
    largeBundle: join(dir.path, 'large.spark'),
    /** LARGE with its last byte changed. */
    largeChanged: join(dir.path, 'large-changed.bin'),
    /** A file too large to be a bundle, three times LARGE. */
    huge: join(dir.path, 'huge.bin'),
  };

  before(async () => {
    server = await startServerProcess({ dataDir: join(dir.path, 'data'), timeoutMs: 60_000 });
    const { client, admin } = clientsFor(server.port);
    const data = Buffer.from('the contract the page must recognise\n');
    writeFileSync(files.data, data);
    writeFileSync(files.other, 'another file\n');
    writeFileSync(files.large, LARGE);
    const changed = Buffer.from(LARGE);
    changed[changed.length - 1] = (changed.at(-1) as number) ^ 0x01;
    writeFileSync(files.largeChanged, changed);
    writeFileSync(files.huge, Buffer.concat([LARGE, LARGE, LARGE]));
    const receipt = (await client.submit({ payload: { case: 'data', value: data } })).receipt;
    const large = (await client.submit({ payload: { case: 'digest', value: portableSha256(LARGE) } }))
      .receipt;
    await admin.sealNow({});
    const largeProof = await client.prove({ leafHash: large?.leafHash as Uint8Array });
    writeFileSync(files.largeBundle, toBinary(ProofBundleSchema, largeProof.bundle as never));
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
    for (const shot of ['valid.png', 'tampered.png']) {
      const path = join(shots.path, shot);
      if (existsSync(path)) console.log(`web verifier screenshot: ${path}`);
    }
  });

  /** Opens `url` with every request recorded; anything but the page itself (and data:/blob:) is aborted. */
  async function open(url: string): Promise<{ page: Page; requests: string[] }> {
    const context = await browser.newContext();
    const page = await context.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.route('**', (route) => {
      const u = route.request().url();
      return u === url || u.startsWith('data:') || u.startsWith('blob:') ? route.continue() : route.abort();
    });
    await page.goto(url);
    return { page, requests };
  }

  interface PageResult {
    verdict: string;
    /** ok per check name. */
    checks: Record<string, boolean>;
    /** The rows as shown, in order. */
    rows: CheckResult[];
  }

  /** Reads the verdict and the table of checks once the page has shown a result. */
  async function result(page: Page): Promise<PageResult> {
    await page.waitForSelector('#verdict[data-valid]', { timeout: 60_000 });
    const verdict = (await page.textContent('#verdict')) ?? '';
    const rows = await page.$$eval('#checks tr', (trs) =>
      trs.map((tr) => ({
        name: tr.getAttribute('data-check') ?? '',
        ok: tr.getAttribute('data-ok') === 'true',
        detail: tr.querySelector('td.detail')?.textContent ?? '',
      })),
    );
    return {
      verdict,
      checks: Object.fromEntries(rows.map((r) => [r.name, r.ok])),
      rows: rows as CheckResult[],
    };
  }

  async function verify(page: Page, bundle: string, data?: string): Promise<PageResult> {
    if (data !== undefined) await page.setInputFiles('#data-input', data);
    await page.setInputFiles('#bundle-input', bundle);
    return result(page);
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
    assert.equal(r.verdict, 'VALID (issuer not pinned)');
    assert.deepEqual(
      r.rows.map((c) => c.name),
      [...CHECK_NAMES],
    );
    assert.ok(Object.values(r.checks).every((ok) => ok));
    assert.deepEqual(
      r.rows,
      libraryChecks(files.bundle, readFileSync(files.data)),
      'the library says the same',
    );
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
    assert.deepEqual(r.rows, libraryChecks(files.tampered), 'the same checks and reasons as spark verify');
    await page.screenshot({ path: join(shots.path, 'tampered.png'), fullPage: true });
    assert.deepEqual(requests, [url]);
    await page.context().close();
  });

  test('the original file is hashed in the page: another file fails the subject check', async () => {
    const url = pathToFileURL(VERIFY_PAGE_PATH).href;
    const { page, requests } = await open(url);
    await page.setInputFiles('#data-input', files.other);
    assert.equal(await page.textContent('#status'), 'now choose the proof bundle (.spark)');
    const r = await verify(page, files.bundle, files.other);
    assert.match(r.verdict, /^INVALID: failed subject$/);
    assert.equal(r.checks['subject'], false);
    assert.deepEqual(r.rows, libraryChecks(files.bundle, readFileSync(files.other)));
    assert.deepEqual(requests, [url]);
    await page.context().close();
  });

  test('dropping the bundle and its file on the page verifies both', async () => {
    const url = `http://127.0.0.1:${server.httpPort}/verify`;
    const { page, requests } = await open(url);
    const transfer = await page.evaluateHandle(
      ({ bundle, data }) => {
        const bytes = (b64: string): Uint8Array => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        // The browser's DataTransfer (this function runs in the page; the test's types have no DOM).
        const browser = globalThis as unknown as {
          DataTransfer: new () => { items: { add(f: File): void } };
        };
        const t = new browser.DataTransfer();
        t.items.add(new File([bytes(bundle)], 'contract.spark'));
        t.items.add(new File([bytes(data)], 'contract.txt'));
        return t;
      },
      {
        bundle: readFileSync(files.bundle).toString('base64'),
        data: readFileSync(files.data).toString('base64'),
      },
    );
    await page.dispatchEvent('#drop', 'drop', { dataTransfer: transfer });
    const r = await result(page);
    assert.equal(r.verdict, 'VALID (issuer not pinned)');
    assert.match(
      r.rows.find((c) => c.name === 'subject')?.detail ?? '',
      /^the given digest is [0-9a-f]{64}$/,
    );
    assert.deepEqual(r.rows, libraryChecks(files.bundle, readFileSync(files.data)));
    assert.deepEqual(requests, [url]);
    await page.context().close();
  });

  test('a large original file is hashed in the page in pieces: the right one passes, one changed byte fails', async () => {
    const url = pathToFileURL(VERIFY_PAGE_PATH).href;
    const { page, requests } = await open(url);
    const right = await verify(page, files.largeBundle, files.large);
    assert.equal(right.verdict, 'VALID (issuer not pinned)');
    assert.deepEqual(right.rows, libraryChecks(files.largeBundle, LARGE));
    assert.match((await page.textContent('#status')) ?? '', /large\.bin \(5\.2 MB\) hashed here, offline$/);
    await page.reload();
    const wrong = await verify(page, files.largeBundle, files.largeChanged);
    assert.equal(wrong.verdict, 'INVALID: failed subject');
    assert.deepEqual(wrong.rows, libraryChecks(files.largeBundle, readFileSync(files.largeChanged)));
    assert.deepEqual(
      requests.filter((u) => u !== url),
      [],
    );
    await page.context().close();
  });

  test('a run replaced by another before it ends shows nothing; a file too large for a bundle is not read', async () => {
    const url = pathToFileURL(VERIFY_PAGE_PATH).href;
    const { page, requests } = await open(url);
    // Every verdict the page shows, in order (runs in the page; the test's types have no DOM).
    await page.evaluate(`(() => {
      const v = document.getElementById('verdict');
      window.verdicts = [];
      new MutationObserver(() => { if (v.dataset.valid) window.verdicts.push(v.textContent); })
        .observe(v, { attributes: true, childList: true, characterData: true, subtree: true });
    })()`);
    await page.setInputFiles('#bundle-input', files.largeBundle);
    await result(page);
    // In one go, as a user changing their mind: a 64 MB wrong file starts hashing and the right one replaces it
    // before its first chunk is read. Only the right one's verdict may show.
    await page.evaluate(
      `((b64) => {
        const input = document.getElementById('data-input');
        const choose = (file) => {
          const t = new DataTransfer();
          t.items.add(file);
          input.files = t.files;
          input.dispatchEvent(new Event('change'));
        };
        choose(new File([new Uint8Array(64 * 1024 * 1024)], 'wrong.bin'));
        choose(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], 'large.bin'));
      })(${JSON.stringify(LARGE.toString('base64'))})`,
    );
    assert.equal((await result(page)).verdict, 'VALID (issuer not pinned)');
    // Long enough for the replaced run to have ended had it not been dropped.
    await page.waitForTimeout(2_000);
    const shown = (await page.evaluate('window.verdicts')) as string[];
    assert.ok(
      shown.length >= 1 && shown.every((v) => v === 'VALID (issuer not pinned)'),
      `verdicts shown: ${shown.join(' | ')}`,
    );
    assert.equal(await page.textContent('#verdict'), 'VALID (issuer not pinned)');
    // A file over the bundle limit chosen as the bundle: refused by its size, the previous result taken away.
    await page.setInputFiles('#bundle-input', files.huge);
    await page.waitForFunction(`document.getElementById('status').textContent.includes('more than the')`);
    assert.equal(
      await page.textContent('#status'),
      `huge.bin is ${3 * LARGE.length} bytes, more than the ${MAX_BUNDLE_BYTES} a proof bundle may have: choose the .spark file`,
    );
    assert.equal(await page.isHidden('#result'), true);
    assert.deepEqual(
      requests.filter((u) => u !== url),
      [],
    );
    await page.context().close();
  });

  test('every proof-format test vector: the verdict, the failing check and each reason as the library gives them', async () => {
    const vectors = JSON.parse(readFileSync(VECTORS, 'utf8')) as Array<{
      file: string;
      valid: boolean;
      failedCheck?: string;
      data?: string;
    }>;
    assert.ok(vectors.length >= 20, `${vectors.length} vectors`);
    const url = pathToFileURL(VERIFY_PAGE_PATH).href;
    const { page, requests } = await open(url);
    const scratch = join(dir.path, 'vector-data.bin');
    for (const v of vectors) {
      await page.reload();
      const bundle = fileURLToPath(new URL(v.file, VECTORS));
      const data = v.data === undefined ? undefined : fromHex(v.data);
      if (data !== undefined) writeFileSync(scratch, data);
      const r = await verify(page, bundle, data === undefined ? undefined : scratch);
      assert.equal(r.verdict.startsWith('VALID'), v.valid, `${v.file}: ${r.verdict}`);
      if (v.failedCheck !== undefined) {
        assert.equal(r.rows.find((c) => !c.ok)?.name, v.failedCheck, `${v.file}: first failing check`);
      }
      assert.deepEqual(r.rows, libraryChecks(bundle, data), `${v.file}: the page and the library differ`);
      if (v.file.endsWith('anchor-present.spark')) {
        assert.match((await page.textContent('#summary')) ?? '', /Symbol transaction [0-9a-f]{64}/);
      }
      if (v.file.endsWith('valid-anchored-v2.spark')) {
        // Version 2 carries the signed block header: the summary names the block, not a claimed height.
        assert.match(
          (await page.textContent('#summary')) ?? '',
          /Symbol transaction [0-9a-f]{64}, height 1234 in block [0-9a-f]{64} \(header included\)/,
        );
      }
    }
    assert.deepEqual(
      requests.filter((u) => u !== url),
      [],
      'no request but the page (and its reloads)',
    );
    await page.context().close();
  });
});
