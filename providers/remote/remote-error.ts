// Turns a failed SparkSigner call into a KeyError: the signer's own answers by their ErrorDetail, the rest by cause.
import { Code, ConnectError } from '@connectrpc/connect';
import { ErrorDetailSchema } from '../../src/gen/spark/v1/processor_pb.js';
import { KeyError } from '../key-error.ts';

/** Codes of OpenSSL's and Node's checks of a peer certificate: the signer's identity was not accepted. */
const CERT_VERIFY_CODES = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_CHAIN_TOO_LONG',
  'CERT_REVOKED',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Errors of reaching the signer at all. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** The errors of `err` and its causes, outermost first (bounded: cause chains can loop). */
function causeChain(err: unknown): Error[] {
  const chain: Error[] = [];
  let current = err;
  while (current instanceof Error && chain.length < 16 && !chain.includes(current)) {
    chain.push(current);
    current = current.cause;
  }
  return chain;
}

/** A Node error code found in the chain, with its error. */
function nodeCode(err: unknown): { code: string; error: Error } | undefined {
  for (const error of causeChain(err)) {
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === 'string') return { code, error };
  }
  return undefined;
}

/** Errors of a connection the signer cut. */
const CUT_CODES = new Set(['ECONNRESET', 'EPIPE']);

/**
 * Node drops a client whose certificate fails verification (another CA, expired, not for client authentication)
 * right after the handshake, without a TLS alert; the client sees the stream cancelled or the connection reset,
 * whichever comes first.
 */
const cut = (how: string): string =>
  `the signer closed the connection (${how}), as it does right after the handshake when it does not accept ` +
  "this client's certificate (another CA, expired, or not for client authentication)";

/** Says why a call that got no answer from the signer failed, for an operator. */
function describeTransportFailure(ce: ConnectError, timeoutMs: number): string {
  if (ce.code === Code.DeadlineExceeded) return `no answer within ${timeoutMs} ms`;
  const found = nodeCode(ce);
  if (found !== undefined) {
    const { code, error } = found;
    const alert = /^ERR_SSL_(?:TLSV13|TLSV1|SSLV3)_ALERT_(.+)$/.exec(code)?.[1]?.toLowerCase();
    if (alert === 'certificate_required') {
      return 'the signer requires a client certificate (TLS alert certificate_required)';
    }
    if (alert !== undefined) return `the signer ended the TLS handshake (TLS alert ${alert})`;
    if (CERT_VERIFY_CODES.has(code))
      return `the signer's certificate is not accepted (${code}: ${error.message})`;
    if (NETWORK_CODES.has(code)) return `cannot reach it (${code})`;
    if (CUT_CODES.has(code)) return cut(code);
    if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) return `TLS failed (${code})`;
  }
  if (ce.code === Code.Canceled || ce.code === Code.Aborted) return cut(`stream ${Code[ce.code]}`);
  if (ce.code === Code.Unimplemented) return 'it does not serve spark.v1.SparkSigner';
  return `${Code[ce.code] ?? 'Unknown'}: ${ce.rawMessage}`;
}

/** "signing_payload" → "signingPayload": request fields as the KeyProvider API names them. */
const camel = (field: string): string => field.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * Maps a failure of a call to the signer at `address`:
 * - PermissionDenied / Unauthenticated (an authenticated signer said no) → REMOTE_REFUSED;
 * - the signer's other answers (they carry a spark.v1.ErrorDetail) → UNSUPPORTED_ALGORITHM, INVALID_INPUT,
 *   REMOTE_UNAVAILABLE (shutting down) or SIGN_FAILED;
 * - everything below the application (connection, TLS handshake in either direction, deadline) → REMOTE_UNAVAILABLE.
 */
export function remoteKeyError(err: unknown, address: string, timeoutMs: number): KeyError {
  if (err instanceof KeyError) return err;
  const ce = ConnectError.from(err);
  const where = `remote signer ${address}`;
  if (ce.code === Code.PermissionDenied || ce.code === Code.Unauthenticated) {
    return new KeyError('REMOTE_REFUSED', `${where} refused: ${ce.rawMessage}`, { cause: ce });
  }
  const detail = ce.findDetails(ErrorDetailSchema)[0];
  if (detail === undefined) {
    return new KeyError(
      'REMOTE_UNAVAILABLE',
      `${where} unavailable: ${describeTransportFailure(ce, timeoutMs)}`,
      {
        cause: ce,
      },
    );
  }
  if (detail.reason === 'UNSUPPORTED_ALGORITHM') {
    return new KeyError('UNSUPPORTED_ALGORITHM', `${where}: ${ce.rawMessage}`, {
      field: 'algorithmId',
      cause: ce,
    });
  }
  if (ce.code === Code.InvalidArgument) {
    const field = detail.field === '' ? undefined : camel(detail.field);
    return new KeyError('INVALID_INPUT', `${where} rejected the request: ${ce.rawMessage}`, {
      ...(field === undefined ? {} : { field }),
      cause: ce,
    });
  }
  if (ce.code === Code.Unavailable) {
    return new KeyError('REMOTE_UNAVAILABLE', `${where} unavailable: ${ce.rawMessage}`, { cause: ce });
  }
  return new KeyError('SIGN_FAILED', `${where} failed: ${ce.rawMessage}`, { cause: ce });
}
