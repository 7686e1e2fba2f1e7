// Runs a task every interval, one run at a time, until stopped: a failed run is reported and the next one still
// comes. The timer never holds the process open.

/** A started or stoppable repetition. */
export interface Repeating {
  /** Schedules the first run one interval from now. */
  start(): void;
  /** Cancels the next run and waits for one under way. */
  stop(): Promise<void>;
}

/** Repeats `task` every `intervalMs` after the previous run ended; `onError` hears of each failed run. */
export function repeatEvery(
  intervalMs: number,
  task: () => Promise<unknown>,
  onError: (err: unknown) => void,
): Repeating {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = false;
  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      running = task()
        .catch(onError)
        .finally(() => {
          running = undefined;
          schedule();
        });
    }, intervalMs);
    timer.unref();
  }
  return {
    start: schedule,
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await running;
    },
  };
}
