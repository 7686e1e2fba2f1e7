// The signer's network edge: HTTP/2 over TLS 1.3 only, and only for clients whose certificate the client CA signed.
import http2 from 'node:http2';
import type net from 'node:net';
import type { ConnectRouter } from '@connectrpc/connect';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import type { Logger } from '../log/logger.ts';
import { peerContextValues } from './peer-identity.ts';

/** PEM material of the server: its certificate chain and key, and the CA that issues client certificates. */
export interface TlsMaterial {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly clientCa: Buffer;
}

/** Server settings. */
export interface SignerServerOptions {
  readonly host: string;
  readonly port: number;
  readonly tls: TlsMaterial;
  readonly routes: (router: ConnectRouter) => void;
  /** Largest accepted request message. */
  readonly readMaxBytes: number;
  readonly log: Logger;
}

/** A listening signer server. */
export interface RunningSignerServer {
  /** The bound address (port resolved when 0 was asked). */
  readonly address: { readonly host: string; readonly port: number };
  /** Stops accepting, lets calls in flight finish for up to `graceMs`, then cuts the rest. */
  close(graceMs: number): Promise<void>;
}

/**
 * Starts the server. A client that sends no certificate, or one the client CA did not issue, is cut off during
 * or right after the handshake and never reaches a handler; handlers see the verified identity as a context value.
 */
export async function startSignerServer(o: SignerServerOptions): Promise<RunningSignerServer> {
  const shutdown = new AbortController();
  const handler = connectNodeAdapter({
    routes: o.routes,
    readMaxBytes: o.readMaxBytes,
    shutdownSignal: shutdown.signal,
    // Signatures and public keys do not compress.
    compressMinBytes: Number.MAX_SAFE_INTEGER,
    contextValues: peerContextValues,
  });
  const server = http2.createSecureServer(
    {
      cert: o.tls.cert,
      key: o.tls.key,
      ca: o.tls.clientCa,
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.3',
      allowHTTP1: false,
    },
    handler,
  );
  const sockets = new Set<net.Socket>();
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('session', (session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });
  server.on('tlsClientError', (err: NodeJS.ErrnoException, socket) => {
    o.log.warn({ remoteAddress: socket.remoteAddress, code: err.code }, 'tls handshake refused');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  const bound = server.address() as net.AddressInfo;
  o.log.info(
    { host: bound.address, port: bound.port, tls: 'TLSv1.3', clientCertificates: 'required' },
    'listening',
  );
  return {
    address: { host: bound.address, port: bound.port },
    async close(graceMs) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const session of sessions) session.close();
      const timer = setTimeout(() => {
        shutdown.abort();
        for (const session of sessions) session.destroy();
        for (const socket of sockets) socket.destroy();
      }, graceMs);
      timer.unref();
      await closed;
      clearTimeout(timer);
    },
  };
}
