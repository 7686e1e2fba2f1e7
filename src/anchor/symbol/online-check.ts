// Online checks of a bundle's anchor against a Symbol node: network, transaction, block, finality, key history (proof-format.md §8 after check 13).
import { Hash256, PublicKey } from 'symbol-sdk';
import { Network } from 'symbol-sdk/symbol';
import { decodeHeader } from '../../bundle/header.ts';
import { algorithmById } from '../../crypto/algorithms.ts';
import { bytesEqual, toHex } from '../../encoding/bytes.ts';
import type { Anchor, ProofBundle } from '../../gen/spark/v1/bundle_pb.js';
import { parseAggregate } from '../aggregate-layout.ts';
import { decodeKeyMetadata, metadataScopedKey } from '../key-history-record.ts';
import type { SymbolRestClient } from './rest-client.ts';

/** One online check's outcome; names start with "chain-". */
export interface OnChainCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** Names of the online checks, in the order they are reported. */
export const ONLINE_CHECK_NAMES = [
  'chain-network',
  'chain-transaction',
  'chain-block',
  'chain-finality',
  'chain-key-history',
] as const;

const MAX_DATE_MS = 8_640_000_000_000_000n;
const iso = (ms: bigint): string => (ms <= MAX_DATE_MS ? new Date(Number(ms)).toISOString() : `${ms} ms`);
const algorithmName = (id: number): string =>
  algorithmById(id)?.name ?? `algorithm 0x${id.toString(16).padStart(4, '0')}`;

type Outcome = { ok: boolean; detail: string };
const pass = (detail: string): Outcome => ({ ok: true, detail });
const fail = (detail: string): Outcome => ({ ok: false, detail });

async function checkNetwork(a: Anchor, client: SymbolRestClient): Promise<Outcome> {
  const info = await client.nodeInfo();
  if (!bytesEqual(info.generationHashSeed, a.networkGenerationHashSeed)) {
    return fail(
      `the node's generation hash seed ${toHex(info.generationHashSeed)} is not the anchor's ${toHex(a.networkGenerationHashSeed)}`,
    );
  }
  return pass(
    `the node is on network ${toHex(info.generationHashSeed)} (identifier 0x${info.networkIdentifier.toString(16)})`,
  );
}

async function checkTransaction(a: Anchor, client: SymbolRestClient): Promise<Outcome> {
  const meta = await client.confirmed(a.transactionHash);
  if (meta === undefined)
    return fail(`transaction ${toHex(a.transactionHash)} is not confirmed on this node`);
  if (meta.height !== a.height) {
    return fail(
      `transaction ${toHex(a.transactionHash)} is confirmed at height ${meta.height}, the bundle claims ${a.height}`,
    );
  }
  if (!bytesEqual(meta.merkleComponentHash, a.merkleComponentHash)) {
    return fail(
      `transaction ${toHex(a.transactionHash)}: the node's merkleComponentHash differs from the bundle's`,
    );
  }
  return pass(`transaction ${toHex(a.transactionHash)} confirmed at height ${a.height}`);
}

async function checkBlock(a: Anchor, client: SymbolRestClient): Promise<Outcome> {
  const block = await client.block(a.height);
  if (block.height !== a.height)
    return fail(`asked block ${a.height}, the node answered block ${block.height}`);
  if (!bytesEqual(block.transactionsHash, a.transactionsHash)) {
    return fail(
      `block ${a.height} has transactionsHash ${toHex(block.transactionsHash)}, the bundle claims ${toHex(a.transactionsHash)}`,
    );
  }
  if (block.timestamp !== a.blockTimestamp) {
    return fail(`block ${a.height} has timestamp ${block.timestamp}, the bundle claims ${a.blockTimestamp}`);
  }
  return pass(
    `block ${a.height} (hash ${toHex(block.hash)}) has the bundle's transactionsHash and timestamp`,
  );
}

async function checkFinality(a: Anchor, client: SymbolRestClient): Promise<Outcome> {
  const chain = await client.chainInfo();
  if (chain.finalizedHeight < a.height) {
    return fail(
      `not final: the node's finalized height ${chain.finalizedHeight} < anchor height ${a.height}`,
    );
  }
  return pass(`final: the node's finalized height ${chain.finalizedHeight} >= anchor height ${a.height}`);
}

