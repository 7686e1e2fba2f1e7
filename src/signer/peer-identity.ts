// Who is calling: the subject CN of the client certificate TLS verified, carried to handlers as a context value.
import type http from 'node:http';
import type http2 from 'node:http2';
import type { TLSSocket } from 'node:tls';
import { type ContextValues, createContextKey, createContextValues } from '@connectrpc/connect';

/** A request as connectNodeAdapter hands it to `contextValues`. */
export type NodeServerRequest = http.IncomingMessage | http2.Http2ServerRequest;

/** A verified client. */
export interface PeerIdentity {
  /** The certificate's subject common name: the name policies use. */
  readonly name: string;
  /** SHA-256 fingerprint of the client certificate ("AB:CD:…"), for the audit log. */
  readonly fingerprint: string;
}

/**
 * The caller's identity, or undefined when the connection carries no verified certificate with exactly one CN.
 * Set by the server from the TLS session, never from anything the client sends in a request.
 */
export const PEER_IDENTITY = createContextKey<PeerIdentity | undefined>(undefined, {
  description: 'verified TLS client identity',
});

/** The TLS socket a request arrived on (HTTP/2 or HTTP/1.1), if any. */
function tlsSocketOf(req: NodeServerRequest): TLSSocket | undefined {
  const socket = 'stream' in req ? req.stream.session?.socket : req.socket;
  const candidate = socket as Partial<TLSSocket> | undefined;
  return typeof candidate?.getPeerCertificate === 'function' ? (candidate as TLSSocket) : undefined;
}

/** Reads the verified peer identity of `req`; undefined unless TLS authorised the peer's certificate. */
export function peerIdentityOf(req: NodeServerRequest): PeerIdentity | undefined {
  const socket = tlsSocketOf(req);
  if (socket === undefined || socket.authorized !== true) return undefined;
  const cert = socket.getPeerCertificate();
  const cn: unknown = cert?.subject?.CN;
  // Several CNs would make the identity ambiguous: such a certificate gets no identity at all.
  if (typeof cn !== 'string' || cn.length === 0) return undefined;
  return { name: cn, fingerprint: cert.fingerprint256 };
}

/** The `contextValues` function for connectNodeAdapter: attaches PEER_IDENTITY to every call. */
export function peerContextValues(req: NodeServerRequest): ContextValues {
  return createContextValues().set(PEER_IDENTITY, peerIdentityOf(req));
}
