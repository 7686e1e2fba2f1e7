// The one reader of secret, key and certificate files named by a setting or a flag: the file is opened without
// blocking (a FIFO cannot hang it), must be a regular file, at most `maxBytes`, and, for a secret or a private
// key, accessible by its owner only. A refusal names the path and the problem, never the content; each caller
// turns it into its own domain's error.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { ConfigError } from './config-error.ts';

/** What the file must be. */
export interface CheckedFileRules {
  /** Largest size read; a larger file is refused before it is read. */
  readonly maxBytes: number;
  /** A secret or private key: refused when group or others may access it (mode 0400 or 0600 wanted). */
  readonly ownerOnly: boolean;
}

/** Turns a problem (which names the path) into the caller's error. */
export type FileProblem = (problem: string, cause?: unknown) => Error;

const sizeText = (n: number): string => (n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)} MiB` : `${n} bytes`);

/** Why `mode` lets others than the owner access a file, or undefined when it does not. */
export function looseModeProblem(path: string, mode: number): string | undefined {
  const who = [mode & 0o070 ? 'group' : '', mode & 0o007 ? 'others' : ''].filter((w) => w !== '');
  if (who.length === 0) return undefined;
  const shown = (mode & 0o777).toString(8).padStart(4, '0');
  return `${path} has mode ${shown}, which lets ${who.join(' and ')} access it; use 0400 or 0600`;
}

/** The file's bytes (the caller wipes a secret's when done), or `fail`'s error. */
export function readCheckedFile(path: string, rules: CheckedFileRules, fail: FileProblem): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw fail(`cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, err);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw fail(`${path} is not a regular file`);
    const loose = rules.ownerOnly ? looseModeProblem(path, st.mode) : undefined;
    if (loose !== undefined) throw fail(loose);
    if (st.size > rules.maxBytes) throw fail(`${path} is larger than ${sizeText(rules.maxBytes)}`);
    // One byte more than allowed is asked for: a file that grew since fstat is refused, not cut.
    const bytes = Buffer.alloc(Math.min(st.size, rules.maxBytes) + 1);
    const n = readSync(fd, bytes, 0, bytes.length, 0);
    if (n > rules.maxBytes) {
      bytes.fill(0);
      throw fail(`${path} is larger than ${sizeText(rules.maxBytes)}`);
    }
    return bytes.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

const MAX_SECRET_FILE_BYTES = 1024 * 1024;

/** A small secret file named by setting `setting` (at most 1 MiB, owner only); problems are ConfigErrors. */
export function readSecretFile(setting: string, path: string): Buffer {
  return readCheckedFile(path, { maxBytes: MAX_SECRET_FILE_BYTES, ownerOnly: true }, (problem) => {
    return new ConfigError([{ setting, problem }]);
  });
}

/** The first line of a secret file's bytes, trimmed; the bytes are zeroed (the string is what the caller keeps). */
export function firstLineOf(bytes: Buffer): string {
  const line = bytes.toString('utf8').split(/\r?\n/)[0]?.trim() ?? '';
  bytes.fill(0);
  return line;
}
