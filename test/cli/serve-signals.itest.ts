// `spark serve` and its signals (docs/operations.md, "A graceful stop"): a SIGTERM that comes as soon as the port is
// open still drains (exit 0), and a second signal while the drain waits for an open stream exits at once with 143.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { test } from 'node:test';
import { clientsFor } from '../anchoring/support.ts';
import { startServerProcess, tempDir } from '../support/spawn-server.ts';

/** The exit code of the server's child once it ends (at most `ms`; then the test's cleanup kills it). */
async function exitOf(
  child: import('node:child_process').ChildProcess,
  ms: number,
): Promise<number | string | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode ?? child.signalCode;
  const timer = AbortSignal.timeout(ms);
  const [code, signal] = (await once(child, 'exit', { signal: timer })) as [number | null, string | null];
  return code ?? signal;
}

test('a SIGTERM as soon as the port is open drains and exits 0', { timeout: 30_000 }, async (t) => {
  const dir = tempDir('spark-signal-early-');
  t.after(dir.cleanup);
  const server = await startServerProcess({ dataDir: dir.path });
  t.after(() => server.kill());
  server.child.kill('SIGTERM'); // right after the "listening" line: start-up may still be finishing
  assert.equal(await exitOf(server.child, 15_000), 0);
  assert.ok(server.logs.some((l) => l.includes('"msg":"shutdown requested"')));
});

test('a second signal while the drain waits for an open stream exits at once with 143', {
  timeout: 30_000,
}, async (t) => {
  const dir = tempDir('spark-signal-twice-');
  t.after(dir.cleanup);
  const server = await startServerProcess({ dataDir: dir.path, env: { SPARK_SHUTDOWN_GRACE_MS: '60000' } });
  t.after(() => server.kill());
  const { client } = clientsFor(server.port);
  const receipt = await client.submit({ payload: { case: 'digest', value: randomBytes(32) } });
  const leafHash = receipt.receipt?.leafHash as Uint8Array;
  const abort = new AbortController();
  t.after(() => abort.abort());
  const stream = client.watchProof({ leafHash }, { signal: abort.signal })[Symbol.asyncIterator]();
  await stream.next(); // open and counted: the drain waits for it (up to 60 s)
  stream.next().catch(() => undefined);
  server.child.kill('SIGTERM');
  // The drain has begun once the log says so; the process is still there, waiting for the stream.
  for (let i = 0; i < 200 && !server.logs.some((l) => l.includes('"msg":"shutdown requested"')); i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.equal(server.child.exitCode, null, 'still draining');
  const t0 = performance.now();
  server.child.kill('SIGTERM');
  assert.equal(await exitOf(server.child, 10_000), 143);
  assert.ok(performance.now() - t0 < 5_000, 'at once, not after the 60 s grace');
  assert.ok(server.logs.some((l) => l.includes('second signal: exiting without draining')));
});
