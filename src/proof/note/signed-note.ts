// C2SP signed notes (c2sp.org/signed-note): parse, format, key names and key IDs. Pure: no I/O, no Node APIs.
//
// A signed note is UTF-8 text ending in "\n", a blank line, then one or more signature lines
// "— <key name> <base64(u32be key ID || signature)>\n" (em dash U+2014). The text is everything up to and
// including the newline before the LAST blank line. Parsers here never throw on hostile input: they return the
// reason it was refused. They throw RangeError only on programmer errors (an argument of the wrong type).
import { portableSha256 } from '../crypto/sha256.ts';
import { fromBase64 } from '../encoding/base64.ts';
import { concatBytes, utf8 } from '../encoding/bytes.ts';

/** One signature line of a note. */
export interface NoteSignature {
  /** Key name: non-empty, no Unicode spaces, no '+'. */
  readonly name: string;
  /** Key ID, a u32 (the first four bytes of the decoded signature, big-endian). */
  readonly keyId: number;
  /** The bytes after the key ID (at least one). */
  readonly signature: Uint8Array;
}

/** A note: its text and its signature lines, in order. */
export interface SignedNote {
  /** The signed text; ends with "\n" (the separating blank line is not part of it). */
  readonly text: string;
  readonly signatures: readonly NoteSignature[];
}

/** Largest note (or witness response) accepted, in UTF-8 bytes. */
export const MAX_NOTE_BYTES = 1024 * 1024;

/** Signature lines a note may carry unless the caller says otherwise (the spec asks for at least 16). */
export const DEFAULT_MAX_SIGNATURES = 64;

/** What every signature line starts with: em dash (U+2014) and a space. */
export const SIGNATURE_LINE_PREFIX = '\u2014 ';

/** Shortest decoded signature: the 4-byte key ID and at least one byte of signature. */
const MIN_SIGNATURE_BYTES = 5;

const UNICODE_SPACE = /\p{White_Space}/u;

/** Throws RangeError unless `value` is a string: a programmer error, not hostile input. */
function needString(value: unknown, what: string): asserts value is string {
  if (typeof value !== 'string') throw new RangeError(`${what} must be a string`);
}

/** Offset of the first ASCII control character other than newline, or -1. */
function controlCharacterAt(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 && c !== 0x0a) return i;
  }
  return -1;
}

/** The big-endian u32 in the first four bytes of `b` (at least four long). */
function readU32(b: Uint8Array): number {
  return (
    (((b[0] as number) << 24) | ((b[1] as number) << 16) | ((b[2] as number) << 8) | (b[3] as number)) >>> 0
  );
}

/** Length of `text` in UTF-8 bytes (text must be well formed). */
function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4; // a surrogate pair: one 4-byte sequence
      i++;
    } else n += 3;
  }
  return n;
}

/**
 * Decodes strict UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF), or undefined.
 * Written out by hand: the pure core has no TextDecoder.
 */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  const chunks: string[] = [];
  const points: number[] = [];
  let i = 0;
  const n = bytes.length;
  const cont = (at: number, lo = 0x80, hi = 0xbf): number => {
    const b = at < n ? (bytes[at] as number) : -1;
    return b >= lo && b <= hi ? b & 0x3f : -1;
  };
  while (i < n) {
    const b = bytes[i] as number;
    let cp: number;
    if (b < 0x80) {
      cp = b;
      i += 1;
    } else if (b >= 0xc2 && b <= 0xdf) {
      const c1 = cont(i + 1);
      if (c1 < 0) return undefined;
      cp = ((b & 0x1f) << 6) | c1;
      i += 2;
    } else if (b >= 0xe0 && b <= 0xef) {
      // E0 needs A0..BF (no overlong); ED needs 80..9F (no surrogates).
      const c1 = cont(i + 1, b === 0xe0 ? 0xa0 : 0x80, b === 0xed ? 0x9f : 0xbf);
      const c2 = cont(i + 2);
      if (c1 < 0 || c2 < 0) return undefined;
      cp = ((b & 0x0f) << 12) | (c1 << 6) | c2;
      i += 3;
    } else if (b >= 0xf0 && b <= 0xf4) {
      // F0 needs 90..BF (no overlong); F4 needs 80..8F (nothing above U+10FFFF).
      const c1 = cont(i + 1, b === 0xf0 ? 0x90 : 0x80, b === 0xf4 ? 0x8f : 0xbf);
      const c2 = cont(i + 2);
      const c3 = cont(i + 3);
      if (c1 < 0 || c2 < 0 || c3 < 0) return undefined;
      cp = ((b & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3;
      i += 4;
    } else {
      return undefined;
    }
    points.push(cp);
    if (points.length === 4096) {
      chunks.push(String.fromCodePoint(...points));
      points.length = 0;
    }
  }
  chunks.push(String.fromCodePoint(...points));
  return chunks.join('');
}

const BASE64_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard padded base64 (RFC 4648 §4) of `bytes`: the encoding notes, vkeys and checkpoints use. */
export function encodeBase64(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 3 <= bytes.length; i += 3) {
    const v = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out +=
      BASE64_DIGITS.charAt(v >>> 18) +
      BASE64_DIGITS.charAt((v >>> 12) & 63) +
      BASE64_DIGITS.charAt((v >>> 6) & 63) +
      BASE64_DIGITS.charAt(v & 63);
  }
  const left = bytes.length - i;
  if (left === 1) {
    const v = (bytes[i] as number) << 16;
    out += `${BASE64_DIGITS.charAt(v >>> 18)}${BASE64_DIGITS.charAt((v >>> 12) & 63)}==`;
  } else if (left === 2) {
    const v = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8);
    out += `${BASE64_DIGITS.charAt(v >>> 18)}${BASE64_DIGITS.charAt((v >>> 12) & 63)}${BASE64_DIGITS.charAt((v >>> 6) & 63)}=`;
  }
  return out;
}

