// Kill -9 a process mid-stream of adds: every leaf it acknowledged must be in the store afterwards (SPEC §11).
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openLmdbStore } from '../../src/store/lmdb-store.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/add-loop.ts', import.meta.url));
const ACKS_BEFORE_KILL = 150;
const ROUND_LIMIT_MS = 10_000;

/** Runs the child until it has acknowledged enough leaves, then SIGKILLs it; returns the acknowledged hashes. */
async function runAndKill(path: string): Promise<string[]> {
  let child: ChildProcess | undefined;
  try {
    child = spawn(process.execPath, [FIXTURE, path], { stdio: ['ignore', 'pipe', 'pipe'] });
    const running = child;
    const acked: string[] = [];
    let stderr = '';
    running.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) => {
      running.on('exit', (code, signal) => resolve(signal ?? code));
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`only ${acked.length} acknowledgements in ${ROUND_LIMIT_MS} ms: ${stderr}`)),
        ROUND_LIMIT_MS,
      );
      let partial = '';
      running.stdout?.on('data', (chunk: Buffer) => {
        const lines = (partial + chunk.toString()).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) if (/^[0-9a-f]{64}$/.test(line)) acked.push(line);
        if (acked.length >= ACKS_BEFORE_KILL) {
          clearTimeout(timer);
          running.kill('SIGKILL');
          resolve();
        }
      });
      running.on('exit', () => {
        clearTimeout(timer);
        if (acked.length < ACKS_BEFORE_KILL) reject(new Error(`child exited early: ${stderr}`));
      });
    });
    assert.equal(await exited, 'SIGKILL');
    // Lines already in the pipe when the kill landed were acknowledged too.
    return acked;
  } finally {
    if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null)
      process.kill(child.pid, 'SIGKILL');
  }
}

test('leaves acknowledged before kill -9 survive, three crashes in a row', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'spark-crash-'));
  const path = join(dir, 'data');
  try {
    const all: string[] = [];
    for (let round = 0; round < 3; round++) {
      const acked = await runAndKill(path);
      assert.ok(acked.length >= ACKS_BEFORE_KILL);
      all.push(...acked);
      const store = await openLmdbStore({ path, pendingCapacity: 10_000_000 });
      try {
        const missing = all.filter((hex) => store.getLeaf(Buffer.from(hex, 'hex')) === undefined);
        assert.deepEqual(
          missing,
          [],
          `round ${round}: ${missing.length} of ${all.length} acknowledged leaves lost`,
        );
        assert.ok(store.pendingCount() >= all.length);
        assert.equal(store.pendingLeaves(store.pendingCount()).length, store.pendingCount());
      } finally {
        await store.close();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
