// The gRPC fast path (src/service/grpc-fast-path.ts) against real clients and a real `spark serve`: binary gRPC
// Submit, SubmitBatch and SubmitStream are served by it; the same failing requests sent as gRPC-Web or Connect
// (which connect-node serves) must fail with the same code, message and ErrorDetail. Also: stream order over
// 5,000 items with a duplicate and a bad item, limits, credentials, deadlines, compressed requests (left to
// connect), a client that cancels, and a shutdown in the middle of a stream.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http2 from 'node:http2';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { Code, ConnectError, createClient, type Transport } from '@connectrpc/connect';
import {
  compressionGzip,
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
} from '@connectrpc/connect-node';
import * as grpc from '@grpc/grpc-js';
import {
  ErrorDetailSchema,
  SparkProcessor,
  SubmitRequestSchema,
  SubmitStreamResponseSchema,
} from '../../src/gen/spark/v1/processor_pb.js';
import { createToken } from '../../src/service/access-tokens.ts';
import { GrpcMessageReader } from '../../src/service/grpc-framing.ts';
import { sparkProcessorGrpcJs } from '../support/grpc-js.ts';
import { type ServerProcess, startServerProcess, tempDir } from '../support/spawn-server.ts';
import { bearer, writeTokensFile } from '../tls/support.ts';

const LIMIT = 64 * 1024;
const MAX_ITEMS = 10;

const fresh = () => new Uint8Array(randomBytes(32));
const item = (digest: Uint8Array = fresh()) => ({ payload: { case: 'digest' as const, value: digest } });

/** A call's failure as clients see it: code, message and the decoded ErrorDetails; "ok" when it succeeded. */
async function outcome(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    const err = ConnectError.from(e);
    const details = err.findDetails(ErrorDetailSchema).map(({ code, reason, message, field }) => ({
      code,
      reason,
      message,
      field,
    }));
    return { code: Code[err.code], message: err.rawMessage, details };
  }
}

/** The three protocols on one server: gRPC goes to the fast path, gRPC-Web and Connect to connect-node. */
function transports(address: string, interceptors: Parameters<typeof bearer>[0][] = []) {
  const baseUrl = `http://${address}`;
  const opts = { baseUrl, interceptors: interceptors.map(bearer) };
  return {
    grpc: createGrpcTransport(opts),
    grpcWeb: createGrpcWebTransport({ ...opts, httpVersion: '2' }),
    connect: createConnectTransport({ ...opts, httpVersion: '2' }),
  };
}

async function* fromArray<T>(xs: readonly T[]): AsyncGenerator<T> {
  yield* xs;
}

/** grpc-js SparkProcessor client. */
function grpcJsClient(address: string): grpc.Client {
  const SparkProcessorGrpcJs = sparkProcessorGrpcJs();
  return new SparkProcessorGrpcJs(address, grpc.credentials.createInsecure());
}

/** A raw HTTP/2 gRPC call that sends `messages` and leaves the request open; resolves with what came back. */
function openRawCall(
  port: number,
  path: string,
  messages: readonly Uint8Array[],
  headers: http2.OutgoingHttpHeaders,
): Promise<{ messages: Uint8Array[]; trailers: http2.IncomingHttpHeaders; ms: number }> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const session = http2.connect(`http://127.0.0.1:${port}`);
    session.on('error', () => undefined);
    const timer = setTimeout(() => {
      session.destroy();
      reject(new Error('no answer within 10 s'));
    }, 10_000);
    const req = session.request({
      ':method': 'POST',
      ':path': path,
      'content-type': 'application/grpc',
      te: 'trailers',
      ...headers,
    });
    const reader = new GrpcMessageReader(1 << 24);
    const got: Uint8Array[] = [];
    req.on('data', (chunk: Buffer) => got.push(...reader.push(chunk)));
    req.on('trailers', (trailers) => {
      clearTimeout(timer);
      session.destroy();
      resolve({ messages: got, trailers, ms: performance.now() - t });
    });
    req.on('error', () => undefined);
    for (const m of messages) {
      const frame = Buffer.alloc(5 + m.length);
      frame.writeUInt32BE(m.length, 1);
      frame.set(m, 5);
      req.write(frame);
    }
  });
}

