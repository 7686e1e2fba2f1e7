// Many SubmitStreams sharing HTTP/2 connections, unary Submit callers beside them and Health.Check round trips on
// a streams' connection: the load of docs/PERFORMANCE.md §Many streams and overload, for the overload benchmark
// (bench/overload.ts) and the tests of fair sharing (test/e2e/many-streams.itest.ts). A bare node:http2 client with
// pre-encoded frames, so that the client costs little next to the server on the same cores. Every loop is bounded
// by a count or a deadline; every session is destroyed before the function returns.

import { randomFillSync } from 'node:crypto';
import http2 from 'node:http2';
import { create, toBinary } from '@bufbuild/protobuf';
import { SubmitRequestSchema } from '../src/gen/spark/v1/processor_pb.js';
import { frameMessages, GrpcMessageReader } from '../src/service/grpc-framing.ts';
import { percentile } from './stats.ts';

/** What to run. */
export interface StreamLoadOptions {
  /** host:port of the server. */
  readonly address: string;
  /** SubmitStream calls opened at the start. */
  readonly streams: number;
  /** HTTP/2 connections the streams are spread over (round robin); Health.Check uses the first. */
  readonly connections: number;
  /** Items each stream sends before ending its request; undefined: until `sendMs` has passed. */
  readonly itemsPerStream?: number | undefined;
  /** No item is sent after this long (ms from the start). */
  readonly sendMs: number;
  /** Callers looping unary Submit until `sendMs`, on a connection of their own; 0 for none. */
  readonly unaryCallers: number;
  /** A Health.Check on the first stream connection this often (ms), one at a time, while streams run; 0 for none. */
  readonly healthEveryMs: number;
  /** After sending stopped, how long streams and calls may take to finish before they are cancelled (ms). */
  readonly drainMs: number;
  /** Called every second with what has happened so far (progress lines). */
  readonly onSecond?: ((progress: StreamLoadProgress) => void) | undefined;
}

/** Counts so far, for progress lines. */
export interface StreamLoadProgress {
  readonly seconds: number;
  readonly answers: number;
  readonly streamsAnswered: number;
  readonly streamsDone: number;
  readonly unaryOk: number;
}

/** What happened. */
export interface StreamLoadResult {
  readonly streams: {
    readonly opened: number;
    /** Ended with grpc-status 0 and an answer for every item sent. */
    readonly complete: number;
    /** Refused or failed: count by "grpc-status message" (or the HTTP/2 reset code). */
    readonly failures: Readonly<Record<string, number>>;
    /** Streams that got no answer at all (refusals excluded). */
    readonly neverAnswered: number;
    readonly itemsSent: number;
    /** Answers received (receipts and item errors). */
    readonly answers: number;
    /** Answers that were item errors (e.g. pending store full), by message. */
    readonly itemErrors: number;
    /** The latest first answer of a stream, ms from the start. */
    readonly firstAnswerMaxMs: number;
    /** When the last stream ended, ms from the start. */
    readonly lastEndMs: number;
  };
  readonly unary: { readonly ok: number; readonly failed: number; readonly firstError: string | undefined };
  readonly health: {
    readonly calls: number;
    readonly failed: number;
    readonly p50Ms: number;
    readonly maxMs: number;
  };
  /** From the start to the end of the drain, ms. */
  readonly ms: number;
}

/** Items per write on a stream. */
const ITEMS_PER_WRITE = 64;
/** How long one Health.Check may take before it counts as failed. */
const HEALTH_TIMEOUT_MS = 10_000;
/** The client's own session memory limit, MB: the client must not be what refuses streams. */
const CLIENT_SESSION_MEMORY_MB = 256;

/** A SubmitRequest with a digest, encoded once; `frames` copies it with fresh random digests. */
function requestTemplate(): { bytes: Uint8Array; digestAt: number } {
  const marker = new Uint8Array(32).fill(0xa5);
  const bytes = toBinary(
    SubmitRequestSchema,
    create(SubmitRequestSchema, { payload: { case: 'digest', value: marker } }),
  );
  for (let at = 0; at + 32 <= bytes.length; at++) {
    if (bytes.subarray(at, at + 32).every((b) => b === 0xa5)) return { bytes, digestAt: at };
  }
  throw new Error('digest not found in the encoded request');
}

const TEMPLATE = requestTemplate();

