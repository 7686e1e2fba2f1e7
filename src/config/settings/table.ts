// The shape of a concern's settings as data (README.md §Configuration): names, README rows and the parser together.
// Nothing here (nor in any table) imports config.ts: config.ts composes the tables, never the other way round.

import type { ConfigIssue } from '../config-error.ts';
import type { RawValues, SettingHelpers } from './helpers.ts';

export type { RawValues } from './helpers.ts';

/** One row of the README's Configuration table: the settings it documents, its default and meaning. */
export interface SettingDoc<Name extends string = string> {
  /** The settings of the row (each appears in exactly one row). */
  readonly settings: readonly Name[];
  /** The first cell, e.g. "`SPARK_LISTEN` (`--listen`)". */
  readonly variable: string;
  readonly default: string;
  readonly meaning: string;
}

/** What every parser gets: the issues found so far (it appends its own) and the shared value parsers. */
export interface ParseContext<Name extends string = string> extends SettingHelpers<Name> {
  readonly issues: ConfigIssue[];
}

/**
 * One concern's settings: their names, their README rows, and `parse`, which turns the raw values into the
 * concern's part of the Config, appending an issue for each bad value. `Needs` are values of concerns parsed before;
 * `Reads` are the settings whose raw values `parse` reads (its own, and any other concern's it depends on).
 */
export interface SettingsTable<
  Names extends readonly string[],
  Part,
  Needs = object,
  Reads extends string = Names[number],
> {
  readonly names: Names;
  readonly rows: readonly SettingDoc<Names[number]>[];
  parse(raw: RawValues<Reads>, ctx: ParseContext<Names[number]> & Needs): Part;
}
