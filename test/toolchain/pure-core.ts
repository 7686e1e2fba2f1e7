// The wall around the pure core (src/proof/): what a file there may import. Node built-ins, the store, the services
// and any package but the hashing, signature, protobuf and CID libraries are refused; relative imports must stay
// inside src/proof/, but for the generated protobuf code (src/gen/) and the error base class (src/errors/spark-error.ts).
import { builtinModules } from 'node:module';
import { dirname, join, normalize, relative } from 'node:path';

/** Packages the pure core may import (their names or name prefixes). */
export const PURE_PACKAGES = ['@noble/', '@bufbuild/protobuf', 'multiformats'];
/** What outside src/proof/ the pure core may import (repository-relative; a folder ends with /). */
const PURE_OUTSIDE = ['src/gen/', 'src/errors/spark-error.ts'];

const IMPORT =
  /(?:\bimport\s[^'";]*?\bfrom\s*|\bexport\s[^'";]*?\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)(['"])([^'"]+)\1/g;

/** The module specifiers `source` imports (static, dynamic, re-exports, require). */
export function importsOf(source: string): string[] {
  return [...source.matchAll(IMPORT)].map((m) => m[2] as string);
}

/** Why `file` (repository-relative, under src/proof/) may not import what it does; empty when it may. */
export function pureImportProblems(file: string, source: string): string[] {
  const problems: string[] = [];
  for (const spec of importsOf(source)) {
    if (spec.startsWith('.')) {
      const target = normalize(join(dirname(file), spec)).replaceAll('\\', '/');
      const inside = target.startsWith('src/proof/');
      const allowed = PURE_OUTSIDE.some((p) => (p.endsWith('/') ? target.startsWith(p) : target === p));
      if (!inside && !allowed)
        problems.push(`${file} imports ${target}: the pure core imports nothing outside src/proof/ with I/O`);
      continue;
    }
    const bare = spec.replace(/^node:/, '');
    if (spec.startsWith('node:') || builtinModules.includes(bare.split('/')[0] as string)) {
      problems.push(`${file} imports ${spec}: the pure core runs in browsers, without Node APIs`);
      continue;
    }
    if (!PURE_PACKAGES.some((p) => spec === p || spec.startsWith(p.endsWith('/') ? p : `${p}/`)))
      problems.push(
        `${file} imports the package ${spec}: not one the pure core may use (${PURE_PACKAGES.join(', ')})`,
      );
  }
  return problems;
}

/** `path` relative to the repository root `root`, with / separators. */
export function repoPath(root: string, path: string): string {
  return relative(root, path).replaceAll('\\', '/');
}
