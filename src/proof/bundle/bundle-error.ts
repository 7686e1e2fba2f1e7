// The proof bundle codec's error (docs/proof-format.md §1): a closed set of reasons a byte string is not a readable bundle.
import { SparkError } from '../../errors/spark-error.ts';

/** Why bytes could not be read as a proof bundle. */
export type BundleErrorCode = 'MALFORMED' | 'TOO_LARGE' | 'UNSUPPORTED_VERSION';

/** A bundle that cannot be decoded; `field` names the offending part ("bundle" for the whole). */
export class BundleError extends SparkError<BundleErrorCode> {
  override readonly name = 'BundleError';
}
