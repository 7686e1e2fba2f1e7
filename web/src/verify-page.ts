// The web verifier (README.md §Web verifier): checks a .spark bundle — and optionally the original file, hashed here — with the
// same library as `spark verify`, in the browser, offline. Nothing is sent anywhere: the page's Content-Security-
// Policy forbids every connection, and the code below makes none.

import type { Anchor } from '../../src/gen/spark/v1/bundle_pb.js';
import { parseBlockHeader } from '../../src/proof/anchor/block-header.ts';
import { decodeBundle, MAX_BUNDLE_BYTES } from '../../src/proof/bundle/codec.ts';
import { type VerifyReport, verdictOf, verifyBundle } from '../../src/proof/bundle/verify.ts';
import { algorithmById } from '../../src/proof/crypto/algorithms.ts';
import { createNobleVerifier } from '../../src/proof/crypto/noble-verifier.ts';
import { portableSha256 } from '../../src/proof/crypto/sha256.ts';
import { toHex } from '../../src/proof/encoding/bytes.ts';
import { sha256OfFile } from './hash-file.ts';
import { createTrustRoots } from './trust-roots.ts';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

const verifier = createNobleVerifier();
/** Trust roots the user loaded, remembered in this browser (localStorage), and the one pinned now. */
const trust = createTrustRoots(verifier, portableSha256);

let bundleFile: File | undefined;
let dataFile: File | undefined;
/** Counts runs: a run that finds a newer one started (another file chosen) drops its result. */
let generation = 0;

/** Reads a file the user chose (a local read: no network). */
const bytesOf = async (f: File): Promise<Uint8Array> => new Uint8Array(await f.arrayBuffer());

function text(tag: string, content: string, className?: string): HTMLElement {
  const el = document.createElement(tag);
  el.textContent = content;
  if (className !== undefined) el.className = className;
  return el;
}

/** One line about the anchor: version 2 carries the signed block header, version 1 only claims a height. */
function anchorSummary(a: Anchor, version: number): string {
  const tx = `Symbol transaction ${toHex(a.transactionHash)}`;
  const block = version === 2 ? parseBlockHeader(a.blockHeader) : undefined;
  return block?.ok === true
    ? `${tx}, height ${block.value.height} in block ${toHex(block.value.hash)} (header included)`
    : `${tx}, claimed height ${a.height}`;
}

function showSummary(bytes: Uint8Array): void {
  const list = $<HTMLElement>('summary');
  list.replaceChildren();
  let b: ReturnType<typeof decodeBundle>;
  try {
    b = decodeBundle(bytes);
  } catch {
    return;
  }
  const h = b.headerFields;
  const rows: Array<[string, string]> = [
    ['leaf digest (SHA-256)', toHex(b.leaf?.digest ?? new Uint8Array(0))],
    [
      'batch',
      h === undefined
        ? '?'
        : `${h.sequence} of log ${toHex(h.logId).slice(0, 16)}…, ${h.treeSize} ${h.treeSize === 1n ? 'leaf' : 'leaves'}`,
    ],
    ['sealed', h === undefined ? '?' : new Date(Number(h.timeMs)).toISOString()],
    [
      'algorithm',
      h === undefined ? '?' : (algorithmById(h.algorithmId)?.name ?? `0x${h.algorithmId.toString(16)}`),
    ],
    ['key id', h === undefined ? '?' : toHex(h.keyId)],
    ['anchor', b.anchor === undefined ? 'none (sealed only)' : anchorSummary(b.anchor, b.version)],
  ];
  for (const [k, v] of rows) list.append(text('dt', k), text('dd', v));
}

function showReport(report: VerifyReport, withData: boolean): void {
  const verdict = $<HTMLElement>('verdict');
  verdict.textContent = verdictOf(report);
  // Who issued it, at the top: the issuer check's own words (pinned or not).
  const issuer = $<HTMLElement>('issuer');
  const check = report.checks.find((c) => c.name === 'issuer');
  const pinned = trust.selected();
  issuer.textContent =
    check === undefined ? '' : `${check.detail}${pinned === undefined ? '' : ` — trust root ${pinned.name}`}`;
  issuer.className = report.issuerPinned ? 'issuer pinned' : 'issuer unpinned';
  verdict.className = report.valid ? 'verdict valid' : 'verdict invalid';
  verdict.dataset['valid'] = String(report.valid);
  const body = $<HTMLTableSectionElement>('checks');
  body.replaceChildren();
  for (const c of report.checks) {
    const row = document.createElement('tr');
    row.dataset['check'] = c.name;
    row.dataset['ok'] = String(c.ok);
    row.className = c.ok ? 'ok' : 'fail';
    row.append(
      text('td', c.ok ? '✔ ok' : '✘ FAIL', 'mark'),
      text('td', c.name, 'name'),
      text('td', c.detail, 'detail'),
    );
    body.append(row);
  }
  $<HTMLElement>('subject-note').textContent = withData
    ? 'The original file was hashed (SHA-256) in this page; check "subject" compares that digest with the proven one.'
    : 'No original file given: the "subject" check only says so. Add the file to check it is the one proven.';
  $<HTMLElement>('result').hidden = false;
}

