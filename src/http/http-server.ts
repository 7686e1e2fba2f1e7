// The HTTP port (docs/operations.md §Metrics and probes): plain HTTP/1.1 for what is not gRPC — metrics, health probes, the IPFS gateway and the
// web verifier. Each concern contributes routes; this module only matches them, answers what matches nothing, and
// keeps a failing route from taking the process down.
import http from 'node:http';
import type net from 'node:net';
import type { Logger } from '../log/logger.ts';

/** One route: an exact path or a path prefix (ending in "/"), and the methods it answers. */
export interface HttpRoute {
  /** "/metrics" matches only itself; "/ipfs/" matches every path below it. */
  readonly path: string;
  /** HEAD is answered by a GET route unless listed separately. */
  readonly methods: readonly ('GET' | 'HEAD' | 'POST')[];
  /** Writes the whole response. `url` is parsed against the request's path; `res` ends when the promise settles. */
  handle(req: http.IncomingMessage, res: http.ServerResponse, url: URL): void | Promise<void>;
}

/** Settings of the HTTP port. */
export interface HttpServerOptions {
  readonly host: string;
  readonly port: number;
  readonly routes: readonly HttpRoute[];
  readonly log: Logger;
  /** Told of every answered request: the route's path ("unmatched" when none) and the status. */
  readonly onResponse?: ((route: string, status: number) => void) | undefined;
}

/** A listening HTTP port. */
export interface RunningHttpServer {
  readonly address: { host: string; port: number };
  close(): Promise<void>;
}

/** Requests must send their headers within this time and finish within REQUEST_TIMEOUT_MS. */
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;

/** Writes a small JSON body with `status`; used for errors so every answer is machine-readable. */
export function sendJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: http.OutgoingHttpHeaders = {},
): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(res.req.method === 'HEAD' ? undefined : text);
}

/** Finds the route for `path`: an exact match first, then the longest matching prefix. */
export function findRoute(routes: readonly HttpRoute[], path: string): HttpRoute | undefined {
  const exact = routes.find((r) => r.path === path);
  if (exact !== undefined) return exact;
  let best: HttpRoute | undefined;
  for (const r of routes) {
    if (
      r.path.endsWith('/') &&
      path.startsWith(r.path) &&
      (best === undefined || r.path.length > best.path.length)
    ) {
      best = r;
    }
  }
  return best;
}

/** Starts the HTTP port. */
export async function startHttpServer(o: HttpServerOptions): Promise<RunningHttpServer> {
  const server = http.createServer(
    { headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS, maxHeaderSize: 16 * 1024 },
    (req, res) => {
      void serve(o, req, res);
    },
  );
  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable)
      socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  const bound = server.address() as net.AddressInfo;
  o.log.info({ host: bound.address, port: bound.port, paths: o.routes.map((r) => r.path) }, 'http listening');
  return {
    address: { host: bound.address, port: bound.port },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => {
        for (const s of sockets) s.destroy();
      }, 2_000);
      timer.unref();
      await closed;
      clearTimeout(timer);
    },
  };
}

async function serve(
  o: HttpServerOptions,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<void> {
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://localhost');
  } catch {
    sendJson(res, 400, { error: 'bad request target' });
    return;
  }
  const route = findRoute(o.routes, url.pathname);
  res.once('finish', () => o.onResponse?.(route?.path ?? 'unmatched', res.statusCode));
  if (route === undefined) {
    sendJson(res, 404, { error: `no such path: ${url.pathname.slice(0, 200)}` });
    return;
  }
  const method = req.method ?? 'GET';
  const allowed = route.methods.includes('GET') ? [...route.methods, 'HEAD'] : [...route.methods];
  if (!allowed.includes(method as never)) {
    sendJson(
      res,
      405,
      { error: `${method} is not allowed on ${route.path}` },
      { allow: [...new Set(allowed)].join(', ') },
    );
    return;
  }
  try {
    await route.handle(req, res, url);
  } catch (err) {
    o.log.error({ err, path: url.pathname }, 'http route failed');
    if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
    else res.destroy();
  }
}
