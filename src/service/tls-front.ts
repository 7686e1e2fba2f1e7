// TLS 1.3 in front of the sidecar's HTTP servers: each accepted connection goes straight to a TLS server, which
// gives it HANDSHAKE_TIMEOUT_MS to finish the handshake; once secure, it goes to HTTP/2 or HTTP/1.1 by ALPN.
// Node's server side cannot report the negotiated key-exchange group: clients can (docs/security.md §1).
import type net from 'node:net';
import tls from 'node:tls';
import type { Logger } from '../log/logger.ts';
import type { ServerTls } from './tls-material.ts';

/** How long a new connection may take to complete its TLS handshake. */
export const HANDSHAKE_TIMEOUT_MS = 10_000;

/** Settings. */
export interface TlsFrontOptions {
  readonly tls: ServerTls;
  readonly log: Logger;
  /** Receives each connection once its handshake succeeded (and its client certificate, if any, verified). */
  readonly onSecure: (socket: tls.TLSSocket) => void;
  /** Overrides HANDSHAKE_TIMEOUT_MS (tests). */
  readonly handshakeTimeoutMs?: number;
}

/** The TLS front. */
export interface TlsFront {
  /** Takes over a raw connection accepted by the listener. */
  accept(socket: net.Socket): void;
  /** Drops connections still in their handshake. */
  close(): void;
}

/** Connections are matched to their TLS socket by the peer's address and port, unique while they are open. */
const peerKey = (s: net.Socket): string => `${s.remoteAddress ?? ''}|${s.remotePort ?? ''}`;

/** The subject CN of a verified client certificate, if any. */
function clientCn(socket: tls.TLSSocket): string | undefined {
  if (!socket.authorized) return undefined;
  const cn: unknown = socket.getPeerCertificate()?.subject?.CN;
  return typeof cn === 'string' ? cn : undefined;
}

/** Creates the front; its TLS server never listens itself: `accept` feeds it. */
export function createTlsFront(o: TlsFrontOptions): TlsFront {
  const mode = o.tls.clientAuth;
  const server = tls.createServer({
    cert: o.tls.cert,
    key: o.tls.key,
    ...(o.tls.clientCa === undefined ? {} : { ca: o.tls.clientCa }),
    requestCert: mode !== 'none',
    // Required: a client without a certificate fails in the handshake (alert certificate_required), one with an
    // unverified certificate is dropped right after it. Optional: checked below.
    rejectUnauthorized: mode === 'required',
    minVersion: 'TLSv1.3',
    ecdhCurve: o.tls.groups,
    ALPNProtocols: ['h2', 'http/1.1'],
    handshakeTimeout: o.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS,
  });
  // OpenSSL holds the key now; the PEM copy is no longer needed.
  o.tls.key.fill(0);
  /** Raw connections whose handshake has not ended yet, by peer. */
  const handshaking = new Map<string, net.Socket>();

  server.on('secureConnection', (socket: tls.TLSSocket) => {
    handshaking.delete(peerKey(socket));
    const cipher = socket.getCipher();
    const cn = clientCn(socket);
    o.log.debug(
      {
        remoteAddress: socket.remoteAddress,
        remotePort: socket.remotePort,
        protocol: socket.getProtocol(),
        cipher: cipher?.standardName ?? cipher?.name,
        alpn: socket.alpnProtocol || 'none',
        ...(cn === undefined ? {} : { clientCn: cn }),
      },
      'tls connection',
    );
    // Optional client certificates: none is fine, but one that does not verify is refused, not ignored.
    if (mode === 'optional' && !socket.authorized && socket.getPeerCertificate()?.subject !== undefined) {
      o.log.info(
        { remoteAddress: socket.remoteAddress, reason: String(socket.authorizationError) },
        'tls client certificate refused',
      );
      socket.destroy();
      return;
    }
    o.onSecure(socket);
  });
  server.on('tlsClientError', (err: NodeJS.ErrnoException, socket: tls.TLSSocket) => {
    o.log.info(
      {
        remoteAddress: socket.remoteAddress,
        code: err.code,
        // Set when the client's certificate did not verify; the error then only says the socket closed.
        ...(socket.authorizationError ? { reason: String(socket.authorizationError) } : {}),
      },
      'tls handshake refused',
    );
    // Node leaves the socket open after some of these, such as ERR_TLS_HANDSHAKE_TIMEOUT.
    socket.destroy();
  });

  return {
    accept(socket) {
      if (socket.remoteAddress === undefined) {
        // Already gone.
        socket.destroy();
        return;
      }
      const key = peerKey(socket);
      handshaking.set(key, socket);
      socket.once('close', () => {
        if (handshaking.get(key) === socket) handshaking.delete(key);
      });
      server.emit('connection', socket);
    },
    close() {
      for (const socket of handshaking.values()) socket.destroy();
      handshaking.clear();
    },
  };
}
