// Runs a task again and again, one run at a time, until stopped: the next run comes a delay after the previous one
// ended (a fixed interval, or a delay computed each time, e.g. with a back-off); a failed run is reported and the
// next one still comes; a run can be asked for now. The timer never holds the process open.

/** A started or stoppable repetition. */
export interface Repeating {
  /** Schedules the first run one delay from now. */
  start(): void;
  /** Runs now instead of at the next timer, unless a run is under way or the repetition stopped. */
  runNow(): void;
  /** Cancels the next run and waits for one under way. */
  stop(): Promise<void>;
}

/**
 * Repeats `task` every `delayMs` (or the delay `delayMs()` gives each time) after the previous run ended;
 * `onError` hears of each failed run.
 */
export function repeatEvery(
  delayMs: number | (() => number),
  task: () => Promise<unknown>,
  onError: (err: unknown) => void,
): Repeating {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = false;
  const run = (): void => {
    running = task()
      .catch(onError)
      .finally(() => {
        running = undefined;
        schedule();
      });
  };
  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(run, typeof delayMs === 'number' ? delayMs : delayMs());
    timer.unref();
  }
  return {
    start: schedule,
    runNow() {
      if (stopped || running !== undefined) return;
      if (timer !== undefined) clearTimeout(timer);
      run();
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await running;
    },
  };
}
