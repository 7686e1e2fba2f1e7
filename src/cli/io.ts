// File and hex helpers for the CLI; every failure becomes a CliError naming the flag.
import { createHash } from 'node:crypto';
import {
  closeSync,
  constants,
  createReadStream,
  fstatSync,
  linkSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fromHex } from '../proof/encoding/bytes.ts';
import { CliError } from './cli-error.ts';

/** The CliError for a failed file operation, naming the flag and the errno code (never file contents). */
function ioError(flag: string, verb: string, path: string, e: unknown): CliError {
  const code = (e as NodeJS.ErrnoException).code ?? 'error';
  return new CliError('IO', `--${flag}: cannot ${verb} ${path}: ${code}`, { field: flag, cause: e });
}

/**
 * Opens `path` for reading and checks it is a regular file: a FIFO, a device (/dev/zero) or a directory would
 * block or never end. The caller closes the descriptor.
 */
function openRegular(flag: string, path: string): { fd: number; size: number } {
  if (path === '' || path.includes('\0')) {
    throw new CliError('USAGE', `--${flag}: not a file path`, { field: flag });
  }
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer; regular files ignore it.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw ioError(flag, 'read', path, e);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new CliError('IO', `--${flag}: ${path} is not a regular file`, { field: flag });
    return { fd, size: st.size };
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

/** Reads a whole regular file of at most `maxBytes`, or throws CliError IO naming the flag (before reading). */
export function readFileFor(flag: string, path: string, maxBytes: number): Uint8Array {
  const { fd, size } = openRegular(flag, path);
  try {
    if (size > maxBytes) {
      throw new CliError('IO', `--${flag}: ${path} is ${size} bytes, more than the ${maxBytes} allowed`, {
        field: flag,
      });
    }
    const bytes = Buffer.alloc(size);
    let at = 0;
    while (at < size) {
      const n = readSync(fd, bytes, at, size - at, at);
      if (n === 0) break; // shrank while read: what was read is judged by the decoder
      at += n;
    }
    return bytes.subarray(0, at);
  } catch (e) {
    throw e instanceof CliError ? e : ioError(flag, 'read', path, e);
  } finally {
    closeSync(fd);
  }
}

/** Streams a regular file through SHA-256 (any size, never loaded whole). */
export async function sha256File(flag: string, path: string): Promise<Uint8Array> {
  const { fd } = openRegular(flag, path);
  const h = createHash('sha256');
  try {
    for await (const chunk of createReadStream('', { fd, autoClose: true })) h.update(chunk as Buffer);
  } catch (e) {
    throw ioError(flag, 'read', path, e);
  }
  return h.digest();
}

/**
 * Writes a file whole or not at all: into a temporary file beside it, then renamed over `path`, so an
 * interrupted write never leaves half a bundle under the final name. A directory at `path` is refused.
 */
/**
 * Refuses `path` when it exists and `force` is not given: checked before a command does its work, so that it fails
 * at once instead of after a wait. writeFileFor({ replace: false }) checks again when it writes.
 */
export function refuseExisting(flag: string, path: string, force: boolean): void {
  if (force) return;
  let existing: ReturnType<typeof statSync> | undefined;
  try {
    existing = statSync(path, { throwIfNoEntry: false });
  } catch (e) {
    throw ioError(flag, 'write', path, e);
  }
  if (existing !== undefined)
    throw new CliError('IO', `--${flag}: ${path} exists; add --force to replace it`, { field: flag });
}

export function writeFileFor(
  flag: string,
  path: string,
  data: Uint8Array,
  mode = 0o644,
  replace = true,
): void {
  if (path === '' || path.includes('\0')) {
    throw new CliError('USAGE', `--${flag}: not a file path`, { field: flag });
  }
  let existing: ReturnType<typeof statSync> | undefined;
  try {
    existing = statSync(path, { throwIfNoEntry: false });
  } catch (e) {
    throw ioError(flag, 'write', path, e);
  }
  if (existing !== undefined && !existing.isFile()) {
    throw new CliError('IO', `--${flag}: ${path} exists and is not a regular file`, { field: flag });
  }
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(temp, data, { flag: 'wx', mode });
    if (replace) renameSync(temp, path);
    else {
      // A hard link never replaces: a file that appeared since the check stays, and this write fails.
      linkSync(temp, path);
      rmSync(temp, { force: true });
    }
  } catch (e) {
    rmSync(temp, { force: true });
    if ((e as NodeJS.ErrnoException).code === 'EEXIST')
      throw new CliError('IO', `--${flag}: ${path} exists; add --force to replace it`, { field: flag });
    throw ioError(flag, 'write', path, e);
  }
}

/** Parses a 32-byte hex value given to `--flag`. */
export function hash32Flag(flag: string, hex: string): Uint8Array {
  const bytes = fromHex(hex.trim());
  if (bytes === undefined || bytes.length !== 32) {
    throw new CliError('USAGE', `--${flag}: must be 64 hex characters (32 bytes)`, { field: flag });
  }
  return bytes;
}
