// Odd file and path arguments to the CLI (SPEC §11): each ends quickly with exit 2 and one line naming the flag —
// no hang on a FIFO or /dev/zero, no read of a file larger than a bundle can be, no stack trace, no half-written
// output. The CLI runs as a child process, like a user runs it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { writeFileFor } from '../../src/cli/io.ts';
import { MAX_BUNDLE_BYTES } from '../../src/proof/bundle/codec.ts';
import { runCli, tempDir } from '../support/spawn-server.ts';

const dir = tempDir('spark-bad-cli-');
after(() => dir.cleanup());

const at = (name: string): string => join(dir.path, name);
writeFileSync(at('empty.spark'), new Uint8Array(0));
writeFileSync(at('random.spark'), Buffer.from('not a bundle at all, just words\n'));
writeFileSync(at('huge.spark'), new Uint8Array(0));
truncateSync(at('huge.spark'), 2 ** 31); // sparse: 2 GiB claimed, nothing on disk
mkdirSync(at('a-directory.spark'));
execFileSync('mkfifo', [at('fifo.spark')]);
symlinkSync(at('loop-b'), at('loop-a'));
symlinkSync(at('loop-a'), at('loop-b'));
writeFileSync(at('data.bin'), 'some data');

/** A closed loopback port: commands that would call the server must fail on their file first. */
const NO_SERVER = ['--server', '127.0.0.1:9'];

interface Case {
  readonly name: string;
  readonly args: readonly string[];
  readonly message: RegExp;
  /** 2 (usage or I/O) unless said: a readable file that is not a valid bundle is a negative answer, 1. */
  readonly code?: number;
}

const CASES: readonly Case[] = [
  {
    name: 'a missing bundle',
    args: ['verify', at('missing.spark')],
    message: /cannot read .*missing\.spark: ENOENT/,
  },
  {
    name: 'a directory as the bundle',
    args: ['verify', at('a-directory.spark')],
    message: /is not a regular file/,
  },
  {
    name: 'a FIFO as the bundle (would block)',
    args: ['inspect', at('fifo.spark')],
    message: /is not a regular file/,
  },
  {
    name: '/dev/zero as the bundle (never ends)',
    args: ['verify', '/dev/zero'],
    message: /is not a regular file/,
  },
  {
    name: 'a 2 GiB (sparse) bundle is refused before reading',
    args: ['verify', at('huge.spark')],
    message: new RegExp(`is 2147483648 bytes, more than the ${MAX_BUNDLE_BYTES} allowed`),
  },
  {
    name: 'an empty bundle',
    args: ['verify', at('empty.spark')],
    message: /^INVALID: .*empty\.spark is not a Spark proof bundle \(bundle: empty\)$/m,
    code: 1,
  },
  {
    name: 'words instead of a bundle',
    args: ['inspect', at('random.spark')],
    message: /not a proof bundle: bundle: not a spark\.v1\.ProofBundle/,
    code: 1,
  },
  { name: 'a symlink loop', args: ['verify', at('loop-a')], message: /ELOOP/ },
  {
    name: 'a path climbing out with ../ that does not exist',
    args: ['verify', `${dir.path}/../../../../../../nonexistent/../etc/nothing.spark`],
    message: /ENOENT/,
  },
  { name: 'a 5000-character path', args: ['verify', `/${'x'.repeat(5000)}.spark`], message: /ENAMETOOLONG/ },
  {
    name: 'a directory as --data',
    args: ['verify', at('random.spark'), '--data', dir.path],
    message: /bundle: |--data: .* is not a regular file/,
  },
  {
    name: 'a FIFO as submit --file (would block)',
    args: ['submit', '--file', at('fifo.spark'), ...NO_SERVER],
    message: /--file: .* is not a regular file/,
  },
  {
    name: '/dev/urandom as submit --file (never ends)',
    args: ['submit', '--file', '/dev/urandom', ...NO_SERVER],
    message: /--file: \/dev\/urandom is not a regular file/,
  },
  {
    name: 'a missing submit --file',
    args: ['submit', '--file', at('nope'), ...NO_SERVER],
    message: /--file: .*ENOENT/,
  },
  {
    name: 'a non-hex --leaf',
    args: ['prove', '--leaf', 'zz', '--out', at('x.spark'), ...NO_SERVER],
    message: /--leaf: /,
  },
  { name: 'an unknown flag', args: ['verify', '--frobnicate', at('random.spark')], message: /frobnicate/ },
  { name: 'a flag without its value', args: ['submit', '--file'], message: /--file/ },
  {
    name: 'a malformed --server',
    args: ['submit', '--file', at('data.bin'), '--server', 'a b:c'],
    message: /--server: /,
  },
  { name: 'an unknown command', args: ['transmogrify'], message: /transmogrify/ },
];

describe('CLI: odd files and arguments', () => {
  for (const c of CASES) {
    test(`${c.name}: exit ${c.code ?? 2}, a clear message, no stack trace`, async () => {
      const t = performance.now();
      const r = await runCli(c.args, 20_000);
      const ms = performance.now() - t;
      assert.equal(r.code, c.code ?? 2, `exit code (stderr: ${r.stderr})`);
      assert.match(r.stderr + r.stdout, c.message);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
      assert.ok(ms < 15_000, `ended in ${ms.toFixed(0)} ms`);
    });
  }

  test('--out is written whole or not at all, never over a directory, and no temporary file is left', () => {
    const out = at('bundle.spark');
    writeFileFor('out', out, Uint8Array.of(1, 2, 3));
    assert.deepEqual([...readFileSync(out)], [1, 2, 3]);
    writeFileFor('out', out, Uint8Array.of(4));
    assert.deepEqual([...readFileSync(out)], [4]);
    assert.throws(
      () => writeFileFor('out', at('a-directory.spark'), Uint8Array.of(1)),
      /exists and is not a regular file/,
    );
    assert.throws(
      () => writeFileFor('out', at('no-such-dir/b.spark'), Uint8Array.of(1)),
      /--out: cannot write .*ENOENT/,
    );
    assert.throws(() => writeFileFor('out', 'a\0b', Uint8Array.of(1)), /--out: not a file path/);
    assert.deepEqual(
      readdirSync(dir.path).filter((n) => n.endsWith('.tmp')),
      [],
    );
    assert.equal(existsSync(at('no-such-dir')), false);
  });

  after(() =>
    console.log(
      `bad input: ${CASES.length} CLI argument cases, each ending with a clear message and exit 2 (or 1 for a readable non-bundle)`,
    ),
  );
});
