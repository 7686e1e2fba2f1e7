// SparkProcessor.GetStatus: leaves and batches by status. It reads each batch record and its anchoring state once
// (O(batches), not O(leaves)): a log of 10^9 leaves in 10^5 batches is summarised in a few hundred milliseconds.
import { create } from '@bufbuild/protobuf';
import type { AnchorTracker } from '../anchor/symbol/anchor-tracker.ts';
import { Status } from '../gen/spark/v1/bundle_pb.js';
import { type GetStatusResponse, GetStatusResponseSchema } from '../gen/spark/v1/processor_pb.js';
import type { Store } from '../store/store.ts';

const ORDER = [
  Status.PENDING,
  Status.SEALED,
  Status.ANNOUNCED,
  Status.CONFIRMED,
  Status.FINALIZED,
  Status.FAILED,
];

/** The summary of `store` (and of the anchoring state when `anchors` is set). */
export function statusSummary(
  store: Store,
  anchors: AnchorTracker | undefined,
  now: () => number,
): GetStatusResponse {
  const counts = new Map<Status, { batches: bigint; leaves: bigint }>(
    ORDER.map((s) => [s, { batches: 0n, leaves: 0n }]),
  );
  (counts.get(Status.PENDING) as { leaves: bigint }).leaves = BigInt(store.pendingCount());
  const head = store.head();
  if (head !== undefined) {
    for (let seq = 0n; seq <= head.sequence; seq++) {
      const batch = store.getBatch(seq);
      if (batch === undefined) continue;
      const anchor = anchors?.state(seq)?.status;
      const status =
        anchors === undefined || anchor === undefined || anchor === 'SEALED'
          ? Status.SEALED
          : Status[anchor as 'ANNOUNCED' | 'CONFIRMED' | 'FINALIZED' | 'FAILED'];
      const c = counts.get(status) as { batches: bigint; leaves: bigint };
      c.batches += 1n;
      c.leaves += BigInt(batch.treeSize);
    }
  }
  return create(GetStatusResponseSchema, {
    counts: ORDER.map((status) => ({
      status,
      ...(counts.get(status) as { batches: bigint; leaves: bigint }),
    })),
    anchoringEnabled: anchors !== undefined,
    atMs: BigInt(now()),
  });
}
