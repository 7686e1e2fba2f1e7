// The base of every domain error: a closed string code, the field it concerns, and the original cause.

/** Options common to all domain errors. */
export interface SparkErrorOptions {
  /** Request or configuration field the error is about, e.g. "digest". */
  readonly field?: string;
  /** The underlying error. */
  readonly cause?: unknown;
}

/** A domain error with a code from a closed union `C`. Messages never contain secrets. */
export abstract class SparkError<C extends string> extends Error {
  readonly code: C;
  readonly field: string | undefined;

  constructor(code: C, message: string, options: SparkErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.field = options.field;
  }
}
