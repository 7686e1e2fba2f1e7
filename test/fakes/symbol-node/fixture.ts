// Builds real Symbol transactions with symbol-sdk for the tests of the Symbol TEST DOUBLE (fixed, public test keys).
import { PrivateKey, utils } from 'symbol-sdk';
import { Address, metadataUpdateValue, models, SymbolFacade } from 'symbol-sdk/symbol';

export type KeyPair = InstanceType<typeof SymbolFacade.KeyPair>;

export const testnet = new SymbolFacade('testnet');
export const alice: KeyPair = new SymbolFacade.KeyPair(new PrivateKey('A'.repeat(64)));
export const bob: KeyPair = new SymbolFacade.KeyPair(new PrivateKey('B'.repeat(64)));
export const aliceAddress = testnet.network.publicKeyToAddress(alice.publicKey);
export const bobAddress = testnet.network.publicKeyToAddress(bob.publicKey);

export interface MetadataUpdate {
  readonly scopedKey: bigint;
  readonly oldValue: Uint8Array | undefined;
  readonly newValue: Uint8Array;
  /** Override the delta (to build an inconsistent update). */
  readonly valueSizeDelta?: number;
}

export interface AggregateSpec {
  /** Network time in ms the deadline is relative to (take it from the node's /node/time). */
  readonly nowMs: bigint;
  readonly facade?: SymbolFacade;
  readonly version?: 2 | 3;
  readonly signer?: KeyPair;
  readonly messages?: readonly Uint8Array[];
  readonly metadata?: readonly MetadataUpdate[];
  /** Embedded transfers signed by these accounts, each of which cosigns. */
  readonly cosigners?: readonly KeyPair[];
  /** false: the cosigners' embedded transactions are there but their cosignatures are not. */
  readonly cosign?: boolean;
  readonly deadlineOffsetMs?: bigint;
  readonly feeMultiplier?: bigint;
  /** Runs before signing (e.g. to corrupt transactionsHash). */
  readonly beforeSign?: (tx: InstanceType<typeof models.AggregateCompleteTransactionV3>) => void;
  /** Runs on the final bytes (e.g. to corrupt the signature). */
  readonly afterSign?: (bytes: Uint8Array) => void;
}

export interface BuiltTransaction {
  readonly payload: string;
  readonly bytes: Uint8Array;
  /** Hash as a testnet node computes it. */
  readonly hash: string;
  readonly size: number;
}

const COSIGNATURE_SIZE = 104;

export function buildAggregate(spec: AggregateSpec): BuiltTransaction {
  const facade = spec.facade ?? testnet;
  const signer = spec.signer ?? alice;
  const signerAddress = facade.network.publicKeyToAddress(signer.publicKey);
  const embedded: unknown[] = (spec.messages ?? [new Uint8Array([0xa7, 1, 2, 3])]).map((message) =>
    facade.transactionFactory.createEmbedded({
      type: 'transfer_transaction_v1',
      signerPublicKey: signer.publicKey,
      recipientAddress: signerAddress,
      mosaics: [],
      message,
    }),
  );
  for (const update of spec.metadata ?? [])
    embedded.push(
      facade.transactionFactory.createEmbedded({
        type: 'account_metadata_transaction_v1',
        signerPublicKey: signer.publicKey,
        targetAddress: signerAddress,
        scopedMetadataKey: update.scopedKey,
        valueSizeDelta: update.valueSizeDelta ?? update.newValue.length - (update.oldValue?.length ?? 0),
        value: metadataUpdateValue(update.oldValue, update.newValue),
      }),
    );
  for (const cosigner of spec.cosigners ?? [])
    embedded.push(
      facade.transactionFactory.createEmbedded({
        type: 'transfer_transaction_v1',
        signerPublicKey: cosigner.publicKey,
        recipientAddress: signerAddress,
        mosaics: [],
        message: new Uint8Array([0xa7, 0xc0]),
      }),
    );
  const typed = embedded as InstanceType<typeof models.EmbeddedTransaction>[];
  const tx = facade.transactionFactory.create({
    type: spec.version === 2 ? 'aggregate_complete_transaction_v2' : 'aggregate_complete_transaction_v3',
    signerPublicKey: signer.publicKey,
    deadline: spec.nowMs + (spec.deadlineOffsetMs ?? 2n * 3_600_000n),
    transactionsHash: facade.static.hashEmbeddedTransactions(typed),
    transactions: typed,
  }) as InstanceType<typeof models.AggregateCompleteTransactionV3>;
  const cosigners = spec.cosign === false ? [] : (spec.cosigners ?? []);
  tx.fee = new models.Amount(
    BigInt(tx.size + COSIGNATURE_SIZE * cosigners.length) * (spec.feeMultiplier ?? 100n),
  );
  spec.beforeSign?.(tx);
  const signature = facade.signTransaction(signer, tx);
  facade.transactionFactory.static.attachSignature(tx, signature);
  for (const cosigner of cosigners) tx.cosignatures.push(facade.cosignTransaction(cosigner, tx));
  const bytes = tx.serialize();
  spec.afterSign?.(bytes);
  const reparsed = models.TransactionFactory.deserialize(bytes);
  return {
    payload: utils.uint8ToHex(bytes),
    bytes,
    hash: testnet.hashTransaction(reparsed).toString(),
    size: bytes.length,
  };
}

