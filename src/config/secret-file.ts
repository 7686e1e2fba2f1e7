// Reading a small secret file named by a setting: a regular file, readable by its owner only, at most 1 MiB.
// Refusals are ConfigErrors naming the setting and the path, never the content.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { ConfigError } from './config-error.ts';

const MAX_SECRET_FILE_BYTES = 1024 * 1024;

/** The file's bytes; the caller wipes them when done. */
export function readSecretFile(setting: string, path: string): Buffer {
  const fail = (problem: string): never => {
    throw new ConfigError([{ setting, problem }]);
  };
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    return fail(`cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return fail(`${path} is not a regular file`);
    const who = [st.mode & 0o070 ? 'group' : '', st.mode & 0o007 ? 'others' : ''].filter((w) => w !== '');
    if (who.length > 0) {
      const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
      return fail(`${path}: mode ${mode} lets ${who.join(' and ')} access it; use 0400 or 0600`);
    }
    if (st.size > MAX_SECRET_FILE_BYTES) return fail(`${path} is larger than 1 MiB`);
    const bytes = Buffer.alloc(st.size);
    return bytes.subarray(0, readSync(fd, bytes, 0, bytes.length, 0));
  } finally {
    closeSync(fd);
  }
}
