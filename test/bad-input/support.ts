// Shared helpers of the bad-input suite (SPEC §11): the seeded mutator, gRPC frames, raw HTTP/2 and HTTP/1.1
// calls with bounded time, and the "still serving" probe every wire case ends with.
import assert from 'node:assert/strict';
import http from 'node:http';
import http2 from 'node:http2';
import { createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { Health } from '../../src/gen/grpc/health/v1/health_pb.js';
import { SparkProcessor } from '../../src/gen/spark/v1/processor_pb.js';
import { createPrng, type Prng } from '../merkle/prng.ts';

export { createPrng, type Prng };

/** The seed of every fuzz loop: fixed, printed, and overridable with SPARK_FUZZ_SEED to replay another run. */
export function fuzzSeed(fallback: number): number {
  const raw = process.env['SPARK_FUZZ_SEED'];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n)) throw new Error(`SPARK_FUZZ_SEED "${raw}" is not an integer`);
  return n >>> 0;
}

/** A protobuf varint. */
export function varint(value: bigint | number): Uint8Array {
  let v = BigInt(value);
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return Uint8Array.from(out);
}

/** Concatenates byte arrays. */
export function cat(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A length-delimited protobuf field. */
export function lenField(fieldNo: number, value: Uint8Array): Uint8Array {
  return cat(varint((fieldNo << 3) | 2), varint(value.length), value);
}

/** One mutated input and how it was made (for the report of the slowest or a failing input). */
export interface Mutation {
  readonly bytes: Uint8Array;
  readonly how: string;
}

/** Varints no sane decoder should take at face value: 2^64−1, overlong (11 bytes), 2^35, 2^31. */
const HUGE_VARINTS: readonly Uint8Array[] = [
  Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01),
  Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00),
  Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x01),
  Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x08),
];

/**
 * Mutates `seed` one way, chosen by `prng`: bit flips, overwritten bytes, insertions, deletions, truncation,
 * a splice with another input of `pool`, random bytes of a random length, a huge varint (as a length or a
 * value), a duplicated range, a repeated small field (many records), or deeply nested groups.
 * Deterministic for a given PRNG state.
 */
export function mutate(prng: Prng, seed: Uint8Array, pool: readonly Uint8Array[]): Mutation {
  const at = (n: number) => prng.below(n + 1);
  const b = seed.slice();
  switch (prng.below(12)) {
    case 0: {
      const i = prng.below(b.length);
      b[i] = (b[i] ?? 0) ^ (1 << prng.below(8));
      return { bytes: b, how: `bit flip at ${i}` };
    }
    case 1: {
      const n = 2 + prng.below(15);
      for (let k = 0; k < n; k++) {
        const i = prng.below(b.length);
        b[i] = (b[i] ?? 0) ^ (1 << prng.below(8));
      }
      return { bytes: b, how: `${n} bit flips` };
    }
    case 2: {
      const i = prng.below(b.length);
      const n = 1 + prng.below(8);
      b.set(prng.bytes(Math.min(n, b.length - i)), i);
      return { bytes: b, how: `${n} bytes overwritten at ${i}` };
    }
    case 3: {
      const i = at(b.length);
      const n = 1 + prng.below(32);
      return {
        bytes: cat(b.subarray(0, i), prng.bytes(n), b.subarray(i)),
        how: `${n} bytes inserted at ${i}`,
      };
    }
    case 4: {
      const i = prng.below(b.length);
      const n = 1 + prng.below(64);
      return { bytes: cat(b.subarray(0, i), b.subarray(i + n)), how: `${n} bytes deleted at ${i}` };
    }
    case 5: {
      const n = prng.below(b.length);
      return { bytes: b.slice(0, n), how: `truncated to ${n}` };
    }
    case 6: {
      const other = pool[prng.below(pool.length)] ?? seed;
      const i = at(b.length);
      const j = at(other.length);
      return { bytes: cat(b.subarray(0, i), other.subarray(j)), how: `splice ${i} + other from ${j}` };
    }
    case 7: {
      const n = prng.below(4096);
      return { bytes: prng.bytes(n), how: `${n} random bytes` };
    }
    case 8: {
      const v = HUGE_VARINTS[prng.below(HUGE_VARINTS.length)] as Uint8Array;
      const i = at(b.length);
      // Either as the length of a known length-delimited field (1..11) or bare at a random offset.
      const asLength = prng.below(2) === 0;
      const piece = asLength ? cat(varint(((1 + prng.below(11)) << 3) | 2), v) : v;
      return {
        bytes: cat(b.subarray(0, i), piece, b.subarray(i)),
        how: `huge varint${asLength ? ' as a length' : ''} at ${i}`,
      };
    }
    case 9: {
      const i = prng.below(b.length);
      const n = 1 + prng.below(Math.min(512, b.length - i));
      const times = 1 + prng.below(8);
      const copies = Array.from({ length: times }, () => b.subarray(i, i + n));
      return {
        bytes: cat(b.subarray(0, i + n), ...copies, b.subarray(i + n)),
        how: `${n} bytes at ${i} repeated ${times}×`,
      };
    }
    case 10: {
      // Many small repeated records with distinct ids (fields 6 signatures, 7 keys, 2 of each: key_id).
      const field = prng.below(2) === 0 ? 6 : 7;
      const n = 1 + prng.below(3000);
      const parts: Uint8Array[] = [b];
      for (let k = 0; k < n; k++) {
        parts.push(lenField(field, lenField(2, Uint8Array.of(k >> 16, (k >> 8) & 0xff, k & 0xff))));
      }
      return { bytes: cat(...parts), how: `${n} extra records in field ${field}` };
    }
    default: {
      // Unknown field 100 as nested start groups: a decoder must bound its recursion.
      const depth = 1 + prng.below(20_000);
      const open = varint((100 << 3) | 3);
      const close = varint((100 << 3) | 4);
      const parts: Uint8Array[] = [b];
      for (let k = 0; k < depth; k++) parts.push(open);
      if (prng.below(2) === 0) for (let k = 0; k < depth; k++) parts.push(close);
      return { bytes: cat(...parts), how: `${depth} nested groups` };
    }
  }
}

