// Checks of SparkSigner request fields before any key is touched; each refusal names the proto field.
import { Code } from '@connectrpc/connect';
import { MAX_SIGN_CONTEXT_LENGTH, MAX_SIGN_MESSAGE_LENGTH } from '../../providers/checked-signing-key.ts';
import { type AlgorithmSpec, algorithmById, algorithmHex } from '../proof/crypto/algorithms.ts';
import { invalidField, signerError } from './signer-errors.ts';

/** Largest message or Symbol signing payload signed (1 MiB, as every provider). */
export const MAX_SIGNER_MESSAGE_BYTES = MAX_SIGN_MESSAGE_LENGTH;

/** A client-supplied string made safe to quote in a message: JSON-quoted and at most 64 characters. */
function quote(value: string): string {
  return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
}

/** Requires `purpose` to be a purpose of algorithm keys: "batch-signing" or "witness-cosigning". */
export function checkKeyPurpose(purpose: string): 'batch-signing' | 'witness-cosigning' {
  if (purpose === 'batch-signing' || purpose === 'witness-cosigning') return purpose;
  if (purpose === 'symbol-account') {
    throw invalidField('purpose', 'symbol-account is served by GetSymbolAccount and SignSymbolTransaction');
  }
  if (purpose === '') throw invalidField('purpose', 'is required');
  throw invalidField('purpose', `unknown purpose ${quote(purpose)}`);
}

/** The registry entry of `algorithmId`; unknown ids are refused as UNSUPPORTED_ALGORITHM. */
export function checkAlgorithm(algorithmId: number): AlgorithmSpec {
  const spec = algorithmById(algorithmId);
  if (spec === undefined) {
    throw signerError(
      Code.InvalidArgument,
      'UNSUPPORTED_ALGORITHM',
      `algorithm_id: unknown algorithm ${algorithmHex(algorithmId)}`,
      'algorithm_id',
    );
  }
  return spec;
}

/** Requires 1 byte to 1 MiB in `field`. */
export function checkMessage(bytes: Uint8Array, field: 'message' | 'signing_payload'): void {
  if (bytes.length === 0) throw invalidField(field, 'must not be empty');
  if (bytes.length > MAX_SIGNER_MESSAGE_BYTES) {
    throw invalidField(field, `must be at most ${MAX_SIGNER_MESSAGE_BYTES} bytes`);
  }
}

/** Requires a FIPS 204 context of at most 255 bytes. */
export function checkContext(context: Uint8Array): void {
  if (context.length > MAX_SIGN_CONTEXT_LENGTH) {
    throw invalidField('context', `must be at most ${MAX_SIGN_CONTEXT_LENGTH} bytes`);
  }
}