async function checkKeyHistory(b: ProofBundle, a: Anchor, client: SymbolRestClient): Promise<Outcome> {
  const header = decodeHeader(b.header);
  if (typeof header === 'string') return fail(`header: ${header}`);
  const parsed = parseAggregate(a.transaction);
  if (!parsed.ok) return fail(`anchor transaction: ${parsed.reason}`);
  if (a.networkGenerationHashSeed.length !== 32)
    return fail('anchor network_generation_hash_seed: must be 32 bytes');
  const tx = parsed.value;
  const network = new Network('anchor', tx.network, new Date(0), new Hash256(a.networkGenerationHashSeed));
  const account = network.publicKeyToAddress(new PublicKey(tx.signerPublicKey)).toString();
  const keyId = toHex(header.keyId);
  const scoped = metadataScopedKey(header.keyId).toString(16).toUpperCase().padStart(16, '0');
  const value = await client.metadata(account, account, scoped);
  if (value === undefined) return fail(`key history for ${keyId} not found on chain`);
  const decoded = decodeKeyMetadata(value);
  if (!decoded.ok) return fail(`key history for ${keyId} on account ${account}: ${decoded.reason}`);
  const m = decoded.value;
  if (!bytesEqual(m.keyId, header.keyId)) {
    return fail(
      `key history entry ${scoped} on account ${account} is for key ${toHex(m.keyId)}, not ${keyId}`,
    );
  }
  if (m.algorithmId !== header.algorithmId) {
    return fail(
      `key ${keyId} is recorded on chain as ${algorithmName(m.algorithmId)}, the header says ${algorithmName(header.algorithmId)}`,
    );
  }
  if (header.timeMs < m.validFromMs || (m.validUntilMs !== 0n && header.timeMs >= m.validUntilMs)) {
    return fail(
      `key ${keyId} is valid on chain from ${iso(m.validFromMs)}${m.validUntilMs === 0n ? '' : ` until ${iso(m.validUntilMs)}`}; the batch was sealed ${iso(header.timeMs)}`,
    );
  }
  return pass(
    `key ${keyId} (${algorithmName(m.algorithmId)}, ${m.protection}) is recorded on chain by ${account}, valid from ${iso(m.validFromMs)}${m.validUntilMs === 0n ? ', current' : ` until ${iso(m.validUntilMs)}`}`,
  );
}

/** Runs one check, turning a node error or any exception into a failed result with its reason. */
async function guarded(name: string, run: () => Promise<Outcome>): Promise<OnChainCheck> {
  try {
    return { name, ...(await run()) };
  } catch (e) {
    return { name, ok: false, detail: `node check failed: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/**
 * Checks a bundle's anchor against a Symbol node. Never throws: an unreachable or misbehaving node gives
 * failed results naming the reason. A bundle without an anchor gives one failed "chain-anchor" result.
 */
export async function checkOnChain(bundle: ProofBundle, client: SymbolRestClient): Promise<OnChainCheck[]> {
  const a = bundle.anchor;
  if (a === undefined)
    return [{ name: 'chain-anchor', ok: false, detail: 'the bundle has no anchor to check' }];
  return Promise.all([
    guarded('chain-network', () => checkNetwork(a, client)),
    guarded('chain-transaction', () => checkTransaction(a, client)),
    guarded('chain-block', () => checkBlock(a, client)),
    guarded('chain-finality', () => checkFinality(a, client)),
    guarded('chain-key-history', () => checkKeyHistory(bundle, a, client)),
  ]);
}

/** A bundle checker bound to one node (what the Verify handler's `check_on_chain` runs). */
export type OnlineCheck = (bundle: ProofBundle) => Promise<OnChainCheck[]>;

/** Binds `checkOnChain` to a node client. */
export function onChainChecker(client: SymbolRestClient): OnlineCheck {
  return (bundle) => checkOnChain(bundle, client);
}