/** The testnet currency mosaic id (what the double's `accounts` route reports and keeps balances in). */
export const TESTNET_CURRENCY_MOSAIC_ID = 0x72c0_212e_67a0_8bcen;

/** A fixed, public test key pair from one repeated hex byte (e.g. 'C1'). */
export const testKeyPair = (byte: string): KeyPair =>
  new SymbolFacade.KeyPair(new PrivateKey(byte.repeat(32)));

export interface TransferSpec {
  /** Network time in ms the deadline is relative to (take it from the node's /node/time). */
  readonly nowMs: bigint;
  readonly signer: KeyPair;
  /** Base32 address (T…). */
  readonly recipient: string;
  /** Amount of `mosaicId` (µXYM for the currency); 0 sends no mosaic. Default 1 XYM. */
  readonly amount?: bigint;
  /** Default: the testnet currency mosaic. */
  readonly mosaicId?: bigint;
  /** Plain message: byte 0x00 then this UTF-8 text. */
  readonly text?: string;
  readonly facade?: SymbolFacade;
  readonly deadlineOffsetMs?: bigint;
}

/** A signed top-level TransferTransactionV1 with a plain message, max fee = size × 100. */
export function buildTransfer(spec: TransferSpec): BuiltTransaction {
  const facade = spec.facade ?? testnet;
  const amount = spec.amount ?? 1_000_000n;
  const text = new TextEncoder().encode(spec.text ?? 'hello');
  const tx = facade.transactionFactory.create({
    type: 'transfer_transaction_v1',
    signerPublicKey: spec.signer.publicKey,
    deadline: spec.nowMs + (spec.deadlineOffsetMs ?? 2n * 3_600_000n),
    recipientAddress: new Address(spec.recipient),
    mosaics: amount === 0n ? [] : [{ mosaicId: spec.mosaicId ?? TESTNET_CURRENCY_MOSAIC_ID, amount }],
    message: Uint8Array.from([0, ...text]),
  });
  tx.fee = new models.Amount(BigInt(tx.size) * 100n);
  facade.transactionFactory.static.attachSignature(tx, facade.signTransaction(spec.signer, tx));
  const bytes = tx.serialize();
  return {
    payload: utils.uint8ToHex(bytes),
    bytes,
    hash: facade.hashTransaction(tx).toString(),
    size: bytes.length,
  };
}

export interface RestResponse<T> {
  readonly status: number;
  readonly body: T;
}

/** One bounded REST call (5 s). */
export async function rest<T = Record<string, unknown>>(
  url: string,
  path: string,
  init: { method?: string; body?: string } = {},
): Promise<RestResponse<T>> {
  const response = await fetch(`${url}${path}`, {
    method: init.method ?? 'GET',
    headers: { 'content-type': 'application/json' },
    ...(init.body === undefined ? {} : { body: init.body }),
    signal: AbortSignal.timeout(5000),
  });
  return { status: response.status, body: (await response.json()) as T };
}

