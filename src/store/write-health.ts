// The store's write health (docs/operations.md "Disk full"): failed commits counted once per transaction, the
// failing state readiness reports, and the probe that finds out, with no client writing, when commits work again.
import { type CommitFailure, formatBytes, resumeBytes, volumeSpace } from './commit-failure.ts';
import type { CommitFailureReason, Store, StoreWriteHealth } from './store.ts';

/** How often a failing store tries a small commit to find out whether writes work again. */
export const PROBE_INTERVAL_MS = 1_000;

/** What the tracker needs. */
export interface WriteHealthOptions {
  /** The data dir (named in messages; its volume is asked for free space). */
  readonly path: string;
  /** Commits a small record through the store's write path, whose outcome reaches failed() or committed(). */
  readonly probe: () => Promise<void>;
  readonly now?: () => number;
  readonly probeIntervalMs?: number;
  /** The volume's size and free space (tests replace it). */
  readonly space?: () => { total: number; available: number } | undefined;
}

interface Failing {
  reason: CommitFailureReason;
  cause: string;
  readonly sinceMs: number;
  commits: number;
}

/** Tracks commit outcomes of one store. */
export class WriteHealth {
  private readonly o: WriteHealthOptions;
  private readonly now: () => number;
  private readonly space: () => { total: number; available: number } | undefined;
  private readonly counts: Record<CommitFailureReason, number> = { disk_full: 0, io_error: 0 };
  /** Failures already counted: every caller of one failed transaction reports the same key. */
  private readonly seen = new WeakSet<object>();
  private failing: Failing | undefined;
  private timer: NodeJS.Timeout | undefined;
  private probing = false;

  constructor(o: WriteHealthOptions) {
    this.o = o;
    this.now = o.now ?? Date.now;
    this.space = o.space ?? (() => volumeSpace(o.path));
  }

  /**
   * Whether the volume has the room writes resume at (8 MiB, or an eighth of a smaller volume); true when the
   * volume does not say, so that only a commit's outcome decides there.
   */
  roomLeft(): boolean {
    const s = this.space();
    return s === undefined || s.available >= resumeBytes(s.total);
  }

  /** Records a failed commit; true the first time this transaction's failure is reported. */
  failed(f: CommitFailure): boolean {
    if (this.seen.has(f.key)) return false;
    this.seen.add(f.key);
    this.counts[f.reason]++;
    if (this.failing === undefined) {
      this.failing = { reason: f.reason, cause: f.cause, sinceMs: this.now(), commits: 1 };
      this.timer = setInterval(() => this.tick(), this.o.probeIntervalMs ?? PROBE_INTERVAL_MS);
      this.timer.unref();
    } else {
      this.failing.reason = f.reason;
      this.failing.cause = f.cause;
      this.failing.commits++;
    }
    return true;
  }

  /**
   * A commit succeeded. After failures, writes count as working again only with the resume room free: on a nearly
   * full volume a small commit can still succeed in pages LMDB freed earlier while the next larger one fails.
   */
  committed(): void {
    if (this.failing === undefined || !this.roomLeft()) return;
    this.failing = undefined;
    this.stop();
  }

  /** Whether commits are failing now. */
  isFailing(): boolean {
    return this.failing !== undefined;
  }

  snapshot(): StoreWriteHealth {
    const space = this.space();
    const f = this.failing;
    return {
      failing:
        f === undefined
          ? undefined
          : { reason: f.reason, message: this.describe(f, space), sinceMs: f.sinceMs },
      failedCommits: { ...this.counts },
      availableBytes: space?.available,
    };
  }

  /** Stops probing (on close). */
  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private describe(f: Failing, space: { total: number; available: number } | undefined): string {
    const since = `${f.commits} commit${f.commits === 1 ? '' : 's'} failed since ${new Date(f.sinceMs).toISOString()}`;
    const what = f.reason === 'disk_full' ? 'disk full' : 'storage error';
    const room =
      space === undefined
        ? 'writes resume by themselves once a commit succeeds'
        : `${formatBytes(space.available)} available on its volume; writes resume by themselves once ${formatBytes(resumeBytes(space.total))} is`;
    return `${what}: commits to the data dir ${this.o.path} fail (${f.cause}); ${since}; reads are served; ${room}`;
  }

  private tick(): void {
    // Without the room there is nothing to learn from a commit; a commit already under way answers the same question.
    if (this.probing || !this.roomLeft()) return;
    this.probing = true;
    this.o
      .probe()
      .catch(() => undefined)
      .finally(() => {
        this.probing = false;
      });
  }
}

/** For readiness (/readyz): throws while the store is closed or its commits fail, saying why. */
export function checkStoreReady(store: Pick<Store, 'pendingCount' | 'writeHealth'>): void {
  store.pendingCount();
  const failing = store.writeHealth().failing;
  if (failing !== undefined) throw new Error(failing.message);
}