describe('gRPC fast path', () => {
  const dir = tempDir('spark-fast-path-');
  const clientToken = createToken();
  let plain: ServerProcess;
  let guarded: ServerProcess;

  before(async () => {
    const tokens = writeTokensFile(join(dir.path, 'tokens'), { billing: ['client', clientToken] });
    [plain, guarded] = await Promise.all([
      startServerProcess({
        dataDir: join(dir.path, 'plain'),
        env: {
          SPARK_MAX_MESSAGE_BYTES: String(LIMIT),
          SPARK_MAX_ITEMS_PER_REQUEST: String(MAX_ITEMS),
          SPARK_MAX_CONCURRENT_STREAMS: '2',
          PQC_AGGREGATION_THRESHOLD: '100000',
          PQC_AGGREGATION_TIMEOUT: '3600',
        },
        timeoutMs: 60_000,
      }),
      startServerProcess({
        dataDir: join(dir.path, 'guarded'),
        env: { SPARK_AUTH_TOKENS: tokens, SPARK_STREAM_RATE: '20' },
        timeoutMs: 60_000,
      }),
    ]);
  });

  after(async () => {
    const codes = await Promise.all([plain?.stop(30_000), guarded?.stop(30_000)]);
    dir.cleanup();
    assert.deepEqual(
      codes,
      [0, 0],
      `both servers exit cleanly (stderr: ${plain?.stderr()}${guarded?.stderr()})`,
    );
    for (const s of [plain, guarded]) assert.doesNotMatch(s?.stderr() ?? '', /\n\s+at /, 'no stack trace');
  });

  test('the same failing requests fail alike through the fast path (gRPC) and connect (gRPC-Web, Connect)', async () => {
    const t = transports(plain.address);
    const cases: Array<
      [string, (c: ReturnType<typeof createClient<typeof SparkProcessor>>) => Promise<unknown>]
    > = [
      ['digest of 31 bytes', (c) => c.submit(item(new Uint8Array(31)))],
      ['no payload', (c) => c.submit({})],
      ['request id too long', (c) => c.submit({ ...item(), requestId: 'x'.repeat(10_000) })],
      [
        'too many items',
        (c) => c.submitBatch({ items: Array.from({ length: MAX_ITEMS + 1 }, () => item()) }),
      ],
      ['no items', (c) => c.submitBatch({ items: [] })],
      [
        'a message over the limit',
        (c) => c.submitBatch({ items: [{ ...item(), requestId: 'y'.repeat(LIMIT) }] }),
      ],
    ];
    for (const [name, run] of cases) {
      const viaFast = await outcome(run(createClient(SparkProcessor, t.grpc)));
      assert.notEqual(viaFast, 'ok', `${name}: refused`);
      // The Connect protocol reads an unenveloped unary body, whose size error does not name the size.
      const others: Transport[] = name === 'a message over the limit' ? [t.grpcWeb] : [t.grpcWeb, t.connect];
      for (const other of others) {
        assert.deepEqual(await outcome(run(createClient(SparkProcessor, other))), viaFast, name);
      }
    }
    const over = (await outcome(
      createClient(SparkProcessor, t.grpc).submitBatch({
        items: [{ ...item(), requestId: 'y'.repeat(LIMIT) }],
      }),
    )) as { code: string; message: string };
    assert.equal(over.code, 'ResourceExhausted');
    assert.match(over.message, new RegExp(`larger than configured readMaxBytes ${LIMIT}`));
  });

  test('Submit and SubmitBatch answer as before: receipts, duplicates, per-item errors', async () => {
    const c = createClient(SparkProcessor, transports(plain.address).grpc);
    const d = fresh();
    const first = await c.submit(item(d));
    assert.equal(first.receipt?.duplicate, false);
    const again = await c.submit(item(d));
    assert.equal(again.receipt?.duplicate, true);
    assert.deepEqual(again.receipt?.leafHash, first.receipt?.leafHash);
    const batch = await c.submitBatch({ items: [item(), item(new Uint8Array(3)), item(d)] });
    assert.deepEqual(
      batch.results.map((r) => [Number(r.index), r.result.case]),
      [
        [0, 'receipt'],
        [1, 'error'],
        [2, 'receipt'],
      ],
    );
    const r2 = batch.results[2]?.result;
    assert.equal(r2?.case === 'receipt' && r2.value.duplicate, true);
  });

  test('SubmitStream: 5,000 items answered in order, a duplicate flagged, a bad item refused alone', async () => {
    const c = createClient(SparkProcessor, transports(plain.address).grpc);
    const digests = Array.from({ length: 5_000 }, fresh);
    const reqs = digests.map((d) => item(d));
    reqs[2_500] = item(new Uint8Array(31));
    reqs[4_000] = item(digests[10]);
    const results = [];
    for await (const r of c.submitStream(fromArray(reqs), { timeoutMs: 60_000 })) results.push(r);
    assert.equal(results.length, 5_000);
    assert.deepEqual(
      results.map((r) => Number(r.index)),
      results.map((_, i) => i),
    );
    const bad = results[2_500]?.result;
    assert.equal(bad?.case, 'error');
    assert.equal(bad?.case === 'error' && bad.value.code, 'INVALID_ARGUMENT');
    assert.match(bad?.case === 'error' ? bad.value.message : '', /^digest: must be 32 bytes, got 31/);
    const dup = results[4_000]?.result;
    const orig = results[10]?.result;
    assert.equal(dup?.case === 'receipt' && dup.value.duplicate, true);
    assert.deepEqual(
      dup?.case === 'receipt' && dup.value.leafHash,
      orig?.case === 'receipt' && orig.value.leafHash,
    );
    const others = results.filter((_, i) => i !== 2_500 && i !== 4_000);
    assert.ok(others.every((r) => r.result.case === 'receipt' && !r.result.value.duplicate));
  });

  test('credentials: refused alike on all three RPCs and both paths; a valid token is let through', async () => {
    for (const token of [undefined, createToken()]) {
      const t = transports(guarded.address, token === undefined ? [] : [token]);
      const runs = [
        (c: ReturnType<typeof createClient<typeof SparkProcessor>>) => c.submit(item()),
        (c: ReturnType<typeof createClient<typeof SparkProcessor>>) => c.submitBatch({ items: [item()] }),
        async (c: ReturnType<typeof createClient<typeof SparkProcessor>>) => {
          for await (const _ of c.submitStream(fromArray([item()]))) {
            // drained
          }
        },
      ];
      for (const run of runs) {
        const viaFast = await outcome(run(createClient(SparkProcessor, t.grpc)));
        assert.equal((viaFast as { code: string }).code, 'Unauthenticated');
        assert.deepEqual(await outcome(run(createClient(SparkProcessor, t.grpcWeb))), viaFast);
      }
    }
    const ok = createClient(SparkProcessor, transports(guarded.address, [clientToken]).grpc);
    assert.equal((await ok.submit(item())).receipt?.duplicate, false);
  });

  test('SPARK_STREAM_RATE: items past the burst are refused one by one and the stream goes on', async () => {
    const c = createClient(SparkProcessor, transports(guarded.address, [clientToken]).grpc);
    const results = [];
    for await (const r of c.submitStream(fromArray(Array.from({ length: 60 }, () => item()))))
      results.push(r);
    assert.equal(results.length, 60);
    const refused = results.filter((r) => r.result.case === 'error');
    assert.ok(refused.length >= 30, `${refused.length} of 60 refused at 20/s`);
    for (const r of refused) {
      assert.equal(r.result.case === 'error' && r.result.value.reason, 'RATE_LIMITED');
      assert.equal(r.result.case === 'error' && r.result.value.code, 'RESOURCE_EXHAUSTED');
    }
  });

  test('grpc-timeout: the server ends a call past its deadline with DEADLINE_EXCEEDED', async () => {
    const one = toBinary(SubmitRequestSchema, create(SubmitRequestSchema, item()));
    const stream = await openRawCall(plain.port, '/spark.v1.SparkProcessor/SubmitStream', [one], {
      'grpc-timeout': '500m',
    });
    assert.equal(stream.trailers['grpc-status'], String(Code.DeadlineExceeded));
    assert.equal(stream.trailers['grpc-message'], 'the operation timed out');
    assert.equal(stream.messages.length, 1, 'the item sent before the deadline was answered');
    const answer = fromBinary(SubmitStreamResponseSchema, stream.messages[0] as Uint8Array);
    assert.equal(answer.result.case, 'receipt');
    // A unary call whose request never ends.
    const unary = await openRawCall(plain.port, '/spark.v1.SparkProcessor/Submit', [one], {
      'grpc-timeout': '300m',
    });
    assert.equal(unary.trailers['grpc-status'], String(Code.DeadlineExceeded));
    assert.equal(unary.messages.length, 0);
  });

  test('a compressed request is left to connect-node and served', async () => {
    const t = createGrpcTransport({
      baseUrl: `http://${plain.address}`,
      sendCompression: compressionGzip,
      compressMinBytes: 0,
    });
    const c = createClient(SparkProcessor, t);
    assert.equal((await c.submit(item())).receipt?.duplicate, false);
    // Only connect decompresses: the limit is named "after decompression".
    const big = await outcome(c.submitBatch({ items: [{ ...item(), requestId: 'z'.repeat(LIMIT * 2) }] }));
    assert.match((big as { message: string }).message, /after decompression/);
  });

  test('a client that cancels mid-stream stops the stream; its slot under SPARK_MAX_CONCURRENT_STREAMS is freed', async () => {
    const client = grpcJsClient(plain.address);
    try {
      for (let round = 0; round < 3; round++) {
        const call = (
          client as unknown as { SubmitStream(): grpc.ClientDuplexStream<object, object> }
        ).SubmitStream();
        const ended = new Promise<grpc.ServiceError | undefined>((resolve) => {
          call.on('error', (e: grpc.ServiceError) => resolve(e));
          call.on('end', () => resolve(undefined));
        });
        const firstAnswer = new Promise<void>((resolve) => call.once('data', () => resolve()));
        for (let i = 0; i < 3_000; i++) call.write({ digest: Buffer.from(fresh()) });
        await firstAnswer;
        call.cancel();
        assert.equal((await ended)?.code, grpc.status.CANCELLED);
      }
      // Three cancelled streams on a limit of two: each slot came back, so two new streams are admitted at once.
      const c = createClient(SparkProcessor, transports(plain.address).grpc);
      const deadline = Date.now() + 5_000;
      let admitted: unknown[] = [];
      do {
        admitted = await Promise.all(
          [0, 1].map(async () => {
            const out = [];
            for await (const r of c.submitStream(fromArray([item()]))) out.push(r.result.case);
            return out;
          }),
        ).catch((e: unknown) => [ConnectError.from(e).code]);
      } while (admitted.length !== 2 && Date.now() < deadline);
      assert.deepEqual(admitted, [['receipt'], ['receipt']]);
    } finally {
      client.close();
    }
  });
});

