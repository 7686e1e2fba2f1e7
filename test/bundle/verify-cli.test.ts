// `spark verify` and the subject (docs/proof-format.md §8, check 5): the data or its digest, one of them; both
// together are a usage error before anything is verified, and each alone is checked against the leaf digest.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CliError } from '../../src/cli/cli-error.ts';
import { verify } from '../../src/cli/commands/verify.ts';
import { nativeSha256 } from '../../src/crypto/native-sha256.ts';
import { toHex } from '../../src/proof/encoding/bytes.ts';
import { tempDir } from '../support/spawn-server.ts';

const BUNDLE = fileURLToPath(new URL('../vectors/bundles/valid-size1.spark', import.meta.url));
const DATA = new TextEncoder().encode('hello, spark\n');

test('--data and --digest together are a usage error; either alone is the subject', async () => {
  const dir = tempDir('spark-verify-cli-');
  try {
    const file = join(dir.path, 'hello.txt');
    writeFileSync(file, DATA);
    const digest = toHex(nativeSha256(DATA));
    const lines: string[] = [];
    await assert.rejects(
      verify([BUNDLE, '--data', file, '--digest', digest], (l) => lines.push(l)),
      (e: unknown) =>
        e instanceof CliError && e.code === 'USAGE' && /give only one of --data, --digest/.test(e.message),
    );
    assert.deepEqual(lines, [], 'nothing verified');
    for (const flags of [
      ['--data', file],
      ['--digest', digest],
    ]) {
      const out: string[] = [];
      assert.equal(await verify([BUNDLE, ...flags], (l) => out.push(l)), 0, out.join('\n'));
      assert.ok(out.some((l) => l.startsWith('ok   subject')));
    }
    const other = toHex(nativeSha256(new TextEncoder().encode('other')));
    const out: string[] = [];
    assert.equal(await verify([BUNDLE, '--digest', other], (l) => out.push(l)), 1);
    assert.ok(out.some((l) => l.startsWith('FAIL subject')));
  } finally {
    dir.cleanup();
  }
});