/**
 * Why `text` cannot be (part of) a note — not well-formed Unicode (which has no UTF-8 encoding), an ASCII
 * control character other than newline, or more than 1 MiB of UTF-8 — or undefined when it can.
 */
export function checkNoteCharacters(text: string): string | undefined {
  needString(text, 'text');
  // Every UTF-16 code unit is at least one UTF-8 byte: a longer string is over the limit without a closer look.
  if (text.length > MAX_NOTE_BYTES) return `note over ${MAX_NOTE_BYTES} bytes`;
  if (!text.isWellFormed()) return 'invalid UTF-8: the text has a lone surrogate';
  const at = controlCharacterAt(text);
  if (at >= 0) {
    const code = text.charCodeAt(at).toString(16).padStart(4, '0').toUpperCase();
    return `control character U+${code} at offset ${at}`;
  }
  if (utf8Length(text) > MAX_NOTE_BYTES) return `note over ${MAX_NOTE_BYTES} bytes`;
  return undefined;
}

/** Why `name` is not a valid key name (empty, a Unicode space, '+', a control character), or undefined. */
export function checkKeyName(name: string): string | undefined {
  needString(name, 'key name');
  if (name === '') return 'empty key name';
  if (!name.isWellFormed()) return 'key name is not valid UTF-8 (lone surrogate)';
  if (UNICODE_SPACE.test(name)) return 'key name contains a Unicode space';
  if (name.includes('+')) return "key name contains '+'";
  if (controlCharacterAt(name) >= 0) return 'key name contains a control character';
  return undefined;
}

/**
 * Key ID = SHA-256(name || 0x0A || signature type || public key)[:4], as a u32 (big-endian).
 * Throws RangeError on an invalid key name or an empty signature type (programmer errors).
 */
export function noteKeyId(name: string, signatureType: Uint8Array, publicKey: Uint8Array): number {
  const bad = checkKeyName(name);
  if (bad !== undefined) throw new RangeError(bad);
  if (!(signatureType instanceof Uint8Array) || signatureType.length === 0) {
    throw new RangeError('signature type must be at least one byte');
  }
  if (!(publicKey instanceof Uint8Array)) throw new RangeError('public key must be a Uint8Array');
  return readU32(portableSha256(concatBytes(utf8(name), Uint8Array.of(0x0a), signatureType, publicKey)));
}

/** The signature line of `sig`, ending with "\n". Throws RangeError when `sig` could not be parsed back. */
export function formatSignatureLine(sig: NoteSignature): string {
  const bad = checkKeyName(sig.name);
  if (bad !== undefined) throw new RangeError(bad);
  if (!Number.isInteger(sig.keyId) || sig.keyId < 0 || sig.keyId > 0xffffffff) {
    throw new RangeError('key ID must be a u32');
  }
  if (!(sig.signature instanceof Uint8Array) || sig.signature.length === 0) {
    throw new RangeError('signature must be at least one byte');
  }
  const id = sig.keyId;
  const bytes = concatBytes(
    Uint8Array.of(id >>> 24, (id >>> 16) & 0xff, (id >>> 8) & 0xff, id & 0xff),
    sig.signature,
  );
  return `${SIGNATURE_LINE_PREFIX}${sig.name} ${encodeBase64(bytes)}\n`;
}

