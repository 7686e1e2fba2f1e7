// `spark serve` and its signals (docs/operations.md, "A graceful stop"): a SIGTERM that comes as soon as the port is
// open still drains (exit 0), and a second signal while the drain waits (for an anchoring round held by a slow Symbol
// node, the test double) exits at once with 143.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import { waitFor } from '../anchoring/support.ts';
import { startSymbolTestNode } from '../fakes/symbol-node/symbol-test-node.ts';
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

test('a second signal while the drain waits for a hanging anchoring round exits at once with 143', {
  timeout: 30_000,
}, async (t) => {
  const dir = tempDir('spark-signal-twice-');
  t.after(dir.cleanup);
  const node = await startSymbolTestNode({ blockIntervalMs: 0 });
  t.after(() => node.close());
  const server = await startServerProcess({
    dataDir: dir.path,
    env: { SYMBOL_NODE_URL: node.url, SYMBOL_POLL_INTERVAL_MS: '100' },
  });
  t.after(() => server.kill());
  // A round has gone through; then the node answers only after 8 s, and the next round is held by it.
  await waitFor('a tracker round', () => node.answered('/chain/info') > 0 || undefined, 15_000);
  node.faults.slow(8_000);
  const held = node.received();
  await waitFor('a request held by the slow node', () => node.received() > held || undefined, 5_000, 10);
  server.child.kill('SIGTERM');
  await waitFor(
    'the drain begun',
    () => server.logs.some((l) => l.includes('"msg":"shutdown requested"')) || undefined,
    5_000,
    10,
  );
  assert.equal(server.child.exitCode, null, 'the drain waits for the round');
  const t0 = performance.now();
  server.child.kill('SIGTERM');
  assert.equal(await exitOf(server.child, 10_000), 143);
  assert.ok(performance.now() - t0 < 5_000, 'at once, not after the held round');
  assert.ok(server.logs.some((l) => l.includes('second signal: exiting without draining')));
});
