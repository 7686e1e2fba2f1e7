// GrpcMessageReader taking bytes in before their messages are wanted: the SubmitStream fast path keeps a held
// stream's bytes undecoded. Messages, limits and errors are those of reading everything at once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Code, ConnectError } from '@connectrpc/connect';
import { frameMessages, GrpcMessageReader } from '../../src/service/grpc-framing.ts';

const bytes = (...xs: number[]) => Buffer.from(xs);

function errorOf(f: () => unknown): ConnectError {
  try {
    f();
  } catch (e) {
    return ConnectError.from(e);
  }
  assert.fail('expected an error');
}

test('append keeps bytes; next hands out one whole message at a time, across chunk boundaries', () => {
  const framed = frameMessages([bytes(1, 2, 3), bytes(), bytes(4)]);
  const reader = new GrpcMessageReader(1024);
  reader.append(framed.subarray(0, 3));
  assert.equal(reader.hasMessage, false);
  assert.equal(reader.next(), undefined);
  reader.append(framed.subarray(3, 9));
  assert.equal(reader.hasMessage, true);
  assert.deepEqual(reader.next(), bytes(1, 2, 3));
  reader.append(framed.subarray(9));
  assert.equal(reader.buffered, framed.length - 8);
  assert.deepEqual(reader.next(), bytes());
  assert.deepEqual(reader.next(), bytes(4));
  assert.equal(reader.next(), undefined);
  assert.equal(reader.buffered, 0);
  reader.end();
});

test('compact copies what is held: the received chunks are no longer referenced', () => {
  const big = Buffer.alloc(65_536);
  frameMessages([bytes(7, 7)]).copy(big, 100);
  const reader = new GrpcMessageReader(1024);
  reader.append(big.subarray(100, 107));
  reader.compact();
  big.fill(0);
  assert.deepEqual(reader.next(), bytes(7, 7));
});

test('a declared size over the limit is refused as soon as that message is next', () => {
  const first = new GrpcMessageReader(10);
  const err = errorOf(() => first.append(Buffer.from([0, 0, 0, 0, 11])));
  assert.equal(err.code, Code.ResourceExhausted);
  assert.equal(err.rawMessage, 'message size 11 is larger than configured readMaxBytes 10');
  const behind = new GrpcMessageReader(10);
  behind.append(Buffer.concat([frameMessages([bytes(1)]), Buffer.from([0, 0, 0, 0, 11])]));
  assert.deepEqual(behind.next(), bytes(1));
  assert.equal(errorOf(() => behind.hasMessage).code, Code.ResourceExhausted);
});

test('at the end, held bytes must be whole messages within the limit', () => {
  const held = new GrpcMessageReader(10);
  held.append(frameMessages([bytes(1), bytes(2)]));
  held.end();
  const partial = new GrpcMessageReader(10);
  partial.append(frameMessages([bytes(1), bytes(2, 3)]).subarray(0, 9));
  const incomplete = errorOf(() => partial.end());
  assert.equal(incomplete.code, Code.InvalidArgument);
  assert.equal(incomplete.rawMessage, 'protocol error: incomplete envelope');
  const over = new GrpcMessageReader(10);
  over.append(Buffer.concat([frameMessages([bytes(1)]), Buffer.from([0, 0, 0, 0, 20, 1])]));
  assert.equal(errorOf(() => over.end()).code, Code.ResourceExhausted);
});

test('a compressed flag is refused when its message is taken, as connect-es does', () => {
  const reader = new GrpcMessageReader(10);
  reader.append(Buffer.from([1, 0, 0, 0, 1, 9]));
  const err = errorOf(() => reader.next());
  assert.equal(err.code, Code.Internal);
  assert.equal(err.rawMessage, 'received compressed envelope, but do not know how to decompress');
});
