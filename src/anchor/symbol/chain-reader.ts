// What the anchor tracker reads of the Symbol nodes at the start of each round (docs/anchoring.md §9–§10): which
// network they are on (agreed once by the quorum; a node on another network is never asked again), each node's chain
// head and finality (never believed lower than before), the finalized height the quorum reports, and single answers
// any node may give (node time, fees).
import type { Logger } from '../../log/logger.ts';
import { toHex } from '../../proof/encoding/bytes.ts';
import type { AnchorNetworkInfo } from './announcer.ts';
import type { NodePool } from './node-pool.ts';
import { SymbolNodeError, type SymbolRestClient } from './rest-client.ts';
import type { NodeFinality } from './transaction-observer.ts';

/** One round's view of the nodes' chains. */
export interface ChainView {
  /** Highest chain height reported. */
  readonly height: bigint;
  /** Each node's finality that its earlier answers support. */
  readonly finality: ReadonlyMap<SymbolRestClient, NodeFinality>;
  /** The highest height at least `quorum` nodes report as final this round, if that many answered. */
  readonly agreedFinalized: bigint | undefined;
}

/** The tracker's reader of the nodes. */
export interface ChainReader {
  /** The network the quorum agreed on (asked until it is known); excludes nodes on another. */
  network(): Promise<AnchorNetworkInfo>;
  /** The network once known. */
  known(): AnchorNetworkInfo | undefined;
  /** Each node's chain head and finality. */
  chains(): Promise<ChainView>;
  /** The first answer any usable node gives to `fn`, or undefined when none answered. */
  firstAnswer<T>(fn: (c: SymbolRestClient) => Promise<T>): Promise<T | undefined>;
}

const networkKey = (i: { generationHashSeed: Uint8Array; networkIdentifier: number }) =>
  `${toHex(i.generationHashSeed)}/${i.networkIdentifier}`;

/** A reader asking `pool`'s usable nodes. */
export function createChainReader(o: { readonly pool: NodePool; readonly log: Logger }): ChainReader {
  const pool = o.pool;
  let network: AnchorNetworkInfo | undefined;

  async function agree(
    answered: readonly { node: SymbolRestClient; info: AnchorNetworkInfo['info'] }[],
  ): Promise<AnchorNetworkInfo> {
    const counts = new Map<string, number>();
    for (const a of answered) counts.set(networkKey(a.info), (counts.get(networkKey(a.info)) ?? 0) + 1);
    const [best, n] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0] ?? ['', 0];
    const first = answered.find((a) => networkKey(a.info) === best);
    if (first === undefined) throw new SymbolNodeError('UNAVAILABLE', 'no Symbol node answered /node/info');
    if (n < Math.min(pool.quorum, answered.length) || n * 2 <= answered.length) {
      throw new SymbolNodeError('BAD_RESPONSE', 'the Symbol nodes do not agree which network they are on');
    }
    const properties = await pool.ask(first.node, (c) => c.networkProperties());
    if (!properties.ok)
      throw new SymbolNodeError('UNAVAILABLE', 'no Symbol node answered /network/properties');
    o.log.info(
      {
        networkIdentifier: first.info.networkIdentifier,
        generationHashSeed: toHex(first.info.generationHashSeed),
        nodes: answered.map((a) => a.node.url),
        quorum: pool.quorum,
      },
      'connected to the Symbol network',
    );
    return { info: first.info, properties: properties.value };
  }

  return {
    async network() {
      const nodes = pool.usable();
      const infos = await Promise.all(nodes.map((n) => pool.ask(n, (c) => c.nodeInfo())));
      const answered = nodes.flatMap((node, i) => {
        const a = infos[i];
        return a?.ok === true ? [{ node, info: a.value }] : [];
      });
      network ??= await agree(answered);
      const agreed = networkKey(network.info);
      for (const a of answered) {
        if (networkKey(a.info) !== agreed)
          pool.exclude(a.node, `on network ${networkKey(a.info)}, not ${agreed}`);
      }
      return network;
    },
    known: () => network,
    async chains() {
      const nodes = pool.usable();
      const answers = await Promise.all(nodes.map((n) => pool.ask(n, (c) => c.chainInfo())));
      const finality = new Map<SymbolRestClient, NodeFinality>();
      let height = 0n;
      nodes.forEach((node, i) => {
        const a = answers[i];
        if (a?.ok !== true) return;
        const chain = a.value;
        if (chain.height > height) height = chain.height;
        if (chain.finalizedHeight > chain.height) {
          pool.reject(
            node,
            {
              check: 'height',
              expected: `finalized height <= chain height ${chain.height}`,
              got: chain.finalizedHeight.toString(),
            },
            {},
          );
          return;
        }
        if (pool.finality(node, chain.finalizedHeight, {})) {
          finality.set(node, { height: chain.finalizedHeight, hash: chain.finalizedHash });
        }
      });
      const heights = [...finality.values()]
        .map((f) => f.height)
        .sort((a, b) => (a > b ? -1 : a < b ? 1 : 0));
      return { height, finality, agreedFinalized: heights[pool.quorum - 1] };
    },
    async firstAnswer(fn) {
      for (const node of pool.usable()) {
        const a = await pool.ask(node, fn);
        if (a.ok) return a.value;
      }
      return undefined;
    },
  };
}
