// The block an anchor claims, checked from its header alone (docs/proof-format.md §9.1, checks 13 and 14): the
// header parses, the harvester's signature holds, and its height, time, transactionsHash and network are the
// anchor's. What stays a claim offline is that this block is on the Symbol chain and final (pure).

import type { Decoded } from '../encoding/byte-reader.ts';
import { bytesEqual, toHex } from '../encoding/bytes.ts';
import { type ParsedBlockHeader, parseBlockHeader, verifyBlockSignature } from './block-header.ts';
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

/** A public Symbol network: its name, network type byte and epoch (docs/anchoring.md §5.1). */
interface KnownNetwork {
  readonly name: 'mainnet' | 'testnet';
  readonly byte: number;
  readonly epochMs: bigint;
}

/** The public networks by generation hash seed (hex). */
const EPOCHS: ReadonlyMap<string, KnownNetwork> = new Map([
  [
    '57f7da205008026c776cb6aed843393f04cd458e0aa2d9f1d5f31a402072b2d6',
    { name: 'mainnet', byte: 0x68, epochMs: 1_615_853_185_000n },
  ],
  [
    '49d6e1ce276a85b70eafe52349aacca389302e7a9754bcf1221e79494fc665a4',
    { name: 'testnet', byte: 0x98, epochMs: 1_667_250_467_000n },
  ],
]);

/** The network an anchor was made on, as far as its generation hash seed and network byte tell. */
export interface SymbolNetwork {
  /** "mainnet" or "testnet" when the seed is theirs, else "unknown". */
  readonly name: 'mainnet' | 'testnet' | 'unknown';
  /** For reports: "Symbol testnet", or "an unknown Symbol network (generation hash seed …, network byte 0x98)". */
  readonly description: string;
}

const byteHex = (b: number): string => `0x${b.toString(16).padStart(2, '0')}`;

/**
 * The network named by a generation hash seed and a network byte (docs/anchoring.md §5.1), or the reason they
 * disagree: a public network's seed comes with its own byte only (a testnet seed with the mainnet byte is refused).
 * Any other seed is an unknown network, whatever its byte.
 */
export function symbolNetworkOf(generationHashSeed: Uint8Array, network: number): Decoded<SymbolNetwork> {
  const known = EPOCHS.get(toHex(generationHashSeed));
  if (known === undefined) {
    return {
      ok: true,
      value: {
        name: 'unknown',
        description: `an unknown Symbol network (generation hash seed ${toHex(generationHashSeed)}, network byte ${byteHex(network)})`,
      },
    };
  }
  if (known.byte !== network) {
    const other = [...EPOCHS.values()].find((n) => n.byte === network);
    return {
      ok: false,
      reason: `network byte ${byteHex(network)}${other === undefined ? '' : ` (${other.name}'s)`} with the generation hash seed of ${known.name}, whose byte is ${byteHex(known.byte)}: a Symbol transaction belongs to one network`,
    };
  }
  return { ok: true, value: { name: known.name, description: `Symbol ${known.name}` } };
}

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
