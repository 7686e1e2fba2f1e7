// Child process for two ceilings: a raw node:http2 server answering every request with an empty 200, and the
// same connect-node stack as `spark serve` answering SubmitStream with a receipt per item and no storage.
// Prints one JSON line {"http2Port", "grpcPort"} once both listen; exits on SIGTERM or when its parent goes.
import { createServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { ConnectRouter } from '@connectrpc/connect';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import { SparkProcessor } from '../src/gen/spark/v1/processor_pb.js';

const raw = createServer((_req: Http2ServerRequest, res: Http2ServerResponse) => {
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
