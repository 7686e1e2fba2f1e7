// npm ci leaves a `spark` command in node_modules/.bin that runs on the project's Node 24 even when the shell's
// `node` is another (or none), and starts without npm in between; linkBin refuses quietly without the project's Node.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { launcher, linkBin } from '../../src/build/link-bin.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'node_modules', '.bin', 'spark');

test('node_modules/.bin/spark runs the CLI on Node 24 with no node on the PATH', () => {
  assert.ok(existsSync(BIN), 'npm ci (prepare) wrote node_modules/.bin/spark');
  assert.equal(readFileSync(BIN, 'utf8'), launcher(ROOT));
  const started = performance.now();
  const out = execFileSync(BIN, ['--version'], {
    env: { PATH: '/usr/bin:/bin', HOME: tmpdir() },
    encoding: 'utf8',
    timeout: 20_000,
  });
  const ms = performance.now() - started;
  assert.match(out, /^spark \d+\.\d+\.\d+ \(node 24\.\d+\.\d+, OpenSSL 3\.[5-9]/);
  // A figure, not a verdict: the start-up is reported, and only a pathological one fails.
  process.stdout.write(`spark --version through node_modules/.bin/spark: ${ms.toFixed(0)} ms\n`);
  assert.ok(ms < 10_000, `${ms} ms`);
});

test('the launcher quotes paths and refuses without the project Node', () => {
  assert.match(
    launcher("/a b/it's"),
    /exec '\/a b\/it'\\''s\/node_modules\/node\/bin\/node' '\/a b\/it'\\''s\/src\/cli\/spark\.ts' "\$@"/,
  );
  const dir = mkdtempSync(join(tmpdir(), 'spark-bin-'));
  try {
    assert.equal(linkBin(dir), false);
    assert.equal(existsSync(join(dir, 'node_modules', '.bin', 'spark')), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
