// A batch record with a real header (the store decodes every header it reads, so a made-up one is CORRUPT), for
// tests that need batches without signing them: the header names `sequence` and `treeSize`; the rest is fixed.
import { createHash } from 'node:crypto';
import { encodeHeader, HEADER_FORMAT_VERSION, type HeaderFields } from '../../src/proof/bundle/header.ts';
import type { BatchRecord, SignatureRecord } from '../../src/store/store.ts';

/** Header fields for batch `sequence` of `treeSize` leaves (fixed log id, root, key id and times). */
export function testHeaderFields(
  sequence: bigint,
  treeSize: number,
  over: Partial<HeaderFields> = {},
): HeaderFields {
  return {
    formatVersion: HEADER_FORMAT_VERSION,
    logId: new Uint8Array(32).fill(0x4c),
    sequence,
    previousHeaderHash: new Uint8Array(32),
    root: new Uint8Array(32).fill(0x52),
    treeSize: BigInt(treeSize),
    timeMs: 1_700_000_000_000n + sequence,
    algorithmId: 2,
    keyId: new Uint8Array(32).fill(0x4b),
    guaranteeExpiryMs: 2_000_000_000_000n,
    ...over,
  };
}

/** A record of batch `sequence` with `signatures` (none by default) over a real encoded header. */
export function testBatchRecord(
  sequence: bigint,
  treeSize: number,
  signatures: readonly SignatureRecord[] = [],
  over: Partial<HeaderFields> = {},
): BatchRecord {
  const fields = testHeaderFields(sequence, treeSize, over);
  const header = encodeHeader(fields);
  return {
    sequence,
    header,
    fields,
    headerHash: Uint8Array.from(createHash('sha256').update(header).digest()),
    signatures,
    treeSize,
  };
}
