// SPARK_LOG_FORMAT=pretty (spark serve --log-format pretty): one short line per record for a person.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { test } from 'node:test';
import { prettyLine } from '../../src/log/pretty.ts';
import { runCli, tempDir } from '../support/spawn-server.ts';

test('a record becomes time, level, message and its fields; long values and hex are cut; other lines pass', () => {
  const line = JSON.stringify({
    level: 30,
    time: '2026-12-06T09:50:01.590Z',
    service: 'spark',
    msg: 'signing key ready',
    keyId: 'e7f2bdc31ffdb37e6043e09f690b3f6fc0e3a978b2ee807d7254380d5b1eaadd',
    algorithm: 'ML-DSA-65',
    generation: 0,
    note: 'two words',
  });
  assert.equal(
    prettyLine(line),
    '09:50:01.590 INFO  signing key ready  keyId=e7f2bd…aadd algorithm=ML-DSA-65 generation=0 note="two words"',
  );
  const big = prettyLine(
    JSON.stringify({ level: 40, time: '2026-12-06T09:50:01.000Z', msg: 'm', config: { a: 'x'.repeat(500) } }),
  );
  assert.match(big, /^09:50:01\.000 WARN {2}m {2}config=\{"a":"x+…$/);
  assert.ok(big.length < 120);
  const err = prettyLine(
    JSON.stringify({
      level: 50,
      time: '2026-12-06T09:50:01.000Z',
      msg: 'failed',
      err: { type: 'StoreError', message: 'disk full', stack: 'at …' },
    }),
  );
  assert.equal(err, '09:50:01.000 ERROR failed  err=StoreError: disk full');
  assert.equal(prettyLine('not json'), 'not json');
  assert.equal(prettyLine('[1,2]'), '[1,2]');
});

test('spark serve --log-format pretty writes pretty lines; an unknown format is refused naming the setting', {
  timeout: 30_000,
}, async (t) => {
  const dir = tempDir('spark-pretty-');
  t.after(dir.cleanup);
  const child = spawn(
    process.execPath,
    [
      join(import.meta.dirname, '..', '..', 'src', 'cli', 'spark.ts'),
      'serve',
      '--log-format',
      'pretty',
      '--listen',
      '127.0.0.1:0',
      '--data-dir',
      join(dir.path, 'data'),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line: ${out}`)), 20_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (/ INFO {2}listening /.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  // Signals are listened for before start-up: one right after the listening line still drains.
  child.kill('SIGTERM');
  const [code] = (await once(child, 'close')) as [number | null];
  assert.equal(code, 0);
  const lines = out.trim().split('\n');
  assert.ok(lines.length >= 4);
  for (const l of lines) {
    assert.match(l, /^\d\d:\d\d:\d\d\.\d{3} (TRACE|DEBUG|INFO |WARN |ERROR|FATAL) \S/, l);
    assert.ok(!l.startsWith('{'));
  }
  assert.ok(lines.some((l) => / INFO {2}shutdown requested {2}signal=SIGTERM$/.test(l)));
  const bad = await runCli([
    'serve',
    '--log-format',
    'xml',
    '--listen',
    '127.0.0.1:0',
    '--data-dir',
    join(dir.path, 'd2'),
  ]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /SPARK_LOG_FORMAT: "xml" is not one of json, pretty/);
});
