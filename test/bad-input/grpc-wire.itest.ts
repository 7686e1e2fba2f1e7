// Malformed gRPC on the wire (SPEC §11), raw HTTP/2 from node:http2 and raw TCP against a `spark serve` child:
// broken length prefixes and flags, oversized frames, bytes that are not protobuf, wrong wire types, unknown
// fields, wrong headers, reset streams and connections that are not HTTP/2. Each case asserts what the server
// answers, then that it still answers a health check and a Submit. What each answer is and why:
// docs/operations.md §Bad input.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { CONNECTION_SETUP_TIMEOUT_MS } from '../../src/service/server.ts';
import { type ServerProcess, startServerProcess, tempDir } from '../support/spawn-server.ts';
import {
  assertServing,
  cat,
  grpcFrame,
  grpcStatus,
  h2Call,
  lenField,
  type RawResponse,
  varint,
} from './support.ts';

const LIMIT = 64 * 1024;
const SUBMIT = '/spark.v1.SparkProcessor/Submit';
const STREAM = '/spark.v1.SparkProcessor/SubmitStream';
const VERIFY = '/spark.v1.SparkProcessor/Verify';

let digestCounter = 0;
/** A SubmitRequest with a fresh 32-byte digest (field 2). */
function submitBytes(): Uint8Array {
  const d = new Uint8Array(32).fill(0x5c);
  new DataView(d.buffer).setUint32(0, ++digestCounter);
  return lenField(2, d);
}

/** Status code numbers, as on the wire. */
const OK = 0;
const INVALID_ARGUMENT = 3;
const RESOURCE_EXHAUSTED = 8;
const UNIMPLEMENTED = 12;
const INTERNAL = 13;

function expectStatus(r: RawResponse, code: number, message?: RegExp): void {
  assert.equal(r.error, undefined, `no transport error: ${r.error}`);
  assert.equal(r.status, 200, 'gRPC errors travel with HTTP 200');
  const s = grpcStatus(r);
  assert.equal(s.code, code, `grpc-status ${s.code} (${s.message})`);
  if (message !== undefined) assert.match(s.message, message);
}

/** Sends raw bytes on a fresh TCP connection; returns all it got back before the server closed (≤ 10 s). */
function rawTcp(port: number, payload: Uint8Array): Promise<{ bytes: Buffer; closedByServer: boolean }> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let closedByServer = true;
    const timer = setTimeout(() => {
      closedByServer = false;
      s.destroy();
    }, 10_000);
    s.on('data', (d: Buffer) => chunks.push(d));
    s.on('error', () => {});
    s.on('close', () => {
      clearTimeout(timer);
      resolve({ bytes: Buffer.concat(chunks), closedByServer });
    });
    s.write(payload);
  });
}

/** The HTTP/2 frames in `bytes` (type and payload), as far as they are complete. */
function h2Frames(bytes: Buffer): { type: number; payload: Buffer }[] {
  const out: { type: number; payload: Buffer }[] = [];
  let at = 0;
  while (at + 9 <= bytes.length) {
    const length = bytes.readUIntBE(at, 3);
    const type = bytes[at + 3] as number;
    out.push({ type, payload: bytes.subarray(at + 9, at + 9 + length) });
    at += 9 + length;
  }
  return out;
}

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

