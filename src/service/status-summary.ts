// SparkProcessor.GetStatus: leaves and batches by status. It reads each batch record and its anchoring state once
// (O(batches), not O(leaves)): a log of 10^9 leaves in 10^5 batches is summarised in a few hundred milliseconds.
import { create } from '@bufbuild/protobuf';
import type { Reorganization } from '../anchor/anchor-state.ts';
import type { AnchorTracker } from '../anchor/symbol/anchor-tracker.ts';
import { Status } from '../gen/spark/v1/bundle_pb.js';
import { type GetStatusResponse, GetStatusResponseSchema } from '../gen/spark/v1/processor_pb.js';
import type { Store } from '../store/store.ts';

/** Reorganizations listed, newest first. */
const MAX_REORGANIZATIONS = 50;

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
  const moves: { sequence: bigint; checkpoint: boolean; move: Reorganization }[] = [];
  const head = store.head();
  if (head !== undefined) {
    for (let seq = 0n; seq <= head.sequence; seq++) {
      const batch = store.getBatch(seq);
      if (batch === undefined) continue;
      const state = anchors?.state(seq);
      for (const move of state?.history ?? []) moves.push({ sequence: seq, checkpoint: false, move });
      const anchor = state?.status;
      const status =
        anchors === undefined || anchor === undefined || anchor === 'SEALED'
          ? Status.SEALED
          : Status[anchor as 'ANNOUNCED' | 'CONFIRMED' | 'FINALIZED' | 'FAILED'];
      const c = counts.get(status) as { batches: bigint; leaves: bigint };
      c.batches += 1n;
      c.leaves += BigInt(batch.treeSize);
    }
  }
  for (const c of anchors?.checkpointStates() ?? []) {
    for (const move of c.history) moves.push({ sequence: c.sequence, checkpoint: true, move });
  }
  moves.sort((a, b) => b.move.atMs - a.move.atMs);
  return create(GetStatusResponseSchema, {
    counts: ORDER.map((status) => ({
      status,
      ...(counts.get(status) as { batches: bigint; leaves: bigint }),
    })),
    anchoringEnabled: anchors !== undefined,
    atMs: BigInt(now()),
    symbolNodes: (anchors?.nodes() ?? []).map((n) => ({
      url: n.url,
      state: n.state,
      lastProblem: n.lastProblem,
      answersRejected: BigInt(n.answersRejected),
      disagreements: BigInt(n.disagreements),
      finalizedHeight: n.finalizedHeight,
      lastAnswerAtMs: BigInt(n.lastAnswerAtMs),
    })),
    symbolQuorum: anchors?.quorum ?? 0,
    finalizedHeight: anchors?.finalizedHeight() ?? 0n,
    reorganizations: moves.slice(0, MAX_REORGANIZATIONS).map((m) => ({
      sequence: m.sequence,
      checkpoint: m.checkpoint,
      transactionHash: m.move.txHash,
      fromHeight: m.move.fromHeight,
      toHeight: m.move.toHeight ?? 0n,
      atMs: BigInt(m.move.atMs),
    })),
  });
}
