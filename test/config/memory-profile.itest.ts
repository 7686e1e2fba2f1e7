// SPARK_MEMORY_PROFILE applied to the process: the lean profile's malloc restart (same PID, tunables added once,
// an operator's own GLIBC_TUNABLES kept) and its stream budget; a real `spark serve` under lean runs with them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  LEAN_GLIBC_TUNABLES,
  LEAN_STREAM_ITEMS_BUDGET,
  leanMallocRestart,
  type ProcessImage,
  streamItemsBudgetOf,
} from '../../src/config/memory-profile.ts';
import { STREAM_ITEMS_BUDGET } from '../../src/service/submit-stream.ts';
import { startServerProcess, tempDir } from '../support/spawn-server.ts';

function image(overrides: Partial<ProcessImage> = {}) {
  const calls: Array<{ file: string; args: string[]; env: NodeJS.ProcessEnv }> = [];
  const p: ProcessImage = {
    platform: 'linux',
    env: { PATH: '/usr/bin', SPARK_MEMORY_PROFILE: 'lean' },
    execPath: '/opt/node',
    execArgv: ['--max-semi-space-size=4'],
    argv: ['/opt/node', '/app/src/cli/spark.ts', 'serve', '--listen', '127.0.0.1:0'],
    glibc: '2.36',
    execve: ((file: string, args: string[], env: NodeJS.ProcessEnv) => {
      calls.push({ file, args, env });
    }) as ProcessImage['execve'],
    ...overrides,
  };
  return { p, calls };
}

test('lean on glibc restarts the same command with the malloc tunables added, keeping the environment', () => {
  const { p, calls } = image();
  leanMallocRestart('lean', () => p);
  assert.deepEqual(calls, [
    {
      file: '/opt/node',
      args: [
        '/opt/node',
        '--max-semi-space-size=4',
        '/app/src/cli/spark.ts',
        'serve',
        '--listen',
        '127.0.0.1:0',
      ],
      env: { PATH: '/usr/bin', SPARK_MEMORY_PROFILE: 'lean', GLIBC_TUNABLES: LEAN_GLIBC_TUNABLES },
    },
  ]);
});

test('no restart under fast, with GLIBC_TUNABLES already set (the restarted process, or the operator), off glibc or without execve', () => {
  const cases: Array<[string, 'fast' | 'lean', Partial<ProcessImage>]> = [
    ['fast', 'fast', {}],
    ['tunables set', 'lean', { env: { GLIBC_TUNABLES: 'glibc.malloc.arena_max=4' } }],
    ['empty tunables set', 'lean', { env: { GLIBC_TUNABLES: '' } }],
    ['musl', 'lean', { glibc: undefined }],
    ['not linux', 'lean', { platform: 'darwin' }],
    ['no execve', 'lean', { execve: undefined }],
  ];
  for (const [what, profile, overrides] of cases) {
    const { p, calls } = image(overrides);
    leanMallocRestart(profile, () => p);
    assert.equal(calls.length, 0, what);
  }
});

test('the stream items budget: the default under fast, half under lean', () => {
  assert.equal(streamItemsBudgetOf('fast'), STREAM_ITEMS_BUDGET);
  assert.equal(streamItemsBudgetOf('lean'), LEAN_STREAM_ITEMS_BUDGET);
  assert.equal(LEAN_STREAM_ITEMS_BUDGET, STREAM_ITEMS_BUDGET / 2);
});

test('spark serve under lean runs as the PID it was started as, with the tunables in its environment, and serves', {
  timeout: 60_000,
  skip:
    process.platform !== 'linux'
      ? 'reads /proc'
      : process.env['GLIBC_TUNABLES'] !== undefined
        ? 'GLIBC_TUNABLES is set here: the server would keep it'
        : false,
}, async (t) => {
  const dir = tempDir('spark-lean-');
  t.after(dir.cleanup);
  const server = await startServerProcess({
    dataDir: join(dir.path, 'data'),
    env: { SPARK_MEMORY_PROFILE: 'lean' },
  });
  t.after(() => server.stop());
  const pid = server.child.pid;
  assert.ok(pid !== undefined);
  // glibc rewrites the variable in /proc/PID/environ as it parses it, so the server's own log line is the witness.
  const line = server.logs
    .map((l) => JSON.parse(l))
    .find((l) => l.msg === 'memory profile lean: malloc settings');
  assert.equal(line?.glibcTunables, LEAN_GLIBC_TUNABLES);
  assert.match(readFileSync(`/proc/${pid}/cmdline`, 'latin1'), /spark\.ts\0serve\0/);
  const response = await fetch(`http://127.0.0.1:${server.httpPort}/readyz`);
  assert.equal(response.status, 200);
  assert.equal(server.stderr(), '');
  assert.equal(await server.stop(), 0);
});
