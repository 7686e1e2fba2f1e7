// The shape of a concern's settings as data (README.md §Configuration): names, README rows and the parser together.

import type { RawSettings, SettingName } from '../config.ts';
import type { ConfigIssue } from '../config-error.ts';
import type { SettingHelpers } from './helpers.ts';

/** One row of the README's Configuration table: the settings it documents, its default and meaning. */
export interface SettingDoc {
  /** The settings of the row (each appears in exactly one row). */
  readonly settings: readonly SettingName[];
  /** The first cell, e.g. "`SPARK_LISTEN` (`--listen`)". */
  readonly variable: string;
  readonly default: string;
  readonly meaning: string;
}

/** What every parser gets: the issues found so far (it appends its own) and the shared value parsers. */
export interface ParseContext extends SettingHelpers {
  readonly issues: ConfigIssue[];
}

/**
 * One concern's settings: their names, their README rows, and `parse`, which turns the raw values into the
 * concern's part of the Config, appending an issue for each bad value. `Needs` are values of concerns parsed before.
 */
export interface SettingsTable<Names extends readonly string[], Part, Needs = object> {
  readonly names: Names;
  readonly rows: readonly SettingDoc[];
  parse(raw: RawSettings, ctx: ParseContext & Needs): Part;
}
