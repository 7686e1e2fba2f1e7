// The network edge: gRPC, gRPC-Web and Connect on one port, HTTP/2 and HTTP/1.1 side by side; in plaintext
// (HTTP/2 by prior knowledge) or behind TLS 1.3 (HTTP/2 or HTTP/1.1 by ALPN).
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { Code, ConnectError, type ConnectRouter, type Interceptor } from '@connectrpc/connect';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import { isLoopbackHost } from '../config/config.ts';
import type { Logger } from '../log/logger.ts';
import type { Authorization } from './authorization.ts';
import { createGrpcFastPath, type GrpcFastPath } from './grpc-fast-path.ts';
import { withMinimalGrpcMessage } from './grpc-message-encoding.ts';
import type { IngestHandlers } from './processor-service.ts';
import { createTlsFront } from './tls-front.ts';
import type { ServerTls } from './tls-material.ts';

/** Server settings. */
export interface ServerOptions {
  readonly host: string;
  readonly port: number;
  readonly routes: (router: ConnectRouter) => void;
  /** Largest accepted message; larger ones get RESOURCE_EXHAUSTED. */
  readonly readMaxBytes: number;
  readonly log: Logger;
  /** TLS 1.3 for every connection; undefined serves plaintext. */
  readonly tls?: ServerTls | undefined;
  /** Credentials and roles; undefined lets every call through. */
  readonly authorization?: Authorization | undefined;
  /**
   * The ingest RPCs for the gRPC fast path (binary gRPC Submit, SubmitBatch and SubmitStream straight on HTTP/2
   * streams, src/service/grpc-fast-path.ts); undefined: connect-node serves them like every other call.
   */
  readonly fastPath?: IngestHandlers | undefined;
}

/** A listening server. */
export interface RunningServer {
  /** The bound address (port resolved when 0 was asked). */
  readonly address: { host: string; port: number };
  /** Stops accepting, ends streams after `graceMs`, and resolves once every connection closed. */
  close(graceMs: number): Promise<void>;
}

const H2_PREFACE = Buffer.from('PRI * HTTP/2.0');

/**
 * How long a connection may take from accept to a complete HTTP/2 preface and SETTINGS (or to being handed to
 * HTTP/1.1, which has its own header timeout): a client that sends a few bytes and then nothing would otherwise
 * hold a socket for ever.
 */
export const CONNECTION_SETUP_TIMEOUT_MS = 5_000;

/** Server faults (not client mistakes) are logged with their cause; clients only see a generic message. */
function logFaults(log: Logger): Interceptor {
  return (next) => async (req) => {
    try {
      return await next(req);
    } catch (e) {
      const err = ConnectError.from(e);
      if (err.code === Code.Internal || err.code === Code.Unknown || err.code === Code.DataLoss) {
        log.error({ err: err.cause ?? err, method: req.method.name }, 'request failed');
      }
      throw e;
    }
  };
}

/**
 * Lets the fast path take each HTTP/2 stream first; the others go on to the compatibility layer (and so to
 * connect-node) as before. The compatibility layer listens to 'stream' itself: its listener is moved behind ours,
 * so a stream the fast path serves never gets request and response objects.
 */
function offerToFastPath(h2: http2.Http2Server, fast: GrpcFastPath): void {
  const compat = h2.listeners('stream') as Array<(...args: unknown[]) => void>;
  if (compat.length !== 1)
    throw new Error(`expected one compatibility 'stream' listener, found ${compat.length}`);
  h2.removeAllListeners('stream');
  h2.on('stream', (stream, headers, flags, rawHeaders) => {
    if (!fast.handle(stream, headers))
      for (const listener of compat) listener.call(h2, stream, headers, flags, rawHeaders);
  });
}

