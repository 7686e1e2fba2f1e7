// Hostile and malformed requests: each gets a specific gRPC code and a message naming the field; the server stays up.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { loadConfig } from '../../src/config/config.ts';
import { Health } from '../../src/gen/grpc/health/v1/health_pb.js';
import { ErrorDetailSchema, SparkProcessor } from '../../src/gen/spark/v1/processor_pb.js';
import { createLogger } from '../../src/log/logger.ts';
import { type App, createApp } from '../../src/main.ts';
import { tempDir } from '../support/spawn-server.ts';

async function expectError(
  call: Promise<unknown>,
  code: Code,
  field: string | RegExp,
): Promise<ConnectError> {
  try {
    await call;
  } catch (e) {
    const err = ConnectError.from(e);
    assert.equal(Code[err.code], Code[code], err.rawMessage);
    if (typeof field === 'string') {
      assert.match(err.rawMessage, new RegExp(`^${field}:`), `message names the field: ${err.rawMessage}`);
      const [detail] = err.findDetails(ErrorDetailSchema);
      assert.equal(detail?.field, field);
    } else {
      assert.match(err.rawMessage, field);
    }
    return err;
  }
  assert.fail('call should have failed');
}

describe('bad input over gRPC', () => {
  const dir = tempDir('spark-bad-');
  let app: App;
  let client: ReturnType<typeof createClient<typeof SparkProcessor>>;
  let health: ReturnType<typeof createClient<typeof Health>>;

  before(async () => {
    const config = loadConfig({
      SPARK_LISTEN: '127.0.0.1:0',
      SPARK_DATA_DIR: dir.path,
      SPARK_MAX_MESSAGE_BYTES: String(64 * 1024),
    });
    app = await createApp(config, createLogger('silent'));
    const transport = createGrpcTransport({ baseUrl: `http://127.0.0.1:${app.address.port}` });
    client = createClient(SparkProcessor, transport);
    health = createClient(Health, transport);
  });
  after(async () => {
    await app.close();
    dir.cleanup();
  });

  test('a 31-byte digest is INVALID_ARGUMENT naming digest', async () => {
    const err = await expectError(
      client.submit({ payload: { case: 'digest', value: new Uint8Array(31) } }),
      Code.InvalidArgument,
      'digest',
    );
    assert.match(err.rawMessage, /32 bytes, got 31/);
  });

  test('empty data is INVALID_ARGUMENT naming data', async () => {
    await expectError(
      client.submit({ payload: { case: 'data', value: new Uint8Array(0) } }),
      Code.InvalidArgument,
      'data',
    );
  });

  test('no payload is INVALID_ARGUMENT naming payload', async () => {
    await expectError(client.submit({}), Code.InvalidArgument, 'payload');
  });

  test('an oversized message is RESOURCE_EXHAUSTED naming the limit', async () => {
    await expectError(
      client.submit({ payload: { case: 'data', value: new Uint8Array(65 * 1024) } }),
      Code.ResourceExhausted,
      /readMaxBytes|larger than/,
    );
  });

  test('a bad request id is INVALID_ARGUMENT naming request_id', async () => {
    await expectError(
      client.submit({ payload: { case: 'digest', value: new Uint8Array(32) }, requestId: 'has space' }),
      Code.InvalidArgument,
      'request_id',
    );
  });

  test('immediate while PQC_IMMEDIATE_MODE is off is FAILED_PRECONDITION naming immediate', async () => {
    await expectError(
      client.submit({ payload: { case: 'digest', value: new Uint8Array(32).fill(9) }, immediate: true }),
      Code.FailedPrecondition,
      'immediate',
    );
  });

  test('an unknown leaf in Prove is NOT_FOUND naming leaf_hash', async () => {
    await expectError(client.prove({ leafHash: new Uint8Array(32).fill(7) }), Code.NotFound, 'leaf_hash');
  });

  test('a short leaf hash in Prove is INVALID_ARGUMENT naming leaf_hash', async () => {
    await expectError(client.prove({ leafHash: new Uint8Array(5) }), Code.InvalidArgument, 'leaf_hash');
  });

  test('garbage bytes as a bundle in Verify are INVALID_ARGUMENT naming bundle', async () => {
    const garbage = Uint8Array.from({ length: 300 }, (_, i) => (i * 131 + 7) & 0xff);
    await expectError(client.verify({ bundle: garbage }), Code.InvalidArgument, 'bundle');
    await expectError(client.verify({ bundle: new Uint8Array(0) }), Code.InvalidArgument, 'bundle');
  });

  test('the server is still serving after all of that', async () => {
    const res = await health.check({ service: '' });
    assert.equal(res.status, 1);
    const ok = await client.submit({ payload: { case: 'digest', value: new Uint8Array(32).fill(3) } });
    assert.equal(ok.receipt?.leafHash.length, 32);
  });
});
