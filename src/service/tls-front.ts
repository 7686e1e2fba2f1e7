// TLS 1.3 in front of the sidecar's HTTP servers. Each raw connection's ClientHello is read first, to predict the
// key-exchange group (Node's server side cannot report it), then the bytes are put back and the connection is
// handed to a TLS server; once secure, it goes to HTTP/2 or HTTP/1.1 by ALPN.
import type net from 'node:net';
import tls from 'node:tls';
import type { Logger } from '../log/logger.ts';
import { MAX_CLIENT_HELLO_BYTES, parseClientHello } from './client-hello.ts';
import { groupIdHex, type PredictedGroup, predictGroup } from './tls-groups.ts';
import type { ServerTls } from './tls-material.ts';

/** How long a new connection may take to send its ClientHello. */
export const CLIENT_HELLO_TIMEOUT_MS = 10_000;
/** Most bytes buffered while waiting for a whole ClientHello (5-byte record headers included). */
const MAX_BUFFERED_BYTES = MAX_CLIENT_HELLO_BYTES + 64 * 5;

/** Settings. */
export interface TlsFrontOptions {
  readonly tls: ServerTls;
  readonly log: Logger;
  /** Receives each connection once its handshake succeeded (and its client certificate, if any, verified). */
  readonly onSecure: (socket: tls.TLSSocket) => void;
}

/** The TLS front. */
export interface TlsFront {
  /** Takes over a raw connection accepted by the listener. */
  accept(socket: net.Socket): void;
  /** Drops connections still sending their ClientHello. */
  close(): void;
}

/** What the ClientHello told about a connection, kept until its handshake ends. */
interface HelloInfo {
  readonly group: PredictedGroup | undefined;
  /** Why no group could be predicted. */
  readonly unknownBecause: string | undefined;
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
  });
  // OpenSSL holds the key now; the PEM copy is no longer needed.
  o.tls.key.fill(0);
  const hellos = new Map<string, HelloInfo>();
  const waiting = new Set<net.Socket>();

  server.on('secureConnection', (socket: tls.TLSSocket) => {
    const key = peerKey(socket);
    const info = hellos.get(key);
    hellos.delete(key);
    const cipher = socket.getCipher();
    const cn = clientCn(socket);
    o.log.debug(
      {
        remoteAddress: socket.remoteAddress,
        remotePort: socket.remotePort,
        group: info?.group?.name ?? 'unknown',
        ...(info?.group === undefined
          ? { groupUnknownBecause: info?.unknownBecause ?? 'no ClientHello recorded' }
          : { groupId: groupIdHex(info.group.id), helloRetry: info.group.helloRetry }),
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
    hellos.delete(peerKey(socket));
    o.log.info(
      {
        remoteAddress: socket.remoteAddress,
        code: err.code,
        // Set when the client's certificate did not verify; the error then only says the socket closed.
        ...(socket.authorizationError ? { reason: String(socket.authorizationError) } : {}),
      },
      'tls handshake refused',
    );
  });

  return {
    accept(socket) {
      waiting.add(socket);
      const chunks: Buffer[] = [];
      let size = 0;
      socket.setTimeout(CLIENT_HELLO_TIMEOUT_MS, () => socket.destroy());
      socket.once('close', () => {
        waiting.delete(socket);
        hellos.delete(peerKey(socket));
      });
      const onData = (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        const bytes = chunks.length === 1 ? chunk : Buffer.concat(chunks, size);
        const result = parseClientHello(bytes);
        if (result.kind === 'incomplete' && size < MAX_BUFFERED_BYTES) return;
        socket.removeListener('data', onData);
        socket.pause();
        socket.setTimeout(0);
        waiting.delete(socket);
        if (result.kind === 'not-tls') {
          o.log.debug({ remoteAddress: socket.remoteAddress }, 'not TLS on the TLS port: connection closed');
          socket.destroy();
          return;
        }
        const group = result.kind === 'hello' ? predictGroup(o.tls.groupTuples, result.hello) : undefined;
        const unknownBecause =
          result.kind === 'malformed'
            ? `malformed ClientHello: ${result.reason}`
            : result.kind === 'incomplete'
              ? 'ClientHello too large'
              : group === undefined
                ? 'no TLS 1.3 group in common'
                : undefined;
        hellos.set(peerKey(socket), { group, unknownBecause });
        // The TLS socket reads what is buffered on the raw socket first, so the ClientHello is not lost.
        socket.unshift(bytes);
        server.emit('connection', socket);
      };
      socket.on('data', onData);
    },
    close() {
      for (const socket of waiting) socket.destroy();
      waiting.clear();
    },
  };
}
