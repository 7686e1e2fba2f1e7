// Builds the Symbol aggregate-complete anchor transaction from anchor and key-history records, and attaches an external signature (docs/anchoring.md §Aggregate).

import { sha3_256 } from '@noble/hashes/sha3.js';
import { Hash256, PublicKey, Signature } from 'symbol-sdk';
import { metadataUpdateValue, models, Network, SymbolFacade } from 'symbol-sdk/symbol';
import { AnchorError } from '../proof/anchor/anchor-error.ts';
import { decodeKeyMetadata, metadataScopedKey } from '../proof/anchor/key-history-record.ts';
import { chunkRecord, MAX_MESSAGE_SIZE } from '../proof/anchor/record-chunks.ts';
import { concatBytes, toHex } from '../proof/encoding/bytes.ts';
import type { ExternalSigner } from './external-signer.ts';

/** Network limit on embedded transactions per aggregate. */
export const MAX_EMBEDDED_TRANSACTIONS = 100;
/** Network limit on a metadata value. */
export const MAX_METADATA_VALUE_SIZE = 1024;
/** Sanity bound on the fee multiplier (µXYM per byte); the caller applies its configured ceiling. */
export const MAX_FEE_MULTIPLIER = 1_000_000;

/** A network by name, or a custom one (a private network or a test node). */
export type AnchorNetwork =
  | 'mainnet'
  | 'testnet'
  | {
      readonly name?: string;
      /** Network type byte, e.g. 0x98. */
      readonly identifier: number;
      readonly generationHashSeed: Uint8Array;
      /** Network epoch; only used by SDK time helpers. */
      readonly epochTime?: Date;
    };

/** A key-history entry to write: its metadata value, the previous value if any, and its public-key record. */
export interface KeyHistoryInput {
  /** The new metadata value (docs/anchoring.md §Key history). Its key id gives the scoped key. */
  readonly metadataValue: Uint8Array;
  /** The value currently on chain under the same scoped key (an update is an XOR delta against it). */
  readonly previousValue?: Uint8Array;
  /** The public-key record; omitted when only retiring a key (updating valid_until). */
  readonly publicKeyRecord?: Uint8Array;
}

/** Inputs of `buildAnchorTransaction`. */
export interface BuildAnchorOptions {
  readonly network: AnchorNetwork;
  /** The anchoring account's Ed25519 public key (32 bytes). */
  readonly signerPublicKey: Uint8Array;
  /** Encoded anchor records (several batches may share one aggregate). */
  readonly records: readonly Uint8Array[];
  readonly keyRecords?: readonly KeyHistoryInput[];
  /** 3 after the network's `uniqueAggregateTransactionHash` fork, 2 before. */
  readonly aggregateVersion: 2 | 3;
  /** µXYM per byte, read from the node and bounded by configuration. */
  readonly feeMultiplier: number;
  /** Network milliseconds, from the node's clock. */
  readonly deadline: bigint;
}

/** An unsigned anchor transaction. */
export interface BuiltAnchorTransaction {
  readonly facade: SymbolFacade;
  readonly transaction: models.Transaction;
  readonly size: number;
  readonly fee: bigint;
  /** generationHashSeed ‖ signed header bytes: what the Ed25519 key signs. */
  readonly signingPayload: Uint8Array;
  readonly embeddedCount: number;
}

/** A signed anchor transaction, ready for `PUT /transactions`. */
export interface SignedAnchorTransaction {
  readonly payload: Uint8Array;
  readonly payloadHex: string;
  readonly hash: Uint8Array;
  readonly merkleComponentHash: Uint8Array;
}

