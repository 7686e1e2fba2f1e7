// Random damage to a real data file (seeded, the seed printed): whatever the damage, a process opening the store,
// reading every record and writing a batch either works or gets a StoreError. It never dies of a signal (LMDB
// trusts its pages: without the file check a bad meta page is a SIGSEGV and a truncated file a SIGBUS).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  mkdirSync,
  openSync,
  statSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openLmdbStore } from '../../src/store/lmdb-store.ts';
import { fillStore } from '../store/fixtures/sample-store.ts';
import { NODE, tempDir } from '../support/spawn-server.ts';
import { mulberry32 } from './prng.ts';

const CHILD = fileURLToPath(new URL('./fixtures/read-everything.ts', import.meta.url));
/** SPARK_FUZZ_CASES runs more for a longer local search. */
const CASES = Number(process.env['SPARK_FUZZ_CASES'] ?? 24);
const PARALLEL = 2;
const CHILD_LIMIT_MS = 30_000;

interface Outcome {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

async function runChild(dir: string, leafFile: string): Promise<Outcome> {
  const child = spawn(NODE, [CHILD, dir, leafFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const timer = setTimeout(() => {
    if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
  }, CHILD_LIMIT_MS);
  try {
    return await new Promise<Outcome>((resolve) =>
      child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
    );
  } finally {
    clearTimeout(timer);
  }
}

test('randomly damaged data files: a StoreError or a working store, never a crash', {
  timeout: 300_000,
}, async (t) => {
  const seed = Number(process.env['SPARK_FUZZ_SEED'] ?? Math.floor(Math.random() * 2 ** 32));
  t.diagnostic(`seed ${seed} (rerun with SPARK_FUZZ_SEED=${seed})`);
  const random = mulberry32(seed);
  const int = (n: number) => Math.floor(random() * n);
  const tmp = tempDir('spark-fuzz-');
  t.after(tmp.cleanup);
  const pristine = join(tmp.path, 'pristine');
  const store = await openLmdbStore({ path: pristine, pendingCapacity: 10_000_000 });
  const { leaves } = await fillStore(store, 40);
  await store.close();
  const leafFile = join(tmp.path, 'leaves.txt');
  writeFileSync(leafFile, leaves.map((l) => Buffer.from(l.leafHash).toString('hex')).join('\n'));
  const size = statSync(join(pristine, 'data.mdb')).size;
  const pageSize = 4096;

  const damage: Array<{ name: string; apply: (file: string) => string }> = [
    {
      name: 'bytes',
      apply: (file) => {
        const fd = openSync(file, 'r+');
        const spots: string[] = [];
        for (let k = 1 + int(4); k > 0; k--) {
          const at = int(size);
          const bytes = Buffer.from(Array.from({ length: 1 + int(64) }, () => int(256)));
          writeSync(fd, bytes, 0, bytes.length, at);
          spots.push(`${bytes.length}@${at}`);
        }
        closeSync(fd);
        return `random bytes ${spots.join(' ')}`;
      },
    },
    {
      name: 'page',
      apply: (file) => {
        const page = int(size / pageSize);
        const fd = openSync(file, 'r+');
        writeSync(
          fd,
          Buffer.from(Array.from({ length: pageSize }, () => int(256))),
          0,
          pageSize,
          page * pageSize,
        );
        closeSync(fd);
        return `garbage page ${page}`;
      },
    },
    {
      name: 'zeros',
      apply: (file) => {
        const first = int(size / pageSize);
        const pages = 1 + int(16);
        const fd = openSync(file, 'r+');
        writeSync(fd, Buffer.alloc(pages * pageSize), 0, pages * pageSize, first * pageSize);
        closeSync(fd);
        return `zeros over pages ${first}..${first + pages - 1}`;
      },
    },
    {
      name: 'truncate',
      apply: (file) => {
        const length = int(size);
        truncateSync(file, length);
        return `truncated to ${length} of ${size} bytes`;
      },
    },
  ];

  const cases = Array.from({ length: CASES }, (_, i) => ({ i, kind: damage[i % damage.length] }));
  const counts = new Map<string, number>();
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const c = cases[next++];
      if (c?.kind === undefined) return;
      const dir = join(tmp.path, `case-${c.i}`);
      mkdirSync(dir);
      copyFileSync(join(pristine, 'data.mdb'), join(dir, 'data.mdb'));
      const what = c.kind.apply(join(dir, 'data.mdb'));
      const r = await runChild(dir, leafFile);
      assert.equal(r.signal, null, `case ${c.i} (${what}): the process died of ${r.signal}\n${r.stderr}`);
      assert.equal(r.code, 0, `case ${c.i} (${what}): exit ${r.code}\n${r.stderr}`);
      const verdict = /^(ok|refused|read-refused) (\S+)/.exec(r.stdout);
      assert.ok(verdict, `case ${c.i} (${what}): ${r.stdout}`);
      const key = verdict[1] === 'ok' ? 'ok' : `${verdict[1]} ${verdict[2]}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  t.diagnostic(
    `${CASES} damaged copies: ${[...counts].map(([k, v]) => `${k} ${v}`).join(', ')}; none crashed`,
  );
  assert.ok((counts.get('refused CORRUPT') ?? 0) > 0, 'some damage was detected at open');
});
