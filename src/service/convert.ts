// Domain records to their protobuf messages.
import { create } from '@bufbuild/protobuf';
import { type KeyRecord, KeyRecordSchema, Status } from '../gen/spark/v1/bundle_pb.js';
import { type Receipt, ReceiptSchema } from '../gen/spark/v1/processor_pb.js';
import type { KeyHistoryEntry, LeafRecord } from '../store/store.ts';

/** Status of a leaf in a server without anchoring. */
export function leafStatus(record: LeafRecord): Status {
  return record.position === undefined ? Status.PENDING : Status.SEALED;
}

/** The receipt for a stored leaf. */
export function toReceipt(record: LeafRecord, duplicate: boolean, timeoutMs: number): Receipt {
  return create(ReceiptSchema, {
    leafHash: record.leafHash,
    status: leafStatus(record),
    requestId: record.requestId,
    acceptedAtMs: BigInt(record.acceptedAtMs),
    expectedSealByMs: BigInt(record.acceptedAtMs + timeoutMs),
    duplicate,
    digest: record.digest,
    ...(record.position === undefined ? {} : { batchSequence: record.position.sequence }),
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