/** The SDK facade of a named or custom network; AnchorError INVALID_ARGUMENT naming a malformed field. */
export function facadeFor(network: AnchorNetwork): SymbolFacade {
  if (network === 'mainnet' || network === 'testnet') return new SymbolFacade(network);
  if (typeof network !== 'object' || network === null) {
    throw new AnchorError('INVALID_ARGUMENT', 'network must be mainnet, testnet or a custom network', {
      field: 'network',
    });
  }
  if (!Number.isInteger(network.identifier) || network.identifier < 0 || network.identifier > 0xff) {
    throw new AnchorError('INVALID_ARGUMENT', 'network.identifier must be a byte', {
      field: 'network.identifier',
    });
  }
  if (!(network.generationHashSeed instanceof Uint8Array) || network.generationHashSeed.length !== 32) {
    throw new AnchorError('INVALID_ARGUMENT', 'network.generationHashSeed must be 32 bytes', {
      field: 'network.generationHashSeed',
    });
  }
  return new SymbolFacade(
    new Network(
      network.name ?? 'custom',
      network.identifier,
      network.epochTime ?? new Date(0),
      new Hash256(network.generationHashSeed),
    ),
  );
}

function checkOptions(o: BuildAnchorOptions): void {
  const bad = (field: string, message: string): never => {
    throw new AnchorError('INVALID_ARGUMENT', `${field}: ${message}`, { field });
  };
  if (!(o.signerPublicKey instanceof Uint8Array) || o.signerPublicKey.length !== 32) {
    bad('signerPublicKey', 'must be 32 bytes');
  }
  if (o.aggregateVersion !== 2 && o.aggregateVersion !== 3) bad('aggregateVersion', 'must be 2 or 3');
  if (!Number.isInteger(o.feeMultiplier) || o.feeMultiplier < 0 || o.feeMultiplier > MAX_FEE_MULTIPLIER) {
    bad('feeMultiplier', `must be an integer in 0..${MAX_FEE_MULTIPLIER}`);
  }
  if (typeof o.deadline !== 'bigint' || o.deadline <= 0n || o.deadline >= 1n << 64n) {
    bad('deadline', 'must be a positive u64 bigint');
  }
  if ((o.records?.length ?? 0) + (o.keyRecords?.length ?? 0) === 0) bad('records', 'nothing to anchor');
}

/** Builds the unsigned aggregate; throws AnchorError when the content breaks a network limit. */
export function buildAnchorTransaction(o: BuildAnchorOptions): BuiltAnchorTransaction {
  checkOptions(o);
  const facade = facadeFor(o.network);
  const signerPublicKey = new PublicKey(o.signerPublicKey);
  const self = facade.network.publicKeyToAddress(signerPublicKey);
  const messages: Uint8Array[] = [];
  const metadata: { scopedMetadataKey: bigint; valueSizeDelta: number; value: Uint8Array }[] = [];
  o.records.forEach((r, i) => {
    if (!(r instanceof Uint8Array)) {
      throw new AnchorError('INVALID_ARGUMENT', `records[${i}] must be bytes`, { field: `records[${i}]` });
    }
    messages.push(...chunkRecord(r));
  });
  (o.keyRecords ?? []).forEach((k, i) => {
    const field = `keyRecords[${i}].metadataValue`;
    if (k.metadataValue.length < 1 || k.metadataValue.length > MAX_METADATA_VALUE_SIZE) {
      throw new AnchorError('RECORD_TOO_LARGE', `${field}: must be 1..${MAX_METADATA_VALUE_SIZE} bytes`, {
        field,
      });
    }
    const decoded = decodeKeyMetadata(k.metadataValue);
    if (!decoded.ok) throw new AnchorError('MALFORMED', `${field}: ${decoded.reason}`, { field });
    const old = k.previousValue;
    metadata.push({
      scopedMetadataKey: metadataScopedKey(decoded.value.keyId),
      valueSizeDelta: k.metadataValue.length - (old?.length ?? 0),
      value: metadataUpdateValue(old, k.metadataValue),
    });
    if (k.publicKeyRecord !== undefined) messages.push(...chunkRecord(k.publicKeyRecord));
  });
  const count = messages.length + metadata.length;
  if (count > MAX_EMBEDDED_TRANSACTIONS) {
    throw new AnchorError(
      'TOO_MANY_TRANSACTIONS',
      `${count} embedded transactions exceed the network's ${MAX_EMBEDDED_TRANSACTIONS}`,
      { field: 'records' },
    );
  }
  for (const m of messages) {
    if (m.length > MAX_MESSAGE_SIZE) {
      throw new AnchorError(
        'MESSAGE_TOO_LARGE',
        `a message of ${m.length} bytes exceeds ${MAX_MESSAGE_SIZE}`,
        {
          field: 'records',
        },
      );
    }
  }
  const embedded = [
    ...metadata.map((m) =>
      facade.transactionFactory.createEmbedded({
        type: 'account_metadata_transaction_v1',
        signerPublicKey,
        targetAddress: self,
        scopedMetadataKey: m.scopedMetadataKey,
        valueSizeDelta: m.valueSizeDelta,
        value: m.value,
      }),
    ),
    ...messages.map((message) =>
      facade.transactionFactory.createEmbedded({
        type: 'transfer_transaction_v1',
        signerPublicKey,
        recipientAddress: self,
        mosaics: [],
        message,
      }),
    ),
  ];
  const transaction = facade.transactionFactory.create({
    type:
      o.aggregateVersion === 3 ? 'aggregate_complete_transaction_v3' : 'aggregate_complete_transaction_v2',
    signerPublicKey,
    deadline: o.deadline,
    transactionsHash: facade.static.hashEmbeddedTransactions(embedded),
    transactions: embedded,
  });
  // The fee field has a fixed width, so setting it last does not change the size it is computed from.
  const fee = BigInt(transaction.size) * BigInt(o.feeMultiplier);
  transaction.fee = new models.Amount(fee);
  return {
    facade,
    transaction,
    size: transaction.size,
    fee,
    signingPayload: facade.extractSigningPayload(transaction),
    embeddedCount: embedded.length,
  };
}

