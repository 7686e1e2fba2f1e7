// The network edge: gRPC, gRPC-Web and Connect on one port, HTTP/2 and HTTP/1.1 side by side; in plaintext
// (HTTP/2 by prior knowledge) or behind TLS 1.3 (HTTP/2 or HTTP/1.1 by ALPN).
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import {
  Code,
  ConnectError,
  type ConnectRouter,
  createContextValues,
  type Interceptor,
} from '@connectrpc/connect';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import { isLoopbackHost } from '../config/config.ts';
import type { Logger } from '../log/logger.ts';
import type { Authorization } from './authorization.ts';
import { createGrpcFastPath, type GrpcFastPath } from './grpc-fast-path.ts';
import { withMinimalGrpcMessage } from './grpc-message-encoding.ts';
import { CALL_CONNECTION } from './limits.ts';
import { createOutboundGate, type OutboundGate } from './outbound-gate.ts';
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
  /**
   * SPARK_MAX_STREAMS_PER_CONNECTION: the streams the application admits on one connection. HTTP/2's
   * SETTINGS_MAX_CONCURRENT_STREAMS is set UNARY_STREAM_HEADROOM above it, so a stream past the application's limit
   * is refused with RESOURCE_EXHAUSTED naming it, and unary calls still have room beside it.
   */
  readonly maxStreamsPerConnection: number;
}

/** A listening server. */
export interface RunningServer {
  /** The bound address (port resolved when 0 was asked). */
  readonly address: { host: string; port: number };
  /** Stops accepting, ends streams after `graceMs`, and resolves once every connection closed. */
  close(graceMs: number): Promise<void>;
}

const H2_PREFACE = Buffer.from('PRI * HTTP/2.0');

/** HTTP/2 streams a connection may have open beyond SPARK_MAX_STREAMS_PER_CONNECTION: unary calls, health checks. */
export const UNARY_STREAM_HEADROOM = 100;

/**
 * HTTP/2 SETTINGS_INITIAL_WINDOW_SIZE (HTTP/2's default, stated): request bytes a client may send on one stream
 * before the server reads them, about 1,600 SubmitStream items. A stream over its item share stops reading; it then
 * holds its read buffer (64 KiB in Node 24) plus at most this. 16 KiB measured no better on loopback (throughput,
 * memory, health checks), and would cap one stream at 16 KiB a round trip on a real network.
 */
export const STREAM_WINDOW_BYTES = 65_535;

/**
 * The connection's receive window (node:http2 leaves it at 64 KiB). The server takes each DATA frame off the
 * connection window as it arrives, whether its stream reads or not, so it bounds nothing the stream windows do not;
 * at 64 KiB it capped all streams of a connection together at 64 KiB a round trip.
 */
export const CONNECTION_WINDOW_BYTES = 1024 * 1024;

/**
 * node:http2's maxSessionMemory, MB: past it, new streams on the connection are reset with ENHANCE_YOUR_CALM. The
 * outbound gate keeps queued answers far below it; it stays as the last guard.
 */
export const SESSION_MEMORY_MB = 64;

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

/** The connection a request arrived on: its HTTP/2 session, or its socket on HTTP/1.1. */
function connectionObjectOf(req: http.IncomingMessage | http2.Http2ServerRequest): object {
  return req instanceof http2.Http2ServerRequest ? (req.stream.session ?? req.stream) : req.socket;
}

/**
 * Counts connect-node's writes on an HTTP/2 response against its connection's outbound room: past it, `write`
 * returns false and 'drain' comes once the connection has room again (connect-node waits for it, as for any
 * 'drain'). The response's own backpressure is kept: a write the stream refused returns false as before.
 */
