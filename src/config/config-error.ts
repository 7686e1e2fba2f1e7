// The configuration error: every problem found at start, listed together.

/** One invalid setting. */
export interface ConfigIssue {
  /** The environment variable or option, e.g. "PQC_AGGREGATION_THRESHOLD". */
  readonly setting: string;
  /** What is wrong and what is allowed. */
  readonly problem: string;
}

/** Longest problem text kept: a problem quotes the value given, which may be anything (a pasted file, say). */
const MAX_PROBLEM_CHARS = 300;

/** The problem text, cut to MAX_PROBLEM_CHARS and with control characters shown as "?" (one line per issue). */
function printable(problem: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is replaced
  const clean = problem.replace(/[\u0000-\u001f\u007f]/g, '?');
  return clean.length <= MAX_PROBLEM_CHARS
    ? clean
    : `${clean.slice(0, MAX_PROBLEM_CHARS)}… (${clean.length} characters)`;
}

/** Thrown by loadConfig with all issues at once. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'INVALID_CONFIG';
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    const shown = issues.map((i) => ({ setting: i.setting, problem: printable(i.problem) }));
    super(`invalid configuration:\n${shown.map((i) => `  - ${i.setting}: ${i.problem}`).join('\n')}`);
    this.issues = shown;
  }
}
