// One port, three protocols: gRPC (HTTP/2), Connect and gRPC-Web over HTTP/1.1 and HTTP/2.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Code, ConnectError, createClient, type Transport } from '@connectrpc/connect';
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
} from '@connectrpc/connect-node';
import { loadConfig } from '../../src/config/config.ts';
import { SparkProcessor } from '../../src/gen/spark/v1/processor_pb.js';
import { createLogger } from '../../src/log/logger.ts';
import { type App, createApp } from '../../src/main.ts';
import { tempDir } from '../support/spawn-server.ts';

const dir = tempDir('spark-proto-');
let app: App;
before(async () => {
  app = await createApp(
    loadConfig({ SPARK_LISTEN: '127.0.0.1:0', SPARK_DATA_DIR: dir.path }),
    createLogger('silent'),
  );
});
after(async () => {
  await app.close();
  dir.cleanup();
});

const transports: Array<[string, (baseUrl: string) => Transport]> = [
  ['gRPC over HTTP/2', (baseUrl) => createGrpcTransport({ baseUrl })],
  ['Connect over HTTP/1.1', (baseUrl) => createConnectTransport({ baseUrl, httpVersion: '1.1' })],
  ['Connect over HTTP/2', (baseUrl) => createConnectTransport({ baseUrl, httpVersion: '2' })],
  ['gRPC-Web over HTTP/1.1', (baseUrl) => createGrpcWebTransport({ baseUrl, httpVersion: '1.1' })],
];

for (const [i, [name, make]] of transports.entries()) {
  test(`${name}: submit works and errors keep their code`, async () => {
    const client = createClient(SparkProcessor, make(`http://127.0.0.1:${app.address.port}`));
    const ok = await client.submit({ payload: { case: 'digest', value: new Uint8Array(32).fill(i + 1) } });
    assert.equal(ok.receipt?.leafHash.length, 32);
    await assert.rejects(
      client.submit({ payload: { case: 'digest', value: new Uint8Array(31) } }),
      (e: unknown) => {
        const err = ConnectError.from(e);
        assert.equal(err.code, Code.InvalidArgument);
        assert.match(err.rawMessage, /^digest: must be 32 bytes/);
        return true;
      },
    );
  });
}
