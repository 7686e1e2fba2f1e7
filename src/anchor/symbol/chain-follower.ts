// What else follows the chain beside the anchors (e.g. prepaid credit, src/credit/credit-watch.ts): each tracker round
// hands it the nodes' checked view of this round, so that no second loop reads the nodes' chains again.
import type { AnchorNetworkInfo } from './announcer.ts';
import type { NodePool } from './node-pool.ts';
import type { SymbolRestClient } from './rest-client.ts';
import type { NodeFinality, TransactionObserver } from './transaction-observer.ts';

/** One tracker round's view of the chain. */
export interface ChainRound {
  /** The network the nodes agreed on. */
  readonly network: AnchorNetworkInfo;
  /** The anchoring account's public key (the operator's Symbol account). */
  readonly accountPublicKey: Uint8Array;
  /** The nodes, and the observer whose finality walks the tracker already paid for. */
  readonly pool: NodePool;
  readonly observer: TransactionObserver;
  /** Each node's finality this round, as believed. */
  readonly finality: ReadonlyMap<SymbolRestClient, NodeFinality>;
  /** The finalized height agreed by the quorum (never lower than an earlier round's). */
  readonly finalizedHeight: bigint;
}

/** Something that acts on each round; its failure is logged and does not stop the anchors. */
export interface ChainFollower {
  /** Names it in the log line of a failed round. */
  readonly name: string;
  follow(round: ChainRound): Promise<void>;
}
