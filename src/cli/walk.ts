// The regular files under a directory, for `spark submit --dir`: in sorted order, not following symbolic links
// (a link could lead out of the tree or into a loop), at most MAX_DEPTH levels and MAX_FILES files.
import { lstatSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CliError } from './cli-error.ts';

export const MAX_DEPTH = 32;
export const MAX_FILES = 1_000_000;

/** Paths of the regular files under `root`, relative to it, sorted; what was skipped is counted. */
export function regularFilesUnder(root: string): { files: string[]; skipped: number } {
  const files: string[] = [];
  let skipped = 0;
  const visit = (dir: string, depth: number): void => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch (e) {
      throw new CliError('IO', `--dir: cannot read ${dir}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, {
        field: 'dir',
      });
    }
    for (const name of names) {
      const path = join(dir, name);
      const st = lstatSync(path, { throwIfNoEntry: false });
      if (st === undefined) continue;
      if (st.isDirectory()) {
        if (depth >= MAX_DEPTH) skipped++;
        else visit(path, depth + 1);
      } else if (st.isFile()) {
        if (files.length >= MAX_FILES) {
          throw new CliError('USAGE', `--dir: more than ${MAX_FILES} files under ${root}`, { field: 'dir' });
        }
        files.push(relative(root, path));
      } else {
        skipped++; // symbolic links, FIFOs, sockets, devices
      }
    }
  };
  const st = lstatSync(root, { throwIfNoEntry: false });
  if (st === undefined || !st.isDirectory()) {
    throw new CliError('IO', `--dir: ${root} is not a directory`, { field: 'dir' });
  }
  visit(root, 0);
  return { files, skipped };
}
