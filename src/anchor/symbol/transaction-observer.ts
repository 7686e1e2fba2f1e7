// Asks every usable Symbol node about one anchor transaction, checks each node's answers (evidence-checks.ts) and
// says what a quorum of them supports: in a block (and whether that block is final, read again down from the
// finalized block), waiting in a pool, failed, absent everywhere, or undecided (docs/anchoring.md §8, §11).

import type { Ed25519Verifier } from '../../proof/anchor/ed25519-verifier.ts';
import { bytesEqual, toHex } from '../../proof/encoding/bytes.ts';
import type { ConfirmedEvidence } from '../anchor-state.ts';
import {
  type CheckedEvidence,
  checkBlock,
  checkTransactionAnswers,
  type ExpectedTransaction,
  sameBlock,
} from './evidence-checks.ts';
import type { NodePool } from './node-pool.ts';
import type { SymbolRestClient } from './rest-client.ts';

/** What the quorum of nodes supports about a transaction this round. */
export type Observation =
  /** A quorum agree on the block (height and hash); `final` when a quorum also showed it on their finalized chain. */
  | {
      readonly kind: 'in-block';
      readonly evidence: CheckedEvidence;
      readonly nodes: readonly string[];
      readonly final: boolean;
    }
  /** In no agreed block; at least one node holds it unconfirmed (or partial). */
  | { readonly kind: 'pending' }
  /** A node reports it failed with `code`, and none holds it. */
  | { readonly kind: 'failed'; readonly code: string }
  /** A quorum of nodes answered and none knows it (neither status nor confirmed). */
  | { readonly kind: 'absent' }
  /** Not enough nodes answered, or they do not agree. */
  | { readonly kind: 'undecided'; readonly reason: string };

/** What one node said, after its answers were checked. */
type Vote =
  | {
      readonly kind: 'in-block';
      readonly node: SymbolRestClient;
      readonly evidence: CheckedEvidence;
      readonly final: boolean;
    }
  /** Confirmed at the recorded height, so not read again (no finality wanted this round). */
  | { readonly kind: 'as-recorded'; readonly node: SymbolRestClient }
  | { readonly kind: 'pending' }
  | { readonly kind: 'failed'; readonly code: string }
  | { readonly kind: 'absent' }
  | { readonly kind: 'silent' };

/** Finality a node reported this round and the sidecar believed. */
export interface NodeFinality {
  readonly height: bigint;
  readonly hash: Uint8Array;
}

/** Observer settings. */
export interface ObserverOptions {
  readonly pool: NodePool;
  readonly ed25519: Ed25519Verifier;
  /** Most blocks read from one node in one walk from its finalized block down to an anchor. */
  readonly maxWalkBlocks?: number;
}

/** One question about one transaction. */
export interface ObserveRequest {
  readonly expect: ExpectedTransaction;
  /** The evidence recorded so far (CONFIRMED), if any. */
  readonly recorded: ConfirmedEvidence | undefined;
  /** Read the block again and check it is on each node's finalized chain (the recorded height is final by quorum). */
  readonly wantFinality: boolean;
  /** This round's believed finality of each node that answered /chain/info. */
  readonly finality: ReadonlyMap<SymbolRestClient, NodeFinality>;
  /** Names the transaction in log lines. */
  readonly context: Record<string, string>;
}

/** Verified links of one node's finalized chain: height → block hash and its previous block's hash. */
type Segment = Map<bigint, { readonly hash: Uint8Array; readonly previous: Uint8Array }>;

const DEFAULT_MAX_WALK_BLOCKS = 1000;
/**
 * Links kept per node (about a week of 30 s blocks, a few MB). An anchor further below a node's finalized block than
 * this is not walked to: its block, read again at its height, must simply be the recorded one (docs/anchoring.md §7).
 */
export const MAX_WALK_DEPTH = 20_000;

/** Says what a quorum of nodes supports about one transaction. */
export interface TransactionObserver {
  observe(request: ObserveRequest): Promise<Observation>;
}

