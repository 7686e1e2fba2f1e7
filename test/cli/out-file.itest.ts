// `--out` never replaces a file silently: `spark prove` and `spark trust export` refuse an existing file (exit 2,
// before asking the server anything) unless `--force` is given; the refused file is left as it was.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { clientsFor } from '../anchoring/support.ts';
import { runCli, startServerProcess, tempDir } from '../support/spawn-server.ts';

test('prove and trust export refuse an existing --out file without --force, and replace it with it', {
  timeout: 60_000,
}, async (t) => {
  const dir = tempDir('spark-out-file-');
  t.after(dir.cleanup);
  const server = await startServerProcess({ dataDir: join(dir.path, 'data') });
  t.after(() => server.kill());
  const { client, admin } = clientsFor(server.port);
  const r = await client.submit({ payload: { case: 'digest', value: new Uint8Array(randomBytes(32)) } });
  assert.ok(r.receipt);
  await admin.sealNow({});
  const leaf = Buffer.from(r.receipt.leafHash).toString('hex');
  const out = join(dir.path, 'x.spark');
  writeFileSync(out, 'precious');
  const prove = (...extra: string[]) =>
    runCli(['prove', '--server', server.address, '--leaf', leaf, '--out', out, ...extra]);
  const refused = await prove();
  assert.equal(refused.code, 2);
  assert.equal(refused.stderr.trim(), `spark: --out: ${out} exists; add --force to replace it`);
  assert.equal(readFileSync(out, 'utf8'), 'precious');
  // Refused before the server is asked: an unreachable one gives the same answer.
  const early = await runCli(['prove', '--server', '127.0.0.1:1', '--leaf', leaf, '--out', out]);
  assert.equal(early.code, 2);
  const forced = await prove('--force');
  assert.equal(forced.code, 0, forced.stderr);
  assert.notEqual(readFileSync(out, 'utf8'), 'precious');
  const root = join(dir.path, 'root.json');
  const first = await runCli(['trust', 'export', '--server', server.address, '--out', root]);
  assert.equal(first.code, 0, first.stderr);
  const second = await runCli(['trust', 'export', '--server', server.address, '--out', root]);
  assert.equal(second.code, 2);
  assert.match(second.stderr, /--out: .*root\.json exists; add --force to replace it/);
  assert.equal(
    (await runCli(['trust', 'export', '--server', server.address, '--out', root, '--force'])).code,
    0,
  );
});
