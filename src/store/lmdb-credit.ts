// Prepaid credit in LMDB (lmdb-layout.ts `credit`): clients' balances, the top-ups credited (keyed by transfer hash,
// so a transfer is credited once across restarts and forks) and each account's scan position. The debits happen in
// the add transaction (CreditTally), so a stored leaf and its debit are kept or lost together.
import type { Database } from 'lmdb';
import { type CreditBalance, type CreditRefusal, checkCredit } from '../credit/credit.ts';
import { CREDIT_BALANCE, CREDIT_SCAN, CREDIT_TRANSFER, creditKey } from './lmdb-layout.ts';
import type { CreditScan, CreditTopUp, NewLeaf } from './store.ts';
import { StoreError } from './store-error.ts';

type Bin = Database<Buffer, Buffer>;

const corrupt = (what: string, why: string): StoreError =>
  new StoreError('CORRUPT', `store record credit/${what} is corrupt: ${why}`);

/** A balance row: u64 credited ‖ u64 spent. */
function decodeBalance(raw: Buffer, client: string): { credited: bigint; spent: bigint } {
  if (raw.length !== 16) throw corrupt(`balance/${client}`, `expected 16 bytes, got ${raw.length}`);
  return { credited: raw.readBigUInt64BE(0), spent: raw.readBigUInt64BE(8) };
}

/** A client's credited and spent µXYM (zero when it has no row). */
export function readBalance(db: Bin, client: string): { credited: bigint; spent: bigint } {
  const raw = db.get(creditKey(CREDIT_BALANCE, client));
  return raw === undefined ? { credited: 0n, spent: 0n } : decodeBalance(raw, client);
}

function writeBalance(db: Bin, client: string, b: { credited: bigint; spent: bigint }): void {
  const out = Buffer.allocUnsafe(16);
  out.writeBigUInt64BE(b.credited, 0);
  out.writeBigUInt64BE(b.spent, 8);
  db.putSync(creditKey(CREDIT_BALANCE, client), out);
}

/** The debits of one add transaction: balances read once, debited per stored leaf, written at the end. */
export class CreditTally {
  private readonly db: Bin;
  private readonly balances = new Map<string, { credited: bigint; spent: bigint; changed: boolean }>();

  constructor(db: Bin) {
    this.db = db;
  }

  /** Why `leaf` cannot be paid for by `client`'s credit, or undefined (also when the leaf has no price). */
  refusal(client: string, leaf: NewLeaf): CreditRefusal | undefined {
    if (leaf.price === undefined) return undefined;
    const b = this.balance(client);
    return checkCredit(b.credited - b.spent, leaf.price);
  }

  /** Debits a stored leaf's price. */
  debit(client: string, leaf: NewLeaf): void {
    if (leaf.price === undefined || leaf.price === 0n) return;
    const b = this.balance(client);
    b.spent += leaf.price;
    b.changed = true;
  }

  /** Writes the changed balances (inside the same transaction). */
  write(): void {
    for (const [client, b] of this.balances) if (b.changed) writeBalance(this.db, client, b);
  }

  private balance(client: string) {
    let b = this.balances.get(client);
    if (b === undefined) {
      b = { ...readBalance(this.db, client), changed: false };
      this.balances.set(client, b);
    }
    return b;
  }
}

/** Inside a write transaction: credits the top-ups not credited before, and moves the scan position forward. */
export function applyTopUps(
  db: Bin,
  topUps: readonly CreditTopUp[],
  scan: CreditScan | undefined,
): boolean[] {
  const out = topUps.map((t) => {
    const key = creditKey(CREDIT_TRANSFER, t.hash);
    if (db.get(key) !== undefined) return false;
    const record = Buffer.concat([Buffer.alloc(16), Buffer.from(t.client, 'utf8')]);
    record.writeBigUInt64BE(t.amount, 0);
    record.writeBigUInt64BE(t.height, 8);
    db.putSync(key, record);
    const b = readBalance(db, t.client);
    writeBalance(db, t.client, { credited: b.credited + t.amount, spent: b.spent });
    return true;
  });
  if (scan !== undefined && scan.through > readScan(db, scan.account)) {
    const v = Buffer.allocUnsafe(8);
    v.writeBigUInt64BE(scan.through, 0);
    db.putSync(creditKey(CREDIT_SCAN, scan.account), v);
  }
  return out;
}

/** The top-up credited with transfer `hash`. */
export function readTopUp(db: Bin, hash: Uint8Array): CreditTopUp | undefined {
  const raw = db.get(creditKey(CREDIT_TRANSFER, hash));
  if (raw === undefined) return undefined;
  if (raw.length < 17) throw corrupt(`transfer/${Buffer.from(hash).toString('hex')}`, 'too short');
  return {
    hash: Uint8Array.from(hash),
    amount: raw.readBigUInt64BE(0),
    height: raw.readBigUInt64BE(8),
    client: raw.subarray(16).toString('utf8'),
  };
}

/** An account's scan position (0 before the first). */
export function readScan(db: Bin, account: string): bigint {
  const raw = db.get(creditKey(CREDIT_SCAN, account));
  if (raw === undefined) return 0n;
  if (raw.length !== 8) throw corrupt(`scan/${account}`, `expected 8 bytes, got ${raw.length}`);
  return raw.readBigUInt64BE(0);
}

/** Every client's balance (or `client`'s), in name order. */
export function listBalances(db: Bin, client?: string): CreditBalance[] {
  if (client !== undefined) {
    const b = readBalance(db, client);
    return b.credited === 0n && b.spent === 0n ? [] : [{ client, ...b }];
  }
  const out: CreditBalance[] = [];
  for (const { key, value } of db.getRange({
    start: Buffer.of(CREDIT_BALANCE),
    end: Buffer.of(CREDIT_BALANCE + 1),
  })) {
    const name = key.subarray(1).toString('utf8');
    out.push({ client: name, ...decodeBalance(value, name) });
  }
  return out;
}
