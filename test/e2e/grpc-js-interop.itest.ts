// Plain gRPC interop: @grpc/grpc-js with protos loaded at run time, plus health and server reflection.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/log/logger.ts';
import { type App, createApp } from '../../src/main.ts';
import { loadGrpcJs } from '../support/grpc-js.ts';
import { tempDir } from '../support/spawn-server.ts';

type Callback<T> = (err: grpc.ServiceError | null, res: T) => void;
type Unary = (req: object, cb: Callback<Record<string, unknown>>) => void;

const load = loadGrpcJs;

function call(client: grpc.Client, method: string, req: object): Promise<Record<string, unknown>> {
  return new Promise((res, rej) => {
    (client as unknown as Record<string, Unary>)[method]?.call(client, req, (err, out) =>
      err ? rej(err) : res(out),
    );
  });
}

describe('grpc-js client', () => {
  const dir = tempDir('spark-grpcjs-');
  let app: App;
  const clients: grpc.Client[] = [];
  let target = '';

  before(async () => {
    app = await createApp(
      loadConfig({ SPARK_LISTEN: '127.0.0.1:0', SPARK_DATA_DIR: dir.path }),
      createLogger('silent'),
    );
    target = `127.0.0.1:${app.address.port}`;
  });
  after(async () => {
    for (const c of clients) c.close();
    await app.close();
    dir.cleanup();
  });

  const make = (pkg: grpc.GrpcObject, path: string[]): grpc.Client => {
    let node: unknown = pkg;
    for (const p of path) node = (node as Record<string, unknown>)[p];
    const Ctor = node as grpc.ServiceClientConstructor;
    const c = new Ctor(target, grpc.credentials.createInsecure());
    clients.push(c);
    return c;
  };

  test('Submit, SealNow, Prove and Verify', async () => {
    const spark = load('spark/v1/processor.proto');
    const admin = load('spark/v1/admin.proto');
    const proc = make(spark, ['spark', 'v1', 'SparkProcessor']);
    const adm = make(admin, ['spark', 'v1', 'SparkAdmin']);
    const digest = Buffer.alloc(32, 0x42);
    const sub = await call(proc, 'Submit', { digest, requestId: 'grpc-js-1' });
    const receipt = sub['receipt'] as { leafHash: Buffer; status: string };
    assert.equal(receipt.status, 'STATUS_PENDING');
    const again = await call(proc, 'Submit', { digest: Buffer.alloc(32, 0x43), requestId: 'grpc-js-1' });
    assert.deepEqual(
      (again['receipt'] as { leafHash: Buffer }).leafHash,
      receipt.leafHash,
      'request id is idempotent',
    );
    assert.equal((again['receipt'] as { duplicate: boolean }).duplicate, true);
    const sealed = await call(adm, 'SealNow', {});
    assert.equal(sealed['sealed'], true);
    const proof = await call(proc, 'Prove', { leafHash: receipt.leafHash });
    assert.equal(proof['status'], 'STATUS_SEALED');
    const protoBundle = proof['bundle'] as Record<string, unknown>;
    assert.deepEqual((protoBundle['leaf'] as { digest: Buffer }).digest, digest);
  });

  test('an error carries the canonical code and a field-naming message', async () => {
    const proc = make(load('spark/v1/processor.proto'), ['spark', 'v1', 'SparkProcessor']);
    await assert.rejects(call(proc, 'Submit', { digest: Buffer.alloc(31) }), (err: grpc.ServiceError) => {
      assert.equal(err.code, grpc.status.INVALID_ARGUMENT);
      assert.match(err.details, /^digest: must be 32 bytes/);
      return true;
    });
  });

  test('grpc.health.v1 reports SERVING', async () => {
    const health = make(load('grpc/health/v1/health.proto'), ['grpc', 'health', 'v1', 'Health']);
    const res = await call(health, 'Check', { service: '' });
    assert.equal(res['status'], 'SERVING');
    const named = await call(health, 'Check', { service: 'spark.v1.SparkProcessor' });
    assert.equal(named['status'], 'SERVING');
    await assert.rejects(call(health, 'Check', { service: 'no.such.Service' }), (e: grpc.ServiceError) => {
      assert.equal(e.code, grpc.status.NOT_FOUND);
      return true;
    });
  });

  test('server reflection lists services and returns file descriptors', async () => {
    const refl = make(load('grpc/reflection/v1/reflection.proto'), [
      'grpc',
      'reflection',
      'v1',
      'ServerReflection',
    ]);
    const stream = (
      refl as unknown as { ServerReflectionInfo(): grpc.ClientDuplexStream<object, Record<string, unknown>> }
    ).ServerReflectionInfo();
    const answers: Array<Record<string, unknown>> = [];
    const done = new Promise<void>((res, rej) => {
      stream.on('data', (d: Record<string, unknown>) => answers.push(d));
      stream.on('end', () => res());
      stream.on('error', rej);
    });
    stream.write({ listServices: '' });
    stream.write({ fileContainingSymbol: 'spark.v1.SparkProcessor' });
    stream.write({ fileByFilename: 'no/such.proto' });
    stream.end();
    await done;
    const [list, file, missing] = answers;
    assert.ok(list && file && missing, `three answers, got ${answers.length}`);
    const names = (list['listServicesResponse'] as { service: Array<{ name: string }> }).service.map(
      (s) => s.name,
    );
    assert.ok(
      names.includes('spark.v1.SparkProcessor') && names.includes('spark.v1.SparkAdmin'),
      names.join(),
    );
    const files = (file['fileDescriptorResponse'] as { fileDescriptorProto: Buffer[] }).fileDescriptorProto;
    assert.ok(files.length >= 2, 'the file and its dependency');
    assert.ok(files.some((f) => f.includes(Buffer.from('spark/v1/processor.proto'))));
    assert.equal((missing['errorResponse'] as { errorCode: number }).errorCode, 5);
  });
});
