// Pipelines a SubmitStream: many submissions in flight, answers in request order, bounded window; and the budget
// that bounds the items in flight of all streams together, shared fairly among them.

/**
 * Most items of one stream being stored at once. A durable commit (fsync) takes tens of milliseconds on a busy
 * disk, so a stream's rate is about window / commit time: 4,096 measured +65 % over 512 on SubmitStream
 * (docs/operations.md §gRPC fast path), for at most a few hundred KB of answers held per stream.
 */
export const STREAM_WINDOW = 4096;

/**
 * Most items in flight over all SubmitStreams of the server together (both gRPC paths). Each open stream may have
 * an equal share of it (at most STREAM_WINDOW, at least MIN_STREAM_SHARE): one or two streams still run at their
 * full window, and 200 streams keep 40 items each moving instead of 200 × 4,096 items (with their answers) piling
 * up in memory and in the store's write queue. About twice what keeps the store busy (its rate × a commit under
 * load, ~40,000/s × 50 ms); at twice this, the overload's heap peaked ~80 MiB higher for no more throughput
 * (docs/PERFORMANCE.md §Many streams and overload).
 */
export const STREAM_ITEMS_BUDGET = 8_192;

/** The smallest share of STREAM_ITEMS_BUDGET a stream gets, however many are open. */
export const MIN_STREAM_SHARE = 16;

/** One stream's place in the budget. */
export interface StreamShare {
  /** Items this stream may have in flight now (changes as streams open and close). */
  window(): number;
  /** Leaves the budget (the stream ended); later calls do nothing. */
  leave(): void;
}

/** The server's budget of stream items in flight. */
export interface ItemBudget {
  join(): StreamShare;
  /** Streams sharing it now. */
  readonly streams: number;
}

/**
 * A budget of `total` items shared equally by the streams that joined it, each share between `minShare` and
 * `maxShare`. Every stream is counted, busy or idle: shares are computed without bookkeeping per item, and a
 * stream's share never depends on how fast another one sends.
 */
export function createItemBudget(
  total: number = STREAM_ITEMS_BUDGET,
  maxShare = STREAM_WINDOW,
  minShare = MIN_STREAM_SHARE,
): ItemBudget {
  let streams = 0;
  let share = maxShare;
  const update = () => {
    share = Math.max(minShare, Math.min(maxShare, Math.floor(total / Math.max(1, streams))));
  };
  return {
    join() {
      streams++;
      update();
      let left = false;
      return {
        window: () => share,
        leave() {
          if (left) return;
          left = true;
          streams--;
          update();
        },
      };
    },
    get streams() {
      return streams;
    },
  };
}

/**
 * Items read between two yields to the event loop. The messages of one network read arrive as resolved promises,
 * so without a yield a large read was handled in a single turn of tens of milliseconds while other calls (a
 * Prove, a health check) waited.
 */
export const ITEMS_PER_TURN = 64;

/**
 * Maps `input` through `handle` with up to `window` calls in flight (a number, or a function asked before each
 * read: a stream's share of the budget), yielding results in input order. A finished head result is yielded
 * even while the next read waits, so ping-pong clients never deadlock. `handle` must not reject.
 */
export async function* pipelineInOrder<I, O>(
  input: AsyncIterable<I>,
  handle: (item: I, index: number) => Promise<O>,
  window: number | (() => number) = STREAM_WINDOW,
): AsyncGenerator<O> {
  const limit = typeof window === 'number' ? () => window : window;
  const it = input[Symbol.asyncIterator]();
  const queue: Array<Promise<O>> = [];
  let index = 0;
  let read: Promise<IteratorResult<I>> | undefined = it.next();
  while (read !== undefined || queue.length > 0) {
    const head = queue[0];
    if (read !== undefined && queue.length < limit()) {
      const currentRead = read;
      const winner =
        head === undefined
          ? { read: await currentRead }
          : await Promise.race([currentRead.then((r) => ({ read: r })), head.then((v) => ({ value: v }))]);
      if ('read' in winner) {
        read = undefined;
        if (winner.read.done !== true) {
          queue.push(handle(winner.read.value, index++));
          if (index % ITEMS_PER_TURN === 0) await new Promise<void>((resolve) => setImmediate(resolve));
          read = it.next();
        }
      } else {
        queue.shift();
        yield winner.value;
      }
      continue;
    }
    const next = queue.shift();
    if (next !== undefined) yield await next;
  }
}
