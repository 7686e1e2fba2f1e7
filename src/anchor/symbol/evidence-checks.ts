// Checks a Symbol node's answers about one anchor transaction against each other and against what the sidecar knows,
// before anything is stored or put into a bundle (docs/anchoring.md §8). Pure: no I/O, no clock.

import {
  type ParsedBlockHeader,
  parseBlockHeader,
  verifyBlockSignature,
} from '../../proof/anchor/block-header.ts';
import type { Ed25519Verifier } from '../../proof/anchor/ed25519-verifier.ts';
import { verifyBlockMerklePath } from '../../proof/anchor/symbol-merkle.ts';
import { bytesEqual, toHex } from '../../proof/encoding/bytes.ts';
import type { BlockInfo, ConfirmedMeta, PathItem } from './rest-client.ts';

/** The checks an answer can fail: the `check` label of `spark_symbol_node_answers_rejected_total`. */
export const EVIDENCE_CHECKS = [
  'transaction-hash',
  'merkle-component-hash',
  'height',
  'timestamp',
  'block-header',
  'block-hash',
  'block-signature',
  'network',
  'transaction-in-block',
  'merkle-path',
  'finality-regressed',
  'finalized-hash',
  'ancestry',
  'disagreement',
  'malformed',
] as const;

/** One of EVIDENCE_CHECKS. */
export type EvidenceCheck = (typeof EVIDENCE_CHECKS)[number];

/** Why an answer was not believed: the check, and both values (hex or decimal), for the log line. */
export interface Rejection {
  readonly check: EvidenceCheck;
  readonly expected: string;
  readonly got: string;
}

/** What the sidecar knows of its own transaction. */
export interface ExpectedTransaction {
  readonly txHash: Uint8Array;
  /** Our aggregates are never cosigned, so this is the transaction hash. */
  readonly merkleComponentHash: Uint8Array;
  /** The network byte (0x68 mainnet, 0x98 testnet) of the transaction. */
  readonly network: number;
}

/** Everything one node said about one transaction in one pass. */
export interface TransactionAnswers {
  /** Height from `/transactionStatus` when it said confirmed (0 or undefined: not given). */
  readonly statusHeight: bigint | undefined;
  readonly meta: ConfirmedMeta;
  /** `/blocks/{meta.height}`. */
  readonly block: BlockInfo;
  /** `/blocks/{meta.height}/transactions/{component}/merkle`; undefined when the node says it is not in that block. */
  readonly path: readonly PathItem[] | undefined;
}

/** Evidence that survived every check. */
export interface CheckedEvidence {
  readonly height: bigint;
  readonly blockTimestamp: bigint;
  readonly merkleComponentHash: Uint8Array;
  readonly path: readonly PathItem[];
  readonly transactionsHash: Uint8Array;
  readonly feeMultiplier: number;
  /** The header bytes, as checked. */
  readonly blockHeader: Uint8Array;
  /** Recomputed from the header. */
  readonly blockHash: Uint8Array;
}

export type Checked<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly rejection: Rejection };

const reject = (
  check: EvidenceCheck,
  expected: string,
  got: string,
): { ok: false; rejection: Rejection } => ({
  ok: false,
  rejection: { check, expected, got },
});

/**
 * A block as a node described it at `height`: the header rebuilt from its fields parses, is at that height, hashes to
 * the hash the node gives, is signed by the harvester it names, and is on `network`.
 */
export function checkBlock(
  block: BlockInfo,
  height: bigint,
  network: number,
  ed25519: Ed25519Verifier,
): Checked<ParsedBlockHeader> {
  const parsed = parseBlockHeader(block.header);
  if (!parsed.ok) return reject('block-header', 'a block header', parsed.reason);
  const h = parsed.value;
  if (h.height !== height) return reject('height', `block ${height}`, `block ${h.height}`);
  if (!bytesEqual(h.hash, block.hash)) return reject('block-hash', toHex(h.hash), toHex(block.hash));
  if (!verifyBlockSignature(h, ed25519)) {
    return reject('block-signature', `a signature by ${toHex(h.signerPublicKey)}`, toHex(h.signature));
  }
  if (h.network !== network) {
    return reject('network', `0x${network.toString(16)}`, `0x${h.network.toString(16)}`);
  }
  return { ok: true, value: h };
}

/** Checks one node's answers about `expect`'s transaction; the first failed check is the rejection. */
export function checkTransactionAnswers(
  expect: ExpectedTransaction,
  a: TransactionAnswers,
  ed25519: Ed25519Verifier,
): Checked<CheckedEvidence> {
  if (!bytesEqual(a.meta.hash, expect.txHash)) {
    return reject('transaction-hash', toHex(expect.txHash), toHex(a.meta.hash));
  }
  if (!bytesEqual(a.meta.merkleComponentHash, expect.merkleComponentHash)) {
    return reject(
      'merkle-component-hash',
      toHex(expect.merkleComponentHash),
      toHex(a.meta.merkleComponentHash),
    );
  }
  if (a.statusHeight !== undefined && a.statusHeight !== 0n && a.statusHeight !== a.meta.height) {
    return reject('height', `status height ${a.statusHeight}`, `confirmed at ${a.meta.height}`);
  }
  const block = checkBlock(a.block, a.meta.height, expect.network, ed25519);
  if (!block.ok) return block;
  const h = block.value;
  if (h.timestamp !== a.meta.timestamp) {
    return reject('timestamp', `block time ${h.timestamp}`, `transaction time ${a.meta.timestamp}`);
  }
  if (a.path === undefined) {
    return reject(
      'transaction-in-block',
      `transaction in block ${h.height}`,
      'the node says it is not there',
    );
  }
  if (!verifyBlockMerklePath(expect.merkleComponentHash, a.path, h.transactionsHash)) {
    return reject(
      'merkle-path',
      `a path to ${toHex(h.transactionsHash)}`,
      `${a.path.length} steps leading elsewhere`,
    );
  }
  return {
    ok: true,
    value: {
      height: h.height,
      blockTimestamp: h.timestamp,
      merkleComponentHash: expect.merkleComponentHash,
      path: a.path,
      transactionsHash: h.transactionsHash,
      feeMultiplier: a.meta.feeMultiplier,
      blockHeader: a.block.header,
      blockHash: h.hash,
    },
  };
}

/** True when two checked evidences name the same block (height and hash). */
export function sameBlock(a: CheckedEvidence, b: CheckedEvidence): boolean {
  return a.height === b.height && bytesEqual(a.blockHash, b.blockHash);
}
