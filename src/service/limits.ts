// Request limits that protect the sidecar from one client (docs/operations.md §Limits): open streams (in total and per connection)
// and stream item rates.
import { createContextKey } from '@connectrpc/connect';
import { RequestError } from '../errors/request-error.ts';

/** Most clients whose rate buckets are kept; the longest idle is dropped first (memory stays bounded). */
export const MAX_TRACKED_CLIENTS = 10_000;

/**
 * The connection a call arrived on, as a context value of every connect call (the HTTP/2 session, or the socket of
 * an HTTP/1.1 request): the key of the per-connection stream count. Set by the server, never from the request.
 */
export const CALL_CONNECTION = createContextKey<object | undefined>(undefined, {
  description: 'the connection object a call arrived on (stream limits per connection)',
});

/** Counts open streams and refuses one past the limits. */
export interface StreamGate {
  /**
   * Admits a stream on `connection` (any object naming it; undefined counts toward the total only) or throws
   * RequestError TOO_MANY_STREAMS naming the limit; call the returned function when the stream ends.
   */
  enter(connection?: object): () => void;
  /** Streams open now, on all connections. */
  readonly open: number;
}

/**
 * A gate admitting at most `total` streams at once (SPARK_MAX_CONCURRENT_STREAMS) and at most `perConnection` on
 * one connection (SPARK_MAX_STREAMS_PER_CONNECTION). Counts per connection live in a WeakMap: a connection that
 * goes away takes its entry with it.
 */
export function createStreamGate(total: number, perConnection = total): StreamGate {
  let open = 0;
  const byConnection = new WeakMap<object, number>();
  return {
    enter(connection) {
      if (open >= total) {
        throw new RequestError(
          'TOO_MANY_STREAMS',
          `too many open streams: SPARK_MAX_CONCURRENT_STREAMS is ${total}; retry when one ends`,
        );
      }
      const onConnection = connection === undefined ? 0 : (byConnection.get(connection) ?? 0);
      if (onConnection >= perConnection) {
        throw new RequestError(
          'TOO_MANY_STREAMS',
          `too many open streams on this connection: SPARK_MAX_STREAMS_PER_CONNECTION is ${perConnection}; open another connection or retry when one ends`,
        );
      }
      open++;
      if (connection !== undefined) byConnection.set(connection, onConnection + 1);
      let left = false;
      return () => {
        if (left) return;
        left = true;
        open--;
        if (connection === undefined) return;
        const now = (byConnection.get(connection) ?? 1) - 1;
        if (now > 0) byConnection.set(connection, now);
        else byConnection.delete(connection);
      };
    },
    get open() {
      return open;
    },
  };
}

/** Per-client token buckets: `rate` items a second, bursts up to one second's worth. */
export interface RateLimiter {
  /** Takes one item for `client`; false when its bucket is empty (the item must be refused). */
  take(client: string): boolean;
}

/** A limiter at `ratePerSecond` (SPARK_STREAM_RATE); 0 means unlimited. */
export function createRateLimiter(
  ratePerSecond: number,
  now: () => number = performance.now.bind(performance),
): RateLimiter {
  if (ratePerSecond <= 0) return { take: () => true };
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(client) {
      const t = now();
      let b = buckets.get(client);
      if (b === undefined) {
        if (buckets.size >= MAX_TRACKED_CLIENTS) {
          // Maps iterate in insertion order and every use re-inserts: the first key is the longest idle.
          const oldest = buckets.keys().next().value;
          if (oldest !== undefined) buckets.delete(oldest);
        }
        b = { tokens: ratePerSecond, at: t };
      } else {
        buckets.delete(client);
        b.tokens = Math.min(ratePerSecond, b.tokens + ((t - b.at) / 1000) * ratePerSecond);
        b.at = t;
      }
      buckets.set(client, b);
      if (b.tokens < 1) return false;
      b.tokens -= 1;
      return true;
    },
  };
}

/** The refusal of an item over the rate. */
export function rateLimited(ratePerSecond: number): RequestError {
  return new RequestError(
    'RATE_LIMITED',
    `stream rate limit: SPARK_STREAM_RATE allows ${ratePerSecond} items per second per client; slow down`,
  );
}

/** Refuses a request with more than `max` items (SPARK_MAX_ITEMS_PER_REQUEST) or none. */
export function checkItemCount(count: number, max: number): void {
  if (count === 0) {
    throw new RequestError('FIELD_MISSING', 'items: at least one item is required', { field: 'items' });
  }
  if (count > max) {
    throw new RequestError(
      'TOO_MANY_ITEMS',
      `items: ${count} items exceed SPARK_MAX_ITEMS_PER_REQUEST=${max}; split the request`,
      { field: 'items' },
    );
  }
}
