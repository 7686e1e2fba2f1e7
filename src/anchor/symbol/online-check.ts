// Online checks of a bundle's anchor against one or several Symbol nodes: network, transaction, block (recomputed and
// compared with the bundle's block header), finality, key history, and whether the nodes agree
// (docs/proof-format.md §8 after check 13; docs/anchoring.md §11).
import { Hash256, PublicKey } from 'symbol-sdk';
import { Network } from 'symbol-sdk/symbol';
import type { Anchor, ProofBundle } from '../../gen/spark/v1/bundle_pb.js';
import { parseAggregate } from '../../proof/anchor/aggregate-layout.ts';
import { parseAggregateHeader } from '../../proof/anchor/anchor-share.ts';
import { parseBlockHeader } from '../../proof/anchor/block-header.ts';
import type { Ed25519Verifier } from '../../proof/anchor/ed25519-verifier.ts';
import { decodeKeyMetadata, metadataScopedKey } from '../../proof/anchor/key-history-record.ts';
import { createNobleEd25519Verifier } from '../../proof/anchor/noble-ed25519-verifier.ts';
import { decodeHeader } from '../../proof/bundle/header.ts';
import { algorithmById } from '../../proof/crypto/algorithms.ts';
import { bytesEqual, toHex } from '../../proof/encoding/bytes.ts';
import { checkBlock } from './evidence-checks.ts';
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

/** With several nodes, the last check: every node that answered names the same block and the same finality. */
export const AGREEMENT_CHECK = 'chain-agreement';

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

/**
 * The anchor transaction's signer and network byte: from the aggregate header (bundle version 2) or from the whole
 * transaction (version 1); a reason when it does not parse.
 */
function anchorSigner(a: Anchor): { signerPublicKey: Uint8Array; network: number } | string {
  const parsed =
    a.aggregateHeader.length > 0 ? parseAggregateHeader(a.aggregateHeader) : parseAggregate(a.transaction);
  return parsed.ok ? parsed.value : parsed.reason;
}

function anchorNetwork(a: Anchor): number | undefined {
  const s = anchorSigner(a);
  return typeof s === 'string' ? undefined : s.network;
}

