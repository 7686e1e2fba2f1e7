// Domain records to their protobuf messages.
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import type { AnchorStatus } from '../anchor/anchor-state.ts';
import { balanceOf, type CreditBalance } from '../credit/credit.ts';
import { type KeyRecord, KeyRecordSchema, Status } from '../gen/spark/v1/bundle_pb.js';
import {
  type CreditSchema,
  type FeeQuote,
  type Receipt,
  ReceiptSchema,
} from '../gen/spark/v1/processor_pb.js';
import type { KeyHistoryEntry, LeafRecord } from '../store/store.ts';

const ANCHOR_STATUS: Record<AnchorStatus, Status> = {
  SEALED: Status.SEALED,
  ANNOUNCED: Status.ANNOUNCED,
  CONFIRMED: Status.CONFIRMED,
  FINALIZED: Status.FINALIZED,
  FAILED: Status.FAILED,
};

/** Status of a leaf: PENDING until sealed, then its batch's anchoring status (SEALED without anchoring). */
export function leafStatus(record: LeafRecord, anchor?: AnchorStatus): Status {
  if (record.position === undefined) return Status.PENDING;
  return anchor === undefined ? Status.SEALED : ANCHOR_STATUS[anchor];
}

/** The receipt for a stored leaf. */
export function toReceipt(
  record: LeafRecord,
  duplicate: boolean,
  timeoutMs: number,
  extras: { readonly status?: Status; readonly feeQuote?: FeeQuote | undefined } = {},
): Receipt {
  return create(ReceiptSchema, {
    leafHash: record.leafHash,
    status: extras.status ?? leafStatus(record),
    requestId: record.requestId,
    acceptedAtMs: BigInt(record.acceptedAtMs),
    expectedSealByMs: BigInt(record.acceptedAtMs + timeoutMs),
    duplicate,
    digest: record.digest,
    ...(record.position === undefined ? {} : { batchSequence: record.position.sequence }),
    ...(extras.feeQuote === undefined ? {} : { feeQuote: extras.feeQuote }),
  });
}

/** A key-history entry as a KeyRecord. */
export function toKeyRecord(e: KeyHistoryEntry): KeyRecord {
  return create(KeyRecordSchema, {
    algorithmId: e.algorithmId,
    keyId: e.keyId,
    publicKey: e.publicKey,
    validFromMs: BigInt(e.validFromMs),
    validUntilMs: BigInt(e.validUntilMs),
    previousKeyId: e.previousKeyId,
    endorsement: e.endorsement,
    protection: e.protection,
    selfSignature: e.selfSignature,
  });
}

/** A client's credit as the protocol carries it (zero balances for a client that never topped up). */
export function creditMessageOf(
  client: string,
  b: CreditBalance | undefined,
  priceOf: (client: string, immediate: boolean) => bigint,
): MessageInitShape<typeof CreditSchema> {
  const credited = b?.credited ?? 0n;
  const spent = b?.spent ?? 0n;
  return {
    balanceMicroXym: balanceOf({ credited, spent }),
    creditedMicroXym: credited,
    spentMicroXym: spent,
    priceMicroXym: priceOf(client, false),
    immediatePriceMicroXym: priceOf(client, true),
  };
}
