// Reads secrets from Docker secret files (docs/keys.md): a 32-byte seed, a PIN or a private key, through the one
// checked reader (src/config/secret-file.ts: regular file, owner only, bounded), read once and wiped after use.
import { readCheckedFile } from '../src/config/secret-file.ts';
import { KeyError } from './key-error.ts';

/** Largest seed file accepted: 64 hex digits plus a line end (or 32 raw bytes). */
const MAX_SEED_FILE_BYTES = 66;

/** KeyError SECRET_UNUSABLE naming `field` (the path, for secret files) and the problem, never the content. */
const unusable =
  (field: string, prefix: string) =>
  (problem: string, cause?: unknown): KeyError =>
    new KeyError('SECRET_UNUSABLE', `${prefix}${problem}`, {
      field,
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
  const fail = unusable(path, 'secret: ');
  const raw = readCheckedFile(path, { maxBytes: MAX_SEED_FILE_BYTES, ownerOnly: true }, fail);
  try {
    const n = raw.length;
    let end = n;
    while (end > 0 && (raw[end - 1] === 0x0a || raw[end - 1] === 0x0d)) end--;
    if (n === 32) return Uint8Array.from(raw);
    if (end === 64) {
      const seed = new Uint8Array(32);
      for (let i = 0; i < 32; i++) {
        const hi = hexDigit(raw[2 * i] as number);
        const lo = hexDigit(raw[2 * i + 1] as number);
        if (hi < 0 || lo < 0) {
          seed.fill(0);
          throw fail(`${path} is 64 characters but not hex`);
        }
        seed[i] = (hi << 4) | lo;
      }
      return seed;
    }
    throw fail(`${path} holds ${n} bytes; expected 32 raw bytes or 64 hex digits`);
  } finally {
    raw.fill(0);
  }
}

/** Largest PIN file accepted (HSM PINs such as CloudHSM's "user:password" are far shorter). */
export const MAX_PIN_FILE_BYTES = 256;

/**
 * Reads a PIN (or HSM password, e.g. "0001password" or "user:password"): the file's bytes with trailing line
 * ends stripped, 1..256 bytes, checked like a seed file (regular, mode 0400/0600). Returns a fresh Buffer that
 * the caller zeroes right after login; the read buffer is wiped before returning. Errors never quote the file.
 */
export function readPinFile(path: string): Buffer {
  const fail = unusable(path, 'secret: ');
  const raw = readCheckedFile(path, { maxBytes: MAX_PIN_FILE_BYTES + 2, ownerOnly: true }, fail);
  try {
    let end = raw.length;
    while (end > 0 && (raw[end - 1] === 0x0a || raw[end - 1] === 0x0d)) end--;
    if (end === 0) throw fail(`${path} is empty; expected a PIN`);
    if (end > MAX_PIN_FILE_BYTES) throw fail(`${path} holds more than ${MAX_PIN_FILE_BYTES} bytes of PIN`);
    const pin = Buffer.alloc(end);
    raw.copy(pin, 0, 0, end);
    return pin;
  } finally {
    raw.fill(0);
  }
}

/** Largest private-key file read (a PEM key is a few kilobytes). */
const MAX_KEY_FILE_BYTES = 1024 * 1024;

/**
 * Reads a private key file (PEM): a regular file that neither group nor others may access, at most 1 MiB.
 * Problems are KeyError SECRET_UNUSABLE naming `field` and the path, never the contents.
 */
export function readPrivateKeyFile(field: string, path: string): Buffer {
  return readCheckedFile(
    path,
    { maxBytes: MAX_KEY_FILE_BYTES, ownerOnly: true },
    unusable(field, `${field}: `),
  );
}
