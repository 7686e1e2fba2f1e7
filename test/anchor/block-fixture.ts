// Signed Symbol block headers for tests that need blocks without a node: the REST view of a block the test makes.
import assert from 'node:assert/strict';
import { ed25519 as noble } from '@noble/curves/ed25519.js';
import type { BlockInfo } from '../../src/anchor/symbol/rest-client.ts';
import {
  encodeBlockHeader,
  NORMAL_BLOCK_TYPE,
  parseBlockHeader,
} from '../../src/proof/anchor/block-header.ts';
import { symbolMerkleRoot } from '../../src/proof/anchor/symbol-merkle.ts';

/** A harvester's key, and another that signs blocks of its own making. */
export const HARVESTER_KEY = new Uint8Array(32).fill(0x5a);
export const LIAR_KEY = new Uint8Array(32).fill(0x6b);

/** `n` bytes of `fill`. */
export const b = (n: number, fill: number): Uint8Array => new Uint8Array(n).fill(fill);

/** A signed normal block at `height` whose transactions tree holds `leaves`, as a node would describe it. */
export function signedBlock(
  height: bigint,
  leaves: readonly Uint8Array[],
  o: {
    key?: Uint8Array;
    timestamp?: bigint;
    transactionsHash?: Uint8Array;
    network?: number;
    previousBlockHash?: Uint8Array;
    stateHash?: Uint8Array;
  } = {},
): BlockInfo {
  const key = o.key ?? HARVESTER_KEY;
  const fields = {
    size: 376,
    signature: new Uint8Array(64),
    signerPublicKey: noble.getPublicKey(key),
    version: 1,
    network: o.network ?? 0x98,
    type: NORMAL_BLOCK_TYPE,
    height,
    timestamp: o.timestamp ?? 1_000n * height,
    difficulty: 10n ** 14n,
    generationHashProof: { gamma: b(32, 1), verificationHash: b(16, 2), scalar: b(32, 3) },
    previousBlockHash: o.previousBlockHash ?? b(32, 4),
    transactionsHash: o.transactionsHash ?? symbolMerkleRoot(leaves),
    receiptsHash: b(32, 0),
    stateHash: o.stateHash ?? b(32, 5),
    beneficiaryAddress: b(24, 6),
    feeMultiplier: 100,
  };
  const unsigned = encodeBlockHeader(fields);
  const signature = noble.sign(unsigned.slice(108, 372), key);
  const header = encodeBlockHeader({ ...fields, signature });
  const parsed = parseBlockHeader(header);
  assert.ok(parsed.ok);
  return {
    height,
    timestamp: fields.timestamp,
    transactionsHash: fields.transactionsHash,
    previousBlockHash: fields.previousBlockHash,
    hash: parsed.value.hash,
    header,
  };
}

/** Blocks `from..to` linked by previousBlockHash; `leavesAt` gives each height's transaction leaves. */
export function linkedBlocks(
  from: bigint,
  to: bigint,
  leavesAt: (height: bigint) => readonly Uint8Array[],
  o: { stateFill?: number; below?: Uint8Array } = {},
): Map<bigint, BlockInfo> {
  const out = new Map<bigint, BlockInfo>();
  let previous = o.below ?? b(32, 4);
  for (let h = from; h <= to; h++) {
    const block = signedBlock(h, leavesAt(h), {
      previousBlockHash: previous,
      stateHash: b(32, o.stateFill ?? 5),
    });
    out.set(h, block);
    previous = block.hash;
  }
  return out;
}
