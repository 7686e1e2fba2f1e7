// The value parsers every concern's settings share (README.md §Configuration): each appends an issue for a bad
// value and answers the fallback.

import type { ConfigIssue } from '../config-error.ts';

/** Raw string values by setting name, as read from a config file, the environment and flags. */
export type RawValues<Name extends string = string> = Readonly<Partial<Record<Name, string>>>;

/** The shared parsers, bound to the raw values and the issue list; `Name` is the settings they may be asked for. */
export interface SettingHelpers<Name extends string = string> {
  /** A whole number in min–max ("_" separators allowed); the fallback when unset or bad. */
  readonly int: (name: Name, fallback: number, min: number, max: number) => number;
  /** A finite number in min–max; the fallback when unset or bad. */
  readonly num: (name: Name, fallback: number, min: number, max: number) => number;
  /** true/1/yes/on or false/0/no/off, any case; the fallback when unset or bad. */
  readonly bool: (name: Name, fallback: boolean) => boolean;
  /** A label of 1–64 printable characters. */
  readonly label: (name: Name, fallback: string) => string;
  /** A plain file name (a secret file in SPARK_SECRETS_DIR). */
  readonly secretName: (name: Name, fallback: string) => string;
  /** An http(s) URL without query or fragment; undefined when unset or bad. */
  readonly httpUrl: (name: Name) => string | undefined;
}

/** The shared parsers over `raw`, appending to `issues`. */
export function settingHelpers(raw: RawValues, issues: ConfigIssue[]): SettingHelpers {
  return {
    int: (name, fallback, min, max) => {
      const v = raw[name];
      if (v === undefined) return fallback;
      const n = Number(v.replaceAll('_', ''));
      if (!/^\s*\d[\d_]*\s*$/.test(v) || !Number.isSafeInteger(n) || n < min || n > max) {
        issues.push({ setting: name, problem: `"${v}" is not an integer in ${min}–${max}` });
        return fallback;
      }
      return n;
    },
    num: (name, fallback, min, max) => {
      const v = raw[name];
      if (v === undefined) return fallback;
      const n = Number(v);
      if (v.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
        issues.push({ setting: name, problem: `"${v}" is not a number in ${min}–${max}` });
        return fallback;
      }
      return n;
    },
    bool: (name, fallback) => {
      const v = raw[name];
      if (v === undefined) return fallback;
      if (/^(true|1|yes|on)$/i.test(v)) return true;
      if (/^(false|0|no|off)$/i.test(v)) return false;
      issues.push({ setting: name, problem: `"${v}" is not true or false` });
      return fallback;
    },
    label: (name, fallback) => {
      const v = raw[name] ?? fallback;
      if (v.length === 0 || v.length > 64 || [...v].some((c) => c < ' ')) {
        issues.push({ setting: name, problem: 'must be 1–64 printable characters' });
      }
      return v;
    },
    secretName: (name, fallback) => {
      const v = raw[name] ?? fallback;
      if (!/^[A-Za-z0-9._-]{1,128}$/.test(v) || v === '.' || v === '..') {
        issues.push({ setting: name, problem: `"${v}" is not a plain file name` });
      }
      return v;
    },
    httpUrl: (name) => {
      const v = raw[name];
      if (v !== undefined && !/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/.test(v)) {
        issues.push({ setting: name, problem: `"${v}" is not an http(s) URL without query or fragment` });
        return undefined;
      }
      return v;
    },
  };
}
