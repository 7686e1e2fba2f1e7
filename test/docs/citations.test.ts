// The repository stands on its own: code and protos cite only documents it holds (docs/, README.md, proto/), and
// every document they cite exists.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';

const ROOT = join(import.meta.dirname, '..', '..');
const SOURCES = ['src', 'providers', 'proto', 'web/src', 'bench'];

function* files(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (/\.(ts|js|proto|html|css)$/.test(name)) yield path;
  }
}

const all = SOURCES.flatMap((d) => [...files(join(ROOT, d))]);

test('no source file cites a document outside the repository (the spec, the Symbol notes, the seed documents)', () => {
  const outside = /\bSPEC §|\bSPEC\.md\b|\bSYMBOL\.md\b|\.\.\/shared\b|\bseeds\//;
  const found = all.flatMap((f) =>
    readFileSync(f, 'utf8')
      .split('\n')
      .flatMap((line, i) =>
        outside.test(line) ? [`${relative(ROOT, f)}:${i + 1}: ${line.trim().slice(0, 100)}`] : [],
      ),
  );
  assert.deepEqual(found, []);
  assert.ok(all.length > 100, `${all.length} files read`);
});

test('every docs/ file a source file cites exists', () => {
  const missing = new Set<string>();
  for (const f of all)
    for (const m of readFileSync(f, 'utf8').matchAll(/\bdocs\/([A-Za-z0-9_-]+\.(?:md|json|png|svg))/g))
      if (!existsSync(join(ROOT, 'docs', m[1] as string))) missing.add(`${relative(ROOT, f)} → docs/${m[1]}`);
  assert.deepEqual([...missing], []);
});
