// The anchoring domain's error (docs/anchoring.md): a closed set of reasons an anchor cannot be built or read.
import { SparkError } from '../../errors/spark-error.ts';

/** Why an anchor record or transaction could not be built. */
export type AnchorErrorCode =
  | 'MALFORMED'
  | 'RECORD_TOO_LARGE'
  | 'MESSAGE_TOO_LARGE'
  | 'TOO_MANY_TRANSACTIONS'
  | 'INVALID_ARGUMENT'
  | 'SIGNER_FAILED';

/** An anchoring failure; `field` names the offending input. Messages never carry key material. */
export class AnchorError extends SparkError<AnchorErrorCode> {
  override readonly name = 'AnchorError';
}
