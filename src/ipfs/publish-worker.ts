// Drives publications to every configured publisher: bounded attempts with exponential backoff and jitter, pin
// requests polled until pinned, progress stored after each step so a restart resumes where it stopped.

import type { Logger } from '../log/logger.ts';
import { delayAfter } from '../timing/backoff.ts';
import { repeatEvery } from '../timing/repeat-every.ts';
import type { Publications, PublisherProgress } from './publications.ts';
import type { IpfsPublisher } from './publishers.ts';

/** Worker settings. */
export interface PublishWorkerOptions {
  readonly publications: Publications;
  readonly publishers: readonly IpfsPublisher[];
  readonly log: Logger;
  readonly now: () => number;
  /** Time between rounds, and between polls of a pin request. */
  readonly intervalMs: number;
  /** Attempts before a publisher's entry is FAILED. */
  readonly maxAttempts: number;
  /** First backoff; it doubles per failed attempt up to `maxBackoffMs`, with jitter in [50 %, 100 %]. */
  readonly baseBackoffMs: number;
  readonly maxBackoffMs: number;
  /** One HTTP request's limit. */
  readonly requestTimeoutMs: number;
  /** A pin request not pinned within this is FAILED. */
  readonly pinTimeoutMs: number;
  /** Jitter source in [0, 1). */
  readonly random?: () => number;
}

/** The running worker. */
export interface PublishWorker {
  /** One round: every due step of every unfinished publication (exposed for tests). */
  tick(): Promise<void>;
  start(): void;
  stop(): Promise<void>;
}

/** The delay before attempt `attempts + 1` after `attempts` failures. */
export function backoffMs(attempts: number, base: number, max: number, random: () => number): number {
  // Jittered to 50–100 %: publications that failed together do not retry together.
  return Math.round(delayAfter(attempts, { minMs: base, maxMs: max }) * (0.5 + random() / 2));
}

/** Creates the worker; start() begins its rounds. */
export function createPublishWorker(o: PublishWorkerOptions): PublishWorker {
  const random = o.random ?? Math.random;
  const byName = new Map(o.publishers.map((p) => [p.name, p]));
  /** Set by stop(): a round under way ends after its current step. */
  let stopped = false;

  /** `p` after a failure; `counts` is false when the failed step was a poll of an attempt already counted. */
  const failed = (p: PublisherProgress, reason: string, counts = true): PublisherProgress => {
    const attempts = counts ? p.attempts + 1 : p.attempts;
    const last = attempts >= o.maxAttempts;
    return {
      ...p,
      state: last ? 'FAILED' : 'QUEUED',
      attempts,
      lastError: reason.slice(0, 300),
      requestId: undefined,
      evidence: undefined,
      nextAtMs: last ? 0 : o.now() + backoffMs(attempts, o.baseBackoffMs, o.maxBackoffMs, random),
    };
  };

  async function step(cid: string, p: PublisherProgress, createdAtMs: number): Promise<PublisherProgress> {
    const publisher = byName.get(p.publisher);
    if (publisher === undefined)
      return { ...p, state: 'FAILED', lastError: 'publisher no longer configured' };
    const signal = AbortSignal.timeout(o.requestTimeoutMs);
    try {
      if (p.state === 'PUBLISHING' && p.requestId !== undefined && publisher.poll !== undefined) {
        const outcome = await publisher.poll(p.requestId, signal, cid);
        if (outcome === 'pinned') return { ...p, state: 'PUBLISHED', publishedAtMs: o.now(), lastError: '' };
        if (outcome === 'failed')
          return failed(p, `${publisher.name}: the service reports the pin failed`, false);
        if (o.now() - createdAtMs > o.pinTimeoutMs) {
          return {
            ...p,
            state: 'FAILED',
            lastError: `${publisher.name}: not pinned within ${o.pinTimeoutMs} ms`,
          };
        }
        return { ...p, nextAtMs: o.now() + o.intervalMs };
      }
      const bytes = o.publications.bytes(cid);
      if (bytes === undefined)
        return { ...p, state: 'FAILED', lastError: 'published bytes missing from the store' };
      const outcome = await publisher.start(cid, bytes, signal);
      if (outcome.done) {
        return { ...p, state: 'PUBLISHED', attempts: p.attempts + 1, publishedAtMs: o.now(), lastError: '' };
      }
      return {
        ...p,
        state: 'PUBLISHING',
        attempts: p.attempts + 1,
        requestId: outcome.requestId,
        evidence:
          outcome.evidence === undefined ? undefined : Buffer.from(outcome.evidence).toString('base64'),
        nextAtMs: o.now() + o.intervalMs,
      };
    } catch (err) {
      const reason = signal.aborted
        ? `${publisher.name}: no answer within ${o.requestTimeoutMs} ms`
        : err instanceof Error
          ? err.message
          : String(err);
      return failed(p, reason);
    }
  }

  async function tick(): Promise<void> {
    for (const publication of o.publications.unfinished()) {
      for (const p of publication.publishers) {
        if (stopped) return;
        if ((p.state !== 'QUEUED' && p.state !== 'PUBLISHING') || p.nextAtMs > o.now()) continue;
        const next = await step(publication.cid, p, publication.createdAtMs);
        await o.publications.update(publication.cid, next);
        const fields = { cid: publication.cid, publisher: p.publisher, attempts: next.attempts };
        if (next.state === 'PUBLISHED') o.log.info(fields, 'bundle published');
        else if (next.state === 'FAILED')
          o.log.error({ ...fields, reason: next.lastError }, 'bundle publication failed');
        else if (next.lastError !== '' && next.attempts !== p.attempts) {
          o.log.warn(
            { ...fields, reason: next.lastError, retryInMs: next.nextAtMs - o.now() },
            'bundle publication will be retried',
          );
        }
      }
    }
  }

  const rounds = repeatEvery(o.intervalMs, tick, (err) => o.log.error({ err }, 'publication round failed'));

  return {
    tick,
    start: () => {
      if (o.publishers.length > 0) rounds.start();
    },
    stop() {
      stopped = true;
      return rounds.stop();
    },
  };
}
