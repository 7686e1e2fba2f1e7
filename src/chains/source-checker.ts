// Checks that a source reference exists on its chain before the submission is stored (docs/operations.md §Other-chain references), and records the
// block it is in: Ethereum/Polygon by eth_getTransactionReceipt (JPYC: the ERC-20 Transfer log at that index, from
// the configured token contract), Bitcoin by getrawtransaction and getblockheader. A chain without an endpoint is
// not checked: the reference is bound in form only (and says so in the leaf).

import { RequestError } from '../errors/request-error.ts';
import { displayTxHash, type SourceChain, type SourceReference } from '../proof/bundle/source-reference.ts';
import type { JsonRpc } from './json-rpc.ts';

/** keccak256("Transfer(address,address,uint256)"): topic 0 of every ERC-20 Transfer log. */
export const ERC20_TRANSFER_TOPIC = '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef';

/** Checks references. */
export interface SourceChecker {
  /** The reference with its block when checked; unchanged when its chain has no endpoint. */
  check(ref: SourceReference): Promise<SourceReference>;
}

/** Endpoints and token contracts. */
export interface SourceCheckerOptions {
  readonly evm: Partial<Record<Exclude<SourceChain, 'none'>, JsonRpc>>;
  readonly bitcoin?: JsonRpc | undefined;
  /** The JPYC token contract per EVM chain (lower-case 0x address). */
  readonly jpycContracts: Partial<Record<Exclude<SourceChain, 'none'>, string>>;
  /** Confirmations a transaction needs per chain (its own block counts as 1); absent: 1, in any block. */
  readonly minConfirmations?: Partial<Record<ConfirmedChain, number>> | undefined;
}

/** The chains whose references are checked on an endpoint. */
export type ConfirmedChain = 'bitcoin' | Exclude<SourceChain, 'none'>;

/** Refuses a transaction with fewer confirmations than its chain requires (retry later). */
function requireConfirmations(chain: ConfirmedChain, tx: string, have: bigint, need: number): void {
  if (have >= BigInt(need)) return;
  throw fail(
    'SOURCE_PENDING',
    'source.tx_hash',
    `transaction ${tx} has ${have} confirmation${have === 1n ? '' : 's'} on ${chain}, ${need} required (SPARK_CHAIN_MIN_CONFIRMATIONS)`,
  );
}

const fail = (code: RequestError['code'], field: string, message: string): RequestError =>
  new RequestError(code, `${field}: ${message}`, { field });

/**
 * One call; the node's error is a RequestError: `known` maps the ones that say something about the reference
 * (Bitcoin's -5 "No such mempool or blockchain transaction"), any other is UNAVAILABLE, as is no answer.
 */
async function call(
  rpc: JsonRpc,
  chain: string,
  method: string,
  params: readonly unknown[],
  known: (code: number) => RequestError | undefined = () => undefined,
): Promise<unknown> {
  let r: Awaited<ReturnType<JsonRpc['call']>>;
  try {
    r = await rpc.call(method, params);
  } catch (err) {
    throw fail('SOURCE_UNAVAILABLE', 'source', `${chain} endpoint: ${(err as Error).message}`);
  }
  if ('result' in r) return r.result;
  throw (
    known(r.error.code) ??
    fail(
      'SOURCE_UNAVAILABLE',
      'source',
      `${chain} endpoint: ${method} answered error ${r.error.code} ${r.error.message}`,
    )
  );
}

const hexToBytes = (h: unknown, what: string): Uint8Array => {
  if (typeof h !== 'string' || !/^(0x)?[0-9a-fA-F]{64}$/.test(h))
    throw new Error(`${what} is not a 32-byte hex value`);
  return Uint8Array.from(Buffer.from(h.replace(/^0x/, ''), 'hex'));
};

const quantity = (q: unknown, what: string): bigint => {
  if (typeof q === 'number' && Number.isSafeInteger(q) && q >= 0) return BigInt(q);
  if (typeof q !== 'string' || !/^0x[0-9a-fA-F]{1,16}$/.test(q)) throw new Error(`${what} is not a quantity`);
  return BigInt(q);
};

interface EvmLog {
  readonly address?: unknown;
  readonly topics?: unknown;
  readonly logIndex?: unknown;
}

