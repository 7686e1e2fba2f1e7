// A transfer to the operator's account as a node lists it (GET /transactions/confirmed?recipientAddress=…), rebuilt
// from the node's JSON and checked before it can become credit (docs/operations.md §Prepaid credit): the rebuilt
// transaction must hash to the hash the node gives and carry a valid signature by its sender, so a node cannot change
// an amount, a recipient or a message without the hash showing it. Where it sits (block, finality) is checked apart.
import { models, type SymbolFacade } from 'symbol-sdk/symbol';
import { field, parseHash, parseHex, parseMosaicId, parseUint } from '../anchor/symbol/rest-client.ts';
import { TRANSFER_TYPE } from '../proof/anchor/aggregate-layout.ts';
import type { Ed25519Verifier } from '../proof/anchor/ed25519-verifier.ts';
import { bytesEqual, toHex } from '../proof/encoding/bytes.ts';
import { creditClientOf } from './credit.ts';

/** The `symbol.xym` namespace id: wallets often send the currency by this alias rather than by its mosaic id. */
export const XYM_NAMESPACE_ID = 0xe74b99ba41f4afeen;
/** Largest message a transfer carries (the public networks' maxMessageSize). */
const MAX_MESSAGE_BYTES = 1024;
/** Most mosaics one transfer carries (catapult's maxMosaicsSize). */
const MAX_MOSAICS = 512;

/** A top-up that passed its checks: who it credits, how much, and where the node says it is. */
export interface IncomingTransfer {
  /**
   * What it is credited once by: the transfer's hash, or for one embedded in an aggregate, the id
   * SHA3-256(aggregate hash ‖ its index as u32 little-endian) (incoming-aggregate.ts).
   */
  readonly hash: Uint8Array;
  /** The client the message names. */
  readonly client: string;
  /** µXYM of the currency the transfer carries (the currency mosaic, or `symbol.xym`). */
  readonly amount: bigint;
  /** The height the node gave; the block is read and checked before the transfer is believed. */
  readonly height: bigint;
  readonly sender: Uint8Array;
}

/** What the checks made of one listed transaction. */
export type ListedTransfer =
  | { readonly kind: 'top-up'; readonly transfer: IncomingTransfer }
  /** A transfer embedded in the aggregate `aggregateHash`, which is read and checked whole (incoming-aggregate.ts). */
  | { readonly kind: 'embedded'; readonly aggregateHash: Uint8Array; readonly height: bigint }
  /** A real transfer to the account that is not a top-up (no memo, another client name, no currency). */
  | { readonly kind: 'other'; readonly hash: Uint8Array; readonly height: bigint; readonly reason: string }
  /** The node's answer does not hold together: the check that failed, and both values. */
  | {
      readonly kind: 'refused';
      readonly check: 'transaction-hash' | 'merkle-component-hash' | 'malformed';
      readonly expected: string;
      readonly got: string;
    };

/** What the listing is checked against. */
export interface ListingContext {
  readonly facade: SymbolFacade;
  /** The operator's decoded address (24 bytes). */
  readonly recipient: Uint8Array;
  /** The network's currency mosaic id. */
  readonly currencyMosaicId: bigint;
  readonly ed25519: Ed25519Verifier;
}

/** A copy the SDK's types accept (they want an ArrayBuffer, not any buffer). */
export const own = (b: Uint8Array): Uint8Array<ArrayBuffer> => Uint8Array.from(b);

/** A transfer's fields that make a top-up, top-level or embedded in an aggregate. */
type TransferBody = models.TransferTransactionV1 | models.EmbeddedTransferTransactionV1;

/**
 * Reads a transfer's signer, network, recipient, mosaics and message from a node's JSON `transaction` object into
 * `tx`; throws naming the field when one is missing or malformed.
 */
export function readTransferBody(json: unknown, tx: TransferBody, what: string): void {
  const mosaics = field(json, 'mosaics', what);
  if (!Array.isArray(mosaics)) throw new TypeError(`${what} mosaics: not a list`);
  if (mosaics.length > MAX_MOSAICS)
    throw new TypeError(`${what} mosaics: ${mosaics.length} entries, more than ${MAX_MOSAICS}`);
  const message = field(json, 'message', what);
  const messageHex = message === null || message === undefined ? '' : message;
  if (
    typeof messageHex !== 'string' ||
    messageHex.length % 2 !== 0 ||
    messageHex.length > 2 * MAX_MESSAGE_BYTES
  )
    throw new TypeError(`${what} message: not hex`);
  tx.signerPublicKey = new models.PublicKey(
    own(parseHex(field(json, 'signerPublicKey', what), 32, `${what} signerPublicKey`)),
  );
  tx.network = new models.NetworkType(
    Number(parseUint(field(json, 'network', what), `${what} network`) & 0xffn),
  );
  tx.recipientAddress = new models.UnresolvedAddress(
    own(parseHex(field(json, 'recipientAddress', what), 24, `${what} recipientAddress`)),
  );
  tx.mosaics = mosaics.map((item, i) => {
    const mosaic = new models.UnresolvedMosaic();
    mosaic.mosaicId = new models.UnresolvedMosaicId(
      parseMosaicId(field(item, 'id', `${what} mosaic ${i}`), `${what} mosaic ${i} id`),
    );
    mosaic.amount = new models.Amount(
      parseUint(field(item, 'amount', `${what} mosaic ${i}`), `${what} mosaic ${i} amount`),
    );
    return mosaic;
  });
  tx.message = own(parseHex(messageHex, messageHex.length / 2, `${what} message`));
}

