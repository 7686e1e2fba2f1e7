// General settings (README.md §Configuration): the data directory, the preset, logging, the shutdown grace, and the
// flags that allow plaintext or ephemeral keys off loopback (checked against the other concerns in loadConfig).
import * as d from '../defaults.ts';
import { PRESETS, presetNamed } from '../presets.ts';
import type { SettingDoc, SettingsTable } from './table.ts';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

const NAMES = [
  'SPARK_DATA_DIR',
  'SPARK_PRESET',
  'SPARK_LOG_LEVEL',
  'SPARK_LOG_FORMAT',
  'SPARK_SHUTDOWN_GRACE_MS',
  'SPARK_INSECURE',
  'SPARK_EPHEMERAL_KEYS',
] as const;

const ROWS: readonly SettingDoc<(typeof NAMES)[number]>[] = [
  {
    settings: ['SPARK_DATA_DIR'],
    variable: '`SPARK_DATA_DIR` (`--data-dir`)',
    default: '`./data`',
    meaning: 'LMDB data directory (created with mode 0700)',
  },
  {
    settings: ['SPARK_PRESET'],
    variable: '`SPARK_PRESET`',
    default: 'none',
    meaning:
      '`bank` (1000 leaves or 1 h), `payments` (100 or 10 min, immediate allowed), `instant` (10 or 60 s, immediate allowed), `evidence` (1000 or 1 day)',
  },
  {
    settings: ['SPARK_LOG_LEVEL'],
    variable: '`SPARK_LOG_LEVEL`',
    default: '`info`',
    meaning: 'pino level (`fatal` … `trace`, `silent`)',
  },
  {
    settings: ['SPARK_LOG_FORMAT'],
    variable: '`SPARK_LOG_FORMAT`',
    default: '`pretty` on a terminal, else `json`',
    meaning:
      '`json`: one JSON object per line (for collectors); `pretty`: one short line each, `12:03:04.567 INFO  msg  key=value`, long values cut (`spark serve --log-format`)',
  },
  {
    settings: ['SPARK_SHUTDOWN_GRACE_MS'],
    variable: '`SPARK_SHUTDOWN_GRACE_MS`',
    default: '`10000`',
    meaning: 'how long SIGTERM waits for open streams',
  },
  {
    settings: ['SPARK_INSECURE'],
    variable: '`SPARK_INSECURE` (`--insecure`)',
    default: '`false`',
    meaning: 'allow plaintext on a non-loopback `SPARK_LISTEN` (refused otherwise, exit 2); logs a warning',
  },
  {
    settings: ['SPARK_EPHEMERAL_KEYS'],
    variable: '`SPARK_EPHEMERAL_KEYS` (`--ephemeral-keys`)',
    default: '`false`',
    meaning:
      'allow the `memory` key provider on a non-loopback `SPARK_LISTEN` (refused otherwise, exit 2): its keys and Symbol account are new at every start, so no trust root can pin the server (docs/trust.md §5)',
  },
];

/** The general part of the Config. */
export interface GeneralPart {
  readonly dataDir: string;
  readonly preset: string | undefined;
  readonly logLevel: string;
  /** SPARK_LOG_FORMAT: `json` lines, or `pretty` ones for a person; default pretty on a terminal, else json. */
  readonly logFormat: 'json' | 'pretty';
  readonly shutdownGraceMs: number;
  /** Plaintext on a non-loopback address was asked for explicitly. */
  readonly insecure: boolean;
  /** SPARK_EPHEMERAL_KEYS (`--ephemeral-keys`): the memory provider's keys, which vanish at restart, accepted off loopback. */
  readonly ephemeralKeys: boolean;
}

/** The general settings. */
export const GENERAL_SETTINGS: SettingsTable<typeof NAMES, GeneralPart> = {
  names: NAMES,
  rows: ROWS,
  parse(raw, { issues, int, bool }) {
    const preset = raw.SPARK_PRESET;
    if (preset !== undefined && presetNamed(preset) === undefined) {
      issues.push({
        setting: 'SPARK_PRESET',
        problem: `"${preset}" is not one of ${Object.keys(PRESETS).join(', ')}`,
      });
    }
    const logLevel = raw.SPARK_LOG_LEVEL ?? d.DEFAULT_LOG_LEVEL;
    if (!LOG_LEVELS.includes(logLevel)) {
      issues.push({
        setting: 'SPARK_LOG_LEVEL',
        problem: `"${logLevel}" is not one of ${LOG_LEVELS.join(', ')}`,
      });
    }
    const logFormat = raw.SPARK_LOG_FORMAT ?? (process.stdout.isTTY === true ? 'pretty' : 'json');
    if (logFormat !== 'json' && logFormat !== 'pretty') {
      issues.push({ setting: 'SPARK_LOG_FORMAT', problem: `"${logFormat}" is not one of json, pretty` });
    }
    const insecure = bool('SPARK_INSECURE', false);
    const ephemeralKeys = bool('SPARK_EPHEMERAL_KEYS', false);
    const dataDir = raw.SPARK_DATA_DIR ?? d.DEFAULT_DATA_DIR;
    if (dataDir.trim() === '' || dataDir.includes('\0')) {
      issues.push({ setting: 'SPARK_DATA_DIR', problem: 'must be a directory path' });
    }
    return {
      dataDir,
      preset,
      logLevel,
      logFormat: logFormat === 'pretty' ? 'pretty' : 'json',
      shutdownGraceMs: int('SPARK_SHUTDOWN_GRACE_MS', d.DEFAULT_SHUTDOWN_GRACE_MS, 0, 600_000),
      insecure,
      ephemeralKeys,
    };
  },
};