/** "12.3 MB": a size for the status line. */
function size(n: number): string {
  return n < 1e6 ? `${n} bytes` : n < 1e9 ? `${(n / 1e6).toFixed(1)} MB` : `${(n / 1e9).toFixed(2)} GB`;
}

async function run(): Promise<void> {
  if (bundleFile === undefined) {
    if (dataFile !== undefined) $<HTMLElement>('status').textContent = 'now choose the proof bundle (.spark)';
    return;
  }
  const bundle = bundleFile;
  const data = dataFile;
  const mine = ++generation;
  const stale = (): boolean => mine !== generation;
  const status = $<HTMLElement>('status');
  // The previous result goes at once: it is not the answer for the files now chosen.
  $<HTMLElement>('result').hidden = true;
  delete $<HTMLElement>('verdict').dataset['valid'];
  if (bundle.size > MAX_BUNDLE_BYTES) {
    status.textContent = `${bundle.name} is ${bundle.size} bytes, more than the ${MAX_BUNDLE_BYTES} a proof bundle may have: choose the .spark file`;
    return;
  }
  try {
    const bytes = await bytesOf(bundle);
    let digest: Uint8Array | undefined;
    if (data !== undefined) {
      status.textContent = `hashing ${data.name} (${size(data.size)})…`;
      digest = await sha256OfFile(
        data,
        (done, total) => {
          status.textContent = `hashing ${data.name}: ${size(done)} of ${size(total)}…`;
        },
        stale,
      );
      if (digest === undefined) return;
    }
    if (stale()) return;
    status.textContent = 'verifying…';
    // Let the status paint before the (synchronous) signature checks.
    await new Promise((r) => setTimeout(r, 0));
    if (stale()) return;
    const t = performance.now();
    // The file's digest, as `spark verify --data FILE` passes it: the same checks and reasons.
    const root = trust.selected()?.root;
    const report = verifyBundle(bytes, {
      verifier,
      sha256: portableSha256,
      ...(digest === undefined ? {} : { digest }),
      ...(root === undefined ? {} : { pin: { root } }),
    });
    showSummary(bytes);
    showReport(report, data !== undefined);
    // The live region announces the verdict too, for screen readers.
    status.textContent = `${bundle.name}: ${verdictOf(report)}; ${bytes.length} bytes checked in ${(performance.now() - t).toFixed(0)} ms${data === undefined ? '' : `, ${data.name} (${size(data.size)}) hashed here`}, offline`;
  } catch (err) {
    if (!stale())
      status.textContent = `could not read the file: ${err instanceof Error ? err.message : String(err)}`;
  }
}

function bind(inputId: string, set: (f: File | undefined) => void): void {
  $<HTMLInputElement>(inputId).addEventListener('change', (e) => {
    set((e.target as HTMLInputElement).files?.[0]);
    void run();
  });
}

bind('bundle-input', (f) => {
  bundleFile = f;
});
bind('data-input', (f) => {
  dataFile = f;
});

const drop = $<HTMLElement>('drop');
drop.addEventListener('dragover', (e) => {
  e.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  for (const f of Array.from(e.dataTransfer?.files ?? [])) {
    if (f.name.endsWith('.spark')) bundleFile = f;
    else dataFile = f;
  }
  void run();
});

// Trust roots: load one (it is checked, then remembered here), pick one, or forget it; each change verifies again.
function showRoots(): void {
  const select = $<HTMLSelectElement>('trust-select');
  const chosen = trust.selected()?.id ?? '';
  select.replaceChildren(new Option('none: VALID says only that some key signed', ''));
  for (const r of trust.list()) select.append(new Option(r.name, r.id));
  select.value = chosen;
  $<HTMLButtonElement>('trust-forget').disabled = chosen === '';
}
$<HTMLInputElement>('trust-input').addEventListener('change', async (e) => {
  const f = (e.target as HTMLInputElement).files?.[0];
  if (f === undefined) return;
  const note = $<HTMLElement>('trust-status');
  const added = trust.add(f.name, await f.text());
  note.textContent = added.ok
    ? `${f.name}: pins log ${added.value.logHex.slice(0, 16)}…, ${added.value.keys} key(s)${added.value.accounts}; remembered in this browser`
    : `${f.name} is not a trust root: ${added.reason}`;
  showRoots();
  void run();
});
$<HTMLSelectElement>('trust-select').addEventListener('change', (e) => {
  trust.select((e.target as HTMLSelectElement).value);
  showRoots();
  void run();
});
$<HTMLButtonElement>('trust-forget').addEventListener('click', () => {
  trust.forget();
  $<HTMLElement>('trust-status').textContent = 'forgotten';
  showRoots();
  void run();
});
const dropped = trust.load();
if (dropped > 0)
  $<HTMLElement>('trust-status').textContent =
    `${dropped} remembered trust root(s) no longer check out and were forgotten`;
showRoots();
