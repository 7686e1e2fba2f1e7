// The README walk-through as a user runs it: serve, 25 file submissions, prove --wait, verify, tamper.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli, startServerProcess, tempDir } from '../support/spawn-server.ts';

const FILES = 25;

/** Runs `fn` over `items` with at most `limit` at a time. */
async function pool<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i] as T, i);
      }
    }),
  );
  return out;
}

test('25 files: each bundle verifies with its file and fails with another file or any flipped byte', async (t) => {
  const dir = tempDir('spark-walk-');
  t.after(dir.cleanup);
  const server = await startServerProcess({
    dataDir: join(dir.path, 'data'),
    env: { PQC_AGGREGATION_THRESHOLD: '10', PQC_AGGREGATION_TIMEOUT: '2' },
  });
  t.after(() => server.kill());

  const files = Array.from({ length: FILES }, (_, i) => {
    const path = join(dir.path, `doc-${i}.txt`);
    writeFileSync(path, `document number ${i}\n`);
    return path;
  });
  const leaves = await pool(files, 4, async (file) => {
    const r = await runCli(['submit', '--server', server.address, '--file', file, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const receipt = JSON.parse(r.stdout) as { leafHash: string; status: string };
    assert.match(receipt.leafHash, /^[0-9a-f]{64}$/);
    return receipt.leafHash;
  });
  assert.equal(new Set(leaves).size, FILES);

  const bundles = await pool(leaves, 4, async (leaf, i) => {
    const out = join(dir.path, `doc-${i}.spark`);
    const r = await runCli([
      'prove',
      '--server',
      server.address,
      '--leaf',
      leaf,
      '--wait',
      '30',
      '--out',
      out,
    ]);
    assert.equal(r.code, 0, r.stderr);
    return out;
  });

  await pool(bundles, 4, async (bundle, i) => {
    const good = await runCli(['verify', bundle, '--data', files[i] as string]);
    assert.equal(good.code, 0, `bundle ${i} should verify: ${good.stdout}${good.stderr}`);
    assert.match(good.stdout, /VALID/);
    if (i === 0) {
      const policy = await runCli(['verify', bundle, '--disable-algorithm', 'SLH-DSA-SHA2-128f,ML-DSA-65']);
      assert.equal(policy.code, 1, 'a verifier that no longer accepts ML-DSA-65 refuses the bundle');
      assert.match(policy.stdout, /algorithm 0x0002 \(ML-DSA-65\) is disabled by this verifier's policy/);
      const other = await runCli(['verify', bundle, '--disable-algorithm', '0x0011']);
      assert.equal(other.code, 0, 'disabling another algorithm changes nothing');
      const unknown = await runCli(['verify', bundle, '--disable-algorithm', 'RSA-2048']);
      assert.equal(unknown.code, 2);
      assert.match(unknown.stderr, /--disable-algorithm: "RSA-2048" is not a known algorithm/);
    }

    const other = await runCli(['verify', bundle, '--data', files[(i + 1) % FILES] as string]);
    assert.equal(other.code, 1, `bundle ${i} must fail with another file`);
    assert.match(other.stdout, /INVALID: failed subject/);

    const bytes = readFileSync(bundle);
    const flipped = Uint8Array.from(bytes);
    const at = (i * 7919) % bytes.length;
    flipped[at] = (flipped[at] as number) ^ 0x01;
    const tampered = `${bundle}.tampered`;
    writeFileSync(tampered, flipped);
    const bad = await runCli(['verify', tampered, '--data', files[i] as string]);
    assert.equal(bad.code, 1, `bundle ${i} with byte ${at} flipped must fail: ${bad.stdout}`);
    assert.match(bad.stdout, /INVALID: failed /);
  });

  const status = await server.stop();
  assert.equal(status, 0, 'SIGTERM drains and exits 0');
  const sealed = server.logs.filter((l) => l.includes('batch sealed')).length;
  assert.ok(sealed >= 3, `expected at least 3 batches for 25 leaves at threshold 10, saw ${sealed}`);
  assert.ok(server.logs.some((l) => l.includes('stop at SEALED')));
});

test('verify exits 2 on usage and I/O errors', async () => {
  const missing = await runCli(['verify', '/nonexistent/file.spark']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /cannot read/);
  const usage = await runCli(['verify']);
  assert.equal(usage.code, 2);
  const both = await runCli(['verify', 'x.spark', '--data', 'a', '--digest', 'b']);
  assert.equal(both.code, 2);
});