test('a shutdown in the middle of a fast-path stream: answered items stand, the stream ends, the server exits 0', async () => {
  const dir = tempDir('spark-fast-path-stop-');
  const server = await startServerProcess({
    dataDir: dir.path,
    env: { SPARK_SHUTDOWN_GRACE_MS: '1000' },
    timeoutMs: 60_000,
  });
  const client = grpcJsClient(server.address);
  try {
    const call = (
      client as unknown as { SubmitStream(): grpc.ClientDuplexStream<object, object> }
    ).SubmitStream();
    let answered = 0;
    const ended = new Promise<string>((resolve) => {
      call.on('error', (e: grpc.ServiceError) => resolve(`error ${grpc.status[e.code]}`));
      call.on('end', () => resolve('end'));
    });
    const hundred = new Promise<void>((resolve) =>
      call.on('data', () => {
        if (++answered === 100) resolve();
      }),
    );
    for (let i = 0; i < 100; i++) call.write({ digest: Buffer.from(fresh()) });
    await hundred;
    const t = performance.now();
    const code = await server.stop(20_000);
    const how = await Promise.race([
      ended,
      new Promise<string>((r) => setTimeout(() => r('still open'), 10_000)),
    ]);
    assert.equal(code, 0, `exit code (stderr: ${server.stderr()})`);
    assert.notEqual(how, 'still open');
    assert.ok(performance.now() - t < 15_000, 'the open stream did not hold the shutdown past its grace');
    assert.doesNotMatch(server.stderr(), /\n\s+at /, 'no stack trace');
  } finally {
    client.close();
    await server.kill();
    dir.cleanup();
  }
});
