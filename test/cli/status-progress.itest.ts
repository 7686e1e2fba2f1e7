// `spark submit --dir` with progress on stderr and one JSON line per file on stdout, `spark status` counting
// leaves and batches by status, `spark prove --wait` reporting status changes; and the progress display itself.
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createProgress } from '../../src/cli/progress.ts';
import { clientsFor } from '../anchoring/support.ts';
import { runCli, startServerProcess, tempDir } from '../support/spawn-server.ts';

test('progress: rewritten in place on a terminal at most every 100 ms, throttled plain lines otherwise, nothing with quiet', () => {
  let t = 0;
  const tty: string[] = [];
  const p = createProgress('submit', {
    total: 4,
    sink: { isTTY: true, write: (s) => tty.push(s) },
    now: () => t,
  });
  t = 1000;
  p.update(2, 'hashed');
  t = 1050;
  p.update(3, 'hashed'); // within 100 ms of the last rewrite: not shown, but kept for the end
  p.say('a line');
  p.finish('done');
  p.show('  1.0 s  SEALED, waiting');
  p.clear();
  p.clear();
  assert.deepEqual(tty, [
    '\r\x1b[2Ksubmit: 2/4 2/s hashed',
    '\r\x1b[2K',
    'a line\n',
    'submit: 3/4 3/s done\n',
    '\r\x1b[2K  1.0 s  SEALED, waiting',
    '\r\x1b[2K',
  ]);
  const plain: string[] = [];
  t = 0;
  const q = createProgress('submit', { sink: { write: (s) => plain.push(s) }, now: () => t });
  for (let i = 1; i <= 5; i++) {
    t = i * 500;
    q.update(i);
  }
  q.show('only on a terminal');
  q.clear();
  q.finish();
  assert.deepEqual(plain, ['submit: 1 2/s\n', 'submit: 5 2/s\n', 'submit: 5 2/s\n']);
  const none: string[] = [];
  const r = createProgress('x', { quiet: true, sink: { write: (s) => none.push(s) } });
  r.update(1);
  r.say('y');
  r.finish();
  r.show('z');
  assert.deepEqual(none, []);
});

test('submit --dir, status and prove --wait against a running sidecar', async (t) => {
  const dir = tempDir('spark-cli-status-');
  // At most 3 items per request: submit --dir's requests of 500 are refused and it retries with fewer.
  const server = await startServerProcess({
    dataDir: join(dir.path, 'data'),
    env: { SPARK_MAX_ITEMS_PER_REQUEST: '3' },
    timeoutMs: 60_000,
  });
  t.after(async () => {
    await server.stop();
    dir.cleanup();
  });
  const tree = join(dir.path, 'tree');
  mkdirSync(join(tree, 'a', 'b'), { recursive: true });
  for (let i = 0; i < 7; i++)
    writeFileSync(join(tree, i % 2 === 0 ? 'a' : join('a', 'b'), `f${i}.txt`), `file ${i}\n`);
  writeFileSync(join(tree, 'top.txt'), 'top\n');
  symlinkSync('/etc/hostname', join(tree, 'link-out'));
  const server_ = ['--server', server.address];

  const sub = await runCli(['submit', '--dir', tree, '--json', ...server_]);
  assert.equal(sub.code, 0, sub.stderr);
  const lines = sub.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { path: string; status: string });
  assert.equal(lines.length, 8, 'one JSON line per regular file, nothing else on stdout');
  assert.deepEqual(new Set(lines.map((l) => l.status)), new Set(['PENDING']));
  assert.ok(lines.some((l) => l.path === join('a', 'b', 'f1.txt')));
  assert.match(sub.stderr, /submit: 8\/8 .*submitted, 1 skipped \(links, special files, too deep\)/);

  const again = await runCli(['submit', '--dir', tree, '--quiet', ...server_]);
  assert.equal(again.code, 0);
  assert.equal(again.stderr, '', '--quiet: no progress');
  assert.equal(again.stdout.match(/\(duplicate\)/g)?.length, 8);

  type Row = { status: string; batches: number; leaves: number };
  const status = async (): Promise<Record<string, Row>> => {
    const r = await runCli(['status', '--json', ...server_]);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { anchoring: boolean; counts: Row[] };
    assert.equal(j.anchoring, false);
    return Object.fromEntries(j.counts.map((c) => [c.status, c]));
  };
  let s = await status();
  assert.deepEqual([s['pending']?.leaves, s['sealed']?.leaves, s['sealed']?.batches], [8, 0, 0]);
  const { admin } = clientsFor(server.port);
  await admin.sealNow({});
  s = await status();
  assert.deepEqual([s['pending']?.leaves, s['sealed']?.leaves, s['sealed']?.batches], [0, 8, 1]);
  assert.deepEqual(Object.keys(s), ['pending', 'sealed', 'announced', 'confirmed', 'finalized', 'failed']);
  const table = await runCli(['status', ...server_]);
  assert.match(table.stdout, /^sealed +1 +8$/m);
  assert.match(table.stdout, /anchoring is off on this server: SEALED is final/);

  const prove = await runCli([
    'prove',
    '--leaf',
    (lines[0] as unknown as { leafHash: string }).leafHash,
    '--wait',
    '10',
    '--out',
    join(dir.path, 'p.spark'),
    ...server_,
  ]);
  assert.equal(prove.code, 0, prove.stderr);
  assert.match(prove.stderr, /^ +\d+\.\d s {2}SEALED$/m, 'the status change is reported on stderr');
  assert.ok(!prove.stderr.includes('\r'), 'nothing rewritten in place when stderr is not a terminal');
  assert.match(prove.stdout, /^SEALED: bundle written to /);
});
