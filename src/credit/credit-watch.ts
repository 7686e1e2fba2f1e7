// Credits clients' prepaid credit from the transfers to the operator's Symbol account (docs/operations.md §Prepaid
// credit), each round of the anchor tracker: lists the transfers in newly finalized blocks from every usable node,
// rebuilds and checks each (incoming-transfer.ts), asks the quorum where it is (the anchors' transaction observer:
// block, Merkle path, on the finalized chain), and credits it once by its hash, moving the account's scan position in
// the same write. A transfer not yet final holds the scan position below it; one the quorum does not know is a lie.

import type { ChainFollower, ChainRound } from '../anchor/symbol/chain-follower.ts';
import type { SymbolRestClient } from '../anchor/symbol/rest-client.ts';
import { facadeFor } from '../anchor/transaction-builder.ts';
import type { Logger } from '../log/logger.ts';
import type { Ed25519Verifier } from '../proof/anchor/ed25519-verifier.ts';
import { symbolAddress } from '../proof/anchor/symbol-address.ts';
import { toHex } from '../proof/encoding/bytes.ts';
import { xym } from '../proof/encoding/xym.ts';
import { addressOf } from '../proof/trust/trust-root.ts';
import type { CreditTopUp, Store } from '../store/store.ts';
import { checkListedAggregate, type ListedAggregate } from './incoming-aggregate.ts';
import { checkListedTransfer, type IncomingTransfer, type ListingContext } from './incoming-transfer.ts';

/** Watch settings. */
export interface CreditWatchOptions {
  readonly store: Store;
  readonly ed25519: Ed25519Verifier;
  readonly log: Logger;
  /** Told of each top-up credited (the metrics). */
  readonly onCredit?: (topUp: CreditTopUp) => void;
  /** Transfers asked of one node per page (10..100). */
  readonly pageSize?: number;
  /** Pages read from one node in one round. */
  readonly maxPages?: number;
}

/** What one node listed. */
interface Listing {
  readonly node: SymbolRestClient;
  /** Every transfer at or below this height was listed. */
  readonly through: bigint;
  readonly topUps: readonly IncomingTransfer[];
  /** Aggregates holding transfers to the account, by hash hex: read and checked whole before anything is credited. */
  readonly aggregates: ReadonlyMap<string, { readonly hash: Uint8Array; readonly height: bigint }>;
}

/** An aggregate as read from the nodes. */
type CheckedAggregate = Extract<ListedAggregate, { kind: 'aggregate' }>;
type AggregateRead =
  | {
      readonly kind: 'aggregate';
      readonly merkleComponentHash: Uint8Array;
      readonly topUps: readonly IncomingTransfer[];
    }
  /** It carries other transaction types: a quorum says so; nothing is credited. */
  | { readonly kind: 'settled' }
  /** A quorum of nodes do not know it. */
  | { readonly kind: 'unknown' }
  /** Not settled this round. */
  | { readonly kind: 'unsettled' };

/** One transaction on chain whose top-ups are credited together once the quorum shows it final. */
interface Candidate {
  readonly key: string;
  readonly height: bigint;
  readonly txHash: Uint8Array;
  readonly merkleComponentHash: Uint8Array;
  readonly topUps: readonly IncomingTransfer[];
}

const PAGE_SIZE = 100;
const MAX_PAGES = 10;

