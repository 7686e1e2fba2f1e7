// An aggregate holding transfers to the operator's account (multisig wallets and many others send through one),
// rebuilt from a node's JSON (GET /transactions/confirmed/{hash}) and checked whole before any of its transfers can
// become credit (docs/operations.md §Prepaid credit): the rebuilt header must hash to the aggregate's hash, the
// rebuilt embedded transfers to its transactionsHash, its signature and every cosignature must verify, and its
// Merkle component hash (hash ‖ cosigners) must be the node's. Only aggregates of transfers are rebuilt; where the
// aggregate sits (block, finality) is checked apart, by its hash and Merkle component hash.
import { sha3_256 } from '@noble/hashes/sha3.js';
import { models } from 'symbol-sdk/symbol';
import { field, parseHex, parseUint } from '../anchor/symbol/rest-client.ts';
import { AGGREGATE_COMPLETE_TYPE, TRANSFER_TYPE } from '../proof/anchor/aggregate-layout.ts';
import { merkleComponentHashOf } from '../proof/anchor/verify-anchor.ts';
import { bytesEqual, concatBytes, toHex } from '../proof/encoding/bytes.ts';
import {
  type ConfirmedPlace,
  type IncomingTransfer,
  type ListingContext,
  own,
  readMeta,
  readTransferBody,
  topUpOf,
} from './incoming-transfer.ts';

const AGGREGATE_BONDED = 0x4241;
/** Bounds on what is rebuilt at all (the public networks allow 100 transactions and 25 cosignatures). */
const MAX_EMBEDDED = 1_000;
const MAX_COSIGNATURES = 1_000;

/** What the checks made of one aggregate. */
export type ListedAggregate =
  | {
      readonly kind: 'aggregate';
      readonly hash: Uint8Array;
      readonly merkleComponentHash: Uint8Array;
      readonly height: bigint;
      /** Its transfers to the account that are top-ups, in embedded order. */
      readonly topUps: readonly IncomingTransfer[];
    }
  /**
   * It carries other transaction types than transfers, which are not rebuilt: unchecked, so one node saying so
   * proves nothing (the watch believes it only from a quorum).
   */
  | { readonly kind: 'other'; readonly hash: Uint8Array; readonly reason: string }
  | {
      readonly kind: 'refused';
      readonly check: 'transaction-hash' | 'merkle-component-hash' | 'malformed';
      readonly expected: string;
      readonly got: string;
    };

/** The id a transfer embedded at `index` of aggregate `hash` is credited once by. */
export function embeddedTopUpId(hash: Uint8Array, index: number): Uint8Array {
  return sha3_256(
    concatBytes(hash, Uint8Array.of(index & 0xff, (index >>> 8) & 0xff, (index >>> 16) & 0xff, index >>> 24)),
  );
}

type Aggregate =
  | models.AggregateCompleteTransactionV2
  | models.AggregateCompleteTransactionV3
  | models.AggregateBondedTransactionV2
  | models.AggregateBondedTransactionV3;

/** The empty model of each aggregate rebuilt, by "type/version". */
const AGGREGATES: ReadonlyMap<string, () => Aggregate> = new Map<string, () => Aggregate>([
  [`${AGGREGATE_COMPLETE_TYPE}/2`, () => new models.AggregateCompleteTransactionV2()],
  [`${AGGREGATE_COMPLETE_TYPE}/3`, () => new models.AggregateCompleteTransactionV3()],
  [`${AGGREGATE_BONDED}/2`, () => new models.AggregateBondedTransactionV2()],
  [`${AGGREGATE_BONDED}/3`, () => new models.AggregateBondedTransactionV3()],
]);

