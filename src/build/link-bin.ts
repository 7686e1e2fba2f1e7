// `npm ci` (the prepare step) writes node_modules/.bin/spark: a two-line launcher that runs the CLI on the project's
// own Node 24 (node_modules/node/bin/node), whatever `node` the shell finds first. Called directly it starts in a
// quarter of a second; `npx spark` finds it too, with npm's own start-up (about a second) on top.
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The launcher's text for a checkout at `root`. */
export function launcher(root: string): string {
  const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
  return [
    '#!/bin/sh',
    "# spark on the project's Node 24 (written by npm ci: src/build/link-bin.ts)",
    `exec ${quote(join(root, 'node_modules', 'node', 'bin', 'node'))} ${quote(join(root, 'src', 'cli', 'spark.ts'))} "$@"`,
    '',
  ].join('\n');
}

/** Writes the launcher into `root`'s node_modules/.bin; false when the project's Node is not installed. */
export function linkBin(root = ROOT): boolean {
  if (!existsSync(join(root, 'node_modules', 'node', 'bin', 'node'))) return false;
  const bin = join(root, 'node_modules', '.bin');
  mkdirSync(bin, { recursive: true });
  const path = join(bin, 'spark');
  writeFileSync(path, launcher(root), { mode: 0o755 });
  chmodSync(path, 0o755);
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (!linkBin())
    process.stderr.write('spark: node_modules/node is missing; npx spark still works through npm\n');
}
