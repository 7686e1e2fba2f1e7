// Request limits that protect the sidecar from one client (SPEC §11): open streams and stream item rates.
import { RequestError } from './request-error.ts';

/** Most clients whose rate buckets are kept; the longest idle is dropped first (memory stays bounded). */
export const MAX_TRACKED_CLIENTS = 10_000;

/** Counts open streams and refuses one past the limit. */
export interface StreamGate {
  /** Admits a stream or throws RequestError TOO_MANY_STREAMS; call the returned function when it ends. */
  enter(): () => void;
  /** Streams open now. */
  readonly open: number;
}

/** A gate admitting at most `max` streams at once (SPARK_MAX_CONCURRENT_STREAMS). */
export function createStreamGate(max: number): StreamGate {
  let open = 0;
  return {
    enter() {
      if (open >= max) {
        throw new RequestError(
          'TOO_MANY_STREAMS',
          `too many open streams: SPARK_MAX_CONCURRENT_STREAMS is ${max}; retry when one ends`,
        );
      }
      open++;
      let left = false;
      return () => {
        if (left) return;
        left = true;
        open--;
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
