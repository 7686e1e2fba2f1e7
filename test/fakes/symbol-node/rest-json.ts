// TEST DOUBLE of a Symbol node — the JSON shapes catapult-rest returns (symbol-openapi): uint64 as decimal strings,
// hashes/keys/addresses as upper-case hex (addresses decoded, 48 hex digits), config values as `1'024` / `30s`.
import { models } from 'symbol-sdk/symbol';
import type { ConfirmedTransaction, FailedStatus, StoredTransaction, TestBlock } from './test-chain.ts';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex').toUpperCase();
const uint64Hex = (value: bigint): string => value.toString(16).toUpperCase().padStart(16, '0');

/** Config-file notation REST echoes in /network/properties: thousands separated by `'`. */
export function configNumber(value: number | bigint): string {
  return value.toString().replace(/\B(?=(\d{3})+(?!\d))/g, "'");
}

/** Config-file uint64 id: `0x` and 16 upper-case hex digits in groups of four separated by `'`. */
export function configHex(value: bigint): string {
  return `0x${uint64Hex(value).replace(/(.{4})(?!$)/g, "$1'")}`;
}

/** Config-file time span: whole hours, minutes or seconds when exact, else milliseconds. */
export function configTimeSpan(ms: number): string {
  if (ms > 0 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms > 0 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms > 0 && ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

interface EntityFields {
  signerPublicKey: { bytes: Uint8Array };
  version: number;
  network: { value: number };
  type: { value: number };
}

/** Type-specific body fields the double knows (transfer, account metadata); other types get the header only. */
function bodyJson(tx: unknown): { [key: string]: Json } {
  if (tx instanceof models.TransferTransactionV1 || tx instanceof models.EmbeddedTransferTransactionV1) {
    return {
      recipientAddress: hex(tx.recipientAddress.bytes),
      mosaics: (tx.mosaics as InstanceType<typeof models.UnresolvedMosaic>[]).map((m) => ({
        id: uint64Hex(BigInt(m.mosaicId.value)),
        amount: m.amount.value.toString(),
      })),
      message: hex(tx.message),
    };
  }
  if (tx instanceof models.EmbeddedAccountMetadataTransactionV1) {
    return {
      targetAddress: hex(tx.targetAddress.bytes),
      scopedMetadataKey: uint64Hex(tx.scopedMetadataKey),
      valueSizeDelta: tx.valueSizeDelta,
      valueSize: tx.value.length,
      value: hex(tx.value),
    };
  }
  return {};
}

function entityJson(tx: EntityFields): { [key: string]: Json } {
  return {
    signerPublicKey: hex(tx.signerPublicKey.bytes),
    version: tx.version,
    network: tx.network.value,
    type: tx.type.value,
  };
}

/** `GET /transactions/confirmed/{hash}`. */
export function confirmedTransactionJson(confirmed: ConfirmedTransaction): Json {
  const tx = confirmed.transaction;
  const transaction: { [key: string]: Json } = {
    size: tx.size,
    signature: hex(tx.signature.bytes),
    ...entityJson(tx),
    maxFee: tx.fee.value.toString(),
    deadline: tx.deadline.value.toString(),
    ...bodyJson(tx),
  };
  if ('transactionsHash' in tx && 'transactions' in tx && 'cosignatures' in tx) {
    transaction['transactionsHash'] = hex((tx.transactionsHash as { bytes: Uint8Array }).bytes);
    transaction['cosignatures'] = (tx.cosignatures as InstanceType<typeof models.Cosignature>[]).map((c) => ({
      version: c.version.toString(),
      signerPublicKey: hex(c.signerPublicKey.bytes),
      signature: hex(c.signature.bytes),
    }));
    transaction['transactions'] = (tx.transactions as unknown[]).map((inner, index) =>
      embeddedTransactionJson(confirmed, inner, index),
    );
  }
  return {
    meta: {
      height: confirmed.height.toString(),
      hash: confirmed.hash,
      merkleComponentHash: confirmed.merkleComponentHash,
      index: confirmed.index,
      timestamp: confirmed.timestamp.toString(),
      feeMultiplier: confirmed.feeMultiplier,
    },
    transaction,
    id: confirmed.id,
  };
}

/**
 * The embedded transaction at `index` of the aggregate `confirmed`, as `GET /transactions/confirmed/{hash}` lists
 * it under `transaction.transactions` and the search route returns it with `embedded=true`.
 */
export function embeddedTransactionJson(
  confirmed: ConfirmedTransaction,
  inner: unknown,
  index: number,
): Json {
  return {
    meta: {
      height: confirmed.height.toString(),
      aggregateHash: confirmed.hash,
      aggregateId: confirmed.id,
      index,
      timestamp: confirmed.timestamp.toString(),
      feeMultiplier: confirmed.feeMultiplier,
    },
    transaction: { ...entityJson(inner as EntityFields), ...bodyJson(inner) },
    id: `${confirmed.id.slice(0, 16)}${(index + 1).toString(16).toUpperCase().padStart(8, '0')}`,
  };
}

/** `GET /transactionStatus/{hash}` entry. */
export function statusJson(
  hash: string,
  found:
    | { group: 'confirmed'; tx: ConfirmedTransaction }
    | { group: 'unconfirmed'; tx: StoredTransaction }
    | { group: 'failed'; status: FailedStatus },
): Json {
  if (found.group === 'confirmed')
    return {
      group: 'confirmed',
      code: 'Success',
      hash,
      deadline: found.tx.deadline.toString(),
      height: found.tx.height.toString(),
    };
  if (found.group === 'unconfirmed')
    return {
      group: 'unconfirmed',
      code: 'Success',
      hash,
      deadline: found.tx.deadline.toString(),
      height: '0',
    };
  return {
    group: 'failed',
    code: found.status.code,
    hash,
    deadline: found.status.deadline.toString(),
    height: '0',
  };
}

/** `GET /blocks/{height}`. */
export function blockJson(block: TestBlock, networkIdentifier: number): Json {
  return {
    meta: {
      hash: block.hash,
      generationHash: block.generationHash,
      totalFee: block.totalFee.toString(),
      totalTransactionsCount: block.transactions.reduce(
        (n, tx) =>
          n + 1 + ('transactions' in tx.transaction ? (tx.transaction.transactions as unknown[]).length : 0),
        0,
      ),
      stateHashSubCacheMerkleRoots: [],
      transactionsCount: block.transactions.length,
      statementsCount: 0,
    },
    block: {
      size: block.size,
      signature: block.signature,
      signerPublicKey: block.signerPublicKey,
      version: 1,
      network: networkIdentifier,
      type: models.BlockType.NORMAL.value,
      height: block.height.toString(),
      timestamp: block.timestamp.toString(),
      difficulty: block.difficulty.toString(),
      // The double's harvester signs an all-zero VrfProof (block-signer.ts): these zeros are what hash and signature cover.
      proofGamma: '0'.repeat(64),
      proofVerificationHash: '0'.repeat(32),
      proofScalar: '0'.repeat(64),
      previousBlockHash: block.previousBlockHash,
      transactionsHash: block.transactionsHash,
      receiptsHash: block.receiptsHash,
      stateHash: block.stateHash,
      beneficiaryAddress: block.beneficiaryAddress,
      feeMultiplier: block.feeMultiplier,
    },
    id: block.id,
  };
}