export async function announce(
  url: string,
  tx: BuiltTransaction,
): Promise<RestResponse<{ message: string }>> {
  return rest(url, '/transactions', { method: 'PUT', body: JSON.stringify({ payload: tx.payload }) });
}

export async function nodeTime(url: string): Promise<bigint> {
  const time = await rest<{ communicationTimestamps: { receiveTimestamp: string } }>(url, '/node/time');
  return BigInt(time.body.communicationTimestamps.receiveTimestamp);
}

/** One embedded transfer of an aggregate top-up. */
export interface EmbeddedTransferSpec {
  readonly sender: KeyPair;
  /** Base32 address (T…). */
  readonly recipient: string;
  /** µXYM of the testnet currency; 0 sends no mosaic. */
  readonly amount: bigint;
  /** Plain message: byte 0x00 then this UTF-8 text. */
  readonly text: string;
}

/**
 * A signed aggregate complete (v3 by default, or `version`) of currency transfers with plain messages, as a wallet
 * (a multisig one, say) sends them: signed by `signer`, cosigned by every other sender (unless `cosign` is false).
 */
export function buildAggregateTransfers(spec: {
  readonly nowMs: bigint;
  readonly signer: KeyPair;
  readonly transfers: readonly EmbeddedTransferSpec[];
  readonly version?: 2 | 3;
  readonly cosign?: boolean;
  /** Adds a new account-metadata entry (scoped key 1) of the signer's own with this value, after the transfers. */
  readonly metadataValue?: Uint8Array;
}): BuiltTransaction {
  const embedded = spec.transfers.map((t) =>
    testnet.transactionFactory.createEmbedded({
      type: 'transfer_transaction_v1',
      signerPublicKey: t.sender.publicKey,
      recipientAddress: new Address(t.recipient),
      mosaics: t.amount === 0n ? [] : [{ mosaicId: TESTNET_CURRENCY_MOSAIC_ID, amount: t.amount }],
      message: Uint8Array.from([0, ...new TextEncoder().encode(t.text)]),
    }),
  ) as InstanceType<typeof models.EmbeddedTransaction>[];
  if (spec.metadataValue !== undefined)
    embedded.push(
      testnet.transactionFactory.createEmbedded({
        type: 'account_metadata_transaction_v1',
        signerPublicKey: spec.signer.publicKey,
        targetAddress: testnet.network.publicKeyToAddress(spec.signer.publicKey),
        scopedMetadataKey: 1n,
        valueSizeDelta: spec.metadataValue.length,
        value: spec.metadataValue,
      }) as InstanceType<typeof models.EmbeddedTransaction>,
    );
  const tx = testnet.transactionFactory.create({
    type: spec.version === 2 ? 'aggregate_complete_transaction_v2' : 'aggregate_complete_transaction_v3',
    signerPublicKey: spec.signer.publicKey,
    deadline: spec.nowMs + 2n * 3_600_000n,
    transactionsHash: testnet.static.hashEmbeddedTransactions(embedded),
    transactions: embedded,
  }) as InstanceType<typeof models.AggregateCompleteTransactionV3>;
  const signer = spec.signer.publicKey.toString();
  const cosigners = [
    ...new Map(
      spec.transfers
        .filter((t) => t.sender.publicKey.toString() !== signer)
        .map((t) => [t.sender.publicKey.toString(), t.sender]),
    ).values(),
  ];
  tx.fee = new models.Amount(BigInt(tx.size + COSIGNATURE_SIZE * cosigners.length) * 100n);
  testnet.transactionFactory.static.attachSignature(tx, testnet.signTransaction(spec.signer, tx));
  if (spec.cosign !== false)
    for (const c of cosigners) tx.cosignatures.push(testnet.cosignTransaction(c, tx));
  const bytes = tx.serialize();
  return {
    payload: utils.uint8ToHex(bytes),
    bytes,
    hash: testnet.hashTransaction(tx).toString(),
    size: bytes.length,
  };
}
