// File and hex helpers for the CLI; every failure becomes a CliError naming the flag.
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, writeFileSync } from 'node:fs';
import { fromHex } from '../encoding/bytes.ts';
import { CliError } from './cli-error.ts';

/** The CliError for a failed file operation, naming the flag and the errno code (never file contents). */
function ioError(flag: string, verb: string, path: string, e: unknown): CliError {
  const code = (e as NodeJS.ErrnoException).code ?? 'error';
  return new CliError('IO', `--${flag}: cannot ${verb} ${path}: ${code}`, { field: flag, cause: e });
}

/** Reads a whole file, or throws CliError IO naming the flag. */
export function readFileFor(flag: string, path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw ioError(flag, 'read', path, e);
  }
}

/** Streams a file through SHA-256 (any size, never loaded whole). */
export async function sha256File(flag: string, path: string): Promise<Uint8Array> {
  const h = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  } catch (e) {
    throw ioError(flag, 'read', path, e);
  }
  return h.digest();
}

/** Writes a file, or throws CliError IO. */
export function writeFileFor(flag: string, path: string, data: Uint8Array): void {
  try {
    writeFileSync(path, data);
  } catch (e) {
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
