// TEST DOUBLE of a Symbol node — decodes an announced payload and validates it the way catapult's stateless and
// stateful validators do (network, deadline, aggregate version/size/hash/cosignatures, transfer message, metadata,
// balances for fees and currency transfers).
import { type PublicKey, Signature } from 'symbol-sdk';
import { models, type SymbolFacade, SymbolTransactionFactory, Verifier } from 'symbol-sdk/symbol';
import type { SymbolFailureCode } from './failure-codes.ts';

/** Consensus limits the validator enforces (the real networks' values are the defaults in symbol-test-node.ts). */
export interface ValidationLimits {
  readonly maxTransactionLifetimeMs: bigint;
  readonly maxTransactionsPerAggregate: number;
  readonly maxCosignaturesPerAggregate: number;
  readonly maxMessageSize: number;
  readonly maxMetadataValueSize: number;
  /** Aggregates must be v3 from this height on and v2 below it. */
  readonly forkHeightV3: bigint;
}

/** Confirmed (or confirmed + unconfirmed) state a transaction is validated against. */
export interface LedgerView {
  metadataValue(key: string): Uint8Array | undefined;
  /** undefined when balance bookkeeping is off. */
  balance(addressHex: string): bigint | undefined;
}

export interface MetadataEffect {
  readonly kind: 'metadata';
  readonly key: string;
  readonly sourceAddress: Uint8Array;
  readonly targetAddress: Uint8Array;
  readonly scopedMetadataKey: bigint;
  readonly value: Uint8Array;
}

export interface FeeEffect {
  readonly kind: 'fee';
  readonly addressHex: string;
  readonly maxFee: bigint;
  readonly size: number;
}

/** A transfer of the currency mosaic (other mosaics have no state in the double). */
export interface TransferEffect {
  readonly kind: 'transfer';
  readonly fromHex: string;
  readonly toHex: string;
  readonly amount: bigint;
}

export type LedgerEffect = MetadataEffect | FeeEffect | TransferEffect;

export interface ValidationContext {
  readonly facade: SymbolFacade;
  readonly limits: ValidationLimits;
  /** Network time in ms (the node clock, as `/node/time` reports it). */
  readonly networkTimeMs: bigint;
  /** Height of the block that would include the transaction. */
  readonly height: bigint;
  readonly ledger: LedgerView;
  /** Mosaic ids (and aliases) a transfer moves balances in: the currency mosaic and its namespace alias. */
  readonly currencyMosaicIds: ReadonlySet<bigint>;
}

export type ValidationOutcome =
  | { readonly ok: true; readonly effects: readonly LedgerEffect[] }
  | { readonly ok: false; readonly code: SymbolFailureCode };

type AnyTransaction = ReturnType<typeof SymbolTransactionFactory.deserialize>;

export type DecodeOutcome =
  | { readonly ok: true; readonly transaction: AnyTransaction }
  | { readonly ok: false; readonly reason: string };

const AGGREGATE_COMPLETE = [
  models.AggregateCompleteTransactionV1,
  models.AggregateCompleteTransactionV2,
  models.AggregateCompleteTransactionV3,
] as const;
const AGGREGATE_BONDED = [
  models.AggregateBondedTransactionV1,
  models.AggregateBondedTransactionV2,
  models.AggregateBondedTransactionV3,
] as const;

type Aggregate = InstanceType<(typeof AGGREGATE_COMPLETE)[number] | (typeof AGGREGATE_BONDED)[number]>;

function isAggregate(tx: AnyTransaction): tx is Aggregate {
  return [...AGGREGATE_COMPLETE, ...AGGREGATE_BONDED].some((cls) => tx instanceof cls);
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex').toUpperCase();
}

/** Metadata entry key as catapult keys its cache: source, target, scoped key (account metadata: no target id). */
export function metadataKey(sourceAddress: Uint8Array, targetAddress: Uint8Array, scopedKey: bigint): string {
  return `${hex(sourceAddress)}:${hex(targetAddress)}:${scopedKey.toString(16).toUpperCase().padStart(16, '0')}`;
}

/**
 * Decodes a payload the way the node's packet reader would: it must deserialize, its size field must equal its
 * length, and it must re-serialize to the same bytes. Anything else is a malformed packet the node drops unreported.
 */
export function decodeAnnouncedPayload(bytes: Uint8Array): DecodeOutcome {
  let transaction: AnyTransaction;
  try {
    transaction = SymbolTransactionFactory.deserialize(bytes);
  } catch (error) {
    return { ok: false, reason: `does not deserialize: ${(error as Error).message}` };
  }
  if (transaction.size !== bytes.length)
    return { ok: false, reason: 'size field does not match payload length' };
  let again: Uint8Array;
  try {
    again = transaction.serialize();
  } catch (error) {
    return { ok: false, reason: `does not re-serialize: ${(error as Error).message}` };
  }
  if (Buffer.compare(Buffer.from(again), Buffer.from(bytes)) !== 0)
    return { ok: false, reason: 'non-canonical encoding' };
  if (!(transaction instanceof models.TransferTransactionV1) && !isAggregate(transaction))
    return {
      ok: false,
      reason: `transaction type ${transaction.type.value} is not supported by this test double`,
    };
  return { ok: true, transaction };
}

