// The web page pins an issuer (docs/trust.md), in headless Chromium: unpinned it says VALID (issuer not pinned) and
// who signed; with server A's trust root a bundle of server B fails the "issuer" check naming B's log, with B's root
// it is VALID; the roots loaded are remembered by the browser across reloads, a broken one is refused, and the
// page still makes no request but its own load.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { type Browser, type BrowserServer, chromium, type Page } from 'playwright-core';
import { nativeSha256 } from '../../src/crypto/native-sha256.ts';
import { createNativeVerifier } from '../../src/crypto/native-verifier.ts';
import { encodeBundle } from '../../src/proof/bundle/codec.ts';
import { toHex } from '../../src/proof/encoding/bytes.ts';
import { trustRootFrom } from '../../src/proof/trust/root-from-history.ts';
import { encodeTrustRoot, witnessesFromVkeys } from '../../src/proof/trust/trust-root.ts';
import { VERIFY_PAGE_PATH } from '../../web/build.ts';
import { bundleOf, createTestKey, digestsOf, keyEntry, sealBatch, seedOf } from '../bundle/fixture.ts';
import { tempDir } from '../support/spawn-server.ts';
import {
  entry as witnessedEntry,
  logId as witnessedLogId,
  vkeys as witnessedVkeys,
} from '../vectors/generate-witnessed.ts';

const T = 1_760_000_000_000;
const dir = tempDir('spark-web-trust-');
let browserServer: BrowserServer;
let browser: Browser;

/** Two unrelated logs A and B, each with its key, root file and one bundle. */
function issuer(seed: number, logFill: number) {
  const key = createTestKey(seedOf(seed), { impl: 'native' });
  const entry = keyEntry(key, { validFromMs: T });
  const logId = new Uint8Array(32).fill(logFill);
  const sealed = sealBatch({ key, digests: digestsOf(2, `web-trust-${seed}`), timeMs: BigInt(T), logId });
  const bundle = join(dir.path, `log-${seed}.spark`);
  writeFileSync(bundle, encodeBundle(bundleOf(sealed, 0, [entry])));
  const root = trustRootFrom(
    { logId, history: [entry], createdAtMs: T },
    createNativeVerifier(),
    nativeSha256,
  );
  assert.ok(root.ok);
  const rootFile = join(dir.path, `root-${seed}.json`);
  writeFileSync(rootFile, encodeTrustRoot(root.value));
  return { bundle, rootFile, logHex: toHex(logId) };
}

const a = issuer(31, 0xa1);
const b = issuer(32, 0xb2);
const brokenRoot = join(dir.path, 'broken.json');
writeFileSync(brokenRoot, '{"mediaType":"application/json"}');

