// The CLI helps: every command answers --help (exit 0), --version prints the version, a file that is not a bundle
// gets one line, an unreachable server is named with its own exit code, and a closed stdout ends the command quietly.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { COMMAND_HELP } from '../../src/cli/help.ts';
import { runCli, tempDir } from '../support/spawn-server.ts';

const ROOT = new URL('../../', import.meta.url);

test('spark <command> --help exits 0 with its usage and options, for every command', async () => {
  const commands = Object.keys(COMMAND_HELP);
  assert.ok(commands.length >= 14);
  const runs = await Promise.all(commands.map((c) => runCli([c, '--help'], 60_000)));
  for (const [i, r] of runs.entries()) {
    const c = commands[i] as string;
    assert.equal(r.code, 0, `${c} --help: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`^usage: spark ${c}`), c);
    if ((COMMAND_HELP[c]?.options.length ?? 0) > 0) assert.match(r.stdout, /\noptions:\n {2}--/, c);
  }
});

test('spark --version prints the package version and the runtime', async () => {
  const pkg = JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')) as { version: string };
  const r = await runCli(['--version'], 60_000);
  assert.equal(r.code, 0);
  assert.match(r.stdout, new RegExp(`^spark ${pkg.version.replace(/\./g, '\\.')} \\(node 24\\.`));
});

test('spark verify of a text file prints one line and exits 1', async (t) => {
  const dir = tempDir('spark-cli-help-');
  t.after(dir.cleanup);
  const file = join(dir.path, 'notes.txt');
  writeFileSync(file, 'hello, this is not a bundle\n');
  const r = await runCli(['verify', file], 60_000);
  assert.equal(r.code, 1);
  assert.equal(r.stdout.trimEnd().split('\n').length, 1, r.stdout);
  assert.match(r.stdout, /^INVALID: .*notes\.txt is not a Spark proof bundle \(/);
});

test('an unreachable server: "cannot connect to HOST:PORT — is spark serve running?", exit 3', async () => {
  // A port that was just free: bind, read it, close.
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const r = await runCli(['status', '--server', `127.0.0.1:${port}`], 60_000);
  assert.equal(r.code, 3, r.stderr);
  assert.equal(
    r.stderr,
    `spark: cannot connect to 127.0.0.1:${port} — is spark serve running? (ECONNREFUSED)\n`,
  );
});

test('a closed stdout ends the command quietly (spark verify … | head)', async () => {
  const bundle = new URL('test/vectors/bundles/valid-size1.spark', ROOT).pathname;
  const child = spawn(process.execPath, [new URL('src/cli/spark.ts', ROOT).pathname, 'verify', bundle], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.destroy(); // the reader is gone before the first line
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  clearTimeout(timer);
  assert.equal(code, 0, stderr);
  assert.doesNotMatch(stderr, /EPIPE|Error/);
});

test('spark inspect prints a summary a person reads; --json every field', async () => {
  const bundle = new URL('test/vectors/bundles/valid-anchored-checkpoint-v2.spark', ROOT).pathname;
  const r = await runCli(['inspect', bundle], 60_000);
  assert.equal(r.code, 0, r.stderr);
  for (const part of [
    'bundle',
    'leaf',
    'batch',
    'guarantee',
    'signed',
    'key',
    'anchor',
    'checkpoint',
    'witnesses',
    'published',
  ]) {
    assert.match(r.stdout, new RegExp(`^${part} +\\S`, 'm'), part);
  }
  assert.match(r.stdout, /^anchor +Symbol transaction [0-9a-f]{8}…[0-9a-f]{8} at height 1234/m);
  assert.ok(
    r.stdout.split('\n').every((line) => line.length < 220),
    'no line of kilobytes of hex',
  );
  const full = await runCli(['inspect', bundle, '--json'], 60_000);
  assert.equal((JSON.parse(full.stdout) as { anchor: { height: string } }).anchor.height, '1234');
});
