// C2SP checkpoint note text (c2sp.org/tlog-checkpoint): origin, tree size, base64 root hash, extension lines. Pure.
//
// Stricter than the spec where the spec only recommends: the origin must have no Unicode space and no '+'
// (spec: SHOULD), so a checkpoint such as sum.golang.org's "go.sum database tree" is refused. This project's
// origins are logOrigin() strings, which always pass. The parser is canonical: formatCheckpointText of a parsed
// text gives back the same text, byte for byte.
import { fromBase64 } from '../encoding/base64.ts';
import { toHex } from '../encoding/bytes.ts';
import { checkNoteCharacters, encodeBase64 } from './signed-note.ts';

/** The parts of a checkpoint's note text. */
export interface CheckpointText {
  /** First line: the log's unique identity. */
  readonly origin: string;
  /** Number of leaves, 0..2^64-1. */
  readonly size: bigint;
  /** RFC 6962 / RFC 9162 root hash at `size` (32 bytes). */
  readonly root: Uint8Array;
  /** Optional opaque lines after the root (non-empty; not signed by ML-DSA cosignatures). */
  readonly extensions: readonly string[];
}

/** Largest tree size (u64). */
export const MAX_TREE_SIZE = 2n ** 64n - 1n;

/** Length of the root hash (SHA-256). */
export const CHECKPOINT_ROOT_LENGTH = 32;

/** What this project's log origins start with; logOrigin appends the log ID in hex. */
export const LOG_ORIGIN_PREFIX = 'spark-processor/log/';

const UNICODE_SPACE = /\p{White_Space}/u;

/** Why `origin` is not acceptable (empty, a Unicode space, '+', a newline or control character), or undefined. */
export function checkOrigin(origin: string): string | undefined {
  if (typeof origin !== 'string') throw new RangeError('origin must be a string');
  if (origin === '') return 'empty origin';
  if (UNICODE_SPACE.test(origin)) return 'origin contains a Unicode space';
  if (origin.includes('+')) return "origin contains '+'";
  const bad = checkNoteCharacters(origin);
  if (bad !== undefined) return `origin: ${bad}`;
  return undefined;
}

/** Why `line` cannot be an extension line (empty, a newline or control character), or undefined. */
function checkExtension(line: string): string | undefined {
  if (typeof line !== 'string') throw new RangeError('extension line must be a string');
  if (line === '') return 'empty extension line';
  if (line.includes('\n')) return 'extension line contains a newline';
  return checkNoteCharacters(line);
}

/** The checkpoint note text, ending with "\n". Throws RangeError when it could not be parsed back. */
export function formatCheckpointText(c: CheckpointText): string {
  const badOrigin = checkOrigin(c.origin);
  if (badOrigin !== undefined) throw new RangeError(badOrigin);
  if (typeof c.size !== 'bigint' || c.size < 0n || c.size > MAX_TREE_SIZE) {
    throw new RangeError('tree size must be a bigint in 0..2^64-1');
  }
  if (!(c.root instanceof Uint8Array) || c.root.length !== CHECKPOINT_ROOT_LENGTH) {
    throw new RangeError(`root hash must be ${CHECKPOINT_ROOT_LENGTH} bytes`);
  }
  for (const line of c.extensions) {
    const bad = checkExtension(line);
    if (bad !== undefined) throw new RangeError(bad);
  }
  return [c.origin, c.size.toString(), encodeBase64(c.root), ...c.extensions, ''].join('\n');
}

/**
 * Parses checkpoint note text (without signatures), or returns why it is refused: not ending in a newline, fewer
 * than three lines, an origin that is empty or holds a Unicode space or '+', a size with leading zeros or a
 * non-digit or above 2^64-1, a root that is not canonical base64 of exactly 32 bytes, an empty extension line, a
 * control character, invalid UTF-8, or over 1 MiB.
 */
export function parseCheckpointText(text: string): CheckpointText | string {
  if (typeof text !== 'string') throw new RangeError('checkpoint text must be a string');
  const bad = checkNoteCharacters(text);
  if (bad !== undefined) return bad;
  if (!text.endsWith('\n')) return 'checkpoint text does not end with a newline';
  const lines = text.slice(0, -1).split('\n');
  const [origin, sizeLine, rootLine, ...extensions] = lines;
  if (origin === undefined || sizeLine === undefined || rootLine === undefined) {
    return 'checkpoint text has fewer than three lines';
  }
  const badOrigin = checkOrigin(origin);
  if (badOrigin !== undefined) return badOrigin;
  if (!/^(0|[1-9][0-9]{0,19})$/.test(sizeLine)) {
    return 'tree size must be a decimal number without leading zeros';
  }
  const size = BigInt(sizeLine);
  if (size > MAX_TREE_SIZE) return 'tree size does not fit in 64 bits';
  const root = fromBase64(rootLine);
  if (root === undefined) return 'root hash is not canonical base64';
  if (root.length !== CHECKPOINT_ROOT_LENGTH) {
    return `root hash must be ${CHECKPOINT_ROOT_LENGTH} bytes, got ${root.length}`;
  }
  for (const [i, line] of extensions.entries()) {
    if (line === '') return `extension line ${i + 1} is empty`;
  }
  return { origin, size, root, extensions };
}

/** This project's checkpoint origin for the 32-byte log ID: "spark-processor/log/<64 lower-case hex>". */
export function logOrigin(logId: Uint8Array): string {
  if (!(logId instanceof Uint8Array) || logId.length !== 32) throw new RangeError('log ID must be 32 bytes');
  return LOG_ORIGIN_PREFIX + toHex(logId);
}
