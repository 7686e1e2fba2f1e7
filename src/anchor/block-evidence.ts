// The block an anchor claims, checked from its header alone (docs/proof-format.md §9.1, checks 13 and 14): the
// header parses, the harvester's signature holds, and its height, time, transactionsHash and network are the
// anchor's. What stays a claim offline is that this block is on the Symbol chain and final (pure).
import { bytesEqual, toHex } from '../encoding/bytes.ts';
import { type ParsedBlockHeader, parseBlockHeader, verifyBlockSignature } from './block-header.ts';
import type { Decoded } from './byte-reader.ts';
import type { Ed25519Verifier } from './ed25519-verifier.ts';

/** What the anchor says about its block. */
export interface BlockClaims {
  readonly height: bigint;
  /** Network milliseconds. */
  readonly timestamp: bigint;
  readonly transactionsHash: Uint8Array;
  /** The aggregate's network byte, when known. */
  readonly network?: number;
}

/**
 * Parses `blockHeader`, checks the harvester's signature and that height, timestamp, transactionsHash and (when
 * given) network equal `claims`. The parsed header (with the block hash) or the reason naming the field.
 * Never throws.
 */
export function verifyBlockEvidence(
  blockHeader: Uint8Array,
  claims: BlockClaims,
  ed25519: Ed25519Verifier,
): Decoded<ParsedBlockHeader> {
  const parsed = parseBlockHeader(blockHeader);
  if (!parsed.ok) return parsed;
  const h = parsed.value;
  const no = (reason: string): Decoded<ParsedBlockHeader> => ({ ok: false, reason });
  if (!verifyBlockSignature(h, ed25519)) {
    return no(`block header signature: the harvester ${toHex(h.signerPublicKey)} did not sign this block`);
  }
  if (h.height !== claims.height) {
    return no(`block header height ${h.height} is not the anchor's height ${claims.height}`);
  }
  if (h.timestamp !== claims.timestamp) {
    return no(
      `block header timestamp ${h.timestamp} is not the anchor's block_timestamp ${claims.timestamp}`,
    );
  }
  if (!bytesEqual(h.transactionsHash, claims.transactionsHash)) {
    return no(
      `block header transactionsHash ${toHex(h.transactionsHash)} is not the anchor's transactions_hash ${toHex(claims.transactionsHash)}`,
    );
  }
  if (claims.network !== undefined && h.network !== claims.network) {
    return no(
      `block header network 0x${h.network.toString(16)} is not the aggregate's 0x${claims.network.toString(16)}`,
    );
  }
  return parsed;
}

/** Epochs of the public networks by generation hash seed (hex), to show a block's time as a date. */
const EPOCHS: ReadonlyMap<string, { readonly name: string; readonly epochMs: bigint }> = new Map([
  [
    '57f7da205008026c776cb6aed843393f04cd458e0aa2d9f1d5f31a402072b2d6',
    { name: 'mainnet', epochMs: 1_615_853_185_000n },
  ],
  [
    '49d6e1ce276a85b70eafe52349aacca389302e7a9754bcf1221e79494fc665a4',
    { name: 'testnet', epochMs: 1_667_250_467_000n },
  ],
]);

/**
 * A block time for people: an ISO date on mainnet and testnet (whose epochs are known), otherwise the network
 * milliseconds as they are.
 */
export function describeBlockTime(timestamp: bigint, generationHashSeed: Uint8Array): string {
  const known = EPOCHS.get(toHex(generationHashSeed));
  const ms = known === undefined ? undefined : known.epochMs + timestamp;
  if (known === undefined || ms === undefined || ms > 8_640_000_000_000_000n) {
    return `${timestamp} (network ms)`;
  }
  return `${new Date(Number(ms)).toISOString()} (${known.name} ${timestamp} ms)`;
}
