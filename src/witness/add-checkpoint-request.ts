// Parses the body of a tlog-witness add-checkpoint request: "old N", consistency proof lines, a blank line, and
// the signed checkpoint note (docs/witnesses.md §Protocol). Pure; hostile input gets a reason, never a throw.
import { type CheckpointText, parseCheckpointText } from '../proof/note/checkpoint-text.ts';
import { parseNote, type SignedNote } from '../proof/note/signed-note.ts';

/** A parsed request. */
export interface AddCheckpointRequest {
  readonly oldSize: bigint;
  readonly proof: readonly Uint8Array[];
  /** The proof as sent, one base64 hash a line (kept with evidence). */
  readonly proofLines: readonly string[];
  /** The checkpoint note as sent, signatures included. */
  readonly noteText: string;
  readonly note: SignedNote;
  readonly checkpoint: CheckpointText;
}

/** Most consistency proof lines a request may carry (tlog-witness). */
export const MAX_PROOF_LINES = 63;
/** Largest request body read, bytes: a note with 16 post-quantum signatures fits with room. */
export const MAX_REQUEST_BYTES = 256 * 1024;

const U64_MAX = (1n << 64n) - 1n;

/** The request, or the reason it is malformed (answered 400). */
export function parseAddCheckpoint(body: string): AddCheckpointRequest | string {
  const lines: string[] = [];
  let at = 0;
  // The header is "old N\n", up to 63 proof lines, then an empty line; the note follows.
  for (;;) {
    const nl = body.indexOf('\n', at);
    if (nl === -1) return 'the request ends before the empty line that precedes the checkpoint';
    const line = body.slice(at, nl);
    at = nl + 1;
    if (line === '') break;
    lines.push(line);
    if (lines.length > 1 + MAX_PROOF_LINES) {
      return `more than ${MAX_PROOF_LINES} consistency proof lines`;
    }
  }
  const [first, ...proofLines] = lines;
  const m = /^old (0|[1-9][0-9]{0,19})$/.exec(first ?? '');
  if (m === null) return 'the first line must be "old <size>" in decimal without leading zeros';
  const oldSize = BigInt(m[1] as string);
  if (oldSize > U64_MAX) return 'the old size does not fit in 64 bits';
  const proof: Uint8Array[] = [];
  for (const [i, line] of proofLines.entries()) {
    if (!/^[A-Za-z0-9+/]{43}=$/.test(line))
      return `consistency proof line ${i + 1} is not a base64 SHA-256 hash`;
    const hash = new Uint8Array(Buffer.from(line, 'base64'));
    if (Buffer.from(hash).toString('base64') !== line) {
      return `consistency proof line ${i + 1} is not canonical base64`;
    }
    proof.push(hash);
  }
  const noteText = body.slice(at);
  const note = parseNote(noteText);
  if (typeof note === 'string') return `the checkpoint note: ${note}`;
  const checkpoint = parseCheckpointText(note.text);
  if (typeof checkpoint === 'string') return `the checkpoint: ${checkpoint}`;
  if (oldSize > checkpoint.size)
    return `the old size ${oldSize} exceeds the checkpoint size ${checkpoint.size}`;
  if (oldSize === 0n && proof.length > 0) return 'the consistency proof must be empty when the old size is 0';
  return { oldSize, proof, proofLines, noteText, note, checkpoint };
}
