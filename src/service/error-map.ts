// The one place domain errors become gRPC statuses (canonical code + spark.v1.ErrorDetail).
import { create } from '@bufbuild/protobuf';
import { Code, ConnectError } from '@connectrpc/connect';
import { KeyError } from '../../providers/key-error.ts';
import { RequestError } from '../errors/request-error.ts';
import { type ErrorDetail, ErrorDetailSchema } from '../gen/spark/v1/processor_pb.js';
import { BundleError } from '../proof/bundle/bundle-error.ts';
import { StoreError } from '../store/store-error.ts';

const REQUEST_CODES: Record<RequestError['code'], Code> = {
  FIELD_INVALID: Code.InvalidArgument,
  FIELD_MISSING: Code.InvalidArgument,
  LEAF_UNKNOWN: Code.NotFound,
  IMMEDIATE_DISABLED: Code.FailedPrecondition,
  NO_SYMBOL_NODE: Code.FailedPrecondition,
  PENDING_FULL: Code.ResourceExhausted,
  TOO_MANY_ITEMS: Code.ResourceExhausted,
  TOO_MANY_STREAMS: Code.ResourceExhausted,
  RATE_LIMITED: Code.ResourceExhausted,
  QUOTA_EXCEEDED: Code.ResourceExhausted,
  CREDIT_EXHAUSTED: Code.FailedPrecondition,
  SHUTTING_DOWN: Code.Unavailable,
  NOT_SEALED: Code.FailedPrecondition,
  PUBLICATION_UNKNOWN: Code.NotFound,
  SOURCE_NOT_FOUND: Code.NotFound,
  SOURCE_MISMATCH: Code.InvalidArgument,
  SOURCE_PENDING: Code.FailedPrecondition,
  SOURCE_UNAVAILABLE: Code.Unavailable,
  SOURCE_UNCHECKABLE: Code.FailedPrecondition,
};

const STORE_CODES: Record<StoreError['code'], Code> = {
  PENDING_FULL: Code.ResourceExhausted,
  CORRUPT: Code.DataLoss,
  FORMAT_UNSUPPORTED: Code.FailedPrecondition,
  CONFLICT: Code.Aborted,
  CLOSED: Code.Unavailable,
  // A failed commit stored nothing and the server recovers by itself: retry later (docs/operations.md "Disk full").
  DISK_FULL: Code.Unavailable,
  IO: Code.Unavailable,
};

/** gRPC code names as in the canonical list (e.g. "INVALID_ARGUMENT"). */
export function codeName(code: Code): string {
  return (Code[code] ?? 'Unknown').replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
}

/** Maps any thrown value to a ConnectError. Unknown errors become INTERNAL without their message. */
export function toConnectError(err: unknown): ConnectError {
  if (err instanceof ConnectError) return err;
  let code = Code.Internal;
  let reason = 'INTERNAL';
  let field = '';
  let message = 'internal error';
  if (err instanceof RequestError) {
    code = REQUEST_CODES[err.code];
    reason = err.code;
    field = err.field ?? '';
    message = err.message;
  } else if (err instanceof StoreError) {
    code = STORE_CODES[err.code] ?? Code.Internal;
    reason = err.code;
    message = err.message;
  } else if (err instanceof BundleError) {
    code = Code.InvalidArgument;
    reason = `BUNDLE_${err.code}`;
    field = err.field ?? 'bundle';
    message = err.message;
  } else if (err instanceof KeyError) {
    // Key errors stay generic on the wire: the log has the code, clients need not.
    reason = 'SIGNING_UNAVAILABLE';
    message = 'signing is unavailable';
  }
  const detail: ErrorDetail = create(ErrorDetailSchema, { code: codeName(code), reason, message, field });
  return new ConnectError(message, code, undefined, [{ desc: ErrorDetailSchema, value: detail }], err);
}

/** The ErrorDetail for a refused stream item. */
export function toErrorDetail(err: unknown): ErrorDetail {
  const ce = toConnectError(err);
  const found = ce.findDetails(ErrorDetailSchema)[0];
  return (
    found ??
    create(ErrorDetailSchema, { code: codeName(ce.code), reason: 'INTERNAL', message: ce.rawMessage })
  );
}
