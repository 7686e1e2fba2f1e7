// CLI failures and their exit codes: 1 for a negative answer (invalid bundle, not found), 2 for usage or I/O.
import { SparkError } from '../errors/spark-error.ts';

/** Why a CLI command failed. */
export type CliErrorCode = 'USAGE' | 'IO' | 'NEGATIVE' | 'REMOTE';

/** Exit status for each code. */
export const EXIT_CODES: Record<CliErrorCode, number> = { USAGE: 2, IO: 2, NEGATIVE: 1, REMOTE: 1 };

/** Exit status when the server could not be reached at all (refused, unknown host): nothing was asked. */
export const EXIT_UNREACHABLE = 3;

/** A CLI failure with its exit status. */
export class CliError extends SparkError<CliErrorCode> {
  override readonly name = 'CliError';
}
