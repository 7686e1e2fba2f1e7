// TEST DOUBLE of a Symbol network: several catapult-rest look-alike fronts on loopback over ONE in-memory chain (one
// block timer), each with its own port, faults and lies — for clients that ask several nodes and must catch the odd
// one out. Not a Symbol network; none can run here.
import { startRestFront } from './rest-front.ts';
import type { SymbolTestNode } from './symbol-test-node.ts';
import {
  chainAccessors,
  checkInt,
  createTestChainHost,
  type SymbolTestNodeOptions,
  type TestChainAccessors,
} from './test-chain-host.ts';

export const SYMBOL_TEST_NETWORK_MAX_NODES = 16;

export interface SymbolTestNetworkOptions extends Omit<SymbolTestNodeOptions, 'port'> {
  /** How many REST fronts, 1..16. */
  readonly nodes: number;
  /** One port per front; default all 0 (free ports). */
  readonly ports?: readonly number[];
}

/** Test accessors (produceBlock, fork, height, finalizedHeight, block, forks) act on the one shared chain. */
export interface SymbolTestNetwork extends TestChainAccessors {
  /** The fronts, in the order of `ports`; each can be closed alone (the chain goes on). */
  readonly nodes: readonly SymbolTestNode[];
  /** Resolves once every announcement accepted by any front has been validated. */
  whenIdle(): Promise<void>;
  /** Closes every front and stops the block timer. */
  close(): Promise<void>;
}

export async function startSymbolTestNetwork(options: SymbolTestNetworkOptions): Promise<SymbolTestNetwork> {
  const errors: string[] = [];
  checkInt(options.nodes, 'nodes', 1, SYMBOL_TEST_NETWORK_MAX_NODES, errors);
  const ports =
    options.ports ?? Array.from({ length: Number.isInteger(options.nodes) ? options.nodes : 0 }, () => 0);
  if (ports.length !== options.nodes) errors.push('ports must name one port per node');
  ports.forEach((port, i) => {
    checkInt(port, `ports[${i}]`, 0, 65535, errors);
  });
  const chainHost = createTestChainHost(options, 'Symbol test network options', errors);
  const nodes: SymbolTestNode[] = [];
  const closeAll = async (): Promise<void> => {
    await Promise.all(nodes.map((node) => node.close()));
    chainHost.stop();
  };
  try {
    for (const port of ports) nodes.push(await startRestFront(chainHost, port));
  } catch (error) {
    await closeAll();
    throw error;
  }
  return {
    nodes,
    ...chainAccessors(chainHost.chain),
    whenIdle: async () => {
      await Promise.all(nodes.map((node) => node.whenIdle()));
    },
    close: closeAll,
  };
}
