// Gathers the calls made in one turn of the event loop into a single call of a batch function: the items of a
// SubmitStream that arrived together go to the store in one write, with one result each.

/**
 * Wraps `run` (items → one result per item, in order) as a per-item function. Items passed before the event loop
 * next checks for I/O are run together, at most `maxItems` per call; a rejection of `run` rejects each of its items.
 */
export function coalesce<I, O>(run: (items: I[]) => Promise<O[]>, maxItems: number): (item: I) => Promise<O> {
  if (!Number.isSafeInteger(maxItems) || maxItems < 1)
    throw new RangeError(`maxItems must be a positive integer, got ${maxItems}`);
  interface Batch {
    readonly items: I[];
    readonly waiters: Array<{ resolve(value: O): void; reject(error: unknown): void }>;
  }
  let forming: Batch | undefined;
  const flush = (batch: Batch): void => {
    if (forming === batch) forming = undefined;
    run(batch.items).then(
      (results) => {
        batch.waiters.forEach((w, i) => {
          if (i < results.length) w.resolve(results[i] as O);
          else
            w.reject(new Error(`a batch of ${batch.items.length} items returned ${results.length} results`));
        });
      },
      (error: unknown) => {
        for (const w of batch.waiters) w.reject(error);
      },
    );
  };
  return (item) =>
    new Promise<O>((resolve, reject) => {
      let batch = forming;
      if (batch === undefined || batch.items.length >= maxItems) {
        const fresh: Batch = { items: [], waiters: [] };
        forming = fresh;
        batch = fresh;
        setImmediate(() => flush(fresh));
      }
      batch.items.push(item);
      batch.waiters.push({ resolve, reject });
    });
}
