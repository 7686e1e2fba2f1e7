// Gathers witnesses' cosignatures on the log's newest checkpoint note, every interval: each witness that has not
// cosigned it is asked, the verified lines are stored durably with the note, and the quorum state is kept for
// status and metrics (docs/witnesses.md §Gathering cosignatures).
import type { Logger } from '../log/logger.ts';
import { cosignerKeyId, type SignatureCheck } from '../proof/note/cosignature.ts';
import type { NoteSignature } from '../proof/note/signed-note.ts';
import { repeatEvery } from '../timing/repeat-every.ts';
import { type CheckpointNotes, noteOf } from './checkpoint-notes.ts';
import { requestCosignature, type WitnessEndpoint } from './witness-client.ts';

/** One witness as last seen. */
export interface WitnessView {
  readonly name: string;
  readonly url: string;
  /** Largest checkpoint size it cosigned for this log (as far as this process knows). */
  readonly cosignedSize: bigint;
  /** Why the last request failed; undefined after a success. */
  readonly lastError: string | undefined;
  readonly lastSuccessMs: number | undefined;
}

/** The quorum state of the newest checkpoint. */
export interface QuorumState {
  readonly quorum: number;
  /** Size of the newest checkpoint note, 0 before any. */
  readonly size: bigint;
  /** Valid cosignatures it holds. */
  readonly cosignatures: number;
  readonly met: boolean;
  readonly witnesses: readonly WitnessView[];
}

/** What the rounds need. */
export interface CosigningOptions {
  readonly notes: CheckpointNotes;
  readonly witnesses: readonly WitnessEndpoint[];
  readonly quorum: number;
  readonly check: SignatureCheck;
  readonly intervalMs: number;
  readonly now: () => number;
  readonly log: Logger;
}

/** The running rounds. */
export interface Cosigning {
  /** Asks every witness missing from the newest note; resolves when all answered or failed. */
  round(): Promise<QuorumState>;
  state(): QuorumState;
  start(): void;
  stop(): Promise<void>;
}

/** Creates the rounds; start() begins the timer. */
export function createCosigning(o: CosigningOptions): Cosigning {
  const views = new Map<
    string,
    { cosignedSize: bigint; lastError: string | undefined; lastSuccessMs: number | undefined }
  >();
  for (const w of o.witnesses)
    views.set(w.cosigner.name, { cosignedSize: 0n, lastError: undefined, lastSuccessMs: undefined });
  let size = 0n;
  let count = 0;

  const has = (lines: readonly NoteSignature[], w: WitnessEndpoint) =>
    lines.some((l) => l.name === w.cosigner.name && l.keyId === cosignerKeyId(w.cosigner));

  function state(): QuorumState {
    return {
      quorum: o.quorum,
      size,
      cosignatures: count,
      met: count >= o.quorum,
      witnesses: o.witnesses.map((w) => {
        const v = views.get(w.cosigner.name);
        return {
          name: w.cosigner.name,
          url: w.url,
          cosignedSize: v?.cosignedSize ?? 0n,
          lastError: v?.lastError,
          lastSuccessMs: v?.lastSuccessMs,
        };
      }),
    };
  }

  async function round(): Promise<QuorumState> {
    const note = await o.notes.latest();
    if (note === undefined) return state();
    const missing = o.witnesses.filter((w) => !has(note.cosignatures, w));
    const text = noteOf({ ...note, cosignatures: [] });
    const outcomes = await Promise.all(
      missing.map(async (w) => {
        const view = views.get(w.cosigner.name);
        const outcome = await requestCosignature(
          w,
          {
            note: text,
            text: note.text,
            size: note.size,
            knownSize: view?.cosignedSize ?? 0n,
            proof: (oldSize) => o.notes.consistencyProof(oldSize, note.size),
          },
          o.check,
        );
        if (view !== undefined) {
          if (outcome.ok) {
            view.cosignedSize = note.size;
            view.lastError = undefined;
            view.lastSuccessMs = o.now();
          } else {
            view.lastError = outcome.reason;
            if (outcome.witnessSize !== undefined) view.cosignedSize = outcome.witnessSize;
            o.log.warn(
              { witness: w.cosigner.name, size: note.size.toString(), reason: outcome.reason },
              'witness did not cosign',
            );
          }
        }
        return outcome;
      }),
    );
    const lines = outcomes.flatMap((r) => (r.ok ? [r.cosignature] : []));
    const stored = lines.length > 0 ? await o.notes.addCosignatures(note.size, lines) : note;
    size = stored.size;
    count = o.witnesses.filter((w) => has(stored.cosignatures, w)).length;
    if (count < o.quorum) {
      o.log.warn(
        { size: size.toString(), cosignatures: count, quorum: o.quorum },
        'checkpoint below the witness quorum',
      );
    }
    return state();
  }

  const repeating = repeatEvery(o.intervalMs, round, (err) =>
    o.log.error({ err }, 'cosigning round failed; retrying at the next interval'),
  );

  return {
    round,
    state,
    start: repeating.start,
    stop: repeating.stop,
  };
}
