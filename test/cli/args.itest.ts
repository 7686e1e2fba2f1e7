// The CLI's flag parser: a mistyped flag is named with the flag it most likely meant.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { editDistance, nearest, parseArgs } from '../../src/cli/args.ts';
import { CliError } from '../../src/cli/cli-error.ts';
import { runCli } from '../support/spawn-server.ts';

const SPEC = {
  server: 'string',
  out: 'string',
  wait: 'optional-number',
  leaf: 'string',
  json: 'boolean',
  'tls-ca': 'string',
} as const;

test('edit distance counts insertions, deletions, substitutions and swaps', () => {
  assert.equal(editDistance('server', 'server'), 0);
  assert.equal(editDistance('sever', 'server'), 1);
  assert.equal(editDistance('servre', 'server'), 1);
  assert.equal(editDistance('srever', 'server'), 1);
  assert.equal(editDistance('serverx', 'server'), 1);
  assert.equal(editDistance('', 'abc'), 3);
});

test('did you mean: close misspellings and unambiguous prefixes; nothing for far or ambiguous ones', () => {
  const known = Object.keys(SPEC);
  assert.equal(nearest('sever', known), 'server');
  assert.equal(nearest('tls-cs', known), 'tls-ca');
  assert.equal(nearest('serv', known), 'server');
  assert.equal(nearest('jsn', known), 'json');
  assert.equal(nearest('output', known), undefined);
  assert.equal(nearest('xyz', known), undefined);
  assert.equal(nearest('ot', known), 'out');
  assert.equal(nearest('wat', ['wait', 'want']), undefined, 'two equally close');
});

test('an unknown flag is a usage error naming it and the likely one', () => {
  assert.throws(
    () => parseArgs(['--sever', 'x'], SPEC),
    (err: unknown) =>
      err instanceof CliError &&
      err.code === 'USAGE' &&
      err.message === 'unknown option --sever (did you mean --server?)',
  );
  assert.throws(
    () => parseArgs(['--frobnicate'], SPEC),
    (err: unknown) => err instanceof CliError && err.message === 'unknown option --frobnicate',
  );
});

test('spark prove --sever … says which flag it meant and exits 2', async () => {
  const r = await runCli([
    'prove',
    '--sever',
    '127.0.0.1:1',
    '--leaf',
    '00'.repeat(32),
    '--out',
    '/dev/null',
  ]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown option --sever \(did you mean --server\?\)/);
});
