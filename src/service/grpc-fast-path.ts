// A lean gRPC server path for the ingest RPCs whose gain an external load generator confirms (unary Submit 3.3×,
// SubmitStream) in binary gRPC without compression, straight on node:http2 streams: connect-node's per-message
// async iterables, envelopes and error objects bounded ingest well below what the store takes. SubmitBatch gained
// 1.1× under h2load, so it stays with connect-node, as does everything else (gRPC-Web, Connect, JSON, compressed
// requests, other methods): docs/PERFORMANCE.md §The gRPC fast path under h2load. The RPCs themselves are the same functions connect serves
// (createIngestHandlers); authorization is the same decision (Authorization.admit); framing errors, statuses and
// trailers are the ones connect-es gives. docs/operations.md §gRPC fast path.
import { constants, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import { type DescMessage, fromBinary, type MessageShape, toBinary } from '@bufbuild/protobuf';
import { Code, ConnectError } from '@connectrpc/connect';
import { parseTimeout } from '@connectrpc/connect/protocol-grpc';
import {
  SparkProcessor,
  type SubmitRequest,
  SubmitRequestSchema,
  SubmitResponseSchema,
  SubmitStreamResponseSchema,
} from '../gen/spark/v1/processor_pb.js';
import type { Logger } from '../log/logger.ts';
import { type Authorization, CONNECTION, type Connection, type Identity } from './authorization.ts';
import { frameMessages, GrpcMessageReader } from './grpc-framing.ts';
import { grpcTrailers } from './grpc-trailers.ts';
import type { OutboundGate, StreamOutbound } from './outbound-gate.ts';
import { type Caller, callerOf, type IngestHandlers } from './processor-service.ts';
import { ITEMS_PER_TURN, type StreamShare } from './submit-stream.ts';

/** Settings. */
export interface GrpcFastPathOptions {
  readonly ingest: IngestHandlers;
  /** Largest accepted message (the server's readMaxBytes). */
  readonly readMaxBytes: number;
  /** undefined: every call is let through, as the connect path does without it. */
  readonly authorization: Authorization | undefined;
  readonly log: Logger;
  /** Response bytes queued per connection (the server's gate, shared with connect's responses). */
  readonly outbound: OutboundGate;
}

/** The fast path. */
export interface GrpcFastPath {
  /** Serves `stream` when it is one of its calls and returns true; false leaves it to connect-node untouched. */
  handle(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): boolean;
}

const SERVICE = SparkProcessor.typeName;
const RPCS: ReadonlyMap<string, 'Submit' | 'SubmitStream'> = new Map([
  [`/${SERVICE}/Submit`, 'Submit'],
  [`/${SERVICE}/SubmitStream`, 'SubmitStream'],
] as const);

/** The response headers connect-node sends for binary gRPC. */
const RESPONSE_HEADERS = { ':status': 200, 'content-type': 'application/grpc+proto' } as const;

const { NGHTTP2_INTERNAL_ERROR } = constants;

/** setTimeout's largest delay; a longer deadline (up to 99,999,999 hours can be asked) is as good as none. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Faults of the server (not of the client), logged with their cause as connect's logFaults interceptor does. */
const FAULT_CODES: ReadonlySet<Code> = new Set([Code.Internal, Code.Unknown, Code.DataLoss]);

/** Decodes a request message as connect-es does (a copy, so no request chunk stays referenced). */
function parse<D extends DescMessage>(schema: D, bytes: Uint8Array): MessageShape<D> {
  try {
    return fromBinary(schema, bytes.slice());
  } catch (e) {
    throw new ConnectError(`parse binary: ${e instanceof Error ? e.message : String(e)}`, Code.Internal);
  }
}

/** Encodes a response message as connect-es does. */
function serialize<D extends DescMessage>(schema: D, message: MessageShape<D>): Uint8Array {
  try {
    return toBinary(schema, message);
  } catch (e) {
    throw new ConnectError(`serialize binary: ${e instanceof Error ? e.message : String(e)}`, Code.Internal);
  }
}

/** The value of a request header as connect sees it (several values joined). */
function headerValue(v: string | string[] | undefined): string | null {
  if (v === undefined) return null;
  return Array.isArray(v) ? v.join(', ') : v;
}

/** Whether the request is binary gRPC without compression (anything else is connect's). */
function isPlainBinaryGrpc(headers: IncomingHttpHeaders): boolean {
  const type = headers['content-type']?.toLowerCase();
  if (type !== 'application/grpc' && type !== 'application/grpc+proto') return false;
  const encoding = headers['grpc-encoding'];
  return encoding === undefined || encoding === 'identity';
}

/** One call's response side: headers once, messages, and trailers exactly once. */
class Call {
  readonly stream: ServerHttp2Stream;
  /** Its writes, counted against its connection's queued response bytes. */
  readonly outbound: StreamOutbound;
  finished = false;
  #timer: NodeJS.Timeout | undefined;
  #onEnd: Array<() => void> = [];

  constructor(stream: ServerHttp2Stream, timeoutMs: number | undefined, gate: OutboundGate) {
    this.stream = stream;
    this.outbound = gate.stream(stream.session ?? stream, stream);
    // A reset or a lost connection: the work already handed over completes, its results are dropped.
    stream.on('error', () => undefined);
    stream.once('close', () => this.#end());
    if (timeoutMs !== undefined && timeoutMs <= MAX_TIMER_MS) {
      this.#timer = setTimeout(
        () => this.finish(new ConnectError('the operation timed out', Code.DeadlineExceeded)),
        timeoutMs,
      );
    }
  }

  /** Runs `f` when the call ends (finished or closed), once. */
  onEnd(f: () => void): void {
    if (this.finished) f();
    else this.#onEnd.push(f);
  }

  get writable(): boolean {
    return !this.finished && !this.stream.destroyed && !this.stream.closed;
  }

  /** Writes framed messages; false when the stream asks to wait for 'drain'. */
  write(messages: readonly Uint8Array[]): boolean {
    try {
      this.#respond();
      const frames = frameMessages(messages);
      return this.stream.write(frames, this.outbound.wrote(frames.length));
    } catch {
      // The stream went away between the check and the write (a reset, a lost connection): nothing to answer.
      this.#gone();
      return true;
    }
  }

  /** Ends the call with `error`, or OK. */
  finish(error?: ConnectError): void {
    if (this.finished) return;
    const open = !this.stream.destroyed && !this.stream.closed;
    this.#end();
    if (!open) return;
    try {
      this.#respond();
      this.stream.once('wantTrailers', () => {
        try {
          this.stream.sendTrailers(grpcTrailers(error));
        } catch {
          this.#gone();
        }
      });
      this.stream.end();
      // What the client still sends is read and dropped, so flow control never holds the stream open.
      this.stream.resume();
    } catch {
      this.#gone();
    }
  }

  /** A stream that cannot be written any more is closed with INTERNAL_ERROR (never a crash). */
  #gone(): void {
    this.#end();
    if (!this.stream.destroyed) this.stream.close(NGHTTP2_INTERNAL_ERROR);
  }

  #respond(): void {
    if (!this.stream.headersSent) this.stream.respond(RESPONSE_HEADERS, { waitForTrailers: true });
  }

  #end(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    for (const f of this.#onEnd.splice(0)) f();
  }
}

