// The pure core's wall holds: no file under src/proof/ imports a Node API, the store, a service or an unlisted
// package; and the check does fail when one does (a real file of the core with one such import added).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { importsOf, pureImportProblems, repoPath } from './pure-core.ts';

const ROOT = join(import.meta.dirname, '..', '..');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return filesUnder(path);
    return /\.(ts|js|mjs)$/.test(e.name) ? [path] : [];
  });
}

test('no file of the pure core imports anything with I/O', () => {
  const files = filesUnder(join(ROOT, 'src', 'proof'));
  assert.ok(files.length >= 60, `the pure core holds ${files.length} files`);
  const problems = files.flatMap((f) => pureImportProblems(repoPath(ROOT, f), readFileSync(f, 'utf8')));
  assert.deepEqual(problems, []);
});

test('the check fails for a core file that imports node:, the store, a service or another package', () => {
  const file = 'src/proof/bundle/build.ts';
  const real = readFileSync(join(ROOT, file), 'utf8');
  assert.deepEqual(pureImportProblems(file, real), [], 'the real file passes');
  const cases: Array<[string, RegExp]> = [
    ["import { readFileSync } from 'node:fs';", /imports node:fs: the pure core runs in browsers/],
    ["import { createHash } from 'crypto';", /imports crypto: the pure core runs in browsers/],
    ["import type { Store } from '../../store/store.ts';", /imports src\/store\/store\.ts: the pure core/],
    ["export { createApp } from '../../main.ts';", /imports src\/main\.ts/],
    ["const s = await import('../../service/server.ts');", /imports src\/service\/server\.ts/],
    ["import { open } from 'lmdb';", /the package lmdb: not one the pure core may use/],
    ["import { SymbolFacade } from 'symbol-sdk/symbol';", /the package symbol-sdk\/symbol/],
  ];
  for (const [line, expected] of cases) {
    const problems = pureImportProblems(file, `${line}\n${real}`);
    assert.equal(problems.length, 1, line);
    assert.match(problems[0] ?? '', expected, line);
  }
});

test('imports the core may make are read and let through', () => {
  const source = [
    "import { sha256 } from '@noble/hashes/sha2.js';",
    "import { create } from '@bufbuild/protobuf';",
    "import { CID } from 'multiformats/cid';",
    "import { BundleSchema } from '../../gen/spark/v1/bundle_pb.js';",
    "import { SparkError } from '../../errors/spark-error.ts';",
    "export type { Leaf } from './leaf.ts';",
    "import '../merkle/tree.ts';",
  ].join('\n');
  assert.equal(importsOf(source).length, 7);
  assert.deepEqual(pureImportProblems('src/proof/bundle/x.ts', source), []);
  assert.equal(
    pureImportProblems(
      'src/proof/bundle/x.ts',
      "import { RequestError } from '../../errors/request-error.ts';",
    ).length,
    1,
    'only the base class of src/errors/',
  );
});
