// Reads secrets from Docker secret files (docs/keys.md): a 32-byte seed or a PIN, mode-checked, read once, wiped after use.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { KeyError } from './key-error.ts';

/** Largest file accepted: 64 hex digits plus a line end (or 32 raw bytes). */
const MAX_SECRET_FILE_BYTES = 66;

const unusable = (path: string, problem: string, cause?: unknown): KeyError =>
  new KeyError('SECRET_UNUSABLE', `secret ${path}: ${problem}`, {
    field: path,
    ...(cause === undefined ? {} : { cause }),
  });

/** Decodes one hex digit, or -1. */
function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/**
 * Reads a 32-byte seed: 32 raw bytes, or 64 hex digits with an optional line end. Refuses a file that is not
 * regular, that its group or others may read or write (names which), or that has any other size. The raw
 * buffer is wiped before returning; the caller wipes the seed after use.
 */
export function readSeedFile(path: string): Uint8Array {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (cause) {
    throw unusable(path, `cannot open (${(cause as NodeJS.ErrnoException).code ?? 'error'})`, cause);
  }
  const raw = new Uint8Array(MAX_SECRET_FILE_BYTES + 1);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw unusable(path, 'is not a regular file');
    const who = [st.mode & 0o070 ? 'group' : '', st.mode & 0o007 ? 'others' : ''].filter((w) => w !== '');
    if (who.length > 0) {
      throw unusable(
        path,
        `mode ${(st.mode & 0o777).toString(8).padStart(4, '0')} lets ${who.join(' and ')} access it; use 0400 or 0600`,
      );
    }
    const n = readSync(fd, raw, 0, raw.length, 0);
    let end = n;
    while (end > 0 && (raw[end - 1] === 0x0a || raw[end - 1] === 0x0d)) end--;
    if (n === 32) return raw.slice(0, 32);
    if (end === 64) {
      const seed = new Uint8Array(32);
      for (let i = 0; i < 32; i++) {
        const hi = hexDigit(raw[2 * i] as number);
        const lo = hexDigit(raw[2 * i + 1] as number);
        if (hi < 0 || lo < 0) {
          seed.fill(0);
          throw unusable(path, 'is 64 characters but not hex');
        }
        seed[i] = (hi << 4) | lo;
      }
      return seed;
    }
    throw unusable(
      path,
      `holds ${n > MAX_SECRET_FILE_BYTES ? 'more than 66' : n} bytes; expected 32 raw bytes or 64 hex digits`,
    );
  } finally {
    raw.fill(0);
    closeSync(fd);
  }
}

/** Largest PIN file accepted (HSM PINs such as CloudHSM's "user:password" are far shorter). */
export const MAX_PIN_FILE_BYTES = 256;

/**
 * Opens secret `path` for reading after checking, on the open descriptor, that it is a regular file that
 * neither group nor others may access (names which). Returns the descriptor; the caller closes it.
 */
function openCheckedSecret(path: string): number {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (cause) {
    throw unusable(path, `cannot open (${(cause as NodeJS.ErrnoException).code ?? 'error'})`, cause);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw unusable(path, 'is not a regular file');
    const who = [st.mode & 0o070 ? 'group' : '', st.mode & 0o007 ? 'others' : ''].filter((w) => w !== '');
    if (who.length > 0) {
      throw unusable(
        path,
        `mode ${(st.mode & 0o777).toString(8).padStart(4, '0')} lets ${who.join(' and ')} access it; use 0400 or 0600`,
      );
    }
    return fd;
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

/**
 * Reads a PIN (or HSM password, e.g. "0001password" or "user:password"): the file's bytes with trailing line
 * ends stripped, 1..256 bytes, checked like a seed file (regular, mode 0400/0600). Returns a fresh Buffer that
 * the caller zeroes right after login; the read buffer is wiped before returning. Errors never quote the file.
 */
export function readPinFile(path: string): Buffer {
  const fd = openCheckedSecret(path);
  const raw = Buffer.alloc(MAX_PIN_FILE_BYTES + 3);
  try {
    const n = readSync(fd, raw, 0, raw.length, 0);
    let end = n;
    while (end > 0 && (raw[end - 1] === 0x0a || raw[end - 1] === 0x0d)) end--;
    if (end === 0) throw unusable(path, 'is empty; expected a PIN');
    if (end > MAX_PIN_FILE_BYTES) throw unusable(path, `holds more than ${MAX_PIN_FILE_BYTES} bytes of PIN`);
    const pin = Buffer.alloc(end);
    raw.copy(pin, 0, 0, end);
    return pin;
  } finally {
    raw.fill(0);
    closeSync(fd);
  }
}

/** Largest private-key file read (a PEM key is a few kilobytes). */
const MAX_KEY_FILE_BYTES = 1024 * 1024;

/**
 * Reads a private key file (PEM): a regular file that neither group nor others may access, at most 1 MiB.
 * Problems are KeyError SECRET_UNUSABLE naming `field` and the path, never the contents.
 */
export function readPrivateKeyFile(field: string, path: string): Buffer {
  const fail = (problem: string, cause?: unknown): KeyError =>
    new KeyError('SECRET_UNUSABLE', `${field}: ${path} ${problem}`, {
      field,
      ...(cause === undefined ? {} : { cause }),
    });
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (cause) {
    throw fail(`cannot be read (${(cause as NodeJS.ErrnoException).code ?? 'error'})`, cause);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw fail('is not a regular file');
    const who = [st.mode & 0o070 ? 'group' : '', st.mode & 0o007 ? 'others' : ''].filter((w) => w !== '');
    if (who.length > 0)
      throw fail(
        `has mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}, which lets ${who.join(' and ')} access a private key; use 0400 or 0600`,
      );
    if (st.size > MAX_KEY_FILE_BYTES) throw fail('is larger than 1 MiB');
    const bytes = Buffer.alloc(st.size);
    return bytes.subarray(0, readSync(fd, bytes, 0, bytes.length, 0));
  } finally {
    closeSync(fd);
  }
}
