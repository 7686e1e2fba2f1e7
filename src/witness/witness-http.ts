// The witness's HTTP interface: POST /add-checkpoint (tlog-witness) and GET / with its verifier key, over TLS or,
// on loopback or with --insecure, plaintext (docs/witnesses.md §Running a witness).
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Logger } from '../log/logger.ts';
import type { ServerTls } from '../service/tls-material.ts';
import { MAX_REQUEST_BYTES } from './add-checkpoint-request.ts';
import type { Witness } from './witness.ts';

/** A listening witness server. */
export interface WitnessServer {
  readonly address: { host: string; port: number };
  close(): Promise<void>;
}

/** How long a request may take to arrive in full. */
const REQUEST_TIMEOUT_MS = 10_000;

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Reads a body of at most `limit` bytes; undefined when larger (the rest is not read). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Starts serving `witness` on host:port; `vkey` is answered on GET /. */
export async function startWitnessServer(o: {
  readonly witness: Witness;
  readonly vkey: string;
  /** Prometheus text for GET /metrics; absent: not served. */
  readonly metrics?: { readonly contentType: string; text(): Promise<string> } | undefined;
  /** Told every add-checkpoint answer's status (for metrics). */
  readonly onAnswer?: ((status: number) => void) | undefined;
  readonly host: string;
  readonly port: number;
  readonly tls: ServerTls | undefined;
  readonly log: Logger;
}): Promise<WitnessServer> {
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/') {
      send(res, 200, 'text/plain; charset=utf-8', `${o.vkey}\n`);
      return;
    }
    const metrics = o.metrics;
    if (req.method === 'GET' && path === '/metrics' && metrics !== undefined) {
      metrics.text().then(
        (text) => send(res, 200, metrics.contentType, text),
        () => send(res, 500, 'text/plain; charset=utf-8', 'metrics unavailable\n'),
      );
      return;
    }
    if (path !== '/add-checkpoint') {
      send(res, 404, 'text/plain; charset=utf-8', 'not found: POST /add-checkpoint\n');
      return;
    }
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      send(res, 405, 'text/plain; charset=utf-8', 'add-checkpoint takes POST\n');
      return;
    }
    readBody(req, MAX_REQUEST_BYTES)
      .then(async (body) => {
        if (body === undefined) {
          send(
            res,
            413,
            'text/plain; charset=utf-8',
            `the request is larger than ${MAX_REQUEST_BYTES} bytes\n`,
          );
          return;
        }
        const answer = await o.witness.addCheckpoint(body.toString('utf8'));
        o.onAnswer?.(answer.status);
        send(res, answer.status, answer.contentType, answer.body);
      })
      .catch((err: unknown) => {
        o.log.error({ err }, 'add-checkpoint failed; nothing was cosigned');
        o.onAnswer?.(503);
        if (!res.headersSent)
          send(res, 503, 'text/plain; charset=utf-8', 'the witness could not store the checkpoint; retry\n');
      });
  };
  const server: Server =
    o.tls === undefined
      ? createHttpServer(handler)
      : createHttpsServer(
          {
            cert: o.tls.cert,
            key: o.tls.key,
            minVersion: 'TLSv1.3',
            ecdhCurve: o.tls.groups,
            ...(o.tls.clientCa === undefined ? {} : { ca: o.tls.clientCa }),
          },
          handler,
        );
  // The TLS context holds the key now: the PEM buffer is wiped (as the sidecar's listener does, tls-front.ts).
  o.tls?.key.fill(0);
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.headersTimeout = REQUEST_TIMEOUT_MS;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string')
    throw new Error('the witness server has no TCP address');
  return {
    address: { host: o.host, port: address.port },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
