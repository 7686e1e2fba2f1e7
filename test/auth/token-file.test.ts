// Bearer tokens: their format, the tokens file (hashes only, mode-checked, every mistake named by line) and the
// constant-time match.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ConfigError } from '../../src/config/config-error.ts';
import {
  createToken,
  hashToken,
  matchToken,
  parseTokenFile,
  readTokenFile,
  tokenFileLine,
} from '../../src/service/access-tokens.ts';
import { tempDir } from '../support/spawn-server.ts';

const dir = tempDir('spark-tokens-');
after(() => dir.cleanup());

function writeSecret(name: string, text: string, mode = 0o600): string {
  const path = join(dir.path, name);
  writeFileSync(path, text, { mode });
  chmodSync(path, mode);
  return path;
}

test('a token is spk_ and 32 random bytes in base64url; the file line holds its SHA-256 only', () => {
  const a = createToken();
  const b = createToken();
  assert.match(a, /^spk_[A-Za-z0-9_-]{43}$/);
  assert.equal(Buffer.from(a.slice(4), 'base64url').length, 32);
  assert.notEqual(a, b);
  const line = tokenFileLine('billing', 'client', a);
  assert.equal(line, `billing client ${createHash('sha256').update(a).digest('hex')}`);
  assert.ok(!line.includes(a.slice(4)), 'the token itself is not in the line');
});

test('the file: comments and blank lines allowed, entries read in order', () => {
  const t1 = createToken();
  const t2 = createToken();
  const path = writeSecret(
    'tokens',
    `# clients of this sidecar\n\n${tokenFileLine('billing', 'client', t1)}   # the billing job\n  ${tokenFileLine('ops@example', 'admin', t2).toUpperCase().replace('OPS@EXAMPLE ADMIN', 'ops@example admin')}\n`,
  );
  const entries = readTokenFile(path);
  assert.deepEqual(
    entries.map((e) => [e.name, e.role]),
    [
      ['billing', 'client'],
      ['ops@example', 'admin'],
    ],
  );
  assert.equal(matchToken(entries, t1)?.name, 'billing');
  assert.equal(matchToken(entries, t2)?.name, 'ops@example', 'upper-case hex reads the same');
  assert.equal(matchToken(entries, createToken()), undefined);
  assert.equal(matchToken(entries, ''), undefined);
  assert.equal(matchToken(entries, `${t1} `), undefined, 'no trimming: the exact token only');
  assert.equal(matchToken(entries, 'x'.repeat(10_000)), undefined);
});

test('a file group or others may read is refused, naming the file', () => {
  const path = writeSecret('loose', tokenFileLine('a', 'client', createToken()), 0o644);
  assert.throws(
    () => readTokenFile(path),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.deepEqual(err.issues, [
        {
          setting: 'SPARK_AUTH_TOKENS',
          problem: `${path} has mode 0644, which lets group and others access it; use 0400 or 0600`,
        },
      ]);
      return true;
    },
  );
  chmodSync(path, 0o604);
  assert.throws(() => readTokenFile(path), /lets others access it/);
  chmodSync(path, 0o400);
  assert.equal(readTokenFile(path).length, 1);
  const missing = join(dir.path, 'absent');
  assert.throws(() => readTokenFile(missing), new RegExp(`cannot read ${missing} \\(ENOENT\\)`));
  const sub = join(dir.path, 'a-directory');
  mkdirSync(sub, { mode: 0o700 });
  assert.throws(() => readTokenFile(sub), /is not a regular file/);
});

test('every bad line is named by number; no hash is quoted', () => {
  const hash = hashToken('whatever').toString('hex');
  const text = [
    `good client ${hash}`,
    'only two',
    `bad name! client ${'a'.repeat(64)}`,
    `x superuser ${'b'.repeat(64)}`,
    `y client ${'c'.repeat(63)}`,
    `good admin ${'d'.repeat(64)}`,
    `z client ${hash.toUpperCase()}`,
  ].join('\n');
  const { entries, issues } = parseTokenFile(text, '/run/secrets/tokens');
  assert.deepEqual(
    issues.map((i) => i.problem),
    [
      '/run/secrets/tokens line 2: expected "<name> <role> <sha256-hex> [daily=N] [monthly=N] [immediate-daily=N] [price=XYM]"',
      '/run/secrets/tokens line 3: expected "<name> <role> <sha256-hex> [daily=N] [monthly=N] [immediate-daily=N] [price=XYM]"',
      '/run/secrets/tokens line 4: the role must be client or admin',
      '/run/secrets/tokens line 5: the hash must be 64 hex digits (SHA-256)',
      '/run/secrets/tokens line 6: the name good is used twice',
      '/run/secrets/tokens line 7: the same token hash appears twice',
    ],
  );
  assert.ok(issues.every((i) => i.setting === 'SPARK_AUTH_TOKENS'));
  assert.ok(!JSON.stringify(issues).includes(hash));
  assert.ok(entries.length > 0);
  // Quota fields after the hash: read, and refused by name when unknown, repeated or not a count.
  const quotas = parseTokenFile(
    [
      `a client ${'1'.repeat(64)} daily=10 monthly=200 immediate-daily=0`,
      `b client ${'2'.repeat(64)} weekly=5`,
      `c client ${'3'.repeat(64)} daily=5 daily=6`,
      `d client ${'4'.repeat(64)} daily=lots`,
      `e client ${'5'.repeat(64)} daily=3 price=0.0015`,
      `f client ${'6'.repeat(64)} price=0`,
      `g client ${'7'.repeat(64)} price=1.0000001`,
      `h client ${'8'.repeat(64)} price=1 price=2`,
    ].join('\n'),
    '/q',
  );
  assert.deepEqual(quotas.entries[0]?.quota, { daily: 10, monthly: 200, immediateDaily: 0 });
  // The prepaid-credit price, XYM with up to 6 decimals, kept in µXYM; 0 is a price (free), not none.
  assert.deepEqual(quotas.entries[4]?.quota, { daily: 3, price: 1_500n });
  assert.deepEqual(quotas.entries[5]?.quota, { price: 0n });
  assert.deepEqual(
    quotas.issues.map((i) => i.problem),
    [
      '/q line 2: "weekly=…" is not a quota (daily=N, monthly=N, immediate-daily=N, price=XYM)',
      '/q line 3: daily is given twice',
      '/q line 4: "daily=…" is not a quota (daily=N, monthly=N, immediate-daily=N, price=XYM)',
      '/q line 7: price: an amount of XYM (e.g. price=0.001), at most 6 decimals',
      '/q line 8: price is given twice',
    ],
  );
  const empty = parseTokenFile('# nobody yet\n', '/t');
  assert.deepEqual(empty.issues, [{ setting: 'SPARK_AUTH_TOKENS', problem: '/t holds no token lines' }]);
});