/** `count` framed SubmitRequests with fresh random digests, as one buffer. */
export function submitFrames(count: number): Buffer {
  const messages: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const m = Uint8Array.from(TEMPLATE.bytes);
    randomFillSync(m, TEMPLATE.digestAt, 32);
    messages.push(m);
  }
  return frameMessages(messages);
}

/** The gRPC status of a finished call: trailers, or the headers of a trailers-only answer. */
function statusOf(headers: http2.IncomingHttpHeaders, trailers: http2.IncomingHttpHeaders): string {
  const status = trailers['grpc-status'] ?? headers['grpc-status'];
  const message = trailers['grpc-message'] ?? headers['grpc-message'];
  const text = message === undefined ? '' : decodeURIComponent(String(message));
  return status === undefined ? 'no grpc-status' : `${status} ${text}`.trim();
}

function request(session: http2.ClientHttp2Session, path: string): http2.ClientHttp2Stream {
  return session.request({
    ':method': 'POST',
    ':path': path,
    'content-type': 'application/grpc',
    te: 'trailers',
  });
}

/** One gRPC call's outcome; resolves when the stream closed. `onStatus` is told when the status arrives. */
function finished(req: http2.ClientHttp2Stream, onStatus?: () => void): Promise<string> {
  let headers: http2.IncomingHttpHeaders = {};
  let trailers: http2.IncomingHttpHeaders = {};
  req.once('response', (h) => {
    headers = h;
    if (h['grpc-status'] !== undefined) onStatus?.();
  });
  req.once('trailers', (t) => {
    trailers = t;
    onStatus?.();
  });
  req.on('error', () => undefined);
  return new Promise((resolve) =>
    req.once('close', () => {
      const status = statusOf(headers, trailers);
      resolve(status === 'no grpc-status' && req.rstCode !== 0 ? `reset ${req.rstCode}` : status);
    }),
  );
}