/** Attaches a 64-byte Ed25519 signature made elsewhere; throws SIGNER_FAILED if it does not verify. */
export function attachSignature(
  built: BuiltAnchorTransaction,
  signature64: Uint8Array,
): SignedAnchorTransaction {
  if (!(signature64 instanceof Uint8Array) || signature64.length !== 64) {
    throw new AnchorError('INVALID_ARGUMENT', 'signature must be 64 bytes', { field: 'signature' });
  }
  const { facade, transaction } = built;
  if (!facade.verifyTransaction(transaction, new Signature(signature64))) {
    throw new AnchorError('SIGNER_FAILED', 'signature does not verify for the transaction signer', {
      field: 'signature',
    });
  }
  transaction.signature = new models.Signature(Uint8Array.from(signature64));
  const payload = transaction.serialize();
  const hash = facade.hashTransaction(transaction).bytes;
  const cosigners =
    (transaction as unknown as { cosignatures?: { signerPublicKey: PublicKey }[] }).cosignatures ?? [];
  const merkleComponentHash =
    cosigners.length === 0
      ? hash
      : sha3_256(concatBytes(hash, ...cosigners.map((c) => c.signerPublicKey.bytes)));
  return { payload, payloadHex: toHex(payload).toUpperCase(), hash, merkleComponentHash };
}

/** Signs with an external signer (HSM, remote, memory) and attaches the signature. */
export async function signAnchorTransaction(
  built: BuiltAnchorTransaction,
  signer: ExternalSigner,
): Promise<SignedAnchorTransaction> {
  if (toHex(signer.publicKey) !== toHex(built.transaction.signerPublicKey.bytes)) {
    throw new AnchorError('SIGNER_FAILED', 'signer public key differs from the transaction signer', {
      field: 'signer',
    });
  }
  let signature: Uint8Array;
  try {
    signature = await signer.sign(built.signingPayload);
  } catch (cause) {
    throw new AnchorError('SIGNER_FAILED', 'the external signer failed', { field: 'signer', cause });
  }
  return attachSignature(built, signature);
}
