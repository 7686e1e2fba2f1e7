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
import { checkListedTransfer, type IncomingTransfer } from './incoming-transfer.ts';

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
      }
      if (asked.value.length < pageSize) return { node, through: to, topUps };
      // A full page: the listing goes on; what was seen below the last page's highest block is complete.
      if (page === maxPages) return { node, through: highest - 1n, topUps };
    }
    return undefined;
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
    const context = {
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
    const candidates = new Map<string, IncomingTransfer>();
    for (const l of listings)
      for (const t of l.topUps) if (t.height <= through) candidates.set(toHex(t.hash), t);
    const credits: CreditTopUp[] = [];
    for (const [hash, t] of [...candidates].sort((a, b) => (a[1].height < b[1].height ? -1 : 1))) {
      if (o.store.creditedTopUp(t.hash) !== undefined) continue;
      const seen = await r.observer.observe({
        expect: { txHash: t.hash, merkleComponentHash: t.hash, network: identifier },
        recorded: undefined,
        wantFinality: true,
        finality: r.finality,
        context: { transfer: hash, client: t.client, purpose: 'credit' },
      });
      if (seen.kind === 'in-block' && seen.final && seen.evidence.height <= finalized) {
        credits.push({ hash: t.hash, client: t.client, amount: t.amount, height: seen.evidence.height });
      } else if (seen.kind === 'absent' || seen.kind === 'failed') {
        o.log.warn(
          { transfer: hash, client: t.client, amount: t.amount.toString(), height: t.height.toString() },
          'a node listed a top-up that the quorum of nodes does not know: not credited',
        );
      } else if (t.height - 1n < through) {
        // Not settled this round (not yet final everywhere, or the nodes disagree): looked at again next round.
        through = t.height - 1n;
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
