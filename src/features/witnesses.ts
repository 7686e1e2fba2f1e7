// Witnesses as one feature (docs/witnesses.md): with a witnesses file, the cosigning rounds that take each signed
// checkpoint note to the witnesses and gather their cosignatures, the quorum state for the metrics and the Verify
// RPC, and the witnessed notes the prover puts in bundles. The file itself is read at start, before the store opens.
import type { WitnessedNotes } from '../batch/prover.ts';
import type { Config } from '../config/config.ts';
import type { CheckpointNotes } from '../cosign/checkpoint-notes.ts';
import { createCosigning } from '../cosign/cosigning-rounds.ts';
import type { readWitnessesFile } from '../cosign/witnesses-file.ts';
import type { Logger } from '../log/logger.ts';
import type { SparkMetrics } from '../metrics/metrics.ts';
import { createNoteSignatureCheck } from '../note/note-verifier.ts';
import { cosignerVerifierKey } from '../proof/note/cosignature.ts';
import type { ProcessorDeps } from '../service/processor-service.ts';

/** The witnesses and their quorum, as the witnesses file names them. */
export type WitnessSet = ReturnType<typeof readWitnessesFile>;

/** What the rest of the sidecar uses of the witnesses. */
export interface WitnessesFeature {
  /** The notes with the cosignatures gathered and the quorum, for the prover. */
  readonly witnessed: WitnessedNotes;
  /** The quorum state and the trusted witnesses, for the services. */
  readonly processor: Pick<ProcessorDeps, 'witnessQuorum' | 'witnesses'>;
  /** Starts the cosigning rounds. */
  start(): void;
  /** Stops them (a round under way finishes). */
  stop(): Promise<void>;
}

/** What the witnesses need. */
export interface WitnessesDeps {
  readonly config: Config;
  /** The witnesses file's content; undefined when none is set. */
  readonly witnessSet: WitnessSet | undefined;
  readonly notes: CheckpointNotes;
  readonly metrics: SparkMetrics;
  readonly now: () => number;
  readonly log: Logger;
}

/** Creates the feature, or undefined without a witnesses file. */
export function createWitnesses(d: WitnessesDeps): WitnessesFeature | undefined {
  const set = d.witnessSet;
  if (set === undefined) return undefined;
  const cosigning = createCosigning({
    notes: d.notes,
    witnesses: set.witnesses,
    quorum: set.quorum,
    check: createNoteSignatureCheck(),
    intervalMs: d.config.witnessIntervalSeconds * 1000,
    now: d.now,
    log: d.log.child({ module: 'witnesses' }),
  });
  d.metrics.watchWitnesses(() => cosigning.state());
  return {
    witnessed: { notes: d.notes, quorum: set.quorum },
    processor: {
      witnessQuorum: () => cosigning.state(),
      witnesses: {
        list: set.witnesses.map((w) => ({ vkey: cosignerVerifierKey(w.cosigner), cosigner: w.cosigner })),
        quorum: set.quorum,
      },
    },
    start: () => cosigning.start(),
    stop: () => cosigning.stop(),
  };
}