/** The top-up a rebuilt transfer makes (who and how many µXYM), or why it makes none. */
export function topUpOf(tx: TransferBody, c: ListingContext): { client: string; amount: bigint } | string {
  if (!bytesEqual(tx.recipientAddress.bytes, c.recipient)) return 'another recipient';
  const client = creditClientOf(tx.message);
  if (client === undefined) return 'no spark-credit message';
  let amount = 0n;
  for (const m of tx.mosaics) {
    const id = BigInt(m.mosaicId.value);
    if (id === c.currencyMosaicId || id === XYM_NAMESPACE_ID) amount += BigInt(m.amount.value);
  }
  return amount === 0n ? 'no XYM' : { client, amount };
}

/** Where a node says a confirmed transaction is. */
export interface ConfirmedPlace {
  readonly hash: Uint8Array;
  readonly merkleComponentHash: Uint8Array;
  readonly height: bigint;
}

/** The `meta` of a node's confirmed-transaction JSON; throws naming the field. */
export function readMeta(entry: unknown, what: string): ConfirmedPlace {
  return {
    hash: parseHash(field(entry, 'meta.hash', what), 'meta.hash'),
    merkleComponentHash: parseHash(
      field(entry, 'meta.merkleComponentHash', what),
      'meta.merkleComponentHash',
    ),
    height: parseUint(field(entry, 'meta.height', what), 'meta.height'),
  };
}

/** Whether a listed entry is a transfer embedded in an aggregate: its aggregate's hash, else undefined. */
function aggregateHashOf(entry: unknown): unknown {
  const meta = typeof entry === 'object' && entry !== null ? (entry as { meta?: unknown }).meta : undefined;
  return typeof meta === 'object' && meta !== null
    ? (meta as { aggregateHash?: unknown }).aggregateHash
    : undefined;
}

/** Rebuilds and checks one entry of a transfer listing. */
export function checkListedTransfer(entry: unknown, c: ListingContext): ListedTransfer {
  let tx: models.TransferTransactionV1;
  let meta: ConfirmedPlace;
  try {
    const aggregateHash = aggregateHashOf(entry);
    if (aggregateHash !== undefined) {
      // Embedded: it has no hash or signature of its own; its aggregate is read and checked whole.
      return {
        kind: 'embedded',
        aggregateHash: parseHash(aggregateHash, 'meta.aggregateHash'),
        height: parseUint(field(entry, 'meta.height', 'transfer'), 'meta.height'),
      };
    }
    meta = readMeta(entry, 'transfer');
    const type = parseUint(field(entry, 'transaction.type', 'transfer'), 'transaction.type');
    const version = parseUint(field(entry, 'transaction.version', 'transfer'), 'transaction.version');
    if (type !== BigInt(TRANSFER_TYPE) || version !== 1n)
      return {
        kind: 'other',
        hash: meta.hash,
        height: meta.height,
        reason: `type ${type} version ${version}`,
      };
    const json = field(entry, 'transaction', 'transfer');
    tx = new models.TransferTransactionV1();
    readTransferBody(json, tx, 'transaction');
    tx.signature = new models.Signature(
      own(parseHex(field(json, 'signature', 'transfer'), 64, 'transaction.signature')),
    );
    tx.fee = new models.Amount(parseUint(field(json, 'maxFee', 'transfer'), 'transaction.maxFee'));
    tx.deadline = new models.Timestamp(
      parseUint(field(json, 'deadline', 'transfer'), 'transaction.deadline'),
    );
  } catch (err) {
    return {
      kind: 'refused',
      check: 'malformed',
      expected: 'a listed transfer',
      got: err instanceof Error ? err.message : 'unreadable',
    };
  }
  const hash = c.facade.hashTransaction(tx).bytes;
  if (!bytesEqual(hash, meta.hash))
    return { kind: 'refused', check: 'transaction-hash', expected: toHex(hash), got: toHex(meta.hash) };
  // A transfer is never cosigned: its leaf in the block's Merkle tree is its hash.
  if (!bytesEqual(meta.merkleComponentHash, hash))
    return {
      kind: 'refused',
      check: 'merkle-component-hash',
      expected: toHex(hash),
      got: toHex(meta.merkleComponentHash),
    };
  const signer = tx.signerPublicKey.bytes;
  if (!c.ed25519.verify(tx.signature.bytes, c.facade.extractSigningPayload(tx), signer))
    return { kind: 'refused', check: 'transaction-hash', expected: 'a signature by the sender', got: 'none' };
  const topUp = topUpOf(tx, c);
  if (typeof topUp === 'string') return { kind: 'other', hash, height: meta.height, reason: topUp };
  return {
    kind: 'top-up',
    transfer: { hash, ...topUp, height: meta.height, sender: Uint8Array.from(signer) },
  };
}