/** Runs the load; resolves once every call ended or was cancelled at the drain deadline. */
export async function runStreamLoad(o: StreamLoadOptions): Promise<StreamLoadResult> {
  const url = `http://${o.address}`;
  const connect = () => {
    const s = http2.connect(url, { maxSessionMemory: CLIENT_SESSION_MEMORY_MB });
    s.on('error', () => undefined);
    return s;
  };
  const sessions = Array.from({ length: Math.max(1, o.connections) }, connect);
  const unarySession = o.unaryCallers > 0 ? connect() : undefined;
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  const sendUntil = started + o.sendMs;
  const sending = () => performance.now() < sendUntil;
  const failures = new Map<string, number>();
  const fail = (why: string) => failures.set(why, (failures.get(why) ?? 0) + 1);
  let itemsSent = 0;
  let answers = 0;
  let itemErrors = 0;
  let streamsAnswered = 0;
  let streamsDone = 0;
  let complete = 0;
  let neverAnswered = 0;
  let firstAnswerMaxMs = 0;
  let lastEndMs = 0;
  const open = new Set<http2.ClientHttp2Stream>();

  const runStream = async (index: number): Promise<void> => {
    const session = sessions[index % sessions.length] as http2.ClientHttp2Session;
    const req = request(session, '/spark.v1.SparkProcessor/SubmitStream');
    open.add(req);
    const reader = new GrpcMessageReader(1 << 24);
    let mine = 0;
    let sent = 0;
    req.on('data', (chunk: Buffer) => {
      for (const m of reader.push(chunk)) {
        if (isItemError(m)) itemErrors++;
        if (mine++ === 0) {
          streamsAnswered++;
          firstAnswerMaxMs = Math.max(firstAnswerMaxMs, elapsed());
        }
        answers++;
      }
    });
    // A client stops sending once the call has its status (e.g. the stream was refused).
    let answered = false;
    const outcome = finished(req, () => {
      answered = true;
    });
    const closed = outcome.then(() => undefined);
    const limit = o.itemsPerStream ?? Number.POSITIVE_INFINITY;
    while (sent < limit && sending() && !answered && !req.closed && !req.destroyed) {
      const n = Math.min(ITEMS_PER_WRITE, limit - sent);
      const ok = req.write(submitFrames(n));
      sent += n;
      itemsSent += n;
      if (!ok) await Promise.race([new Promise((r) => req.once('drain', r)), closed, deadline(sendUntil)]);
    }
    if (!req.closed && !req.destroyed) req.end();
    const status = await outcome;
    open.delete(req);
    streamsDone++;
    lastEndMs = Math.max(lastEndMs, elapsed());
    if (status === '0' && mine === sent) complete++;
    else fail(status === '0' ? `0 with ${mine} answers for ${sent} items` : status);
    // A stream refused at admission (RESOURCE_EXHAUSTED) is counted there, not as starved.
    if (mine === 0 && sent > 0 && !status.startsWith('8 ')) neverAnswered++;
  };

  let unaryOk = 0;
  let unaryFailed = 0;
  let unaryFirstError: string | undefined;
  const runCaller = async (): Promise<void> => {
    if (unarySession === undefined) return;
    while (sending()) {
      const req = request(unarySession, '/spark.v1.SparkProcessor/Submit');
      open.add(req);
      req.resume();
      const outcome = finished(req);
      req.end(submitFrames(1));
      const status = await outcome;
      open.delete(req);
      if (status === '0') unaryOk++;
      else {
        unaryFailed++;
        unaryFirstError ??= status;
      }
    }
  };

  const healthTimes: number[] = [];
  let healthFailed = 0;
  const runHealth = async (): Promise<void> => {
    if (o.healthEveryMs <= 0) return;
    const session = sessions[0] as http2.ClientHttp2Session;
    while (sending() && streamsDone < o.streams) {
      const t = performance.now();
      const req = request(session, '/grpc.health.v1.Health/Check');
      open.add(req);
      req.resume();
      const outcome = finished(req);
      req.end(frameMessages([new Uint8Array(0)]));
      const status = await Promise.race([outcome, deadline(t + HEALTH_TIMEOUT_MS).then(() => 'timeout')]);
      open.delete(req);
      if (status === '0') healthTimes.push(performance.now() - t);
      else {
        healthFailed++;
        if (!req.closed) req.close(http2.constants.NGHTTP2_CANCEL);
      }
      await deadline(Math.min(sendUntil, t + o.healthEveryMs));
    }
  };

  const ticker = setInterval(
    () => o.onSecond?.({ seconds: elapsed() / 1000, answers, streamsAnswered, streamsDone, unaryOk }),
    1000,
  );
  try {
    const all = Promise.all([
      ...Array.from({ length: o.streams }, (_, i) => runStream(i)),
      ...Array.from({ length: o.unaryCallers }, runCaller),
      runHealth(),
    ]);
    const ended = await Promise.race([
      all.then(() => true),
      deadline(sendUntil + o.drainMs).then(() => false),
    ]);
    if (!ended) {
      // Whatever is still open at the drain deadline is cancelled; its outcome is counted as it closes.
      for (const req of open) if (!req.closed) req.close(http2.constants.NGHTTP2_CANCEL);
      await Promise.race([all, deadline(performance.now() + 5_000)]);
    }
  } finally {
    clearInterval(ticker);
    for (const s of sessions) s.destroy();
    unarySession?.destroy();
  }
  return {
    streams: {
      opened: o.streams,
      complete,
      failures: Object.fromEntries(failures),
      neverAnswered,
      itemsSent,
      answers,
      itemErrors,
      firstAnswerMaxMs,
      lastEndMs,
    },
    unary: { ok: unaryOk, failed: unaryFailed, firstError: unaryFirstError },
    health: {
      calls: healthTimes.length + healthFailed,
      failed: healthFailed,
      p50Ms: percentile(healthTimes, 50),
      maxMs: healthTimes.length === 0 ? Number.NaN : Math.max(...healthTimes),
    },
    ms: elapsed(),
  };
}

/** Resolves at `at` (a performance.now() time); at once when it has passed. */
function deadline(at: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, at - performance.now())).unref());
}

/** Whether an encoded SubmitStreamResponse carries an item error (field 3) rather than a receipt (field 2). */
function isItemError(m: Uint8Array): boolean {
  let at = 0;
  while (at < m.length) {
    const tag = m[at++] as number;
    const field = tag >> 3;
    const wire = tag & 7;
    if (field === 3) return true;
    if (wire === 0) {
      while (at < m.length && ((m[at++] as number) & 0x80) !== 0);
    } else if (wire === 2) {
      let length = 0;
      let shift = 0;
      let byte: number;
      do {
        byte = m[at++] as number;
        length += (byte & 0x7f) * 2 ** shift;
        shift += 7;
      } while ((byte & 0x80) !== 0 && at < m.length);
      at += length;
    } else return false;
  }
  return false;
}