/** True when `bytes` equals one of `set`. */
export function oneOf(bytes: Uint8Array, set: readonly Uint8Array[]): boolean {
  return set.some((s) => Buffer.from(s).equals(Buffer.from(bytes)));
}

/** Tracks the slowest input of a loop. */
export class Slowest {
  ms = 0;
  how = '';
  note(ms: number, how: string): void {
    if (ms > this.ms) {
      this.ms = ms;
      this.how = how;
    }
  }
  toString(): string {
    return `${this.ms.toFixed(1)} ms (${this.how})`;
  }
}

/** A gRPC length-prefixed message: flag byte, 4-byte big-endian length (overridable), payload. */
export function grpcFrame(message: Uint8Array, o: { flag?: number; length?: number } = {}): Uint8Array {
  const head = new Uint8Array(5);
  head[0] = o.flag ?? 0;
  new DataView(head.buffer).setUint32(1, (o.length ?? message.length) >>> 0);
  return cat(head, message);
}

/** What a raw call saw. */
export interface RawResponse {
  /** HTTP status, undefined when the stream was reset before any headers. */
  readonly status: number | undefined;
  readonly headers: Record<string, string>;
  readonly trailers: Record<string, string>;
  readonly body: Buffer;
  /** The stream's RST_STREAM code (0 for a clean end). */
  readonly rstCode: number | undefined;
  readonly error: string | undefined;
}

/** grpc-status and grpc-message of a response: from the trailers, or the headers of a trailers-only one. */
export function grpcStatus(r: RawResponse): { code: number | undefined; message: string } {
  const raw = r.trailers['grpc-status'] ?? r.headers['grpc-status'];
  const msg = r.trailers['grpc-message'] ?? r.headers['grpc-message'] ?? '';
  let message = msg;
  try {
    message = decodeURIComponent(msg);
  } catch {
    // not percent-encoded: as is
  }
  return { code: raw === undefined ? undefined : Number(raw), message };
}

function flat(h: http2.IncomingHttpHeaders | http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h))
    if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : String(v);
  return out;
}

/**
 * One HTTP/2 request on a fresh connection. `headers` override the gRPC defaults (a value of null drops the
 * header). With `resetAfter`, the body is written but not ended and the stream is reset (RST_STREAM CANCEL)
 * after that many ms. Gives up after `timeoutMs` (the result then says so).
 */
export async function h2Call(
  port: number,
  path: string,
  body: Uint8Array,
  o: { headers?: Record<string, string | null>; resetAfter?: number; timeoutMs?: number } = {},
): Promise<RawResponse> {
  const session = http2.connect(`http://127.0.0.1:${port}`);
  session.on('error', () => {});
  const headers: Record<string, string> = {
    ':method': 'POST',
    ':path': path,
    'content-type': 'application/grpc',
    te: 'trailers',
  };
  for (const [k, v] of Object.entries(o.headers ?? {})) {
    if (v === null) delete headers[k];
    else headers[k] = v;
  }
  let status: number | undefined;
  let resHeaders: Record<string, string> = {};
  let trailers: Record<string, string> = {};
  const chunks: Buffer[] = [];
  let error: string | undefined;
  const req = session.request(headers, { endStream: false });
  req.on('response', (h) => {
    status = Number(h[':status']);
    resHeaders = flat(h);
  });
  req.on('trailers', (t) => {
    trailers = flat(t);
  });
  req.on('data', (d: Buffer) => chunks.push(d));
  req.on('error', (e) => {
    error = e.message;
  });
  const closed = new Promise<void>((resolve) => req.once('close', () => resolve()));
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), o.timeoutMs ?? 15_000);
  });
  if (o.resetAfter !== undefined) {
    req.write(body);
    setTimeout(() => req.close(http2.constants.NGHTTP2_CANCEL), o.resetAfter);
  } else {
    req.end(body);
  }
  const outcome = await Promise.race([closed, timedOut]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    error = 'timed out';
    req.close(http2.constants.NGHTTP2_CANCEL);
  }
  session.destroy();
  return { status, headers: resHeaders, trailers, body: Buffer.concat(chunks), rstCode: req.rstCode, error };
}

/** One HTTP/1.1 POST on a fresh connection, bounded by `timeoutMs`. */
export function h1Post(
  port: number,
  path: string,
  body: Uint8Array | string,
  headers: Record<string, string>,
  timeoutMs = 15_000,
): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: 'POST', path, headers, agent: false, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: flat(res.headers), body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

let probeCounter = 0;

/** Asserts the server on `port` still answers a health check and a Submit (a fresh digest each time). */
export async function assertServing(port: number): Promise<void> {
  const transport = createGrpcTransport({ baseUrl: `http://127.0.0.1:${port}` });
  const health = createClient(Health, transport);
  const client = createClient(SparkProcessor, transport);
  const signal = AbortSignal.timeout(15_000);
  const h = await health.check({ service: '' }, { signal });
  assert.equal(h.status, 1, 'health answers SERVING');
  probeCounter++;
  const digest = new Uint8Array(32).fill(0xa0);
  new DataView(digest.buffer).setUint32(0, probeCounter);
  new DataView(digest.buffer).setUint32(4, process.pid);
  const res = await client.submit({ payload: { case: 'digest', value: digest } }, { signal });
  assert.equal(res.receipt?.leafHash.length, 32, 'Submit still gives a receipt');
}