/** Rebuilds the aggregate `entry` that a node gave for `hash` and checks it; never throws. */
export function checkListedAggregate(entry: unknown, hash: Uint8Array, c: ListingContext): ListedAggregate {
  let tx: Aggregate;
  let meta: ConfirmedPlace;
  let embedded: models.EmbeddedTransferTransactionV1[];
  try {
    meta = readMeta(entry, 'aggregate');
    if (!bytesEqual(meta.hash, hash))
      return { kind: 'refused', check: 'transaction-hash', expected: toHex(hash), got: toHex(meta.hash) };
    const json = field(entry, 'transaction', 'aggregate');
    const type = parseUint(field(json, 'type', 'aggregate'), 'transaction.type');
    const version = parseUint(field(json, 'version', 'aggregate'), 'transaction.version');
    const made = AGGREGATES.get(`${type}/${version}`)?.();
    if (made === undefined)
      return {
        kind: 'other',
        hash: meta.hash,
        reason: `type ${type} version ${version} is not an aggregate v2 or v3`,
      };
    tx = made;
    const inner = field(json, 'transactions', 'aggregate');
    const cosignatures = field(json, 'cosignatures', 'aggregate');
    if (!Array.isArray(inner)) throw new TypeError('transaction.transactions: not a list');
    if (inner.length === 0 || inner.length > MAX_EMBEDDED)
      throw new TypeError(`transaction.transactions: ${inner.length} entries, not 1..${MAX_EMBEDDED}`);
    if (!Array.isArray(cosignatures)) throw new TypeError('transaction.cosignatures: not a list');
    if (cosignatures.length > MAX_COSIGNATURES)
      throw new TypeError(
        `transaction.cosignatures: ${cosignatures.length} entries, more than ${MAX_COSIGNATURES}`,
      );
    embedded = [];
    for (const [i, item] of inner.entries()) {
      const e = field(item, 'transaction', `embedded ${i}`);
      const t = parseUint(field(e, 'type', `embedded ${i}`), `embedded ${i} type`);
      const v = parseUint(field(e, 'version', `embedded ${i}`), `embedded ${i} version`);
      if (t !== BigInt(TRANSFER_TYPE) || v !== 1n)
        return {
          kind: 'other',
          hash: meta.hash,
          reason: `embedded ${i} is type ${t} version ${v}: only aggregates of transfers are rebuilt`,
        };
      const transfer = new models.EmbeddedTransferTransactionV1();
      readTransferBody(e, transfer, `embedded ${i}`);
      embedded.push(transfer);
    }
    tx.signature = new models.Signature(
      own(parseHex(field(json, 'signature', 'aggregate'), 64, 'transaction.signature')),
    );
    tx.signerPublicKey = new models.PublicKey(
      own(parseHex(field(json, 'signerPublicKey', 'aggregate'), 32, 'transaction.signerPublicKey')),
    );
    tx.network = new models.NetworkType(
      Number(parseUint(field(json, 'network', 'aggregate'), 'transaction.network') & 0xffn),
    );
    tx.fee = new models.Amount(parseUint(field(json, 'maxFee', 'aggregate'), 'transaction.maxFee'));
    tx.deadline = new models.Timestamp(
      parseUint(field(json, 'deadline', 'aggregate'), 'transaction.deadline'),
    );
    tx.transactionsHash = new models.Hash256(
      own(parseHex(field(json, 'transactionsHash', 'aggregate'), 32, 'transaction.transactionsHash')),
    );
    tx.transactions = embedded;
    tx.cosignatures = cosignatures.map((item, i) => {
      const cosignature = new models.Cosignature();
      cosignature.version = parseUint(field(item, 'version', `cosignature ${i}`), `cosignature ${i} version`);
      cosignature.signerPublicKey = new models.PublicKey(
        own(
          parseHex(
            field(item, 'signerPublicKey', `cosignature ${i}`),
            32,
            `cosignature ${i} signerPublicKey`,
          ),
        ),
      );
      cosignature.signature = new models.Signature(
        own(parseHex(field(item, 'signature', `cosignature ${i}`), 64, `cosignature ${i} signature`)),
      );
      return cosignature;
    });
  } catch (err) {
    return {
      kind: 'refused',
      check: 'malformed',
      expected: 'a confirmed aggregate',
      got: err instanceof Error ? err.message : 'unreadable',
    };
  }
  const refused = (check: 'transaction-hash' | 'merkle-component-hash', expected: string, got: string) =>
    ({ kind: 'refused', check, expected, got }) as const;
  const computed = c.facade.hashTransaction(tx).bytes;
  if (!bytesEqual(computed, hash)) return refused('transaction-hash', toHex(computed), toHex(hash));
  // The header names its embedded transactions only through transactionsHash: the rebuilt ones must make it.
  const inner = c.facade.static.hashEmbeddedTransactions(embedded).bytes;
  if (!bytesEqual(inner, tx.transactionsHash.bytes))
    return refused(
      'transaction-hash',
      `transactionsHash ${toHex(inner)}`,
      `transactionsHash ${toHex(tx.transactionsHash.bytes)}`,
    );
  if (!c.ed25519.verify(tx.signature.bytes, c.facade.extractSigningPayload(tx), tx.signerPublicKey.bytes))
    return refused('transaction-hash', 'a signature by the aggregate signer', 'none');
  for (const [i, cosignature] of tx.cosignatures.entries()) {
    if (!c.ed25519.verify(cosignature.signature.bytes, hash, cosignature.signerPublicKey.bytes))
      return refused(
        'transaction-hash',
        `cosignature ${i} by ${toHex(cosignature.signerPublicKey.bytes)}`,
        'none',
      );
  }
  const component = merkleComponentHashOf(
    hash,
    tx.cosignatures.map((x) => x.signerPublicKey.bytes),
  );
  if (!bytesEqual(component, meta.merkleComponentHash))
    return refused('merkle-component-hash', toHex(component), toHex(meta.merkleComponentHash));
  const topUps: IncomingTransfer[] = [];
  embedded.forEach((transfer, index) => {
    const topUp = topUpOf(transfer, c);
    if (typeof topUp === 'string') return;
    topUps.push({
      hash: embeddedTopUpId(hash, index),
      ...topUp,
      height: meta.height,
      sender: Uint8Array.from(transfer.signerPublicKey.bytes),
    });
  });
  return { kind: 'aggregate', hash, merkleComponentHash: component, height: meta.height, topUps };
}
