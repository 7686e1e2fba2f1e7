// How the daemons (`spark serve`, `spark signer`, `spark witness serve`) hear SIGTERM and SIGINT: listened for before
// start-up, so that a signal that comes as soon as the port is open still drains; the first is handed to the daemon
// (which drains and closes), a second — a start-up or a drain that hangs — exits at once with 128 + the signal's
// number (docs/operations.md, "A graceful stop").
import type { Logger } from '../log/logger.ts';

const NUMBERS = { SIGINT: 2, SIGTERM: 15 } as const;

/** Starts listening now; resolves with the first signal. */
export function untilSignal(log: Logger): Promise<keyof typeof NUMBERS> {
  return new Promise((resolve) => {
    let first: keyof typeof NUMBERS | undefined;
    const on = (signal: keyof typeof NUMBERS) => {
      if (first === undefined) {
        first = signal;
        resolve(signal);
        return;
      }
      log.warn({ signal }, 'second signal: exiting without draining');
      process.exit(128 + NUMBERS[signal]);
    };
    process.on('SIGTERM', on);
    process.on('SIGINT', on);
  });
}
