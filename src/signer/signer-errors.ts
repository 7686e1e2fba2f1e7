// The signer's answers on failure: a gRPC code plus a spark.v1.ErrorDetail whose reason the remote provider maps back.
import { create } from '@bufbuild/protobuf';
import { Code, ConnectError } from '@connectrpc/connect';
import { KeyError } from '../../providers/key-error.ts';
import { ErrorDetailSchema } from '../gen/spark/v1/processor_pb.js';
import { codeName } from '../service/error-map.ts';

/** ErrorDetail.reason values the signer sends (a wire contract with providers/remote). */
export type SignerReason =
  | 'INVALID_INPUT' // a request field is malformed; ErrorDetail.field names it
  | 'UNSUPPORTED_ALGORITHM' // the algorithm is unknown to, or cannot be built by, this signer
  | 'POLICY_REFUSED' // the policy does not allow this client this purpose or algorithm
  | 'UNAUTHENTICATED' // no verified client identity (never reached with rejectUnauthorized)
  | 'SIGNING_FAILED' // the signer's own key could not sign (logged on the signer)
  | 'SHUTTING_DOWN'; // the signer is stopping

/** A ConnectError with `code` carrying an ErrorDetail of `reason`, `message` and `field`. */
export function signerError(code: Code, reason: SignerReason, message: string, field = ''): ConnectError {
  const detail = create(ErrorDetailSchema, { code: codeName(code), reason, message, field });
  return new ConnectError(message, code, undefined, [{ desc: ErrorDetailSchema, value: detail }]);
}

/** InvalidArgument naming the request `field` (proto field name). */
export function invalidField(field: string, problem: string): ConnectError {
  return signerError(Code.InvalidArgument, 'INVALID_INPUT', `${field}: ${problem}`, field);
}

/** Proto field names of KeyError fields that name request fields. */
const KEY_FIELDS: Readonly<Record<string, string>> = {
  message: 'message',
  context: 'context',
  generation: 'generation',
  algorithmId: 'algorithm_id',
  purpose: 'purpose',
  signingPayload: 'signing_payload',
};

/**
 * Maps a failure of the signer's own key provider. Client mistakes keep their message; faults of the keys
 * themselves (secrets, tokens, self-checks) become a generic SIGNING_FAILED, the detail staying in the log.
 */
export function fromKeyError(err: KeyError): ConnectError {
  switch (err.code) {
    case 'INVALID_INPUT':
    case 'UNSUPPORTED_PURPOSE': {
      const field = KEY_FIELDS[err.field ?? ''] ?? '';
      return signerError(Code.InvalidArgument, 'INVALID_INPUT', err.message, field);
    }
    case 'UNSUPPORTED_ALGORITHM':
      return signerError(
        Code.Unimplemented,
        'UNSUPPORTED_ALGORITHM',
        'this signer cannot make keys of that algorithm',
        'algorithm_id',
      );
    case 'CLOSED':
      return signerError(Code.Unavailable, 'SHUTTING_DOWN', 'the signer is shutting down');
    default:
      return signerError(Code.Internal, 'SIGNING_FAILED', 'the signer could not sign');
  }
}

/** True when `err` is a fault of the signer's keys that its operator must see (logged at error). */
export function isKeyFault(err: unknown): err is KeyError {
  return (
    err instanceof KeyError &&
    !['INVALID_INPUT', 'UNSUPPORTED_PURPOSE', 'UNSUPPORTED_ALGORITHM', 'CLOSED'].includes(err.code)
  );
}