function gateWrites(res: http2.Http2ServerResponse, gate: OutboundGate): void {
  const outbound = gate.stream(res.stream.session ?? res.stream, res.stream);
  const write = res.write;
  const gated = function (this: http2.Http2ServerResponse, chunk: unknown, ...rest: unknown[]): boolean {
    const size = typeof chunk === 'string' ? Buffer.byteLength(chunk) : (chunk as Uint8Array).byteLength;
    const done = outbound.wrote(size);
    const at = rest.findIndex((x) => typeof x === 'function');
    const callback = at === -1 ? undefined : (rest[at] as (err?: Error | null) => void);
    const counted = (err?: Error | null) => {
      done();
      callback?.(err);
    };
    const args = at === -1 ? [...rest, counted] : rest.with(at, counted);
    const flushed = (write as (...a: unknown[]) => boolean).call(this, chunk, ...args);
    if (outbound.room() > 0) return flushed;
    outbound.whenRoom(() => this.emit('drain'));
    return false;
  };
  res.write = gated as typeof res.write;
}

/**
 * Request bytes connect-node is handed at a time on a SubmitStream. It splits each chunk it reads into all of its
 * messages at once, and a paused request yields everything it buffered (64–128 KiB, ~3,000 items) as one chunk:
 * 256 streams held ~770,000 decoded items beyond their share. 4 KiB is about 100 items.
 */
export const CONNECT_STREAM_CHUNK_BYTES = 4096;

/** The path of the one client-streaming RPC, whose request connect-node reads piece by piece. */
const SUBMIT_STREAM_PATH = '/spark.v1.SparkProcessor/SubmitStream';

/** Makes `req` yield its bytes in pieces of at most `max` bytes (views, not copies) to whoever iterates it. */
function smallChunks(req: http2.Http2ServerRequest, max: number): void {
  const iterate = req[Symbol.asyncIterator].bind(req);
  req[Symbol.asyncIterator] = async function* pieces() {
    for await (const chunk of iterate() as AsyncIterable<Buffer>) {
      for (let at = 0; at < chunk.length; at += max) yield chunk.subarray(at, at + max);
    }
  } as (typeof req)[typeof Symbol.asyncIterator];
}

/** Starts listening. */
export async function startServer(o: ServerOptions): Promise<RunningServer> {
  const shutdown = new AbortController();
  const outbound = createOutboundGate();
  const connectHandler = withMinimalGrpcMessage(
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
      contextValues: (req) =>
        (o.authorization?.contextValues(req) ?? createContextValues()).set(
          CALL_CONNECTION,
          connectionObjectOf(req),
        ),
    }),
  );
  const handler = (
    req: http.IncomingMessage | http2.Http2ServerRequest,
    res: http.ServerResponse | http2.Http2ServerResponse,
  ): void => {
    if (res instanceof http2.Http2ServerResponse) gateWrites(res, outbound);
    if (req instanceof http2.Http2ServerRequest && req.url === SUBMIT_STREAM_PATH)
      smallChunks(req, CONNECT_STREAM_CHUNK_BYTES);
    connectHandler(req as http.IncomingMessage, res as http.ServerResponse);
  };
  const h2 = http2.createServer(
    {
      maxSessionMemory: SESSION_MEMORY_MB,
      settings: {
        maxConcurrentStreams: o.maxStreamsPerConnection + UNARY_STREAM_HEADROOM,
        initialWindowSize: STREAM_WINDOW_BYTES,
      },
    },
    handler,
  );
  if (o.fastPath !== undefined) {
    offerToFastPath(
      h2,
      createGrpcFastPath({
        ingest: o.fastPath,
        readMaxBytes: o.readMaxBytes,
        authorization: o.authorization,
        log: o.log,
        outbound,
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
    s.setLocalWindowSize(CONNECTION_WINDOW_BYTES);
    s.once('close', () => sessions.delete(s));
    // Until the client's SETTINGS arrive the session is only half set up; after that, idle is fine (WatchProof).
    s.setTimeout(CONNECTION_SETUP_TIMEOUT_MS, () => s.destroy());
    s.once('remoteSettings', () => s.setTimeout(0));
  });
  // With TLS, the protocol negotiated by ALPN decides.
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
