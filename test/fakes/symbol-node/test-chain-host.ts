// TEST DOUBLE of a Symbol node — the chain side of the double: options checked once (every error reported together),
// the in-memory chain (test-chain.ts) and its one block timer, shared by every REST front that serves it.
import { Address } from 'symbol-sdk/symbol';
import {
  SYMBOL_NETWORK_PRESETS,
  type SymbolNetworkPreset,
  type SymbolTestNetworkName,
} from './network-presets.ts';
import { type ForkOptions, type ForkResult, type TestBlock, TestChain } from './test-chain.ts';

export const SYMBOL_TEST_NODE_DEFAULTS = {
  network: 'testnet' as SymbolTestNetworkName,
  host: '127.0.0.1',
  port: 0,
  blockIntervalMs: 1000,
  finalizationLagBlocks: 3,
  minFeeMultiplier: 100,
  forkHeightV3: 0n,
  initialHeight: 1n,
  maxTransactionsPerBlock: 6000,
  maxTransactionsPerAggregate: 100,
  maxCosignaturesPerAggregate: 25,
  maxMessageSize: 1024,
  maxMetadataValueSize: 1024,
  maxTransactionLifetimeMs: 6 * 3_600_000,
  validationDelayMs: 0,
  maxBodyBytes: 4 * 1024 * 1024,
} as const;

