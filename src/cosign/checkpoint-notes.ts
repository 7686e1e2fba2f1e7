// The log's checkpoints as C2SP signed notes: the header log's size and root, signed by the current batch key,
// kept durably with the cosignatures witnesses return, and consistency proofs between sizes (docs/witnesses.md).

import { type HeaderLog, headerLogOf } from '../batch/header-log-cache.ts';
import type { KeyRing } from '../batch/key-ring.ts';
import { algorithmById } from '../proof/crypto/algorithms.ts';
import type { Sha256 } from '../proof/crypto/sha256.ts';
import { consistencyProof } from '../proof/merkle/consistency.ts';
import { formatCheckpointText, logOrigin, parseCheckpointText } from '../proof/note/checkpoint-text.ts';
import { type CosignatureAlgorithm, type Cosigner, signCosignatureLine } from '../proof/note/cosignature.ts';
import { formatNote, type NoteSignature, parseNote } from '../proof/note/signed-note.ts';
import type { Store } from '../store/store.ts';
import { StoreError } from '../store/store-error.ts';

/** A signed checkpoint note and what witnesses added to it. */
export interface CheckpointNote {
  readonly size: bigint;
  readonly root: Uint8Array;
  /** The note text: origin, size, root lines. */
  readonly text: string;
  /** The log's own signature line. */
  readonly logSignature: NoteSignature;
  /** Cosignature lines gathered so far, one per witness at most. */
  readonly cosignatures: readonly NoteSignature[];
}

/** The signed note of `c`: text, blank line, the log's line, then the cosignatures. */
export function noteOf(c: CheckpointNote): string {
  return formatNote({ text: c.text, signatures: [c.logSignature, ...c.cosignatures] });
}

/** The log's checkpoint notes. */
export interface CheckpointNotes {
  readonly origin: string;
  /** The note for the newest sealed batch, signed now if this size has none yet; undefined before any batch. */
  latest(): Promise<CheckpointNote | undefined>;
  /** The stored note of exactly `size`, if one was signed. */
  get(size: bigint): CheckpointNote | undefined;
  /** Durably adds cosignature lines to the note of `size` (a witness's line replaces its earlier one). */
  addCosignatures(size: bigint, lines: readonly NoteSignature[]): Promise<CheckpointNote>;
  /** RFC 9162 consistency proof of the header log from `oldSize` to `newSize` (1 ≤ old ≤ new ≤ batches). */
  consistencyProof(oldSize: bigint, newSize: bigint): Uint8Array[];
  /**
   * The note a bundle of batch `sequence` carries, with the header's inclusion path in its tree: the newest
   * covering note holding at least `quorum` cosignatures, else the covering note holding the most (the newest of
   * those); undefined when no covering note has a cosignature.
   */
  covering(sequence: bigint, quorum: number): { note: CheckpointNote; headerPath: Uint8Array[] } | undefined;
}

/** What the notes need. */
export interface CheckpointNotesOptions {
  readonly store: Store;
  readonly keys: Pick<KeyRing, 'use'>;
  readonly sha256: Sha256;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
}

const sizeKey = (size: bigint): string => size.toString().padStart(20, '0');

