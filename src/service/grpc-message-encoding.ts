// Re-encodes the grpc-message trailer with the gRPC spec's minimal percent-encoding.
// connect-es encodes it with encodeURIComponent (":" → "%3A"), which clients that decode with
// decodeURI (grpc-js) show verbatim; the spec only requires encoding bytes outside 0x20–0x7E and "%".
import type { ServerResponse } from 'node:http';
import type { Http2ServerResponse } from 'node:http2';

/** Percent-encodes per the gRPC HTTP/2 spec: UTF-8 bytes outside 0x20–0x7E, and "%". */
export function encodeGrpcMessage(message: string): string {
  let out = '';
  for (const byte of Buffer.from(message, 'utf8')) {
    out +=
      byte >= 0x20 && byte <= 0x7e && byte !== 0x25
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

type Handler = (req: never, res: ServerResponse | Http2ServerResponse) => void;

/** Wraps a node request handler so grpc-message trailers use the minimal encoding. */
export function withMinimalGrpcMessage<H extends Handler>(handler: H): H {
  return ((req: never, res: ServerResponse | Http2ServerResponse) => {
    const addTrailers = res.addTrailers.bind(res) as (headers: Record<string, string | string[]>) => void;
    res.addTrailers = ((headers: Record<string, string | string[]>) => {
      const message = headers['grpc-message'];
      if (typeof message === 'string') {
        try {
          headers['grpc-message'] = encodeGrpcMessage(decodeURIComponent(message));
        } catch {
          // not percent-encoded as expected: leave it as it is
        }
      }
      addTrailers(headers);
    }) as typeof res.addTrailers;
    handler(req, res);
  }) as H;
}
