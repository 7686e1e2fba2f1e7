// SparkProcessor.GetAccount: the anchoring account as the tracker sees it (docs/operations.md, "The Symbol account").
import { create } from '@bufbuild/protobuf';
import type { AnchorTracker } from '../anchor/symbol/anchor-tracker.ts';
import { type GetAccountResponse, GetAccountResponseSchema } from '../gen/spark/v1/processor_pb.js';

/** The response for `anchors` (empty, anchoring off, without a tracker). */
export function accountResponse(anchors: AnchorTracker | undefined): GetAccountResponse {
  if (anchors === undefined) return create(GetAccountResponseSchema, { anchoringEnabled: false });
  const a = anchors.accountSummary();
  return create(GetAccountResponseSchema, {
    anchoringEnabled: true,
    publicKey: a.publicKey,
    network: a.network?.name ?? '',
    networkIdentifier: a.network?.identifier ?? 0,
    generationHashSeed: a.network?.generationHashSeed ?? new Uint8Array(0),
    address: a.address ?? '',
    balanceKnown: a.balance !== undefined,
    balance: a.balance?.amount ?? 0n,
    balanceAtMs: BigInt(a.balance?.atMs ?? 0),
    accountOnChain: a.balance?.known ?? false,
    minBalance: a.minBalance ?? 0n,
    belowMinBalance: a.minBalance !== undefined && a.balance !== undefined && a.balance.amount < a.minBalance,
    recentAnchors: a.recent.anchors,
    recentCharged: a.recent.charged,
    recentSinceMs: BigInt(a.recent.sinceMs),
    feePerAnchor: a.feePerAnchor ?? 0n,
    spentPerDay: a.perDay ?? 0n,
    daysLeft: a.daysLeft ?? 0,
  });
}
