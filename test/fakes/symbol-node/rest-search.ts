// TEST DOUBLE of a Symbol node — `GET /transactions/confirmed` (no id: the search route) as catapult-rest serves it:
// filters recipientAddress, type (repeatable), fromHeight/toHeight, embedded; pageSize/pageNumber/order; 409 for
// malformed values. Items are the by-hash route's JSON (rest-json.ts); lies are applied by the caller.
import { invalid } from './rest-errors.ts';
import { confirmedTransactionJson, embeddedTransactionJson, type Json } from './rest-json.ts';
import type { ConfirmedTransaction } from './test-chain.ts';
import { addressHex } from './test-chain-host.ts';

/** Parsed search parameters. */
export interface SearchCriteria {
  /** Decoded address, 48 upper-case hex digits. */
  readonly recipientHex: string | undefined;
  readonly types: ReadonlySet<number> | undefined;
  readonly fromHeight: bigint | undefined;
  readonly toHeight: bigint | undefined;
  /** false: top-level transactions only; true: embedded transactions of aggregates too (as separate items). */
  readonly embedded: boolean;
  readonly pageSize: number;
  readonly pageNumber: number;
  readonly order: 'asc' | 'desc';
}

/** What one front knows: its confirmed transactions and where it says they are. */
export interface SearchSource {
  /** The front's confirmed transactions (the chain's, plus any it invents). */
  readonly transactions: readonly ConfirmedTransaction[];
  /** Where the front places a transaction it returns (`lies.placement`); filters use the true placement. */
  placement(tx: ConfirmedTransaction): ConfirmedTransaction;
}

/** catapult-rest's page-size bounds (`pageSizeMin`/`pageSizeMax`); the default is a node setting (10 here). */
export const SEARCH_PAGE_SIZE = { min: 10, max: 100, default: 10 } as const;

/** Filters catapult-rest has but the double does not: refused rather than silently ignored. */
const UNSUPPORTED = ['address', 'signerPublicKey', 'height', 'transferMosaicId', 'offset', 'orderBy'];
const UINT64_MAX = 0xffff_ffff_ffff_ffffn;

/** The single value of `name`, undefined when absent or empty (catapult-rest skips empty filters). */
function single(query: URLSearchParams, name: string): string | undefined {
  const values = query.getAll(name);
  if (values.length > 1) throw invalid(name);
  return values[0] === '' ? undefined : values[0];
}

function uint64(query: URLSearchParams, name: string): bigint | undefined {
  const value = single(query, name);
  if (value === undefined) return undefined;
  if (!/^\d{1,20}$/.test(value) || BigInt(value) > UINT64_MAX) throw invalid(name);
  return BigInt(value);
}

/** catapult-rest's `tryParseUint`: a non-negative safe integer, else `{name} is not a valid unsigned integer`. */
function uint(query: URLSearchParams, name: string): number | undefined {
  const value = single(query, name);
  if (value === undefined) return undefined;
  if (!/^\d{1,15}$/.test(value)) throw invalid(name, `${name} is not a valid unsigned integer`);
  return Number(value);
}

/** Parses the query of `GET /transactions/confirmed`; malformed values are 409 InvalidArgument naming them. */
export function parseSearchQuery(query: URLSearchParams): SearchCriteria {
  for (const name of UNSUPPORTED)
    if (query.has(name)) throw invalid(name, `${name} is not supported by this test double`);
  const recipient = single(query, 'recipientAddress');
  const recipientHex = recipient === undefined ? undefined : addressHex(recipient);
  if (recipient !== undefined && recipientHex === undefined) throw invalid('recipientAddress');
  const typeValues = query.getAll('type');
  let types: Set<number> | undefined;
  if (typeValues.length > 0 && !(typeValues.length === 1 && typeValues[0] === '')) {
    if (!typeValues.every((t) => /^\d{1,10}$/.test(t)))
      throw invalid('type', 'element in array type has an invalid format');
    types = new Set(typeValues.map(Number));
  }
  const embedded = single(query, 'embedded');
  if (embedded !== undefined && embedded !== 'true' && embedded !== 'false') throw invalid('embedded');
  const order = single(query, 'order');
  if (order !== undefined && order !== 'asc' && order !== 'desc') throw invalid('order');
  // catapult-rest: 0 or absent → the default; otherwise clamped to [min, max]. pageNumber 0 or absent → 1.
  const size = uint(query, 'pageSize') || SEARCH_PAGE_SIZE.default;
  const pageNumber = uint(query, 'pageNumber') || 1;
  return {
    recipientHex,
    types,
    fromHeight: uint64(query, 'fromHeight'),
    toHeight: uint64(query, 'toHeight'),
    embedded: embedded === 'true',
    pageSize: Math.max(SEARCH_PAGE_SIZE.min, Math.min(SEARCH_PAGE_SIZE.max, size)),
    pageNumber,
    // catapult-rest sorts ascending unless `order=desc`.
    order: order ?? 'asc',
  };
}

/** One searchable document: a top-level transaction (sub 0) or the embedded one at sub − 1 of an aggregate. */
interface Entry {
  readonly tx: ConfirmedTransaction;
  readonly entity: unknown;
  readonly sub: number;
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex').toUpperCase();

function typeOf(entity: unknown): number {
  return (entity as { type: { value: number } }).type.value;
}

function recipientOf(entity: unknown): string | undefined {
  const recipient = (entity as { recipientAddress?: { bytes: Uint8Array } }).recipientAddress;
  return recipient === undefined ? undefined : hex(recipient.bytes);
}

function entries(transactions: readonly ConfirmedTransaction[], embedded: boolean): Entry[] {
  const all: Entry[] = [];
  for (const tx of transactions) {
    all.push({ tx, entity: tx.transaction, sub: 0 });
    if (embedded && 'transactions' in tx.transaction && 'cosignatures' in tx.transaction)
      (tx.transaction.transactions as unknown[]).forEach((entity, i) => {
        all.push({ tx, entity, sub: i + 1 });
      });
  }
  return all;
}

/** (height, index within block, embedded position), then hash: the order a chain lists them in. */
function compare(a: Entry, b: Entry): number {
  if (a.tx.height !== b.tx.height) return a.tx.height < b.tx.height ? -1 : 1;
  if (a.tx.index !== b.tx.index) return a.tx.index - b.tx.index;
  if (a.sub !== b.sub) return a.sub - b.sub;
  return a.tx.hash < b.tx.hash ? -1 : a.tx.hash > b.tx.hash ? 1 : 0;
}

/** `GET /transactions/confirmed`: `{ data, pagination: { pageNumber, pageSize } }`. */
export function searchConfirmed(
  criteria: SearchCriteria,
  source: SearchSource,
): { data: Json[]; pagination: { pageNumber: number; pageSize: number } } {
  const { recipientHex, types, fromHeight, toHeight, pageSize, pageNumber } = criteria;
  const matches = entries(source.transactions, criteria.embedded).filter(
    (e) =>
      (recipientHex === undefined || recipientOf(e.entity) === recipientHex) &&
      (types === undefined || types.has(typeOf(e.entity))) &&
      (fromHeight === undefined || e.tx.height >= fromHeight) &&
      (toHeight === undefined || e.tx.height <= toHeight),
  );
  matches.sort(compare);
  if (criteria.order === 'desc') matches.reverse();
  const page = matches.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
  const data = page.map((e) =>
    e.sub === 0
      ? confirmedTransactionJson(source.placement(e.tx))
      : embeddedTransactionJson(source.placement(e.tx), e.entity, e.sub - 1),
  );
  return { data, pagination: { pageNumber, pageSize } };
}
