// TEST DOUBLE of a Symbol node: a catapult-rest look-alike on loopback over an in-memory chain (test-chain.ts), with
// fault injection and lies. Not a Symbol node; it exists because none can run here. Shapes: symbol-openapi; rules:
// catapult. Several fronts over one chain: symbol-test-network.ts.
import type { SymbolFailureCode } from './failure-codes.ts';
import { startRestFront } from './rest-front.ts';
import type { SymbolTestNodeLies } from './rest-lies.ts';
import type { DroppedAnnouncement, MetadataEntry } from './test-chain.ts';
import {
  createTestChainHost,
  SYMBOL_TEST_NODE_DEFAULTS,
  type SymbolTestNodeOptions,
  type TestChainAccessors,
} from './test-chain-host.ts';

export type {
  LieScope,
  SymbolTestLieName,
  SymbolTestNodeLies,
  TransactionsHashLieVariant,
} from './rest-lies.ts';
export type { ForkMode, ForkOptions, ForkResult, TestBlock } from './test-chain.ts';
export { SYMBOL_TEST_NODE_DEFAULTS, type SymbolTestNodeOptions } from './test-chain-host.ts';

export interface SymbolTestNodeFaults {
  /** Closes the listening socket and every connection: clients get connection refused. */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  readonly isDown: boolean;
  /** Delays every response by `ms` (0 turns it off). */
  slow(ms: number): void;
  /** The next `count` announcements get 202 and are then forgotten: no status, never included. */
  dropSilently(count?: number): void;
  /** The next `count` decodable announcements fail with `code` (e.g. Failure_Core_Insufficient_Balance). */
  rejectWith(code: SymbolFailureCode, count?: number): void;
  /** While stalled, latestFinalizedBlock does not move; un-stalling catches up at once. Acts on the shared chain. */
  stallFinality(stalled: boolean): void;
  /** Undoes every fault (brings the node up if it is down); lies are cleared apart, with `lies.clear()`. */
  clear(): Promise<void>;
}

export interface ConfirmedTransactionRecord {
  readonly hash: string;
  readonly height: bigint;
  readonly index: number;
  readonly merkleComponentHash: string;
  readonly payload: Uint8Array;
}

/** One REST front; its test accessors (produceBlock, fork, height, …) act on the chain it serves. */
export interface SymbolTestNode extends TestChainAccessors {
  readonly url: string;
  readonly port: number;
  readonly networkGenerationHashSeed: string;
  readonly epochAdjustmentSeconds: number;
  /** Faults of this front (down, slow, …); `stallFinality` acts on the chain every front shares. */
  readonly faults: SymbolTestNodeFaults;
  /** Lies of this front only (rest-lies.ts); none of them changes the shared chain. */
  readonly lies: SymbolTestNodeLies;
  /** Test accessor: every confirmed transaction with its raw payload, in chain order. */
  confirmedTransactions(): ConfirmedTransactionRecord[];
  /** Test accessor: the raw payload of a confirmed or unconfirmed transaction. */
  payloadOf(hash: string): Uint8Array | undefined;
  /** Test accessor: announcements the node threw away without a status, and why. */
  dropped(): readonly DroppedAnnouncement[];
  /** Test accessor: how many requests for `path` (e.g. "/chain/info") this front answered with success. */
  answered(path: string): number;
  /** Test accessor: how many requests this front received, whether answered yet or not (e.g. held by `slow`). */
  received(): number;
  /** Test accessor: current account metadata. */
  metadataEntries(): MetadataEntry[];
  /** Test accessor: balance by base32 address when bookkeeping is on. */
  balanceOf(address: string): bigint | undefined;
  /** Test accessor: credits µXYM to an account (base32 address), as a transfer would; needs balance bookkeeping. */
  fund(address: string, amount: bigint): void;
  /** Resolves once every announcement accepted by this front has been validated. */
  whenIdle(): Promise<void>;
  /** Closes this front; a node from startSymbolTestNode also stops its chain's block timer. */
  close(): Promise<void>;
}

/** One REST front over a chain of its own; `close()` stops both. */
export async function startSymbolTestNode(options: SymbolTestNodeOptions = {}): Promise<SymbolTestNode> {
  const chainHost = createTestChainHost(options, 'Symbol test node options');
  try {
    return await startRestFront(chainHost, options.port ?? SYMBOL_TEST_NODE_DEFAULTS.port, chainHost.stop);
  } catch (error) {
    chainHost.stop();
    throw error;
  }
}