before(async () => {
  browserServer = await chromium.launchServer({
    executablePath: '/usr/bin/chromium',
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
  dir.cleanup();
});

async function verdictAfter(
  page: Page,
  action: () => Promise<void>,
): Promise<{ verdict: string; issuer: string; ok: string }> {
  await page.$eval('#verdict', (el) => el.removeAttribute('data-valid'));
  await action();
  await page.waitForSelector('#verdict[data-valid]', { timeout: 60_000 });
  return {
    verdict: (await page.textContent('#verdict')) ?? '',
    issuer: (await page.textContent('#issuer')) ?? '',
    ok: (await page.getAttribute('#checks tr[data-check="issuer"]', 'data-ok')) ?? '',
  };
}

test('a trust root with witnesses: the page enforces its quorum on a cosigned checkpoint', async () => {
  const rootWith = (quorum: number) => {
    const list = witnessesFromVkeys(witnessedVkeys);
    assert.ok(typeof list !== 'string');
    const root = trustRootFrom(
      { logId: witnessedLogId, history: [witnessedEntry], witnesses: { list, quorum }, createdAtMs: T },
      createNativeVerifier(),
      nativeSha256,
    );
    assert.ok(root.ok, root.ok ? '' : root.reason);
    const file = join(dir.path, `witnessed-root-${quorum}.json`);
    writeFileSync(file, encodeTrustRoot(root.value));
    return file;
  };
  const bundle = new URL('../vectors/witnessed/witnessed-valid.spark', import.meta.url).pathname;
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(pathToFileURL(VERIFY_PAGE_PATH).href);
  await verdictAfter(page, () => page.setInputFiles('#bundle-input', bundle));
  const two = await verdictAfter(page, () => page.setInputFiles('#trust-input', rootWith(2)));
  assert.equal(two.verdict, 'VALID');
  assert.match(
    (await page.textContent('#checks tr[data-check="witnesses"] td.detail')) ?? '',
    /cosigned by 2 of 3 witnesses \(w1\.example\/a, w2\.example\/b\), quorum 2/,
  );
  const three = await verdictAfter(page, () => page.setInputFiles('#trust-input', rootWith(3)));
  assert.equal(three.verdict, 'INVALID: failed witnesses');
  assert.equal(await page.getAttribute('#checks tr[data-check="witnesses"]', 'data-ok'), 'false');
  await context.close();
});

test('pinned and unpinned verdicts in the page, remembered roots, a broken root refused, no request made', async () => {
  const url = pathToFileURL(VERIFY_PAGE_PATH).href;
  const context = await browser.newContext();
  const page = await context.newPage();
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(url);

  const unpinned = await verdictAfter(page, () => page.setInputFiles('#bundle-input', b.bundle));
  assert.equal(unpinned.verdict, 'VALID (issuer not pinned)');
  assert.match(unpinned.issuer, new RegExp(`^issuer not pinned: log ${b.logHex}, key [0-9a-f]{64}`));

  const wrong = await verdictAfter(page, () => page.setInputFiles('#trust-input', a.rootFile));
  assert.equal(wrong.verdict, 'INVALID: failed issuer');
  assert.equal(wrong.ok, 'false');
  assert.match(
    (await page.textContent('#checks tr[data-check="issuer"] td.detail')) ?? '',
    new RegExp(`log ${b.logHex}; the trust root pins log ${a.logHex}`),
  );

  const right = await verdictAfter(page, () => page.setInputFiles('#trust-input', b.rootFile));
  assert.equal(right.verdict, 'VALID');
  assert.match(right.issuer, new RegExp(`^issuer pinned: log ${b.logHex}.* — trust root root-32\\.json$`));

  // A broken root is refused, and the pinned one stays.
  await page.setInputFiles('#trust-input', brokenRoot);
  await page.locator('#trust-status', { hasText: 'not a trust root' }).waitFor({ timeout: 10_000 });
  assert.match(
    (await page.textContent('#trust-status')) ?? '',
    /broken\.json is not a trust root: mediaType/,
  );

  // Remembered across a reload: both roots offered, B still pinned.
  await page.reload();
  // The page fills the list from its storage once its script has run: wait for it rather than race it.
  await page.locator('#trust-select option').nth(2).waitFor({ state: 'attached', timeout: 10_000 });
  const options = await page.$$eval('#trust-select option', (os) => os.map((o) => o.textContent));
  assert.deepEqual(options.slice(1).sort(), ['root-31.json', 'root-32.json']);
  const again = await verdictAfter(page, () => page.setInputFiles('#bundle-input', b.bundle));
  assert.equal(again.verdict, 'VALID');
  // Pick A's root from the list; then forget it: unpinned again.
  const viaList = await verdictAfter(page, async () => {
    const pairs = await page.$$eval('#trust-select option', (os) =>
      os.map((o) => [o.textContent ?? '', o.getAttribute('value') ?? '']),
    );
    const value = pairs.find(([label]) => label === 'root-31.json')?.[1] ?? '';
    await page.selectOption('#trust-select', value);
  });
  assert.equal(viaList.verdict, 'INVALID: failed issuer');
  const forgotten = await verdictAfter(page, () => page.click('#trust-forget'));
  assert.equal(forgotten.verdict, 'VALID (issuer not pinned)');
  assert.deepEqual(
    requests.filter((u) => u !== url),
    [],
    'no request but the page itself',
  );
  await context.close();
});