/** Creates the watch: a follower of the anchor tracker's rounds. */
export function createCreditWatch(o: CreditWatchOptions): ChainFollower {
  const pageSize = o.pageSize ?? PAGE_SIZE;
  const maxPages = o.maxPages ?? MAX_PAGES;
  let warnedNoCurrency = false;

  /** Everything `node` lists from `from` up to `to`, checked; undefined when it could not or its answer was refused. */
  async function listFrom(
    r: ChainRound,
    node: SymbolRestClient,
    address: string,
    from: bigint,
    to: bigint,
    check: (entry: unknown) => ReturnType<typeof checkListedTransfer>,
  ): Promise<Listing | undefined> {
    const topUps: IncomingTransfer[] = [];
    const aggregates = new Map<string, { hash: Uint8Array; height: bigint }>();
    for (let page = 1; page <= maxPages; page++) {
      const asked = await r.pool.ask(node, (c) => c.transfersTo(address, from, to, page, pageSize));
      if (!asked.ok) return undefined;
      let highest = 0n;
      for (const entry of asked.value) {
        const listed = check(entry);
        if (listed.kind === 'refused') {
          r.pool.reject(node, listed, { account: address, purpose: 'credit' });
          return undefined;
        }
        const height = listed.kind === 'top-up' ? listed.transfer.height : listed.height;
        if (height < from || height > to) {
          r.pool.reject(
            node,
            { check: 'height', expected: `a block in ${from}..${to}`, got: `block ${height}` },
            { account: address, purpose: 'credit' },
          );
          return undefined;
        }
        if (height > highest) highest = height;
        if (listed.kind === 'top-up') topUps.push(listed.transfer);
        if (listed.kind === 'embedded')
          aggregates.set(toHex(listed.aggregateHash), { hash: listed.aggregateHash, height });
      }
      if (asked.value.length < pageSize) return { node, through: to, topUps, aggregates };
      // A full page: the listing goes on; what was seen below the last page's highest block is complete.
      if (page === maxPages) return { node, through: highest - 1n, topUps, aggregates };
    }
    return undefined;
  }

  /**
   * The aggregate `hash` as the nodes give it, checked. Every usable node is asked: the cosignatures are not covered
   * by the aggregate's hash, so one node could change its Merkle component hash; when checked answers differ, only
   * the one a quorum gives is believed (a node whose checked answer differs from it is reported, as is one whose
   * answer does not hold together). An aggregate that also carries other transaction types (not rebuilt, so not checked) credits
   * nothing, and one a quorum does not know is not there; both only when a quorum says so.
   */
  async function readAggregate(
    r: ChainRound,
    hash: Uint8Array,
    context: ListingContext,
  ): Promise<AggregateRead> {
    const checked = new Map<string, { read: CheckedAggregate; nodes: SymbolRestClient[] }>();
    const others: string[] = [];
    let unknown = 0;
    for (const node of r.pool.usable()) {
      const asked = await r.pool.ask(node, (c) => c.confirmedEntry(hash));
      if (!asked.ok) continue;
      if (asked.value === undefined) {
        unknown++;
        continue;
      }
      const read = checkListedAggregate(asked.value, hash, context);
      if (read.kind === 'aggregate') {
        const key = toHex(read.merkleComponentHash);
        const group = checked.get(key) ?? { read, nodes: [] };
        group.nodes.push(node);
        checked.set(key, group);
      } else if (read.kind === 'other') others.push(read.reason);
      else r.pool.reject(node, read, { aggregate: toHex(hash), purpose: 'credit' });
    }
    // The quorum's, or the only one that held together: the observer still needs a quorum to show that component in
    // a final block before anything is credited. Two different ones without a quorum settle nothing.
    const groups = [...checked.values()];
    const agreed =
      groups.find((g) => g.nodes.length >= r.pool.quorum) ?? (groups.length === 1 ? groups[0] : undefined);
    if (agreed !== undefined) {
      for (const [key, g] of checked) {
        if (g === agreed) continue;
        for (const node of g.nodes)
          r.pool.reject(
            node,
            {
              check: 'merkle-component-hash',
              expected: toHex(agreed.read.merkleComponentHash),
              got: key,
            },
            { aggregate: toHex(hash), purpose: 'credit' },
          );
      }
      return {
        kind: 'aggregate',
        merkleComponentHash: agreed.read.merkleComponentHash,
        topUps: agreed.read.topUps,
      };
    }
    if (others.length >= r.pool.quorum) {
      o.log.warn(
        { aggregate: toHex(hash), reason: others[0] },
        'an aggregate to the account carries other transactions than transfers: not credited (settle it by hand)',
      );
      return { kind: 'settled' };
    }
    if (unknown >= r.pool.quorum) return { kind: 'unknown' };
    return { kind: 'unsettled' };
  }

  async function follow(r: ChainRound): Promise<void> {
    const currency = r.network.properties.currencyMosaicId;
    if (currency === undefined) {
      if (!warnedNoCurrency)
        o.log.warn(
          {},
          'prepaid credit waits: the nodes do not name the currency mosaic (chain.currencyMosaicId)',
        );
      warnedNoCurrency = true;
      return;
    }
    const { networkIdentifier: identifier, generationHashSeed } = r.network.info;
    const address = addressOf(r.accountPublicKey, identifier);
    const scanned = o.store.creditScan(address);
    const finalized = r.finalizedHeight;
    if (finalized <= scanned) return;
    const context: ListingContext = {
      facade: facadeFor({ identifier, generationHashSeed }),
      recipient: symbolAddress(r.accountPublicKey, identifier),
      currencyMosaicId: currency,
      ed25519: o.ed25519,
    };
    const check = (entry: unknown) => checkListedTransfer(entry, context);
    // Each node lists up to its own finality (never past the quorum's): a node behind does not claim blocks it lacks.
    const listings = (
      await Promise.all(
        r.pool.usable().map((node) => {
          const own = r.finality.get(node)?.height ?? 0n;
          const to = own < finalized ? own : finalized;
          return to <= scanned ? undefined : listFrom(r, node, address, scanned + 1n, to, check);
        }),
      )
    ).filter((l): l is Listing => l !== undefined);
    if (listings.length < r.pool.quorum) return;
    // The union of what the nodes listed (one that hides a transfer does not hide it from the others), up to the
    // height every one of them listed through.
    let through = finalized;
    for (const l of listings) if (l.through < through) through = l.through;
    const candidates = new Map<string, Candidate>();
    for (const l of listings)
      for (const t of l.topUps)
        if (t.height <= through) {
          const key = toHex(t.hash);
          candidates.set(key, {
            key,
            height: t.height,
            txHash: t.hash,
            merkleComponentHash: t.hash,
            topUps: [t],
          });
        }
    const aggregates = new Map<string, { hash: Uint8Array; height: bigint }>();
    /** The nodes that listed each aggregate. */
    const listers = new Map<string, SymbolRestClient[]>();
    for (const l of listings)
      for (const [key, a] of l.aggregates) {
        if (a.height > through) continue;
        aggregates.set(key, a);
        listers.set(key, [...(listers.get(key) ?? []), l.node]);
      }
    for (const [key, a] of aggregates) {
      const read = await readAggregate(r, a.hash, context);
      if (read.kind === 'unsettled') {
        // No quorum of nodes gave the same aggregate holding together: looked at again next round.
        if (a.height - 1n < through) through = a.height - 1n;
      } else if (read.kind === 'unknown') {
        // Listed, yet a quorum of nodes know no such transaction: the listing lied; it holds nothing up.
        for (const node of listers.get(key) ?? [])
          r.pool.reject(
            node,
            { check: 'transaction-hash', expected: 'a transaction the quorum of nodes knows', got: key },
            { account: address, purpose: 'credit' },
          );
        o.log.warn(
          { aggregate: key, height: a.height.toString() },
          'a node listed an aggregate that the quorum of nodes does not know: not credited',
        );
      } else if (read.kind === 'aggregate' && read.topUps.length > 0) {
        candidates.set(key, {
          key,
          height: a.height,
          txHash: a.hash,
          merkleComponentHash: read.merkleComponentHash,
          topUps: read.topUps,
        });
      }
    }
    const credits: CreditTopUp[] = [];
    for (const c of [...candidates.values()].sort((a, b) => (a.height < b.height ? -1 : 1))) {
      const fresh = c.topUps.filter((t) => o.store.creditedTopUp(t.hash) === undefined);
      if (fresh.length === 0) continue;
      const clients = [...new Set(fresh.map((t) => t.client))].join(',');
      const seen = await r.observer.observe({
        expect: { txHash: c.txHash, merkleComponentHash: c.merkleComponentHash, network: identifier },
        recorded: undefined,
        wantFinality: true,
        finality: r.finality,
        context: { transfer: c.key, client: clients, purpose: 'credit' },
      });
      if (seen.kind === 'in-block' && seen.final && seen.evidence.height <= finalized) {
        for (const t of fresh)
          credits.push({ hash: t.hash, client: t.client, amount: t.amount, height: seen.evidence.height });
      } else if (seen.kind === 'absent' || seen.kind === 'failed') {
        o.log.warn(
          { transfer: c.key, client: clients, height: c.height.toString() },
          'a node listed a top-up that the quorum of nodes does not know: not credited',
        );
      } else if (c.height - 1n < through) {
        // Not settled this round (not yet final everywhere, or the nodes disagree): looked at again next round.
        through = c.height - 1n;
      }
    }
    // Nothing to credit and no new blocks looked at: no write.
    if (credits.length === 0 && through <= scanned) return;
    const fresh = await o.store.creditTopUps(credits, { account: address, through });
    credits.forEach((t, i) => {
      if (fresh[i] !== true) return;
      o.onCredit?.(t);
      o.log.info(
        {
          client: t.client,
          amount: t.amount.toString(),
          transfer: toHex(t.hash),
          height: t.height.toString(),
        },
        `credit: ${xym(t.amount)} XYM credited to client ${t.client}`,
      );
    });
  }

  return { name: 'prepaid credit', follow };
}