/** Starts listening. */
export async function startServer(o: ServerOptions): Promise<RunningServer> {
  const shutdown = new AbortController();
  const handler = withMinimalGrpcMessage(
    connectNodeAdapter({
      routes: o.routes,
      readMaxBytes: o.readMaxBytes,
      writeMaxBytes: 64 * 1024 * 1024,
      shutdownSignal: shutdown.signal,
      // Bundles are mostly signatures and public keys: gzip saves little and doubled Prove latency.
      compressMinBytes: Number.MAX_SAFE_INTEGER,
      interceptors: [
        ...(o.authorization === undefined ? [] : [o.authorization.interceptor]),
        logFaults(o.log),
      ],
      ...(o.authorization === undefined ? {} : { contextValues: o.authorization.contextValues }),
    }),
  );
  const h2 = http2.createServer({ maxSessionMemory: 64 }, handler);
  if (o.fastPath !== undefined) {
    offerToFastPath(
      h2,
      createGrpcFastPath({
        ingest: o.fastPath,
        readMaxBytes: o.readMaxBytes,
        authorization: o.authorization,
        log: o.log,
      }),
    );
  }
  const h1 = http.createServer(handler);
  const sockets = new Set<net.Socket>();
  /** Accepted connections that have sent nothing yet: no request can be in flight on them. */
  const unrouted = new Set<net.Socket>();
  const sessions = new Set<http2.ServerHttp2Session>();
  h2.on('session', (s) => {
    sessions.add(s);
    s.once('close', () => sessions.delete(s));
    // Until the client's SETTINGS arrive the session is only half set up; after that, idle is fine (WatchProof).
    s.setTimeout(CONNECTION_SETUP_TIMEOUT_MS, () => s.destroy());
    s.once('remoteSettings', () => s.setTimeout(0));
  });
  // With TLS, the negotiated protocol decides; the TLS front reads each ClientHello first.
  const front =
    o.tls === undefined
      ? undefined
      : createTlsFront({
          tls: o.tls,
          log: o.log,
          onSecure: (socket) => {
            if (socket.alpnProtocol === 'h2') h2.emit('connection', socket);
            else h1.emit('connection', socket);
          },
        });
  // In plaintext, route each connection by its first bytes: the HTTP/2 connection preface, or HTTP/1.1.
  // No Nagle: HTTP/2 writes a response as several small frames, and waiting for the peer's delayed ACK between
  // them stalled each call by tens of milliseconds.
  const tcp = net.createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    if (front !== undefined) {
      front.accept(socket);
      return;
    }
    socket.setTimeout(CONNECTION_SETUP_TIMEOUT_MS, () => socket.destroy());
    unrouted.add(socket);
    socket.once('close', () => unrouted.delete(socket));
    const onData = (chunk: Buffer) => {
      socket.pause();
      socket.removeListener('data', onData);
      socket.unshift(chunk);
      socket.setTimeout(0);
      unrouted.delete(socket);
      const prefix = chunk.subarray(0, Math.min(chunk.length, H2_PREFACE.length));
      if (H2_PREFACE.subarray(0, prefix.length).equals(prefix)) {
        // http2 takes over the socket's handle and first drains what was unshifted.
        h2.emit('connection', socket);
      } else {
        h1.emit('connection', socket);
        socket.resume();
      }
    };
    socket.on('data', onData);
  });
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(o.port, o.host, () => {
      tcp.removeListener('error', reject);
      resolve();
    });
  });
  const bound = tcp.address() as net.AddressInfo;
  const auth = o.authorization;
  o.log.info(
    {
      host: bound.address,
      port: bound.port,
      protocols: ['grpc', 'grpc-web', 'connect'],
      tls: o.tls === undefined ? 'off' : 'TLSv1.3',
      ...(o.tls === undefined ? {} : { groups: o.tls.groups, clientCertificates: o.tls.clientAuth }),
      credentials: auth?.enforced ? auth.sources : 'not required',
    },
    'listening',
  );
  if (!isLoopbackHost(o.host)) {
    if (o.tls === undefined) {
      o.log.warn(
        { host: o.host },
        'serving plaintext on a non-loopback address (--insecure): data and credentials cross the network unencrypted',
      );
    }
    if (!auth?.enforced) {
      o.log.warn(
        { host: o.host },
        'no credentials are required on a non-loopback address: anyone who reaches the port may call SparkProcessor and SparkAdmin (set SPARK_AUTH_TOKENS or require client certificates)',
      );
    }
  }
  if (o.tls?.clientAuth === 'optional' && !auth?.enforced) {
    o.log.warn('client certificates are optional and no tokens file is set: calls are not authenticated');
  }
  return {
    address: { host: bound.address, port: bound.port },
    async close(graceMs) {
      const closed = new Promise<void>((resolve) => tcp.close(() => resolve()));
      front?.close();
      for (const s of unrouted) s.destroy();
      for (const s of sessions) s.close();
      h1.closeIdleConnections();
      const timer = setTimeout(() => {
        shutdown.abort();
        for (const s of sockets) s.destroy();
      }, graceMs);
      timer.unref();
      // Streams such as WatchProof end at once: they would otherwise hold the drain open.
      shutdown.abort();
      await closed;
      clearTimeout(timer);
    },
  };
}
