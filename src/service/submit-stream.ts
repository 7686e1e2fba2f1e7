// Pipelines a SubmitStream: many submissions in flight, answers in request order, bounded window.

/**
 * Most items of one stream being stored at once. A durable commit (fsync) takes tens of milliseconds on a busy
 * disk, so a stream's rate is about window / commit time: 4,096 measured +65 % over 512 on SubmitStream
 * (docs/operations.md §gRPC fast path), for at most a few hundred KB of answers held per stream.
 */
export const STREAM_WINDOW = 4096;

/**
 * Items read between two yields to the event loop. The messages of one network read arrive as resolved promises,
 * so without a yield a large read was handled in a single turn of tens of milliseconds while other calls (a
 * Prove, a health check) waited.
 */
export const ITEMS_PER_TURN = 64;

/**
 * Maps `input` through `handle` with up to `window` calls in flight, yielding results in input
 * order. A finished head result is yielded even while the next read waits, so ping-pong clients
 * never deadlock. `handle` must not reject.
 */
export async function* pipelineInOrder<I, O>(
  input: AsyncIterable<I>,
  handle: (item: I, index: number) => Promise<O>,
  window = STREAM_WINDOW,
): AsyncGenerator<O> {
  const it = input[Symbol.asyncIterator]();
  const queue: Array<Promise<O>> = [];
  let index = 0;
  let read: Promise<IteratorResult<I>> | undefined = it.next();
  while (read !== undefined || queue.length > 0) {
    const head = queue[0];
    if (read !== undefined && queue.length < window) {
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
