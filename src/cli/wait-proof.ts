// Follows a leaf with WatchProof until it reaches a status (or the server's final one), or a bound runs out, with the
// progress lines `spark prove --wait` and `spark stamp` show on stderr.
import type { Client } from '@connectrpc/connect';
import { Status } from '../gen/spark/v1/bundle_pb.js';
import type { ProveResponse, SparkProcessor } from '../gen/spark/v1/processor_pb.js';
import { createProgress } from './progress.ts';

/** Wait settings. */
export interface WaitOptions {
  /** Most seconds to wait. */
  readonly seconds: number;
  /** Stop as soon as the leaf is at least this (SEALED for a first bundle); undefined: the server's final status. */
  readonly until?: Status;
  readonly quiet: boolean;
  /** Names the progress lines, e.g. "prove" or the file being stamped. */
  readonly label: string;
}

/** The last answer seen (the richest bundle), or undefined when none came in time. */
export async function waitForProof(
  client: Client<typeof SparkProcessor>,
  leafHash: Uint8Array,
  o: WaitOptions,
): Promise<ProveResponse | undefined> {
  // Ended by the bound, or by us once the status is reached: leaving the loop alone would keep the call open.
  const done = new AbortController();
  const timeout = AbortSignal.timeout(o.seconds * 1000);
  const signal = AbortSignal.any([timeout, done.signal]);
  const progress = createProgress(o.label, { quiet: o.quiet });
  const started = Date.now();
  const elapsed = () => ((Date.now() - started) / 1000).toFixed(1).padStart(6);
  let res: ProveResponse | undefined;
  const ticker = setInterval(() => {
    progress.show(
      `${elapsed()} s  ${res === undefined ? 'asking' : Status[res.status]}, waiting (up to ${o.seconds} s)`,
    );
  }, 1_000);
  ticker.unref();
  try {
    for await (const update of client.watchProof({ leafHash }, { signal })) {
      if (res?.status !== update.status) progress.say(`${elapsed()} s  ${Status[update.status]}`);
      res = update;
      if (o.until !== undefined && reached(update.status, o.until) && update.bundle !== undefined) break;
    }
  } catch (e) {
    if (!signal.aborted) throw e;
  } finally {
    done.abort();
    clearInterval(ticker);
    progress.clear();
  }
  return res;
}

/** Lifecycle order: FAILED counts as announced (the batch is sealed; it is retried). */
function reached(status: Status, target: Status): boolean {
  const rank = (s: Status) => (s === Status.FAILED ? Status.ANNOUNCED : s);
  return rank(status) >= rank(target);
}
