// Back-off: how long to wait after a failure, in the two forms the sidecar uses — doubling the previous delay, or
// from a count of failed attempts — each between a floor and a ceiling. Pure: no clock, no timers.

/** The floor and ceiling of a back-off, ms. */
export interface Backoff {
  readonly minMs: number;
  readonly maxMs: number;
}

/** The delay after one more failure when the last delay was `previousMs` (0 before any): doubled, within bounds. */
export function nextDelay(previousMs: number, b: Backoff): number {
  return Math.min(Math.max(previousMs * 2, b.minMs), b.maxMs);
}

/** The delay after `failures` failed attempts (1 or more): minMs × 2^(failures − 1), within bounds. */
export function delayAfter(failures: number, b: Backoff): number {
  return Math.min(b.maxMs, b.minMs * 2 ** Math.min(30, Math.max(0, failures - 1)));
}
