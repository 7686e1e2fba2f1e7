// A lean gRPC client for the ingest RPCs over bare node:http2, with the same call shapes as the connect-node client.
// The benchmark loads the server from the same two cores: connect-node's client alone capped a SubmitStream at
// about 11,000 items/s here, so the ingest figures use this one (a load generator, as ghz or wrk would be) and
// the connect-node figures are reported beside them.
import { once } from 'node:events';
import http2 from 'node:http2';
import { create, fromBinary, type MessageInitShape, toBinary } from '@bufbuild/protobuf';
import {
  SubmitBatchRequestSchema as BatchRequest,
  SubmitRequestSchema as SingleRequest,
  type SubmitBatchResponse,
  SubmitBatchResponseSchema,
  type SubmitResponse,
  SubmitResponseSchema,
  type SubmitStreamResponse,
  SubmitStreamResponseSchema,
} from '../src/gen/spark/v1/processor_pb.js';
import { frameMessages, GrpcMessageReader } from '../src/service/grpc-framing.ts';

type SubmitInit = MessageInitShape<typeof SingleRequest>;
type BatchInit = MessageInitShape<typeof BatchRequest>;

/** Messages written per HTTP/2 write on a stream. */
const MESSAGES_PER_WRITE = 256;

/** The ingest calls the benchmark makes; both this client and connect-node's fit. */
export interface IngestClient {
  submit(request: SubmitInit, options?: { timeoutMs?: number }): Promise<SubmitResponse>;
  submitBatch(request: BatchInit, options?: { timeoutMs?: number }): Promise<SubmitBatchResponse>;
  submitStream(
    requests: AsyncIterable<SubmitInit>,
    options?: { signal?: AbortSignal },
  ): AsyncIterable<SubmitStreamResponse>;
}

/** A raw client on one HTTP/2 connection to `address` (host:port); close() ends the connection. */
export function createRawIngestClient(address: string): IngestClient & { close(): void } {
  const session = http2.connect(`http://${address}`);
  session.on('error', () => undefined);

  const open = (method: string, timeoutMs: number | undefined) =>
    session.request({
      ':method': 'POST',
      ':path': `/spark.v1.SparkProcessor/${method}`,
      'content-type': 'application/grpc',
      te: 'trailers',
      ...(timeoutMs === undefined ? {} : { 'grpc-timeout': `${Math.ceil(timeoutMs)}m` }),
    });

  /** The status trailers of a call; a non-OK status rejects with its message. */
  const statusOf = (req: http2.ClientHttp2Stream): Promise<void> =>
    new Promise((resolve, reject) => {
      let headers: http2.IncomingHttpHeaders = {};
      req.once('response', (h) => {
        headers = h;
      });
      req.once('trailers', (t) => {
        const status = t['grpc-status'] ?? headers['grpc-status'];
        if (status === '0') resolve();
        else
          reject(new Error(`grpc-status ${status}: ${decodeURIComponent(String(t['grpc-message'] ?? ''))}`));
      });
      req.once('end', () => {
        // A trailers-only answer carries the status in the headers.
        const status = headers['grpc-status'];
        if (status === '0' || status === undefined) resolve();
        else
          reject(
            new Error(`grpc-status ${status}: ${decodeURIComponent(String(headers['grpc-message'] ?? ''))}`),
          );
      });
      req.once('error', reject);
    });

  async function unary(method: string, body: Uint8Array, timeoutMs: number | undefined): Promise<Uint8Array> {
    const req = open(method, timeoutMs);
    const reader = new GrpcMessageReader(1 << 26);
    let answer: Uint8Array | undefined;
    req.on('data', (chunk: Buffer) => {
      for (const m of reader.push(chunk)) answer = m;
    });
    const status = statusOf(req);
    req.end(frameMessages([body]));
    await status;
    if (answer === undefined) throw new Error(`${method}: no answer`);
    return answer;
  }

  return {
    async submit(request, options) {
      const body = toBinary(SingleRequest, create(SingleRequest, request));
      return fromBinary(SubmitResponseSchema, await unary('Submit', body, options?.timeoutMs));
    },
    async submitBatch(request, options) {
      const body = toBinary(BatchRequest, create(BatchRequest, request));
      return fromBinary(SubmitBatchResponseSchema, await unary('SubmitBatch', body, options?.timeoutMs));
    },
    async *submitStream(requests, options) {
      const req = open('SubmitStream', undefined);
      const onAbort = () => req.close(http2.constants.NGHTTP2_CANCEL);
      options?.signal?.addEventListener('abort', onAbort, { once: true });
      const reader = new GrpcMessageReader(1 << 26);
      const ready: Uint8Array[] = [];
      let wake: (() => void) | undefined;
      let finished = false;
      req.on('data', (chunk: Buffer) => {
        for (const m of reader.push(chunk)) ready.push(m);
        wake?.();
      });
      const status = statusOf(req).finally(() => {
        finished = true;
        wake?.();
      });
      status.catch(() => undefined);
      const writing = (async () => {
        let pending: Uint8Array[] = [];
        for await (const r of requests) {
          pending.push(toBinary(SingleRequest, create(SingleRequest, r)));
          if (pending.length >= MESSAGES_PER_WRITE) {
            if (!req.write(frameMessages(pending))) await once(req, 'drain');
            pending = [];
          }
        }
        req.end(pending.length > 0 ? frameMessages(pending) : undefined);
      })();
      writing.catch(() => req.close(http2.constants.NGHTTP2_CANCEL));
      try {
        for (;;) {
          for (const m of ready.splice(0)) yield fromBinary(SubmitStreamResponseSchema, m);
          if (finished) break;
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          wake = undefined;
        }
        for (const m of ready.splice(0)) yield fromBinary(SubmitStreamResponseSchema, m);
        await writing;
        await status;
      } finally {
        options?.signal?.removeEventListener('abort', onAbort);
        if (!req.closed) req.close(http2.constants.NGHTTP2_CANCEL);
      }
    },
    close() {
      session.destroy();
    },
  };
}