/** Creates the observer; it keeps, per node, the links of its finalized chain already walked. */
export function createTransactionObserver(o: ObserverOptions): TransactionObserver {
  const maxWalk = o.maxWalkBlocks ?? DEFAULT_MAX_WALK_BLOCKS;
  const segments = new Map<SymbolRestClient, Segment>();

  /**
   * Whether block `height` with hash `hash` is on `node`'s finalized chain: walks previousBlockHash links down from its
   * finalized block (whose recomputed hash must be the one it reported). undefined when the walk ran out of budget
   * (resumed next round from the links kept) or the node stopped answering.
   */
  async function onFinalChain(
    node: SymbolRestClient,
    fin: NodeFinality,
    height: bigint,
    hash: Uint8Array,
    network: number,
    context: Record<string, string>,
  ): Promise<boolean | undefined> {
    if (fin.height < height) return false;
    // Too deep to walk: the block just read again at its height stands on its own.
    if (fin.height - height > BigInt(MAX_WALK_DEPTH)) return true;
    let segment = segments.get(node) ?? (new Map() as Segment);
    segments.set(node, segment);
    let at = fin.height;
    let expected = fin.hash;
    for (let read = 0; read <= maxWalk; ) {
      const known = segment.get(at);
      if (known !== undefined) {
        if (!bytesEqual(known.hash, expected)) {
          // A finalized chain never changes: the node now contradicts what it showed before.
          o.pool.reject(
            node,
            { check: 'ancestry', expected: toHex(known.hash), got: toHex(expected) },
            {
              ...context,
              height: at.toString(),
            },
          );
          segments.set(node, new Map());
          return false;
        }
        if (at === height) return bytesEqual(known.hash, hash);
        // Follow the links already verified.
        at -= 1n;
        expected = known.previous;
        continue;
      }
      read += 1;
      if (read > maxWalk) break;
      const asked = await o.pool.ask(node, (c) => c.block(at));
      if (!asked.ok) return undefined;
      const block = checkBlock(asked.value, at, network, o.ed25519);
      if (!block.ok) {
        o.pool.reject(node, block.rejection, { ...context, height: at.toString() });
        return undefined;
      }
      if (!bytesEqual(block.value.hash, expected)) {
        o.pool.reject(
          node,
          {
            check: at === fin.height ? 'finalized-hash' : 'ancestry',
            expected: toHex(expected),
            got: toHex(block.value.hash),
          },
          { ...context, height: at.toString() },
        );
        segments.set(node, new Map());
        return false;
      }
      segment.set(at, { hash: block.value.hash, previous: block.value.previousBlockHash });
      if (segment.size > MAX_WALK_DEPTH) {
        // Keep the highest links (a tenth fewer, so trimming is rare): the lowest are below every open anchor.
        const keep = Math.floor(MAX_WALK_DEPTH * 0.9);
        segment = new Map([...segment.entries()].sort((a, b) => (a[0] > b[0] ? -1 : 1)).slice(0, keep));
        segments.set(node, segment);
      }
      if (at === height) return bytesEqual(block.value.hash, hash);
      if (at === 0n) return false;
      at -= 1n;
      expected = block.value.previousBlockHash;
    }
    return undefined;
  }

  async function voteOf(node: SymbolRestClient, r: ObserveRequest): Promise<Vote> {
    const hash = r.expect.txHash;
    const status = await o.pool.ask(node, (c) => c.transactionStatus(hash));
    if (!status.ok) return { kind: 'silent' };
    const s = status.value;
    if (s === undefined || s.group === 'failed') {
      // Statuses can be dropped from a node's capped collections; its confirmed index is the last word.
      const meta = await o.pool.ask(node, (c) => c.confirmed(hash));
      if (!meta.ok) return { kind: 'silent' };
      if (meta.value === undefined)
        return s === undefined ? { kind: 'absent' } : { kind: 'failed', code: s.code };
    } else if (s.group !== 'confirmed') {
      return { kind: 'pending' };
    }
    const statusHeight = s?.group === 'confirmed' ? s.height : undefined;
    if (
      r.recorded !== undefined &&
      !r.wantFinality &&
      r.recorded.blockHash.length > 0 &&
      statusHeight !== undefined &&
      statusHeight === r.recorded.height
    ) {
      return { kind: 'as-recorded', node };
    }
    const meta = await o.pool.ask(node, (c) => c.confirmed(hash));
    if (!meta.ok) return { kind: 'silent' };
    if (meta.value === undefined) {
      o.pool.reject(
        node,
        {
          check: 'transaction-in-block',
          expected: 'a confirmed transaction (status said confirmed)',
          got: 'none',
        },
        r.context,
      );
      return { kind: 'silent' };
    }
    const m = meta.value;
    const block = await o.pool.ask(node, (c) => c.block(m.height));
    if (!block.ok) return { kind: 'silent' };
    const path = await o.pool.ask(node, (c) => c.merklePath(m.height, m.merkleComponentHash));
    if (!path.ok) return { kind: 'silent' };
    const checked = checkTransactionAnswers(
      r.expect,
      { statusHeight, meta: m, block: block.value, path: path.value },
      o.ed25519,
    );
    if (!checked.ok) {
      o.pool.reject(node, checked.rejection, { ...r.context, height: m.height.toString() });
      return { kind: 'silent' };
    }
    const evidence = checked.value;
    let final = false;
    const fin = r.finality.get(node);
    if (r.wantFinality && fin !== undefined && fin.height >= evidence.height) {
      final =
        (await onFinalChain(node, fin, evidence.height, evidence.blockHash, r.expect.network, r.context)) ===
        true;
    }
    return { kind: 'in-block', node, evidence, final };
  }

  async function observe(r: ObserveRequest): Promise<Observation> {
    const nodes = o.pool.usable();
    const votes = await Promise.all(nodes.map((n) => voteOf(n, r)));
    // Group the nodes that put it in a block by block (height, hash); recorded-height votes join the recorded block.
    const groups: { evidence: CheckedEvidence; nodes: SymbolRestClient[]; finals: number }[] = [];
    const recordedGroup = (): (typeof groups)[number] | undefined => {
      const rec = r.recorded;
      if (rec === undefined) return undefined;
      let g = groups.find(
        (x) => x.evidence.height === rec.height && bytesEqual(x.evidence.blockHash, rec.blockHash),
      );
      if (g === undefined) {
        g = { evidence: { ...rec }, nodes: [], finals: 0 };
        groups.push(g);
      }
      return g;
    };
    for (const v of votes) {
      if (v.kind === 'as-recorded') recordedGroup()?.nodes.push(v.node);
      if (v.kind !== 'in-block') continue;
      let g = groups.find((x) => sameBlock(x.evidence, v.evidence));
      if (g === undefined) {
        g = { evidence: v.evidence, nodes: [], finals: 0 };
        groups.push(g);
      }
      g.nodes.push(v.node);
      if (v.final) g.finals += 1;
    }
    groups.sort((a, b) => b.nodes.length - a.nodes.length);
    const best = groups[0];
    if (best !== undefined && best.nodes.length >= o.pool.quorum) {
      for (const g of groups.slice(1)) {
        for (const n of g.nodes) {
          o.pool.reject(
            n,
            {
              check: 'disagreement',
              expected: `block ${best.evidence.height} ${toHex(best.evidence.blockHash)} (${best.nodes.length} nodes)`,
              got: `block ${g.evidence.height} ${toHex(g.evidence.blockHash)}`,
            },
            r.context,
          );
        }
      }
      for (const n of best.nodes) o.pool.believed(n);
      return {
        kind: 'in-block',
        evidence: best.evidence,
        nodes: best.nodes.map((n) => n.url),
        final: best.finals >= o.pool.quorum,
      };
    }
    if (groups.some((g) => g.nodes.length > 0)) {
      return {
        kind: 'undecided',
        reason: `no block is agreed by ${o.pool.quorum} nodes: ${groups
          .filter((g) => g.nodes.length > 0)
          .map(
            (g) =>
              `block ${g.evidence.height} ${toHex(g.evidence.blockHash).slice(0, 16)}… by ${g.nodes.map((n) => n.url).join(', ')}`,
          )
          .join('; ')}`,
      };
    }
    if (votes.some((v) => v.kind === 'pending')) return { kind: 'pending' };
    const failed = votes.find((v): v is Extract<Vote, { kind: 'failed' }> => v.kind === 'failed');
    if (failed !== undefined) return { kind: 'failed', code: failed.code };
    const absent = votes.filter((v) => v.kind === 'absent').length;
    if (absent >= o.pool.quorum) return { kind: 'absent' };
    return {
      kind: 'undecided',
      reason: `${votes.filter((v) => v.kind !== 'silent').length} of ${o.pool.size} nodes answered, ${o.pool.quorum} needed`,
    };
  }

  return { observe };
}