export interface SymbolTestNodeOptions {
  /** 'testnet' (default) or 'mainnet': generation hash seed, network byte, epoch adjustment. */
  readonly network?: SymbolTestNetworkName;
  /** Loopback only by default; the CLI may pass another. */
  readonly host?: string;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** A block every this many ms (timer unref'd); 0 = only when `produceBlock()` is called. */
  readonly blockIntervalMs?: number;
  /** latestFinalizedBlock.height = height − this (not below the initial height) unless finality is stalled. */
  readonly finalizationLagBlocks?: number;
  /** Announcements with maxFee < size × this are dropped silently, as catapult's unconfirmed updater does. */
  readonly minFeeMultiplier?: number;
  /** Reported by /network/fees/transaction; defaults to minFeeMultiplier. */
  readonly medianFeeMultiplier?: number;
  /** Written into blocks and charged; defaults to minFeeMultiplier. */
  readonly blockFeeMultiplier?: number;
  /** Aggregates must be v3 in blocks at or above this height and v2 below it; 0 (default) = always v3. */
  readonly forkHeightV3?: bigint | number;
  /** Height of the first block the double holds; lower heights answer 404 as if pruned. */
  readonly initialHeight?: bigint | number;
  readonly maxTransactionsPerBlock?: number;
  readonly maxTransactionsPerAggregate?: number;
  readonly maxCosignaturesPerAggregate?: number;
  readonly maxMessageSize?: number;
  readonly maxMetadataValueSize?: number;
  readonly maxTransactionLifetimeMs?: number;
  /** Balances in µXYM by address (base32, e.g. T…); when given, fees are checked and charged, others have 0. */
  readonly balances?: Readonly<Record<string, bigint>>;
  /** Unix time in ms; defaults to Date.now. */
  readonly clock?: () => number;
  /** Delay between the 202 and validation of an announcement. */
  readonly validationDelayMs?: number;
}

/** Resolved settings the REST fronts report and use. */
export interface TestChainSettings {
  readonly network: SymbolTestNetworkName;
  readonly host: string;
  readonly blockIntervalMs: number;
  readonly minFeeMultiplier: number;
  readonly medianFeeMultiplier: number;
  readonly forkHeightV3: bigint;
  readonly maxTransactionsPerBlock: number;
  readonly maxTransactionsPerAggregate: number;
  readonly maxCosignaturesPerAggregate: number;
  readonly maxMessageSize: number;
  readonly maxMetadataValueSize: number;
  readonly maxTransactionLifetimeMs: number;
  readonly validationDelayMs: number;
}

/** One chain and its block timer; REST fronts come and go over it. */
export interface TestChainHost {
  readonly chain: TestChain;
  readonly preset: SymbolNetworkPreset;
  readonly settings: TestChainSettings;
  /** Stops the block timer (idempotent). */
  stop(): void;
}

/** Test accessors to a chain, the same on a node and on a network. */
export interface TestChainAccessors {
  /** Harvest a block now (also works with the timer on). */
  produceBlock(): TestBlock;
  /** Fork the shared chain above finality (TestChain.fork: RangeError at or below the finalized height). */
  fork(options: ForkOptions): ForkResult;
  /** Current chain height. */
  height(): bigint;
  /** The chain's true finalized height (what an honest front reports). */
  finalizedHeight(): bigint;
  /** A block of the chain as the chain holds it (no lies). */
  block(height: bigint | number): TestBlock | undefined;
  /** Every fork so far, oldest first. */
  forks(): readonly ForkResult[];
}

export function chainAccessors(chain: TestChain): TestChainAccessors {
  return {
    produceBlock: () => chain.produceBlock(),
    fork: (options) => chain.fork(options),
    height: () => chain.height,
    finalizedHeight: () => chain.finalization.height,
    block: (height) => chain.block(BigInt(height)),
    forks: () => chain.forks(),
  };
}

/** Decoded address (48 upper-case hex digits) of a base32 address, or undefined when it is not one. */
export function addressHex(base32: string): string | undefined {
  if (base32.length !== 39) return undefined;
  try {
    return Buffer.from(new Address(base32).bytes).toString('hex').toUpperCase();
  } catch {
    return undefined;
  }
}

function toBigInt(value: bigint | number, name: string, errors: string[]): bigint {
  if (typeof value === 'bigint') return value;
  if (!Number.isSafeInteger(value)) errors.push(`${name} must be an integer`);
  return BigInt(Number.isSafeInteger(value) ? value : 0);
}

export function checkInt(value: number, name: string, min: number, max: number, errors: string[]): void {
  if (!Number.isInteger(value) || value < min || value > max)
    errors.push(`${name} must be an integer in [${min}, ${max}]`);
}

/**
 * Checks `options` (with `errors` found by the caller, all reported together as one RangeError prefixed by
 * `what`), builds the chain and starts its block timer.
 */
export function createTestChainHost(
  options: SymbolTestNodeOptions,
  what: string,
  errors: string[] = [],
): TestChainHost {
  const d = SYMBOL_TEST_NODE_DEFAULTS;
  const network = options.network ?? d.network;
  const preset = SYMBOL_NETWORK_PRESETS[network];
  if (!preset) errors.push(`network must be one of ${Object.keys(SYMBOL_NETWORK_PRESETS).join(', ')}`);
  const host = options.host ?? d.host;
  const blockIntervalMs = options.blockIntervalMs ?? d.blockIntervalMs;
  const minFeeMultiplier = options.minFeeMultiplier ?? d.minFeeMultiplier;
  const medianFeeMultiplier = options.medianFeeMultiplier ?? minFeeMultiplier;
  const blockFeeMultiplier = options.blockFeeMultiplier ?? minFeeMultiplier;
  const finalizationLagBlocks = options.finalizationLagBlocks ?? d.finalizationLagBlocks;
  const forkHeightV3 = toBigInt(options.forkHeightV3 ?? d.forkHeightV3, 'forkHeightV3', errors);
  const initialHeight = toBigInt(options.initialHeight ?? d.initialHeight, 'initialHeight', errors);
  const maxTransactionsPerBlock = options.maxTransactionsPerBlock ?? d.maxTransactionsPerBlock;
  const maxTransactionsPerAggregate = options.maxTransactionsPerAggregate ?? d.maxTransactionsPerAggregate;
  const maxCosignaturesPerAggregate = options.maxCosignaturesPerAggregate ?? d.maxCosignaturesPerAggregate;
  const maxMessageSize = options.maxMessageSize ?? d.maxMessageSize;
  const maxMetadataValueSize = options.maxMetadataValueSize ?? d.maxMetadataValueSize;
  const maxTransactionLifetimeMs = options.maxTransactionLifetimeMs ?? d.maxTransactionLifetimeMs;
  const validationDelayMs = options.validationDelayMs ?? d.validationDelayMs;
  checkInt(options.port ?? d.port, 'port', 0, 65535, errors);
  checkInt(blockIntervalMs, 'blockIntervalMs', 0, 3_600_000, errors);
  checkInt(finalizationLagBlocks, 'finalizationLagBlocks', 0, 1_000_000, errors);
  for (const [name, value] of [
    ['minFeeMultiplier', minFeeMultiplier],
    ['medianFeeMultiplier', medianFeeMultiplier],
    ['blockFeeMultiplier', blockFeeMultiplier],
  ] as const)
    checkInt(value, name, 0, 0xffff_ffff, errors);
  checkInt(maxTransactionsPerBlock, 'maxTransactionsPerBlock', 1, 1_000_000, errors);
  checkInt(maxTransactionsPerAggregate, 'maxTransactionsPerAggregate', 1, 65535, errors);
  checkInt(maxCosignaturesPerAggregate, 'maxCosignaturesPerAggregate', 0, 255, errors);
  checkInt(maxMessageSize, 'maxMessageSize', 0, 65535, errors);
  checkInt(maxMetadataValueSize, 'maxMetadataValueSize', 1, 65535, errors);
  checkInt(maxTransactionLifetimeMs, 'maxTransactionLifetimeMs', 1, 48 * 3_600_000, errors);
  checkInt(validationDelayMs, 'validationDelayMs', 0, 60_000, errors);
  if (initialHeight < 1n) errors.push('initialHeight must be >= 1');
  if (forkHeightV3 < 0n) errors.push('forkHeightV3 must be >= 0');
  const balances = new Map<string, bigint>();
  for (const [address, amount] of Object.entries(options.balances ?? {})) {
    const decoded = addressHex(address);
    if (decoded === undefined) errors.push(`balances: '${address}' is not a base32 address`);
    else balances.set(decoded, amount);
    if (typeof amount !== 'bigint' || amount < 0n)
      errors.push(`balances: amount for '${address}' must be a bigint >= 0`);
  }
  if (errors.length > 0) throw new RangeError(`invalid ${what}: ${errors.join('; ')}`);

  const chain = new TestChain({
    preset,
    limits: {
      maxTransactionLifetimeMs: BigInt(maxTransactionLifetimeMs),
      maxTransactionsPerAggregate,
      maxCosignaturesPerAggregate,
      maxMessageSize,
      maxMetadataValueSize,
      forkHeightV3,
    },
    minFeeMultiplier,
    blockFeeMultiplier,
    finalizationLagBlocks,
    initialHeight,
    maxTransactionsPerBlock,
    balances: options.balances ? balances : undefined,
    clock: options.clock ?? Date.now,
  });

  const timer = blockIntervalMs > 0 ? setInterval(() => chain.produceBlock(), blockIntervalMs) : undefined;
  timer?.unref();
  return {
    chain,
    preset,
    settings: {
      network,
      host,
      blockIntervalMs,
      minFeeMultiplier,
      medianFeeMultiplier,
      forkHeightV3,
      maxTransactionsPerBlock,
      maxTransactionsPerAggregate,
      maxCosignaturesPerAggregate,
      maxMessageSize,
      maxMetadataValueSize,
      maxTransactionLifetimeMs,
      validationDelayMs,
    },
    stop: () => {
      if (timer) clearInterval(timer);
    },
  };
}
