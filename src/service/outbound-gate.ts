// Bounds the response bytes each HTTP/2 connection has written but not yet handed to its socket, in rounds.
//
// node:http2 (nghttp2 1.70 in Node 24) sends the DATA of equally urgent streams one stream after another, lowest
// stream id first, not interleaved: a stream's first byte goes out only when no lower-numbered stream has anything
// it may send. With 200 SubmitStreams each queueing answers freely, a Health.Check answer (a new stream, the highest
// number) waited behind megabytes of other streams' answers draining at the client's pace — and as long as lower
// streams were refilled, for good (docs/PERFORMANCE.md §Many streams). So writes on a connection go in rounds: they
// are let through until CONNECTION_OUTBOUND_BYTES are queued; then every writer waits until what is queued has
// gone out, and the next round starts. An answer written in one round is on the wire before the round after it
// begins, whatever its stream's number: what it can wait behind is about two rounds.
//
// Bytes a stream cannot send because its client does not read it (its own flow-control window is shut) must not
// hold up the round: when the connection sends nothing at all for QUIET_MS while bytes are queued, the bytes still
// queued are counted as held by their streams, and the next round starts as soon as the rest fit under the limit.
import type { EventEmitter } from 'node:events';

/**
 * Response bytes one connection may have queued (written, not yet on the socket) before its writers wait for the
 * round to drain: about four round trips of a client's default 64 KiB connection window, 2,500 stream answers.
 */
export const CONNECTION_OUTBOUND_BYTES = 256 * 1024;

/** With writers waiting, this long without any queued byte going out means what is left is held by its streams. */
export const QUIET_MS = 500;

/** The writes of one stream on a connection. */
export interface StreamOutbound {
  /** Counts a write of `bytes`; call the returned function from the write's callback (later calls do nothing). */
  wrote(bytes: number): () => void;
  /** Bytes the connection may still queue in this round; 0 when its writers should wait for `whenRoom`. */
  room(): number;
  /** Calls `resume` once the connection takes writes again; at once when it does. */
  whenRoom(resume: () => void): void;
}

/** The gate of all connections of a server. */
export interface OutboundGate {
  /**
   * The writes of `stream` on `connection` (any object naming it, e.g. the HTTP/2 session). Bytes still counted
   * when the stream closes are uncounted then: a write whose callback never comes cannot hold the connection.
   */
  stream(connection: object, stream: EventEmitter): StreamOutbound;
}

interface StreamState {
  /** Bytes written and not yet called back. */
  counted: number;
  /** Counted as held by the stream's own window (see QUIET_MS). */
  held: boolean;
}

interface ConnectionState {
  queued: number;
  /** Of `queued`, the bytes of streams marked held. */
  held: number;
  /** Writers wait for the round to drain. */
  closed: boolean;
  waiters: Array<() => void>;
  streams: Set<StreamState>;
  /** Bytes that went out since the quiet check last looked. */
  progressed: boolean;
  quiet: NodeJS.Timeout | undefined;
}

/** A gate letting each connection queue `limit` bytes a round. */
export function createOutboundGate(limit = CONNECTION_OUTBOUND_BYTES, quietMs = QUIET_MS): OutboundGate {
  const connections = new WeakMap<object, ConnectionState>();

  const open = (c: ConnectionState): void => {
    c.closed = false;
    if (c.quiet !== undefined) clearInterval(c.quiet);
    c.quiet = undefined;
    // Every waiter resumes: each writes at least one message, so the overshoot is one message per stream.
    for (const resume of c.waiters.splice(0)) resume();
  };

  /** The round is over once everything queued has gone out, except bytes held by their own streams. */
  const maybeOpen = (c: ConnectionState): void => {
    if (c.closed && c.queued - c.held <= 0 && c.queued < limit) open(c);
  };

  const quietCheck = (c: ConnectionState): void => {
    if (c.progressed) {
      c.progressed = false;
      return;
    }
    for (const s of c.streams) {
      if (s.counted > 0 && !s.held) {
        s.held = true;
        c.held += s.counted;
      }
    }
    maybeOpen(c);
  };

  const close = (c: ConnectionState): void => {
    c.closed = true;
    c.progressed = false;
    c.quiet ??= setInterval(() => quietCheck(c), quietMs);
    c.quiet.unref();
  };

  const release = (c: ConnectionState, s: StreamState, bytes: number): void => {
    if (s.held) {
      // The stream moves again: its bytes count as queued like any others.
      s.held = false;
      c.held -= s.counted;
    }
    s.counted -= bytes;
    c.queued -= bytes;
    c.progressed = true;
    maybeOpen(c);
  };

  return {
    stream(connection, stream) {
      let found = connections.get(connection);
      if (found === undefined) {
        found = {
          queued: 0,
          held: 0,
          closed: false,
          waiters: [],
          streams: new Set(),
          progressed: false,
          quiet: undefined,
        };
        connections.set(connection, found);
      }
      const c = found;
      const s: StreamState = { counted: 0, held: false };
      c.streams.add(s);
      let ended = false;
      stream.once('close', () => {
        ended = true;
        c.streams.delete(s);
        if (s.counted > 0) release(c, s, s.counted);
        // A closed connection's last stream: nothing more can come, so no timer may stay behind.
        if (c.streams.size === 0 && c.quiet !== undefined) open(c);
      });
      return {
        wrote(bytes) {
          if (ended) return () => undefined;
          s.counted += bytes;
          c.queued += bytes;
          if (!c.closed && c.queued >= limit) close(c);
          let done = false;
          return () => {
            if (done || ended) return;
            done = true;
            release(c, s, bytes);
          };
        },
        room: () => (c.closed ? 0 : Math.max(0, limit - c.queued)),
        whenRoom(resume) {
          if (c.closed) c.waiters.push(resume);
          else resume();
        },
      };
    },
  };
}
