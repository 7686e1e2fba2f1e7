// TEST DOUBLE of a Symbol node — the pieces of the search-route lies (rest-lies.ts switches them): a transaction a
// front invents (decoded from a payload the test signed, placed in a block that does not hold it) and transfer
// amounts inflated in search results.
import { merkleComponentHash } from './block-merkle.ts';
import { hex, labelledHash, unhex } from './block-signer.ts';
import type { Json } from './rest-json.ts';
import type { ConfirmedTransaction, TestBlock, TestChain } from './test-chain.ts';
import { decodeAnnouncedPayload } from './transaction-validator.ts';

/** Factor `inflateTransferAmounts` multiplies every transfer's mosaic amounts by. */
export const INFLATION_FACTOR = 1000n;
const TRANSFER_TYPE = 16724;

/** A transaction a front claims is confirmed at `height`, index 0; no block holds it. */
export interface Invention {
  readonly hash: string;
  readonly height: bigint;
  readonly id: string;
  readonly stored: Omit<ConfirmedTransaction, 'height' | 'index' | 'timestamp' | 'feeMultiplier' | 'id'>;
}

/** Decodes `payload` as the node would (RangeError when it would not) and hashes it with the chain's seed. */
export function invent(chain: TestChain, payload: Uint8Array, height: bigint | number): Invention {
  if (typeof height === 'number' && !Number.isSafeInteger(height))
    throw new RangeError('inventTransfer: height must be an integer');
  if (BigInt(height) < 1n) throw new RangeError('inventTransfer: height must be >= 1');
  const decoded = decodeAnnouncedPayload(payload);
  if (!decoded.ok) throw new RangeError(`inventTransfer: payload is not a transaction: ${decoded.reason}`);
  const hash = chain.hashOf(payload) as string;
  const transaction = decoded.transaction;
  const cosigners =
    'cosignatures' in transaction
      ? (transaction.cosignatures as { signerPublicKey: { bytes: Uint8Array } }[]).map(
          (c) => c.signerPublicKey.bytes,
        )
      : [];
  return {
    hash,
    height: BigInt(height),
    id: labelledHash('invented transaction id', hash).slice(0, 24),
    stored: {
      hash,
      // The leaf it would have in a block: its hash for a transfer (no cosignatures).
      merkleComponentHash: hex(merkleComponentHash(unhex(hash), cosigners)),
      payload: Uint8Array.from(payload),
      transaction,
      deadline: BigInt(transaction.deadline.value),
      effects: [],
    },
  };
}

/** The invented transaction as confirmed in `block` (its timestamp and fee multiplier), index 0. */
export function place(invention: Invention, block: TestBlock): ConfirmedTransaction {
  return {
    ...invention.stored,
    height: block.height,
    index: 0,
    timestamp: block.timestamp,
    feeMultiplier: block.feeMultiplier,
    id: invention.id,
  };
}

type JsonObject = { [key: string]: Json };

const isObject = (value: Json | undefined): value is JsonObject =>
  value !== null && value !== undefined && typeof value === 'object' && !Array.isArray(value);

/** A transaction body with its transfer amounts multiplied, or undefined when nothing changes. */
function inflateBody(transaction: JsonObject): JsonObject | undefined {
  let changed = false;
  let body: JsonObject = transaction;
  const mosaics = transaction['mosaics'];
  if (transaction['type'] === TRANSFER_TYPE && Array.isArray(mosaics)) {
    const inflated = mosaics.map((m): Json => {
      if (!isObject(m) || typeof m['amount'] !== 'string' || m['amount'] === '0') return m;
      changed = true;
      return { ...m, amount: (BigInt(m['amount']) * INFLATION_FACTOR).toString() };
    });
    body = { ...body, mosaics: inflated };
  }
  const inner = transaction['transactions'];
  if (Array.isArray(inner)) {
    const items = inner.map((item): Json => {
      const altered =
        isObject(item) && isObject(item['transaction']) ? inflateBody(item['transaction']) : undefined;
      if (altered === undefined || !isObject(item)) return item;
      changed = true;
      return { ...item, transaction: altered };
    });
    body = { ...body, transactions: items };
  }
  return changed ? body : undefined;
}

/**
 * Search items with every transfer's mosaic amounts (top-level, embedded items, an aggregate's embedded transfers)
 * multiplied by INFLATION_FACTOR; meta (hash), signature and the rest are kept. `changed`: some amount moved.
 */
export function inflateTransferAmounts(data: readonly Json[]): { data: Json[]; changed: boolean } {
  let changed = false;
  const inflated = data.map((item): Json => {
    const body =
      isObject(item) && isObject(item['transaction']) ? inflateBody(item['transaction']) : undefined;
    if (body === undefined || !isObject(item)) return item;
    changed = true;
    return { ...item, transaction: body };
  });
  return { data: inflated, changed };
}

/** A by-hash aggregate answer whose first embedded transaction claims type 16708 (account metadata); else undefined. */
export function disguiseAggregate(json: Json): Json | undefined {
  if (!isObject(json) || !isObject(json['transaction'])) return undefined;
  const inner = json['transaction']['transactions'];
  if (!Array.isArray(inner) || inner.length === 0) return undefined;
  const [first, ...rest] = inner;
  if (!isObject(first) || !isObject(first['transaction'])) return undefined;
  const disguised = { ...first, transaction: { ...first['transaction'], type: 16708 } };
  return { ...json, transaction: { ...json['transaction'], transactions: [disguised, ...rest] } };
}

/**
 * A by-hash aggregate answer without its last cosignature, its meta.merkleComponentHash recomputed to match: a
 * consistent lie (the cosignatures are not covered by the aggregate's hash). Undefined when there is none to drop.
 */
export function dropCosignature(json: Json): Json | undefined {
  if (!isObject(json) || !isObject(json['transaction']) || !isObject(json['meta'])) return undefined;
  const cosignatures = json['transaction']['cosignatures'];
  const hash = json['meta']['hash'];
  if (!Array.isArray(cosignatures) || cosignatures.length === 0 || typeof hash !== 'string') return undefined;
  const kept = cosignatures.slice(0, -1);
  const keys = kept.map((c) => unhex(String(isObject(c) ? c['signerPublicKey'] : '')));
  return {
    ...json,
    meta: { ...json['meta'], merkleComponentHash: hex(merkleComponentHash(unhex(hash), keys)) },
    transaction: { ...json['transaction'], cosignatures: kept },
  };
}

/**
 * Search results whose embedded transfers name an aggregate no chain holds (SHA3 of "phantom" and the real hash):
 * the listing of a front that invents aggregates. `changed` when some entry was renamed.
 */
export function renameEmbeddedAggregates(data: readonly Json[]): { data: Json[]; changed: boolean } {
  let changed = false;
  const renamed = data.map((item): Json => {
    if (!isObject(item) || !isObject(item['meta']) || typeof item['meta']['aggregateHash'] !== 'string')
      return item;
    changed = true;
    const phantom = labelledHash('phantom', item['meta']['aggregateHash']);
    return { ...item, meta: { ...item['meta'], aggregateHash: phantom } };
  });
  return { data: renamed, changed };
}
