// The configuration error: every problem found at start, listed together.

/** One invalid setting. */
export interface ConfigIssue {
  /** The environment variable or option, e.g. "PQC_AGGREGATION_THRESHOLD". */
  readonly setting: string;
  /** What is wrong and what is allowed. */
  readonly problem: string;
}

/** Thrown by loadConfig with all issues at once. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'INVALID_CONFIG';
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    super(`invalid configuration:\n${issues.map((i) => `  - ${i.setting}: ${i.problem}`).join('\n')}`);
    this.issues = issues;
  }
}
