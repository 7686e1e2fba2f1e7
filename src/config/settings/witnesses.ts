// Witness settings (README.md §Configuration, docs/witnesses.md): who cosigns each new checkpoint note, how many
// cosignatures a checkpoint needs, and how often they are asked.
import * as d from '../defaults.ts';
import type { SettingDoc, SettingsTable } from './table.ts';

const NAMES = ['SPARK_WITNESSES_FILE', 'SPARK_WITNESS_QUORUM', 'SPARK_WITNESS_INTERVAL'] as const;

const ROWS: readonly SettingDoc<(typeof NAMES)[number]>[] = [
  {
    settings: ['SPARK_WITNESSES_FILE'],
    variable: '`SPARK_WITNESSES_FILE`',
    default: 'none',
    meaning:
      'JSON array of `{"url", "vkey"[, "ca"]}`: witnesses asked to cosign each new checkpoint note of the header log; bundles then carry the cosigned note (docs/witnesses.md)',
  },
  {
    settings: ['SPARK_WITNESS_QUORUM'],
    variable: '`SPARK_WITNESS_QUORUM`',
    default: 'a majority',
    meaning:
      'cosignatures a checkpoint needs; exported in the trust root, enforced by `spark verify --trust`',
  },
  {
    settings: ['SPARK_WITNESS_INTERVAL'],
    variable: '`SPARK_WITNESS_INTERVAL`',
    default: '`60`',
    meaning: 'seconds between cosigning rounds',
  },
];

/** The witnesses part of the Config. */
export interface WitnessesPart {
  /**
   * SPARK_WITNESSES_FILE: JSON array of {"url", "vkey"[, "ca"]} witnesses asked to cosign each new checkpoint note
   * (docs/witnesses.md); undefined: no witnesses.
   */
  readonly witnessesFile: string | undefined;
  /** SPARK_WITNESS_QUORUM: cosignatures a checkpoint needs (default: a majority of the witnesses). */
  readonly witnessQuorum: number | undefined;
  /** SPARK_WITNESS_INTERVAL: seconds between cosigning rounds. */
  readonly witnessIntervalSeconds: number;
}

/** The witness settings. */
export const WITNESSES_SETTINGS: SettingsTable<typeof NAMES, WitnessesPart> = {
  names: NAMES,
  rows: ROWS,
  parse(raw, { int }) {
    return {
      witnessesFile: raw.SPARK_WITNESSES_FILE,
      witnessQuorum:
        raw.SPARK_WITNESS_QUORUM === undefined ? undefined : int('SPARK_WITNESS_QUORUM', 1, 1, 1000),
      witnessIntervalSeconds: int('SPARK_WITNESS_INTERVAL', d.DEFAULT_WITNESS_INTERVAL_SECONDS, 1, 86_400),
    };
  },
};