/** Checks the byte-level limits of one embedded (or top-level) transfer or account metadata transaction. */
function validateBody(tx: unknown, limits: ValidationLimits): SymbolFailureCode | undefined {
  if (tx instanceof models.EmbeddedTransferTransactionV1 || tx instanceof models.TransferTransactionV1) {
    if (tx.message.length > limits.maxMessageSize) return 'Failure_Transfer_Message_Too_Large';
  }
  if (tx instanceof models.EmbeddedAccountMetadataTransactionV1) {
    const valueSize = tx.value.length;
    if (valueSize === 0) return 'Failure_Metadata_Value_Too_Small';
    if (valueSize > limits.maxMetadataValueSize) return 'Failure_Metadata_Value_Too_Large';
    if (Math.abs(tx.valueSizeDelta) > valueSize) return 'Failure_Metadata_Value_Size_Delta_Too_Large';
  }
  return undefined;
}

/** The currency transfers of a transaction, in order: a top-level transfer, or an aggregate's embedded ones. */
function currencyTransfers(
  transactions: readonly unknown[],
  facade: SymbolFacade,
  currencyIds: ReadonlySet<bigint>,
): TransferEffect[] {
  const effects: TransferEffect[] = [];
  for (const tx of transactions) {
    if (!(tx instanceof models.TransferTransactionV1 || tx instanceof models.EmbeddedTransferTransactionV1))
      continue;
    let amount = 0n;
    for (const mosaic of tx.mosaics as InstanceType<typeof models.UnresolvedMosaic>[])
      if (currencyIds.has(BigInt(mosaic.mosaicId.value))) amount += BigInt(mosaic.amount.value);
    if (amount === 0n) continue;
    effects.push({
      kind: 'transfer',
      fromHex: hex(facade.network.publicKeyToAddress(tx.signerPublicKey).bytes),
      toHex: hex(tx.recipientAddress.bytes),
      amount,
    });
  }
  return effects;
}

/** Whether every debit (max fee, then each transfer in order, credits applied as they come) is covered. */
function balancesCover(effects: readonly LedgerEffect[], ledger: LedgerView): boolean {
  const delta = new Map<string, bigint>();
  const move = (address: string, amount: bigint): boolean => {
    const balance = ledger.balance(address);
    if (balance === undefined) return true; // balance bookkeeping is off
    const next = (delta.get(address) ?? 0n) + amount;
    if (balance + next < 0n) return false;
    delta.set(address, next);
    return true;
  };
  for (const effect of effects) {
    if (effect.kind === 'fee' && !move(effect.addressHex, -effect.maxFee)) return false;
    if (
      effect.kind === 'transfer' &&
      !(move(effect.fromHex, -effect.amount) && move(effect.toHex, effect.amount))
    )
      return false;
  }
  return true;
}

/** catapult MetadataValueValidator plus the observer that applies the XOR delta. */
function applyMetadata(
  current: Uint8Array | undefined,
  delta: number,
  buffer: Uint8Array,
): { ok: true; value: Uint8Array } | { ok: false; code: SymbolFailureCode } {
  const valueSize = buffer.length;
  if (current === undefined) {
    if (delta !== valueSize) return { ok: false, code: 'Failure_Metadata_Value_Size_Delta_Mismatch' };
    return { ok: true, value: Uint8Array.from(buffer) };
  }
  const expectedCurrentSize = delta > 0 ? valueSize - delta : valueSize;
  if (expectedCurrentSize !== current.length)
    return { ok: false, code: 'Failure_Metadata_Value_Size_Delta_Mismatch' };
  if (delta < 0) {
    // A truncation must XOR the dropped tail to zero, or the old value could not be restored from history.
    for (let i = valueSize + delta; i < valueSize; i++)
      if (buffer[i] !== current[i]) return { ok: false, code: 'Failure_Metadata_Value_Change_Irreversible' };
  }
  const next = new Uint8Array(valueSize);
  for (let i = 0; i < valueSize; i++) next[i] = (buffer[i] as number) ^ (current[i] ?? 0);
  return { ok: true, value: next.slice(0, current.length + delta) };
}

function aggregateVersionCode(
  version: number,
  height: bigint,
  forkHeightV3: bigint,
): SymbolFailureCode | undefined {
  const required = height >= forkHeightV3 ? 3 : 2;
  if (version === required) return undefined;
  if (version === 3) return 'Failure_Aggregate_V3_Prohibited';
  return version === 2 ? 'Failure_Aggregate_V2_Prohibited' : 'Failure_Aggregate_V1_Prohibited';
}