describe('malformed gRPC on the wire (raw HTTP/2)', () => {
  const dir = tempDir('spark-bad-wire-');
  let server: ServerProcess;
  let cases = 0;

  before(async () => {
    server = await startServerProcess({
      dataDir: dir.path,
      env: { SPARK_MAX_MESSAGE_BYTES: String(LIMIT) },
      timeoutMs: 60_000,
    });
  });

  after(async () => {
    // A client that abandons a refused oversized body can leave its session half-closed; the drain then waits
    // SPARK_SHUTDOWN_GRACE_MS (10 s) before closing it, so the stop is given more than that.
    const t = performance.now();
    const code = await server?.stop(30_000);
    const stopMs = performance.now() - t;
    dir.cleanup();
    console.log(
      `bad input: ${cases} wire cases over raw HTTP/2 and TCP, each followed by a health check and a Submit; drained and stopped in ${stopMs.toFixed(0)} ms`,
    );
    assert.equal(code, 0, `the server exits cleanly after all of it (stderr: ${server?.stderr()})`);
    assert.doesNotMatch(server?.stderr() ?? '', /\n\s+at /, 'no stack trace on stderr');
  });

  /** A wire case: runs `body`, then checks the server still serves. */
  const wire = (name: string, body: (port: number) => Promise<void>) =>
    test(name, async () => {
      cases++;
      await body(server.port);
      await assertServing(server.port);
    });

  wire('a well-formed Submit is answered (the baseline the cases differ from)', async (port) => {
    expectStatus(await h2Call(port, SUBMIT, grpcFrame(submitBytes())), OK);
  });

  wire(
    'a length prefix promising more than the body is INVALID_ARGUMENT: incomplete envelope',
    async (port) => {
      const r = await h2Call(port, SUBMIT, grpcFrame(submitBytes(), { length: 100 }));
      expectStatus(r, INVALID_ARGUMENT, /incomplete envelope/);
    },
  );

  wire('a body ending inside the 5-byte prefix is INVALID_ARGUMENT: incomplete envelope', async (port) => {
    expectStatus(await h2Call(port, SUBMIT, Uint8Array.of(0, 0, 0)), INVALID_ARGUMENT, /incomplete envelope/);
  });

  wire('the compressed flag without grpc-encoding is INTERNAL (as the gRPC spec says)', async (port) => {
    const r = await h2Call(port, SUBMIT, grpcFrame(submitBytes(), { flag: 1 }));
    expectStatus(r, INTERNAL, /compressed envelope, but do not know how to decompress/);
  });

  wire(
    'the compressed flag with grpc-encoding gzip over bytes that are not gzip is INVALID_ARGUMENT',
    async (port) => {
      const r = await h2Call(port, SUBMIT, grpcFrame(submitBytes(), { flag: 1 }), {
        headers: { 'grpc-encoding': 'gzip' },
      });
      expectStatus(r, INVALID_ARGUMENT, /decompression failed/);
    },
  );

  wire('a gzip bomb is RESOURCE_EXHAUSTED naming the limit after decompression', async (port) => {
    const bomb = gzipSync(new Uint8Array(10_000_000));
    assert.ok(bomb.length < LIMIT);
    const r = await h2Call(port, SUBMIT, grpcFrame(bomb, { flag: 1 }), {
      headers: { 'grpc-encoding': 'gzip' },
    });
    expectStatus(
      r,
      RESOURCE_EXHAUSTED,
      new RegExp(`larger than configured readMaxBytes ${LIMIT} after decompression`),
    );
  });

  wire('an unsupported grpc-encoding is UNIMPLEMENTED naming the supported ones', async (port) => {
    const r = await h2Call(port, SUBMIT, grpcFrame(submitBytes(), { flag: 1 }), {
      headers: { 'grpc-encoding': 'snappy' },
    });
    expectStatus(r, UNIMPLEMENTED, /unknown compression "snappy": supported encodings are gzip,br/);
  });

  for (const flag of [0x02, 0x80, 0x7e]) {
    // connect-es reads only the compression bit of the flag byte; gRPC reserves the other values. We keep its
    // leniency (grpc-go and grpc-java refuse them with INTERNAL): the message is still checked in full.
    wire(
      `flag byte 0x${flag.toString(16)} is served as uncompressed (reserved bits ignored)`,
      async (port) => {
        expectStatus(await h2Call(port, SUBMIT, grpcFrame(submitBytes(), { flag })), OK);
      },
    );
  }

  wire(
    `a frame over SPARK_MAX_MESSAGE_BYTES is RESOURCE_EXHAUSTED naming the limit ${LIMIT}`,
    async (port) => {
      const r = await h2Call(port, SUBMIT, grpcFrame(lenField(1, new Uint8Array(LIMIT + 1024))));
      expectStatus(
        r,
        RESOURCE_EXHAUSTED,
        new RegExp(`message size \\d+ is larger than configured readMaxBytes ${LIMIT}`),
      );
    },
  );

  wire('a length prefix of 2^31−1 is refused at once, before any body arrives', async (port) => {
    const t = performance.now();
    const r = await h2Call(port, SUBMIT, grpcFrame(new Uint8Array(10), { length: 0x7fffffff }));
    expectStatus(
      r,
      RESOURCE_EXHAUSTED,
      new RegExp(`message size 2147483647 is larger than configured readMaxBytes ${LIMIT}`),
    );
    assert.ok(performance.now() - t < 10_000);
  });

  wire('bytes that are not protobuf are refused with a parse error', async (port) => {
    const r = await h2Call(port, SUBMIT, grpcFrame(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff)));
    // INTERNAL, as connect-es and grpc-go answer a request they cannot unmarshal (JSON gets INVALID_ARGUMENT).
    expectStatus(r, INTERNAL, /^parse binary: /);
  });

  wire('field 1 (bytes) sent as a varint that reads as a length past the end: parse error', async (port) => {
    const r = await h2Call(port, SUBMIT, grpcFrame(Uint8Array.of(0x08, 0x05)));
    assert.ok([INVALID_ARGUMENT, INTERNAL].includes(grpcStatus(r).code ?? -1), JSON.stringify(grpcStatus(r)));
    assert.match(grpcStatus(r).message, /^parse binary: premature EOF/);
  });

  wire(
    'field 1 (bytes) sent as the varint 0 is read as empty data: INVALID_ARGUMENT naming data',
    async (port) => {
      const r = await h2Call(port, SUBMIT, grpcFrame(Uint8Array.of(0x08, 0x00)));
      expectStatus(r, INVALID_ARGUMENT, /^data: must not be empty/);
    },
  );

  wire(
    'field 2 (bytes) tagged as a varint but followed by a length and 32 bytes is read as the digest',
    async (port) => {
      // protobuf-es reads a known scalar field by its declared type whatever the wire type says.
      const good = submitBytes();
      const retagged = cat(varint(2 << 3), good.subarray(1));
      expectStatus(await h2Call(port, SUBMIT, grpcFrame(retagged)), OK);
    },
  );

  wire('field 4 (request_id, string) with invalid UTF-8 is refused', async (port) => {
    const r = await h2Call(
      port,
      SUBMIT,
      grpcFrame(cat(submitBytes(), lenField(4, Uint8Array.of(0xff, 0xfe)))),
    );
    const s = grpcStatus(r);
    assert.ok([INVALID_ARGUMENT, INTERNAL].includes(s.code ?? -1), JSON.stringify(s));
    assert.match(s.message, /request_id|UTF-8|utf-8|invalid/i);
  });

  wire('unknown fields are accepted and ignored (binary), like in JSON', async (port) => {
    const unknown = cat(
      submitBytes(),
      lenField(99, Uint8Array.of(1, 2, 3)),
      varint((100 << 3) | 0),
      varint(7),
    );
    const r = await h2Call(port, SUBMIT, grpcFrame(unknown));
    expectStatus(r, OK);
    assert.ok(r.body.length > 5, 'a receipt came back');
  });

  wire('content-type text/plain is HTTP 415 without a grpc-status', async (port) => {
    const r = await h2Call(port, SUBMIT, grpcFrame(submitBytes()), {
      headers: { 'content-type': 'text/plain' },
    });
    assert.equal(r.status, 415);
    assert.equal(grpcStatus(r).code, undefined);
  });

  wire('content-type application/grpc+foo (unknown codec) is HTTP 415', async (port) => {
    const r = await h2Call(port, SUBMIT, grpcFrame(submitBytes()), {
      headers: { 'content-type': 'application/grpc+foo' },
    });
    assert.equal(r.status, 415);
  });

  wire('no content-type at all is HTTP 415', async (port) => {
    const r = await h2Call(port, SUBMIT, grpcFrame(submitBytes()), { headers: { 'content-type': null } });
    assert.equal(r.status, 415);
  });

  wire(
    'content-type application/grpc+json with a binary body is INVALID_ARGUMENT: not JSON',
    async (port) => {
      const r = await h2Call(port, SUBMIT, grpcFrame(submitBytes()), {
        headers: { 'content-type': 'application/grpc+json' },
      });
      expectStatus(r, INVALID_ARGUMENT, /cannot decode message spark\.v1\.SubmitRequest from JSON/);
    },
  );

  wire('a request without te: trailers is served (the header is not required)', async (port) => {
    expectStatus(await h2Call(port, SUBMIT, grpcFrame(submitBytes()), { headers: { te: null } }), OK);
  });

  wire('GET instead of POST is HTTP 405', async (port) => {
    const r = await h2Call(port, SUBMIT, new Uint8Array(0), { headers: { ':method': 'GET' } });
    assert.equal(r.status, 405);
  });

  wire('an unknown method is HTTP 404 (clients read it as UNIMPLEMENTED)', async (port) => {
    const r = await h2Call(port, '/spark.v1.SparkProcessor/NoSuchMethod', grpcFrame(submitBytes()));
    assert.equal(r.status, 404);
  });

  wire('a malformed grpc-timeout is INVALID_ARGUMENT naming it', async (port) => {
    const r = await h2Call(port, SUBMIT, grpcFrame(submitBytes()), { headers: { 'grpc-timeout': 'abc' } });
    expectStatus(r, INVALID_ARGUMENT, /invalid grpc timeout value: abc/);
  });

  wire('no message for a unary method is UNIMPLEMENTED: missing input message', async (port) => {
    expectStatus(await h2Call(port, SUBMIT, new Uint8Array(0)), UNIMPLEMENTED, /missing input message/);
  });

  wire('two messages for a unary method are UNIMPLEMENTED: extra input message', async (port) => {
    const r = await h2Call(port, SUBMIT, cat(grpcFrame(submitBytes()), grpcFrame(submitBytes())));
    expectStatus(r, UNIMPLEMENTED, /extra input message/);
  });

  wire('100 KB of request metadata: the stream is refused (REFUSED_STREAM), not the server', async (port) => {
    const r = await h2Call(port, SUBMIT, grpcFrame(submitBytes()), {
      headers: { 'x-big': 'a'.repeat(100_000) },
    });
    assert.equal(r.status, undefined);
    assert.equal(r.rstCode, 7, `RST_STREAM REFUSED_STREAM, got ${r.rstCode}`);
  });

  wire('SubmitStream with a truncated second frame ends with INVALID_ARGUMENT', async (port) => {
    const r = await h2Call(
      port,
      STREAM,
      cat(grpcFrame(submitBytes()), grpcFrame(submitBytes(), { length: 999 })),
    );
    expectStatus(r, INVALID_ARGUMENT, /incomplete envelope/);
  });

  wire('SubmitStream with a second frame that is not protobuf ends with a parse error', async (port) => {
    const r = await h2Call(port, STREAM, cat(grpcFrame(submitBytes()), grpcFrame(Uint8Array.of(0xff, 0xff))));
    assert.ok([INVALID_ARGUMENT, INTERNAL].includes(grpcStatus(r).code ?? -1), JSON.stringify(grpcStatus(r)));
    assert.match(grpcStatus(r).message, /^parse binary: /);
  });

  wire('Verify with bundle bytes that are not a bundle is INVALID_ARGUMENT naming bundle', async (port) => {
    const r = await h2Call(port, VERIFY, grpcFrame(lenField(1, Uint8Array.of(1, 2, 3, 4, 5))));
    expectStatus(r, INVALID_ARGUMENT, /^bundle: not a spark\.v1\.ProofBundle/);
  });

  wire(
    'a stream reset (RST_STREAM CANCEL) in the middle of a message leaves the server serving',
    async (port) => {
      const half = grpcFrame(submitBytes(), { length: 200 });
      const r = await h2Call(port, SUBMIT, half, { resetAfter: 100 });
      assert.equal(r.rstCode, 8, 'the client cancelled');
    },
  );

  wire('100 streams reset mid-message on one connection leave the server serving', async (port) => {
    const http2 = await import('node:http2');
    const session = http2.connect(`http://127.0.0.1:${port}`);
    session.on('error', () => {});
    const closed: Promise<void>[] = [];
    for (let i = 0; i < 100; i++) {
      const req = session.request({
        ':method': 'POST',
        ':path': SUBMIT,
        'content-type': 'application/grpc',
        te: 'trailers',
      });
      req.on('error', () => {});
      req.on('data', () => {});
      closed.push(new Promise((resolve) => req.once('close', () => resolve())));
      req.write(grpcFrame(submitBytes(), { length: 500 }));
      req.close(http2.constants.NGHTTP2_CANCEL);
    }
    await Promise.race([Promise.all(closed), new Promise((r) => setTimeout(r, 15_000))]);
    session.destroy();
  });

  wire(
    'garbage after the HTTP/2 preface: GOAWAY PROTOCOL_ERROR and the connection is closed',
    async (port) => {
      const got = await rawTcp(port, cat(PREFACE, new Uint8Array(200).fill(0xee)));
      assert.ok(got.closedByServer, 'the server closed the connection');
      const goaway = h2Frames(got.bytes).find((f) => f.type === 0x7);
      assert.ok(goaway, `a GOAWAY frame among ${got.bytes.toString('hex')}`);
      assert.equal(goaway.payload.readUInt32BE(4), 1, 'error code PROTOCOL_ERROR');
    },
  );

  wire('a damaged HTTP/2 preface: GOAWAY with an error and the connection is closed', async (port) => {
    const bad = Buffer.from(PREFACE);
    bad[18] = 0x58; // "SM" → "XM"
    const got = await rawTcp(port, cat(bad, new Uint8Array(50)));
    assert.ok(got.closedByServer);
    const goaway = h2Frames(got.bytes).find((f) => f.type === 0x7);
    assert.ok(goaway, `a GOAWAY frame among ${got.bytes.toString('hex')}`);
    assert.notEqual(goaway.payload.readUInt32BE(4), 0, 'a non-zero error code');
  });

  wire(
    'bytes that are neither HTTP/2 nor HTTP/1.1: 400 Bad Request and the connection is closed',
    async (port) => {
      const got = await rawTcp(port, Buffer.from('\x00\x01garbage\r\n\r\n', 'latin1'));
      assert.ok(got.closedByServer);
      assert.match(got.bytes.toString('latin1'), /^HTTP\/1\.1 400 Bad Request\r\n/);
    },
  );

  wire('a client gone half-way through the preface leaves the server serving', async (port) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('error', () => {});
    await new Promise<void>((resolve) => s.once('connect', () => resolve()));
    s.end(PREFACE.subarray(0, 10));
    await new Promise((resolve) => setTimeout(resolve, 500));
    s.destroy();
  });

  wire(
    `a connection that sends half a preface and then nothing is closed within ${CONNECTION_SETUP_TIMEOUT_MS} ms`,
    async (port) => {
      const s = net.connect(port, '127.0.0.1');
      s.on('error', () => {});
      await new Promise<void>((resolve) => s.once('connect', () => resolve()));
      s.write(PREFACE.subarray(0, 10));
      s.resume(); // read what the server sends (its SETTINGS, then GOAWAY), else 'close' never comes
      const closed = await Promise.race([
        new Promise<boolean>((resolve) => s.once('close', () => resolve(true))),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 10_000)),
      ]);
      s.destroy();
      assert.ok(closed, 'still open after 10 s');
    },
  );

  wire(`a connection that sends nothing is closed within ${CONNECTION_SETUP_TIMEOUT_MS} ms`, async (port) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('error', () => {});
    s.resume();
    const t = performance.now();
    const closed = await Promise.race([
      new Promise<boolean>((resolve) => s.once('close', () => resolve(true))),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 10_000)),
    ]);
    s.destroy();
    assert.ok(closed, 'still open after 10 s');
    assert.ok(performance.now() - t >= CONNECTION_SETUP_TIMEOUT_MS - 100, 'not closed before the timeout');
  });
});
