// Rotates the signing key every PQC_KEY_ROTATION_INTERVAL (docs/keys.md), measured from the current key's window start.
import type { Logger } from '../log/logger.ts';
import type { KeyRing } from './key-ring.ts';

/** Longest single timer (setTimeout's limit is 2^31 - 1 ms, about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Wait before retrying a failed rotation. */
const RETRY_MS = 60_000;

/** The running schedule. */
export interface RotationScheduler {
  /** When the current key is due for rotation (ms since the epoch), or undefined when rotation is off. */
  dueAtMs(): number | undefined;
  start(): void;
  /** Stops the timer and waits for a rotation under way. */
  stop(): Promise<void>;
}

/** Creates the schedule; `intervalMs` 0 turns scheduled rotation off (on-demand rotation still works). */
export function createRotationScheduler(
  ring: KeyRing,
  intervalMs: number,
  now: () => number,
  log: Logger,
): RotationScheduler {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = false;
  const dueAtMs = () => (intervalMs > 0 ? ring.current().entry.validFromMs + intervalMs : undefined);

  function arm(delayMs: number): void {
    if (stopped) return;
    timer = setTimeout(tick, Math.min(Math.max(delayMs, 0), MAX_TIMER_MS));
    timer.unref();
  }

  function tick(): void {
    const due = dueAtMs();
    if (due === undefined || stopped) return;
    const wait = due - now();
    // Long intervals are waited out in several timers; the due time is read again each time, so an
    // on-demand rotation in between pushes the next scheduled one back.
    if (wait > 0) {
      arm(wait);
      return;
    }
    running = ring
      .rotate('scheduled')
      .then(() => arm((dueAtMs() ?? now()) - now()))
      .catch((err: unknown) => {
        log.error({ err }, 'scheduled key rotation failed; retrying in a minute');
        arm(RETRY_MS);
      })
      .finally(() => {
        running = undefined;
      });
  }

  return {
    dueAtMs,
    start() {
      if (intervalMs > 0) arm(0);
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await running;
    },
  };
}
