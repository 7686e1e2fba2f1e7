// SPARK_BITCOIN_RPC_AUTH_FILE at start: a file open to others, or one not holding user:password, stops spark serve
// with exit 2 naming the setting, before any data dir exists, and never prints what the file holds.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCli, tempDir } from '../support/spawn-server.ts';

const dir = tempDir('spark-btc-auth-');
after(() => dir.cleanup());

async function serveWith(
  content: string,
  mode: number,
): Promise<{ code: number | null; stderr: string; dataDir: string }> {
  const file = join(dir.path, `auth-${mode.toString(8)}-${content.length}`);
  writeFileSync(file, content);
  chmodSync(file, mode);
  const dataDir = join(dir.path, `data-${mode.toString(8)}-${content.length}`);
  const r = await runCli(['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir], 30_000, {
    SPARK_BITCOIN_RPC_URL: 'http://127.0.0.1:1/',
    SPARK_BITCOIN_RPC_AUTH_FILE: file,
    SPARK_HTTP_LISTEN: 'off',
  });
  return { code: r.code, stderr: r.stderr, dataDir };
}

test('an auth file without user:password on its first line is refused without echoing it', async () => {
  const r = await serveWith('just-a-long-secret-token\n', 0o600);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /SPARK_BITCOIN_RPC_AUTH_FILE: .* does not hold user:password on its first line/);
  assert.doesNotMatch(r.stderr, /just-a-long-secret-token/);
  assert.equal(existsSync(r.dataDir), false, 'no data dir was created');
});

test('an auth file readable by others is refused without echoing it', async () => {
  const r = await serveWith('spark:group-readable-password\n', 0o644);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /SPARK_BITCOIN_RPC_AUTH_FILE: .*mode 0644, which lets group and others access it/);
  assert.doesNotMatch(r.stderr, /group-readable-password/);
});
