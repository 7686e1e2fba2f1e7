// Turns untrusted request fields into domain values, or a RequestError naming the field.

import type { Submission } from '../batch/ingest.ts';
import { RequestError } from '../errors/request-error.ts';
import type { SubmitRequest } from '../gen/spark/v1/processor_pb.js';
import type { Sha256 } from '../proof/crypto/sha256.ts';
import { toSourceReference } from './source-validate.ts';

/** Longest accepted request id. */
export const MAX_REQUEST_ID_LENGTH = 128;

/** Checks a 32-byte hash field. */
export function requireHash32(value: Uint8Array, field: string): Uint8Array {
  if (value.length === 0) throw new RequestError('FIELD_MISSING', `${field}: required (32 bytes)`, { field });
  if (value.length !== 32) {
    throw new RequestError('FIELD_INVALID', `${field}: must be 32 bytes, got ${value.length}`, { field });
  }
  return value;
}

/** Validates a SubmitRequest; data is hashed here and not kept. */
export function toSubmission(req: SubmitRequest, sha256: Sha256): Submission {
  let digest: Uint8Array;
  switch (req.payload.case) {
    case 'data':
      if (req.payload.value.length === 0) {
        throw new RequestError(
          'FIELD_INVALID',
          'data: must not be empty (send at least 1 byte, or a digest)',
          {
            field: 'data',
          },
        );
      }
      digest = sha256(req.payload.value);
      break;
    case 'digest':
      digest = requireHash32(req.payload.value, 'digest');
      break;
    default:
      throw new RequestError('FIELD_MISSING', 'payload: one of data or digest is required', {
        field: 'payload',
      });
  }
  const id = req.requestId;
  if (id.length > MAX_REQUEST_ID_LENGTH || !/^[\x21-\x7e]*$/.test(id)) {
    throw new RequestError(
      'FIELD_INVALID',
      `request_id: must be at most ${MAX_REQUEST_ID_LENGTH} printable ASCII characters without spaces`,
      { field: 'request_id' },
    );
  }
  const source = toSourceReference(req.source);
  return {
    digest: digest.slice(),
    requestId: id,
    immediate: req.immediate,
    ...(source === undefined ? {} : { source }),
  };
}
