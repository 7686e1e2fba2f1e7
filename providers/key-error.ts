// Errors of key providers. Messages never contain key material, seeds or PINs.
import { SparkError } from '../src/errors/spark-error.ts';

/** Why a key operation failed. */
export type KeyErrorCode =
  | 'UNSUPPORTED_ALGORITHM' // the provider cannot make or use this algorithm
  | 'UNSUPPORTED_PURPOSE' // the provider does not serve this purpose
  | 'INVALID_INPUT' // message or context rejected before signing
  | 'SIGN_FAILED' // the implementation failed to sign
  | 'SELF_CHECK_FAILED' // a produced signature did not verify
  | 'SECRET_UNUSABLE' // a secret file is missing, unreadable, of the wrong size, or too widely readable
  | 'TOKEN_UNAVAILABLE' // a PKCS#11 module, token, login or key object could not be used
  | 'REMOTE_UNAVAILABLE' // the remote signer could not be reached or its TLS identity was not accepted
  | 'REMOTE_REFUSED' // the remote signer refused the request (policy, authentication)
  | 'CLOSED'; // used after close()

/** A key provider failure. */
export class KeyError extends SparkError<KeyErrorCode> {
  override readonly name = 'KeyError';
}