/** The signed note: text, blank line, signature lines. Throws RangeError when the note could not be parsed back. */
export function formatNote(note: SignedNote): string {
  needString(note.text, 'note text');
  if (!note.text.endsWith('\n')) throw new RangeError('note text must end with a newline');
  const bad = checkNoteCharacters(note.text);
  if (bad !== undefined) throw new RangeError(bad);
  if (note.signatures.length === 0) throw new RangeError('a signed note needs at least one signature');
  return `${note.text}\n${note.signatures.map(formatSignatureLine).join('')}`;
}

/** One signature line without its newline, or the reason it is malformed. */
function parseSignatureLine(line: string): NoteSignature | string {
  if (!line.startsWith(SIGNATURE_LINE_PREFIX)) return 'malformed signature line: it does not start with "— "';
  const rest = line.slice(SIGNATURE_LINE_PREFIX.length);
  const space = rest.indexOf(' ');
  if (space < 0) return 'malformed signature line: no space between key name and signature';
  const name = rest.slice(0, space);
  const badName = checkKeyName(name);
  if (badName !== undefined) return `malformed signature line: ${badName}`;
  const bytes = fromBase64(rest.slice(space + 1));
  if (bytes === undefined) return 'bad base64 in signature line';
  if (bytes.length < MIN_SIGNATURE_BYTES) return `signature shorter than ${MIN_SIGNATURE_BYTES} bytes`;
  return { name, keyId: readU32(bytes), signature: bytes.slice(4) };
}

/** Signature lines (each ending in "\n", at least one) or the reason they are refused. */
function parseSignatureBlock(block: string, maxSignatures: number): NoteSignature[] | string {
  if (block === '') return 'no signature lines';
  if (!block.endsWith('\n')) return 'the last signature line does not end with a newline';
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > maxSignatures) return `too many signatures: ${lines.length} (at most ${maxSignatures})`;
  const out: NoteSignature[] = [];
  for (const [i, line] of lines.entries()) {
    const sig = parseSignatureLine(line);
    if (typeof sig === 'string') return `signature line ${i + 1}: ${sig}`;
    out.push(sig);
  }
  return out;
}

/** Throws RangeError unless `max` is a positive integer. */
function needMaxSignatures(max: number): void {
  if (!Number.isInteger(max) || max < 1) throw new RangeError('maxSignatures must be a positive integer');
}

/** UTF-8 bytes decoded, or a string checked for well-formedness and size, or the reason it is refused. */
function noteString(input: string | Uint8Array): string | { refused: string } {
  if (input instanceof Uint8Array) {
    if (input.length > MAX_NOTE_BYTES) return { refused: `note over ${MAX_NOTE_BYTES} bytes` };
    const text = decodeUtf8(input);
    return text ?? { refused: 'invalid UTF-8' };
  }
  needString(input, 'note');
  return input;
}

/**
 * Parses a signed note (text or its UTF-8 bytes). Returns the reason when it is refused: invalid UTF-8, a control
 * character, over 1 MiB, no blank line before the signatures, no signature line, a malformed signature line (bad
 * key name, bad base64, shorter than 5 bytes), or more than `maxSignatures` signatures. Signatures are not checked.
 */
export function parseNote(
  input: string | Uint8Array,
  maxSignatures = DEFAULT_MAX_SIGNATURES,
): SignedNote | string {
  needMaxSignatures(maxSignatures);
  const text = noteString(input);
  if (typeof text !== 'string') return text.refused;
  const bad = checkNoteCharacters(text);
  if (bad !== undefined) return bad;
  // The text ends at the newline before the LAST blank line: the text itself may contain blank lines.
  const split = text.lastIndexOf('\n\n');
  if (split < 0) return 'no blank line before the signatures';
  const signatures = parseSignatureBlock(text.slice(split + 2), maxSignatures);
  if (typeof signatures === 'string') return signatures;
  return { text: text.slice(0, split + 1), signatures };
}

/**
 * Parses a body made only of signature lines (a witness's add-checkpoint response, c2sp.org/tlog-witness), each
 * ending in "\n", at least one. Returns the reason when refused, as parseNote does.
 */
export function parseSignatureLines(
  text: string,
  maxSignatures = DEFAULT_MAX_SIGNATURES,
): NoteSignature[] | string {
  needString(text, 'signature lines');
  needMaxSignatures(maxSignatures);
  const bad = checkNoteCharacters(text);
  if (bad !== undefined) return bad;
  return parseSignatureBlock(text, maxSignatures);
}