async function checkChainBlock(
  a: Anchor,
  client: SymbolRestClient,
  ed25519: Ed25519Verifier,
  seen: (hash: Uint8Array) => void,
): Promise<Outcome> {
  const block = await client.block(a.height);
  const network = anchorNetwork(a);
  if (network === undefined) return fail('the anchor names no network (its transaction does not parse)');
  // The node's block is checked like any node answer: header rebuilt from its fields, hash, harvester signature.
  const checked = checkBlock(block, a.height, network, ed25519);
  if (!checked.ok) {
    const r = checked.rejection;
    return fail(`the node's block ${a.height} fails ${r.check}: expected ${r.expected}, got ${r.got}`);
  }
  const h = checked.value;
  seen(h.hash);
  if (!bytesEqual(h.transactionsHash, a.transactionsHash)) {
    return fail(
      `block ${a.height} has transactionsHash ${toHex(h.transactionsHash)}, the bundle claims ${toHex(a.transactionsHash)}`,
    );
  }
  if (h.timestamp !== a.blockTimestamp) {
    return fail(`block ${a.height} has timestamp ${h.timestamp}, the bundle claims ${a.blockTimestamp}`);
  }
  if (a.blockHeader.length > 0) {
    const mine = parseBlockHeader(a.blockHeader);
    if (!mine.ok) return fail(`the bundle's block header: ${mine.reason}`);
    if (!bytesEqual(mine.value.hash, h.hash)) {
      return fail(
        `block ${a.height} on this node is ${toHex(h.hash)}, the bundle's block header is ${toHex(mine.value.hash)}: another block (a fork)`,
      );
    }
    return pass(`block ${a.height} is ${toHex(h.hash)}, the block header the bundle carries`);
  }
  return pass(`block ${a.height} (hash ${toHex(h.hash)}) has the bundle's transactionsHash and timestamp`);
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
  const tx = anchorSigner(a);
  if (typeof tx === 'string') return fail(`anchor transaction: ${tx}`);
  if (a.networkGenerationHashSeed.length !== 32)
    return fail('anchor network_generation_hash_seed: must be 32 bytes');
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

/** The checks against one node, and what it said the block is. */
async function checkOneNode(
  bundle: ProofBundle,
  a: Anchor,
  client: SymbolRestClient,
  ed25519: Ed25519Verifier,
): Promise<{ checks: OnChainCheck[]; block: string | undefined }> {
  let block: string | undefined;
  const checks = await Promise.all([
    guarded('chain-network', () => checkNetwork(a, client)),
    guarded('chain-transaction', () => checkTransaction(a, client)),
    guarded('chain-block', () =>
      checkChainBlock(a, client, ed25519, (h) => {
        block = toHex(h);
      }),
    ),
    guarded('chain-finality', () => checkFinality(a, client)),
    guarded('chain-key-history', () => checkKeyHistory(bundle, a, client)),
  ]);
  return { checks, block };
}

/**
 * Checks a bundle's anchor against each node given. Never throws: an unreachable or misbehaving node gives failed
 * results naming the reason. With several nodes each result's detail starts with "[url]" and a last
 * "chain-agreement" check says whether they all name the same block and finality. A bundle without an anchor gives
 * one failed "chain-anchor" result.
 */
export async function checkOnChain(
  bundle: ProofBundle,
  nodes: SymbolRestClient | readonly SymbolRestClient[],
  ed25519: Ed25519Verifier = createNobleEd25519Verifier(),
): Promise<OnChainCheck[]> {
  const a = bundle.anchor;
  if (a === undefined)
    return [{ name: 'chain-anchor', ok: false, detail: 'the bundle has no anchor to check' }];
  const list = Array.isArray(nodes) ? (nodes as readonly SymbolRestClient[]) : [nodes as SymbolRestClient];
  if (list.length === 1) return (await checkOneNode(bundle, a, list[0] as SymbolRestClient, ed25519)).checks;
  const each = await Promise.all(list.map((n) => checkOneNode(bundle, a, n, ed25519)));
  const out = each.flatMap((r, i) =>
    r.checks.map((c) => ({ ...c, detail: `[${(list[i] as SymbolRestClient).url}] ${c.detail}` })),
  );
  // Nodes that answered about the block must name the same one, and agree whether it is final.
  const verdicts = each.map((r, i) => ({
    url: (list[i] as SymbolRestClient).url,
    block: r.block,
    final: r.checks.find((c) => c.name === 'chain-finality')?.ok === true,
  }));
  const answered = verdicts.filter((v) => v.block !== undefined);
  const blocks = new Set(answered.map((v) => v.block));
  const finals = new Set(answered.map((v) => v.final));
  const silent = verdicts.filter((v) => v.block === undefined).map((v) => v.url);
  const ok = answered.length === list.length && blocks.size === 1 && finals.size === 1;
  out.push({
    name: AGREEMENT_CHECK,
    ok,
    detail: ok
      ? `all ${list.length} nodes name block ${a.height} ${answered[0]?.block ?? ''} and agree it is ${answered[0]?.final ? 'final' : 'not yet final'}`
      : [
          blocks.size > 1 || finals.size > 1
            ? `the nodes disagree: ${answered.map((v) => `${v.url} block ${v.block?.slice(0, 16)}… ${v.final ? 'final' : 'not final'}`).join('; ')}`
            : '',
          silent.length > 0 ? `no block from ${silent.join(', ')}` : '',
        ]
          .filter((x) => x !== '')
          .join('; '),
  });
  return out;
}

/** A bundle checker bound to the server's nodes (what the Verify handler's `check_on_chain` runs). */
export type OnlineCheck = (bundle: ProofBundle) => Promise<OnChainCheck[]>;

/** Binds `checkOnChain` to node clients. */
export function onChainChecker(nodes: SymbolRestClient | readonly SymbolRestClient[]): OnlineCheck {
  const ed25519 = createNobleEd25519Verifier();
  return (bundle) => checkOnChain(bundle, nodes, ed25519);
}