async function checkEvm(
  rpc: JsonRpc,
  ref: SourceReference,
  contract: string | undefined,
  minConfirmations: number,
): Promise<SourceReference> {
  const tx = displayTxHash(ref);
  const receipt = (await call(rpc, ref.chain, 'eth_getTransactionReceipt', [tx])) as {
    blockNumber?: unknown;
    blockHash?: unknown;
    status?: unknown;
    logs?: unknown;
  } | null;
  if (receipt === null) {
    throw fail(
      'SOURCE_NOT_FOUND',
      'source.tx_hash',
      `transaction ${tx} has no receipt on ${ref.chain} (unknown or not yet mined)`,
    );
  }
  let number: bigint;
  let hash: Uint8Array;
  try {
    number = quantity(receipt.blockNumber, 'blockNumber');
    hash = hexToBytes(receipt.blockHash, 'blockHash');
  } catch (err) {
    throw fail(
      'SOURCE_UNAVAILABLE',
      'source',
      `${ref.chain} endpoint answered a malformed receipt: ${(err as Error).message}`,
    );
  }
  if (receipt.status === '0x0') {
    throw fail('SOURCE_MISMATCH', 'source.tx_hash', `transaction ${tx} failed (status 0) in block ${number}`);
  }
  if (ref.kind === 'jpyc') {
    if (contract === undefined) {
      throw fail(
        'SOURCE_UNCHECKABLE',
        'source.chain',
        `no JPYC contract is configured for ${ref.chain} (SPARK_JPYC_CONTRACTS)`,
      );
    }
    const logs = Array.isArray(receipt.logs) ? (receipt.logs as EvmLog[]) : [];
    const log = logs.find((l) => {
      try {
        return quantity(l.logIndex, 'logIndex') === BigInt(ref.logIndex);
      } catch {
        return false;
      }
    });
    if (log === undefined) {
      const have = logs
        .map((l) => (typeof l.logIndex === 'string' ? Number.parseInt(l.logIndex, 16) : l.logIndex))
        .join(', ');
      throw fail(
        'SOURCE_MISMATCH',
        'source.log_index',
        `transaction ${tx} has no log with index ${ref.logIndex} (its logs: ${have || 'none'})`,
      );
    }
    const topics = Array.isArray(log.topics)
      ? (log.topics as unknown[]).map((t) => String(t).toLowerCase())
      : [];
    if (topics[0] !== ERC20_TRANSFER_TOPIC || topics.length !== 3) {
      throw fail(
        'SOURCE_MISMATCH',
        'source.log_index',
        `log ${ref.logIndex} of ${tx} is not an ERC-20 Transfer event`,
      );
    }
    if (String(log.address).toLowerCase() !== contract) {
      throw fail(
        'SOURCE_MISMATCH',
        'source.log_index',
        `log ${ref.logIndex} of ${tx} was emitted by ${String(log.address).slice(0, 42)}, not the JPYC contract ${contract}`,
      );
    }
  }
  if (minConfirmations > 1) {
    // The receipt's block counts as the first confirmation; the head may be reported before the receipt's block
    // on a load-balanced endpoint, which reads as too few confirmations (retry), never as too many.
    let head: bigint;
    try {
      head = quantity(await call(rpc, ref.chain, 'eth_blockNumber', []), 'eth_blockNumber');
    } catch (err) {
      if (err instanceof RequestError) throw err;
      throw fail('SOURCE_UNAVAILABLE', 'source', `${ref.chain} endpoint: ${(err as Error).message}`);
    }
    requireConfirmations(
      ref.chain as ConfirmedChain,
      tx,
      head >= number ? head - number + 1n : 0n,
      minConfirmations,
    );
  }
  return { ...ref, block: { number, hash } };
}

async function checkBitcoin(
  rpc: JsonRpc,
  ref: SourceReference,
  minConfirmations: number,
): Promise<SourceReference> {
  const txid = displayTxHash(ref);
  const tx = (await call(rpc, 'bitcoin', 'getrawtransaction', [txid, true], (code) =>
    code === -5
      ? fail('SOURCE_NOT_FOUND', 'source.tx_hash', `transaction ${txid} is not known to the Bitcoin node`)
      : undefined,
  )) as { blockhash?: unknown; confirmations?: unknown } | null;
  if (tx?.blockhash === undefined) {
    throw fail('SOURCE_PENDING', 'source.tx_hash', `transaction ${txid} is not in a block yet (mempool)`);
  }
  try {
    const blockHashDisplay = hexToBytes(tx.blockhash, 'blockhash');
    if (minConfirmations > 1)
      requireConfirmations('bitcoin', txid, quantity(tx.confirmations, 'confirmations'), minConfirmations);
    const header = (await call(rpc, 'bitcoin', 'getblockheader', [tx.blockhash])) as { height?: unknown };
    const number = quantity(header?.height, 'height');
    // Stored in internal byte order, like the txid.
    return { ...ref, block: { number, hash: blockHashDisplay.reverse() } };
  } catch (err) {
    if (err instanceof RequestError) throw err;
    throw fail(
      'SOURCE_UNAVAILABLE',
      'source',
      `bitcoin endpoint answered a malformed result: ${(err as Error).message}`,
    );
  }
}

/** Creates the checker over the configured endpoints. */
export function createSourceChecker(o: SourceCheckerOptions): SourceChecker {
  return {
    async check(ref) {
      const need = (chain: ConfirmedChain) => o.minConfirmations?.[chain] ?? 1;
      if (ref.kind === 'bitcoin')
        return o.bitcoin === undefined ? ref : checkBitcoin(o.bitcoin, ref, need('bitcoin'));
      if (ref.kind === 'symbol' || ref.chain === 'none') return ref;
      const rpc = o.evm[ref.chain];
      return rpc === undefined ? ref : checkEvm(rpc, ref, o.jpycContracts[ref.chain], need(ref.chain));
    },
  };
}
