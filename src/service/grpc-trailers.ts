// The trailers that end a gRPC response of the fast path: exactly what connect-es sets (grpc-status,
// grpc-message, grpc-status-details-bin with google.rpc.Status), with grpc-message in the spec's minimal
// percent-encoding as withMinimalGrpcMessage makes connect's.
import type { OutgoingHttpHeaders } from 'node:http2';
import type { ConnectError } from '@connectrpc/connect';
import { setTrailerStatus } from '@connectrpc/connect/protocol-grpc';
import { encodeGrpcMessage } from './grpc-message-encoding.ts';

const OK_TRAILERS: Readonly<OutgoingHttpHeaders> = Object.freeze({ 'grpc-status': '0' });

/** The trailers for a call that ended with `error`, or OK. */
export function grpcTrailers(error?: ConnectError): OutgoingHttpHeaders {
  if (error === undefined) return { ...OK_TRAILERS };
  const out: OutgoingHttpHeaders = {};
  setTrailerStatus(new Headers(), error).forEach((value, name) => {
    out[name] = value;
  });
  out['grpc-message'] = encodeGrpcMessage(error.rawMessage);
  return out;
}
