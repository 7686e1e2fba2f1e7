// Inside the add transaction: each client's usage counters and quota, and who submitted each stored leaf
// (lmdb-layout.ts `usage` and `leaf-clients`). Counts read from the transaction plus this write's own, so that
// concurrent adds folded into one write see each other.
import type { Database } from 'lmdb';
import { ANONYMOUS_CLIENT, checkQuota, dayOf, monthOf, type QuotaRefusal } from '../usage/usage.ts';
import { type ClientRun, usageKey } from './lmdb-layout.ts';
import type { NewLeaf } from './store.ts';
import { StoreError } from './store-error.ts';

interface Counter {
  submissions: bigint;
  immediate: bigint;
}

/** The counters and client runs of one add transaction. */
export class UsageTally {
  /** Who submitted this write's stored leaves, in arrival order. */
  readonly runs: ClientRun[] = [];
  private readonly db: Database<Buffer, Buffer>;
  /** Counters of (client, day) this write read or changed, keyed by the hex of their usage key. */
  private readonly counters = new Map<string, { key: Buffer; value: Counter; changed: boolean }>();
  /** Submissions of a client in a month before this write, keyed by client ‖ month's first day. */
  private readonly monthBase = new Map<string, bigint>();
  /** The counter used last, with its client and day. */
  private last:
    | {
        client: string;
        day: number;
        month: string;
        counter: { key: Buffer; value: Counter; changed: boolean };
      }
    | undefined;
  /** This write's new submissions per client ‖ month's first day. */
  private readonly monthAdded = new Map<string, bigint>();

  constructor(db: Database<Buffer, Buffer>) {
    this.db = db;
  }

  /** Why `leaf` may not be stored under its client's quota, or undefined. */
  refusal(leaf: NewLeaf): QuotaRefusal | undefined {
    if (leaf.quota === undefined) return undefined;
    const client = clientOf(leaf);
    const day = dayOf(leaf.acceptedAtMs);
    const today = this.counter(client, day).value;
    return checkQuota(
      leaf.quota,
      {
        today: Number(today.submissions),
        immediateToday: Number(today.immediate),
        thisMonth: Number(this.month(client, day)),
      },
      leaf.immediate,
      day,
    );
  }

  /** Counts a stored leaf. */
  count(leaf: NewLeaf): void {
    const client = clientOf(leaf);
    const day = dayOf(leaf.acceptedAtMs);
    const c = this.counter(client, day);
    c.value.submissions += 1n;
    if (leaf.immediate) c.value.immediate += 1n;
    c.changed = true;
    const m = this.last?.month ?? monthKey(client, day);
    this.monthAdded.set(m, (this.monthAdded.get(m) ?? 0n) + 1n);
    const last = this.runs[this.runs.length - 1];
    if (last !== undefined && last.client === client && last.immediate === leaf.immediate)
      this.runs[this.runs.length - 1] = { ...last, count: last.count + 1 };
    else this.runs.push({ client, immediate: leaf.immediate, count: 1 });
  }

  /** Writes the changed counters (inside the same transaction). */
  write(): void {
    for (const c of this.counters.values()) {
      if (!c.changed) continue;
      const out = Buffer.allocUnsafe(16);
      out.writeBigUInt64BE(c.value.submissions, 0);
      out.writeBigUInt64BE(c.value.immediate, 8);
      this.db.putSync(c.key, out);
    }
  }

  private counter(client: string, day: number) {
    // A write's leaves nearly always share one client and day: that counter is found without building its key.
    const last = this.last;
    if (last !== undefined && last.client === client && last.day === day) return last.counter;
    const counter = this.lookup(client, day);
    this.last = { client, day, month: monthKey(client, day), counter };
    return counter;
  }

  private lookup(client: string, day: number) {
    const key = usageKey(client, day);
    const id = key.toString('hex');
    let c = this.counters.get(id);
    if (c === undefined) {
      const raw = this.db.get(key);
      if (raw !== undefined && raw.length !== 16)
        throw new StoreError(
          'CORRUPT',
          `store record usage/${id} is corrupt: expected 16 bytes, got ${raw.length}`,
        );
      c = {
        key,
        value: {
          submissions: raw === undefined ? 0n : raw.readBigUInt64BE(0),
          immediate: raw === undefined ? 0n : raw.readBigUInt64BE(8),
        },
        changed: false,
      };
      this.counters.set(id, c);
    }
    return c;
  }

  /** The client's submissions in the month of `day`: stored before this write, plus this write's. */
  private month(client: string, day: number): bigint {
    const m = monthKey(client, day);
    let base = this.monthBase.get(m);
    if (base === undefined) {
      const { first, next } = monthOf(day);
      base = 0n;
      for (const { value } of this.db.getRange({
        start: usageKey(client, first),
        end: usageKey(client, next),
      }))
        if (value.length === 16) base += value.readBigUInt64BE(0);
      this.monthBase.set(m, base);
    }
    return base + (this.monthAdded.get(m) ?? 0n);
  }
}

/** The client a leaf counts for: its name, `anonymous` without one. */
export function clientOf(leaf: NewLeaf): string {
  return leaf.client === undefined || leaf.client === '' ? ANONYMOUS_CLIENT : leaf.client;
}

function monthKey(client: string, day: number): string {
  return `${client}\u0000${monthOf(day).first}`;
}
