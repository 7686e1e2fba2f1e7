// Child process for the transport ceilings: a raw node:http2 server answering every request with an empty 200
// (and SubmitStream with a receipt per item, no storage), and the same connect-node stack as `spark serve` answering SubmitStream with a receipt per item and no storage.
// Prints one JSON line {"http2Port", "grpcPort"} once both listen; exits on SIGTERM or when its parent goes.
import { createServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import type { ConnectRouter } from '@connectrpc/connect';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import {
  SparkProcessor,
  SubmitRequestSchema,
  SubmitStreamResponseSchema,
} from '../src/gen/spark/v1/processor_pb.js';
import { frameMessages, GrpcMessageReader } from '../src/service/grpc-framing.ts';

const STREAM_PATH = '/spark.v1.SparkProcessor/SubmitStream';

/**
 * On the raw server, SubmitStream without the framework or storage: each request decoded and answered with a
 * receipt, the answers of one read in one write, as the sidecar's gRPC fast path does.
 */
function echoStream(req: Http2ServerRequest, res: Http2ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/grpc+proto' });
  const reader = new GrpcMessageReader(1 << 26);
  let index = 0n;
  req.on('data', (chunk: Buffer) => {
    const answers = reader.push(chunk).map((bytes) => {
      const request = fromBinary(SubmitRequestSchema, bytes);
      const digest = request.payload.case === 'digest' ? request.payload.value : new Uint8Array(0);
      return toBinary(
        SubmitStreamResponseSchema,
        create(SubmitStreamResponseSchema, {
          index: index++,
          result: { case: 'receipt', value: { leafHash: digest, digest } },
        }),
      );
    });
    if (answers.length > 0) res.write(frameMessages(answers));
  });
  req.on('end', () => {
    res.addTrailers({ 'grpc-status': '0' });
    res.end();
  });
}

const raw = createServer((req: Http2ServerRequest, res: Http2ServerResponse) => {
  if (req.url === STREAM_PATH) return echoStream(req, res);
  res.writeHead(200);
  res.end();
});

const routes = (router: ConnectRouter) =>
  router.service(SparkProcessor, {
    async *submitStream(requests) {
      let index = 0n;
      for await (const req of requests) {
        const digest = req.payload.case === 'digest' ? req.payload.value : new Uint8Array(0);
        yield { index: index++, result: { case: 'receipt', value: { leafHash: digest, digest } } };
      }
    },
  });

const grpc = createServer(
  connectNodeAdapter({ routes, compressMinBytes: Number.MAX_SAFE_INTEGER, writeMaxBytes: 64 * 1024 * 1024 }),
);

const listen = (server: typeof raw) =>
  new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );

const [http2Port, grpcPort] = await Promise.all([listen(raw), listen(grpc)]);
process.stdout.write(`${JSON.stringify({ http2Port, grpcPort })}\n`);
process.once('SIGTERM', () => process.exit(0));
// The parent closes our stdin when it exits, however it ends.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