/** Validates a decoded transaction; on success returns the state changes its confirmation will make. */
export function validateTransaction(tx: AnyTransaction, context: ValidationContext): ValidationOutcome {
  const { facade, limits, ledger } = context;
  const fail = (code: SymbolFailureCode): ValidationOutcome => ({ ok: false, code });
  const networkId = facade.network.identifier;
  const embedded: unknown[] = isAggregate(tx) ? tx.transactions : [];

  // Stateless entity checks.
  if (tx.network.value !== networkId) return fail('Failure_Core_Wrong_Network');
  for (const inner of embedded)
    if ((inner as { network: { value: number } }).network.value !== networkId)
      return fail('Failure_Core_Wrong_Network');

  if (isAggregate(tx)) {
    if (embedded.length === 0) return fail('Failure_Aggregate_No_Transactions');
    if (embedded.length > limits.maxTransactionsPerAggregate)
      return fail('Failure_Aggregate_Too_Many_Transactions');
    if (tx.cosignatures.length > limits.maxCosignaturesPerAggregate)
      return fail('Failure_Aggregate_Too_Many_Cosignatures');
    const expected = facade.static.hashEmbeddedTransactions(tx.transactions);
    if (hex(expected.bytes) !== hex(tx.transactionsHash.bytes))
      return fail('Failure_Aggregate_Transactions_Hash_Mismatch');
  }
  for (const inner of [tx, ...embedded]) {
    const code = validateBody(inner, limits);
    if (code) return fail(code);
  }

  // Signatures: the signer's over the signing payload, each cosigner's over the transaction hash.
  if (!facade.verifyTransaction(tx, new Signature(tx.signature.bytes)))
    return fail('Failure_Signature_Not_Verifiable');
  const signerAddress = facade.network.publicKeyToAddress(tx.signerPublicKey).bytes;
  const cosignerAddresses = new Set<string>();
  if (isAggregate(tx)) {
    const hash = facade.hashTransaction(tx).bytes;
    for (const cosignature of tx.cosignatures as InstanceType<typeof models.Cosignature>[]) {
      const verifier = new Verifier(cosignature.signerPublicKey);
      if (!verifier.verify(hash, new Signature(cosignature.signature.bytes)))
        return fail('Failure_Signature_Not_Verifiable');
      const address = hex(facade.network.publicKeyToAddress(cosignature.signerPublicKey).bytes);
      if (cosignerAddresses.has(address) || address === hex(signerAddress))
        return fail('Failure_Aggregate_Redundant_Cosignatures');
      cosignerAddresses.add(address);
    }
  }

  // Stateful checks.
  const deadline = BigInt(tx.deadline.value);
  if (deadline < context.networkTimeMs) return fail('Failure_Core_Past_Deadline');
  if (deadline > context.networkTimeMs + limits.maxTransactionLifetimeMs)
    return fail('Failure_Core_Future_Deadline');

  if (isAggregate(tx)) {
    if (AGGREGATE_BONDED.some((cls) => tx instanceof cls)) return fail('Failure_LockHash_Unknown_Hash');
    const versionCode = aggregateVersionCode(tx.version, context.height, limits.forkHeightV3);
    if (versionCode) return fail(versionCode);
    // Complete aggregates need a cosignature from every embedded signer and every metadata target but the signer.
    const required = new Set<string>();
    for (const inner of embedded) {
      const innerSigner = (inner as { signerPublicKey: PublicKey }).signerPublicKey;
      required.add(hex(facade.network.publicKeyToAddress(innerSigner).bytes));
      if (inner instanceof models.EmbeddedAccountMetadataTransactionV1)
        required.add(hex(inner.targetAddress.bytes));
    }
    required.delete(hex(signerAddress));
    for (const address of required)
      if (!cosignerAddresses.has(address)) return fail('Failure_Aggregate_Missing_Cosignatures');
    for (const address of cosignerAddresses)
      if (!required.has(address)) return fail('Failure_Aggregate_Ineligible_Cosignatories');
  }

  // The signer pays the max fee (charged later: size × the block's multiplier), then currency transfers move.
  const effects: LedgerEffect[] = [
    { kind: 'fee', addressHex: hex(signerAddress), maxFee: BigInt(tx.fee.value), size: tx.size },
    ...currencyTransfers([tx, ...embedded], facade, context.currencyMosaicIds),
  ];
  if (!balancesCover(effects, ledger)) return fail('Failure_Core_Insufficient_Balance');

  // Metadata updates apply in order; a later one in the same aggregate sees the earlier one's result.
  const overlay = new Map<string, Uint8Array>();
  for (const inner of embedded) {
    if (!(inner instanceof models.EmbeddedAccountMetadataTransactionV1)) continue;
    const source = facade.network.publicKeyToAddress(inner.signerPublicKey).bytes;
    const target = Uint8Array.from(inner.targetAddress.bytes);
    const key = metadataKey(source, target, inner.scopedMetadataKey);
    const current = overlay.has(key) ? overlay.get(key) : ledger.metadataValue(key);
    const applied = applyMetadata(current, inner.valueSizeDelta, inner.value);
    if (!applied.ok) return fail(applied.code);
    overlay.set(key, applied.value);
    effects.push({
      kind: 'metadata',
      key,
      sourceAddress: Uint8Array.from(source),
      targetAddress: target,
      scopedMetadataKey: inner.scopedMetadataKey,
      value: applied.value,
    });
  }
  return { ok: true, effects };
}