/** Creates the fast path. */
export function createGrpcFastPath(o: GrpcFastPathOptions): GrpcFastPath {
  const auth = o.authorization;

  const connectionOf = (stream: ServerHttp2Stream): Connection =>
    // Without authorization, connect's calls carry CONNECTION's default value: kept identical.
    auth === undefined ? CONNECTION.defaultValue : auth.connectionOf(stream.session?.socket);

  /** Admits the call (throws UNAUTHENTICATED / PERMISSION_DENIED), as connect's interceptor does. */
  const admit = (
    method: string,
    headers: IncomingHttpHeaders,
    connection: Connection,
  ): Identity | undefined => auth?.admit(SERVICE, method, headerValue(headers.authorization), connection);

  const fail = (call: Call, method: string, err: unknown): void => {
    const ce = ConnectError.from(err);
    if (FAULT_CODES.has(ce.code)) o.log.error({ err: ce.cause ?? ce, method }, 'request failed');
    call.finish(ce);
  };

  /** Submit: one request message, one response message. */
  const serveUnary = <I extends DescMessage, R>(
    call: Call,
    method: string,
    headers: IncomingHttpHeaders,
    timeoutError: ConnectError | undefined,
    requestSchema: I,
    run: (req: MessageShape<I>, caller: Caller) => Promise<R>,
    encode: (res: R) => Uint8Array,
  ): void => {
    const stream = call.stream;
    if (timeoutError !== undefined) {
      call.finish(timeoutError);
      return;
    }
    const reader = new GrpcMessageReader(o.readMaxBytes);
    let request: MessageShape<I> | undefined;
    stream.on('data', (chunk: Buffer) => {
      if (call.finished) return;
      try {
        for (const bytes of reader.push(chunk)) {
          const parsed = parse(requestSchema, bytes);
          if (request !== undefined) {
            throw new ConnectError(
              'protocol error: received extra input message for unary method',
              Code.Unimplemented,
            );
          }
          request = parsed;
        }
      } catch (err) {
        call.finish(ConnectError.from(err));
      }
    });
    stream.once('end', () => {
      if (call.finished) return;
      let req: MessageShape<I>;
      let caller: Caller;
      try {
        reader.end();
        if (request === undefined) {
          throw new ConnectError(
            'protocol error: missing input message for unary method',
            Code.Unimplemented,
          );
        }
        req = request;
        // As in connect, a unary call is admitted once its message is read.
        const connection = connectionOf(stream);
        caller = callerOf(admit(method, headers, connection), connection);
      } catch (err) {
        call.finish(ConnectError.from(err));
        return;
      }
      run(req, caller).then(
        (res) => {
          if (!call.writable) return;
          try {
            call.write([encode(res)]);
            call.finish();
          } catch (err) {
            fail(call, method, err);
          }
        },
        (err: unknown) => fail(call, method, err),
      );
    });
  };

  /**
   * SubmitStream: items pipelined through ingest, answers in request order, several per write. A stream may have
   * its share of the server's item budget in flight; past it, its bytes stay undecoded and it stops reading, so
   * HTTP/2 flow control holds its client back. Answers are written within the connection's outbound room.
   */
  const serveStream = (
    call: Call,
    headers: IncomingHttpHeaders,
    timeoutError: ConnectError | undefined,
  ): void => {
    const stream = call.stream;
    let client: Caller;
    let share: StreamShare;
    try {
      const connection = connectionOf(stream);
      client = callerOf(admit('SubmitStream', headers, connection), connection);
      share = o.ingest.enterStream(stream.session);
      call.onEnd(share.leave);
      if (timeoutError !== undefined) throw timeoutError;
    } catch (err) {
      call.finish(ConnectError.from(err));
      return;
    }
    const reader = new GrpcMessageReader(o.readMaxBytes);
    /** Items started, in request order; `bytes` is set once the item's answer is there. */
    const slots: Array<{ bytes: Uint8Array | undefined }> = [];
    let index = 0;
    let inputEnded = false;
    let writeBlocked = false;

    let turnScheduled = false;
    const nextTurn = (): void => {
      turnScheduled = false;
      start();
    };
    /** Starts held items while the share allows, ITEMS_PER_TURN a turn so other calls are not held up. */
    const start = (): void => {
      if (call.finished) return;
      const window = share.window();
      let taken = 0;
      let held: boolean;
      try {
        while (slots.length < window && taken < ITEMS_PER_TURN) {
          const bytes = reader.next();
          if (bytes === undefined) break;
          const req = parse(SubmitRequestSchema, bytes);
          taken++;
          const slot: { bytes: Uint8Array | undefined } = { bytes: undefined };
          slots.push(slot);
          o.ingest
            .streamItem(client, req, index++)
            .then((res) => {
              slot.bytes = serialize(SubmitStreamResponseSchema, res);
              flushSoon();
            })
            .catch((err: unknown) => fail(call, 'SubmitStream', err));
        }
        held = reader.hasMessage;
      } catch (err) {
        // As in connect, a broken request stream ends the call; answers not yet written are dropped.
        call.finish(ConnectError.from(err));
        return;
      }
      if (held && slots.length < window && !turnScheduled) {
        turnScheduled = true;
        setImmediate(nextTurn);
      }
      // A whole message waiting stops the reading: HTTP/2 flow control then holds the client back. What the
      // reader holds meanwhile is copied, so it does not keep the connection's read buffers alive.
      if (held && !stream.isPaused()) {
        stream.pause();
        reader.compact();
      } else if (!held && stream.isPaused()) stream.resume();
      if (inputEnded) flush();
    };

    // The answers of one ingest call settle one after another in the same turn: one write after them all.
    let flushScheduled = false;
    const flushSoon = (): void => {
      if (flushScheduled) return;
      flushScheduled = true;
      setImmediate(() => {
        flushScheduled = false;
        flush();
      });
    };

    const resume = (): void => {
      writeBlocked = false;
      flush();
    };

    /** Writes the answers ready at the head, as many as the connection's round has room for (at least one). */
    const flush = (): void => {
      if (!call.writable || writeBlocked) return;
      if (slots[0]?.bytes !== undefined) {
        const room = call.outbound.room();
        if (room === 0) {
          writeBlocked = true;
          call.outbound.whenRoom(resume);
          return;
        }
        let ready = 0;
        let bytes = 0;
        for (;;) {
          const answer = slots[ready]?.bytes;
          if (answer === undefined || (ready > 0 && bytes + answer.length + 5 > room)) break;
          bytes += answer.length + 5;
          ready++;
        }
        const done = slots.splice(0, ready).map((s) => s.bytes as Uint8Array);
        if (!call.write(done)) {
          writeBlocked = true;
          stream.once('drain', resume);
        }
        start();
      }
      if (inputEnded && slots.length === 0 && reader.buffered === 0) call.finish();
    };

    stream.on('data', (chunk: Buffer) => {
      if (call.finished) return;
      try {
        reader.append(chunk);
      } catch (err) {
        call.finish(ConnectError.from(err));
        return;
      }
      // Items started in one turn go to the store in one ingest call (the coalescer).
      start();
    });
    stream.once('end', () => {
      if (call.finished) return;
      try {
        // What is held must be whole messages; they are still started, within the share.
        reader.end();
      } catch (err) {
        call.finish(ConnectError.from(err));
        return;
      }
      inputEnded = true;
      start();
    });
  };

  return {
    handle(stream, headers) {
      if (headers[':method'] !== 'POST') return false;
      const path = headers[':path'];
      const method = path === undefined ? undefined : RPCS.get(path);
      if (method === undefined || !isPlainBinaryGrpc(headers)) return false;
      const timeout = parseTimeout(headerValue(headers['grpc-timeout']), Number.MAX_SAFE_INTEGER);
      const call = new Call(stream, timeout.error === undefined ? timeout.timeoutMs : undefined, o.outbound);
      if (method === 'SubmitStream') serveStream(call, headers, timeout.error);
      else {
        serveUnary(
          call,
          method,
          headers,
          timeout.error,
          SubmitRequestSchema,
          (req: SubmitRequest, caller) => o.ingest.submit(req, caller),
          (res) => serialize(SubmitResponseSchema, res),
        );
      }
      return true;
    },
  };
}