/** Creates the notes over `store`'s header chain. */
export function createCheckpointNotes(o: CheckpointNotesOptions): CheckpointNotes {
  const origin = logOrigin(o.store.logId);
  // The header log, rebuilt when the chain grew: O(batches) hashes, cheap next to a batch's own tree.
  let cached: { size: number; log: HeaderLog } | undefined;
  let signing: Promise<CheckpointNote | undefined> | undefined;
  // Cosignature count of every stored note by size, ascending: Prove picks a covering note without reading them all.
  const counts = new Map<bigint, number>();
  for (const { key, value } of o.store.listDocs('checkpoint-notes')) {
    const size = BigInt(key);
    counts.set(size, decode(size, value).cosignatures.length);
  }

  function logFor(size: number): HeaderLog {
    if (cached !== undefined && cached.size === size) return cached.log;
    const log = headerLogOf(o.store, BigInt(size), o.sha256);
    if (log === undefined)
      throw new StoreError('CORRUPT', `a batch below ${size} is missing from the header chain`);
    cached = { size, log };
    return log;
  }

  /** A stored note (its UTF-8 bytes), read back as hostile input: damage is an invariant violation. */
  function decode(size: bigint, raw: Uint8Array): CheckpointNote {
    const note = parseNote(raw);
    const checkpoint = typeof note === 'string' ? note : parseCheckpointText(note.text);
    if (typeof note === 'string' || typeof checkpoint === 'string') {
      throw new StoreError('CORRUPT', `stored checkpoint note ${size} is damaged: ${String(checkpoint)}`);
    }
    const [logSignature, ...cosignatures] = note.signatures;
    if (logSignature === undefined || checkpoint.size !== size) {
      throw new StoreError('CORRUPT', `stored checkpoint note ${size} is damaged: not the note of that size`);
    }
    return { size, root: checkpoint.root, text: note.text, logSignature, cosignatures };
  }

  function get(size: bigint): CheckpointNote | undefined {
    const raw = o.store.getDoc('checkpoint-notes', sizeKey(size));
    return raw === undefined ? undefined : decode(size, raw);
  }

  async function put(c: CheckpointNote): Promise<void> {
    await o.store.putDocs([
      { table: 'checkpoint-notes', key: sizeKey(c.size), value: Buffer.from(noteOf(c), 'utf8') },
    ]);
    counts.set(c.size, c.cosignatures.length);
  }

  async function signLatest(): Promise<CheckpointNote | undefined> {
    const head = o.store.head();
    if (head === undefined) return undefined;
    const size = head.sequence + 1n;
    const existing = get(size);
    if (existing !== undefined) return existing;
    const root = logFor(Number(size)).root;
    const text = formatCheckpointText({ origin, size, root, extensions: [] });
    const note = await o.keys.use(async ({ key }) => {
      const alg = algorithmById(key.algorithmId);
      if (alg === undefined) throw new Error(`the batch key has unknown algorithm ${key.algorithmId}`);
      const self: Cosigner = {
        name: origin,
        algorithm: alg.name as CosignatureAlgorithm,
        publicKey: key.publicKey,
      };
      const timestamp = BigInt(Math.floor(o.now() / 1000));
      // An empty FIPS 204 context: the signed bytes start with C2SP's "subtree/v1" label, which no other
      // signature of this log (all with a non-empty context) can produce.
      const logSignature = await signCosignatureLine(self, text, timestamp, (m) =>
        key.sign(m, new Uint8Array(0)),
      );
      return { size, root, text, logSignature, cosignatures: [] } satisfies CheckpointNote;
    });
    await put(note);
    return note;
  }

  return {
    origin,
    latest() {
      // One signing at a time: concurrent callers share it.
      signing ??= signLatest().finally(() => {
        signing = undefined;
      });
      return signing;
    },
    get,
    async addCosignatures(size, lines) {
      const note = get(size);
      if (note === undefined) throw new Error(`no checkpoint note of size ${size}`);
      const byName = new Map(note.cosignatures.map((s) => [`${s.name}\n${s.keyId}`, s]));
      for (const line of lines) byName.set(`${line.name}\n${line.keyId}`, line);
      const next: CheckpointNote = { ...note, cosignatures: [...byName.values()] };
      await put(next);
      return next;
    },
    covering(sequence, quorum) {
      let best: { size: bigint; count: number } | undefined;
      for (const [size, count] of counts) {
        if (size <= sequence || count === 0) continue;
        const better =
          best === undefined ||
          (count >= quorum && (best.count < quorum || size > best.size)) ||
          (best.count < quorum && (count > best.count || (count === best.count && size > best.size)));
        if (better) best = { size, count };
      }
      if (best === undefined) return undefined;
      const note = get(best.size);
      if (note === undefined) return undefined;
      return { note, headerPath: logFor(Number(best.size)).path(Number(sequence)) };
    },
    consistencyProof(oldSize, newSize) {
      const head = o.store.head();
      const batches = head === undefined ? 0n : head.sequence + 1n;
      if (oldSize < 1n || oldSize > newSize || newSize > batches) {
        throw new RangeError(`sizes must satisfy 1 <= old_size <= new_size <= ${batches}`);
      }
      return consistencyProof(Number(oldSize), Number(newSize), logFor(Number(newSize)).read);
    },
  };
}
