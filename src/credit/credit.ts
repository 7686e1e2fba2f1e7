// Prepaid credit (docs/operations.md §Prepaid credit): the transfer message that tops a client up, what one submission
// costs, and the refusal a client out of credit gets. Pure: no I/O.
import { utf8 } from '../proof/encoding/bytes.ts';
import { xym } from '../proof/encoding/xym.ts';
import { isClientName } from '../usage/usage.ts';

/** A top-up's message: this, then the client name, as a plain Symbol message. */
export const CREDIT_MEMO_PREFIX = 'spark-credit:';

/** One client's credit, µXYM: what finalized transfers brought, what its submissions used, and what is left. */
export interface CreditBalance {
  readonly client: string;
  readonly credited: bigint;
  readonly spent: bigint;
}

/** A submission its client's credit cannot pay for. */
export interface CreditRefusal {
  /** µXYM left. */
  readonly balance: bigint;
  /** µXYM the submission costs. */
  readonly needs: bigint;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * The client a transfer message tops up, or undefined when it is not a top-up. A plain message is one 0x00 byte and
 * UTF-8 text (what wallets send); the text must be exactly `spark-credit:` and a client name, nothing around it.
 */
export function creditClientOf(message: Uint8Array): string | undefined {
  if (message.length < 2 || message[0] !== 0) return undefined;
  let text: string;
  try {
    text = decoder.decode(message.subarray(1));
  } catch {
    return undefined;
  }
  if (!text.startsWith(CREDIT_MEMO_PREFIX)) return undefined;
  const name = text.slice(CREDIT_MEMO_PREFIX.length);
  return isClientName(name) ? name : undefined;
}

/** The plain message that tops up `client` (for docs, tests and `spark credit`). */
export function creditMemo(client: string): Uint8Array {
  const text = utf8(`${CREDIT_MEMO_PREFIX}${client}`);
  const out = new Uint8Array(text.length + 1);
  out.set(text, 1);
  return out;
}

/** What one submission costs at `price` µXYM: immediate ones `multiplier` times as much. */
export function submissionPrice(price: bigint, immediate: boolean, multiplier: number): bigint {
  return immediate ? price * BigInt(multiplier) : price;
}

/** µXYM left of a balance (never below zero: a balance is only ever debited while it covers the debit). */
export function balanceOf(b: Pick<CreditBalance, 'credited' | 'spent'>): bigint {
  return b.credited > b.spent ? b.credited - b.spent : 0n;
}

/** The refusal when `balance` does not cover `needs`, else undefined. */
export function checkCredit(balance: bigint, needs: bigint): CreditRefusal | undefined {
  return balance >= needs ? undefined : { balance, needs };
}

/** The message a refused submission gets: "credit: balance X, needs Y", and how to top up. */
export function creditMessage(client: string, r: CreditRefusal): string {
  return `credit: balance ${xym(r.balance)} XYM, needs ${xym(r.needs)} XYM (client ${client}; top up with a transfer to the operator's Symbol account with the message ${CREDIT_MEMO_PREFIX}${client})`;
}
