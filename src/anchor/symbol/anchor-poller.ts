// The anchor tracker's poller (docs/anchoring.md §11): runs a round every poll interval, at once when asked (an
// immediate batch), one at a time; after a failed round it waits longer — no node reachable backs off from 0.5 s
// doubling to 30 s, any other failure (logged) from 1 s to 30 s — and a round that succeeds resets the wait.
import type { Logger } from '../../log/logger.ts';
import { type Backoff, nextDelay } from '../../timing/backoff.ts';
import { repeatEvery } from '../../timing/repeat-every.ts';
import { SymbolNodeError } from './rest-client.ts';

/** Back-off of the whole round: no node reachable (0.5 s doubling to 30 s), or another failure (1 s to 30 s). */
export const UNREACHABLE_BACKOFF: Backoff = { minMs: 500, maxMs: 30_000 };
export const ROUND_BACKOFF: Backoff = { minMs: 1_000, maxMs: 30_000 };

/** The poller of one tracker. */
export interface AnchorPoller {
  /** Schedules the first round one poll interval from now. */
  start(): void;
  /** Runs a round now instead of at the next timer (unless one is under way). */
  runNow(): void;
  /** Cancels the next round and waits for one under way. */
  stop(): Promise<void>;
  /** The wait before the next round after the last one: the poll interval plus the current back-off. */
  nextDelayMs(): number;
}

/** Creates the poller of `round`; a round throwing SymbolNodeError UNAVAILABLE means no node was reachable. */
export function createAnchorPoller(o: {
  readonly pollIntervalMs: number;
  readonly round: () => Promise<void>;
  readonly log: Logger;
}): AnchorPoller {
  let backoffMs = 0;
  const nextDelayMs = () => o.pollIntervalMs + backoffMs;
  const rounds = repeatEvery(
    nextDelayMs,
    async () => {
      try {
        await o.round();
        backoffMs = 0;
      } catch (err) {
        // Only what concerns every announcement lands here: no node answers, or they disagree on the network.
        if (err instanceof SymbolNodeError && err.code === 'UNAVAILABLE') {
          backoffMs = nextDelay(backoffMs, UNREACHABLE_BACKOFF);
        } else {
          o.log.error({ err }, 'anchoring round failed; retrying');
          backoffMs = nextDelay(backoffMs, ROUND_BACKOFF);
        }
      }
    },
    () => undefined,
  );
  return { start: rounds.start, runNow: rounds.runNow, stop: rounds.stop, nextDelayMs };
}
