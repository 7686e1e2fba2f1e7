// TEST DOUBLE of a Symbol node — the in-memory chain behind the REST double: unconfirmed pool, failed statuses,
// blocks with catapult transactionsHash, account metadata and optional balances (fees, currency transfers), voting
// finality with a lag, and forks above finality (roll back, then continue with other blocks).
import { sha3_256 } from '@noble/hashes/sha3.js';
import { SymbolFacade } from 'symbol-sdk/symbol';
import { blockMerkleRoot, merkleComponentHash } from './block-merkle.ts';
import {
  type BlockKeyPair,
  type BlockSeal,
  concatBytes,
  harvesterKeyPair,
  hex,
  NORMAL_BLOCK_HEADER_SIZE,
  type NormalBlockFields,
  sealNormalBlock,
} from './block-signer.ts';
import type { SymbolFailureCode } from './failure-codes.ts';
import { CURRENCY_ALIAS_NAMESPACE_ID, type SymbolNetworkPreset } from './network-presets.ts';
import {
  decodeAnnouncedPayload,
  type LedgerEffect,
  type LedgerView,
  type ValidationLimits,
  validateTransaction,
} from './transaction-validator.ts';

type AnyTransaction = Extract<ReturnType<typeof decodeAnnouncedPayload>, { ok: true }>['transaction'];

export interface TestChainOptions {
  readonly preset: SymbolNetworkPreset;
  readonly limits: ValidationLimits;
  readonly minFeeMultiplier: number;
  /** Fee multiplier the double's harvester writes into its blocks (fees charged = size × this, capped by maxFee). */
  readonly blockFeeMultiplier: number;
  readonly finalizationLagBlocks: number;
  readonly initialHeight: bigint;
  readonly maxTransactionsPerBlock: number;
  /** Balances in µXYM by upper-case decoded address hex; undefined switches balance bookkeeping off. */
  readonly balances: ReadonlyMap<string, bigint> | undefined;
  /** Unix time in ms. */
  readonly clock: () => number;
}

export interface StoredTransaction {
  readonly hash: string;
  readonly payload: Uint8Array;
  readonly transaction: AnyTransaction;
  readonly deadline: bigint;
  readonly effects: readonly LedgerEffect[];
  /** Set on a transaction a fork put back in the pool: it is not harvested at a height below this one. */
  readonly notBefore?: bigint;
}

export interface ConfirmedTransaction extends StoredTransaction {
  readonly height: bigint;
  readonly index: number;
  readonly merkleComponentHash: string;
  readonly timestamp: bigint;
  readonly feeMultiplier: number;
  /** Stand-in for the REST database object id (24 hex digits). */
  readonly id: string;
}

/** A block as the chain keeps it: the signed header fields, its seal (signature, signer, hash) and contents. */
export interface TestBlock extends NormalBlockFields, BlockSeal {
  readonly generationHash: string;
  readonly size: number;
  readonly totalFee: bigint;
  readonly leaves: readonly Uint8Array[];
  readonly transactions: readonly ConfirmedTransaction[];
  readonly id: string;
}

export interface FailedStatus {
  readonly hash: string;
  readonly code: SymbolFailureCode;
  readonly deadline: bigint;
}

/** Something the node threw away without any status, as a real node does; kept so tests can say why. */
export interface DroppedAnnouncement {
  readonly hash: string | undefined;
  readonly reason: 'malformed' | 'duplicate' | 'fee-below-minimum' | 'dropped-by-fault' | 'dropped-by-fork';
  readonly detail: string;
}

export interface MetadataEntry {
  readonly sourceAddress: Uint8Array;
  readonly targetAddress: Uint8Array;
  readonly scopedMetadataKey: bigint;
  readonly value: Uint8Array;
  readonly compositeHash: string;
}

export interface Finalization {
  readonly height: bigint;
  readonly hash: string;
  readonly epoch: number;
  readonly point: number;
}

/** What happens to the transactions of rolled-back blocks. */
export type ForkMode = 'reinclude' | 'drop';

export interface ForkOptions {
  /** How many blocks to roll back from the tip; all of them must be above the finalized height. */
  readonly depth: number;
  /** 'reinclude': back to the unconfirmed pool; 'drop': forgotten (404 everywhere, as when a pool drops them). */
  readonly mode: ForkMode;
  /** Blocks to harvest at once after the rollback; default depth + 1 (the new fork is the longer one). */
  readonly replacementBlocks?: number;
}

export interface ForkResult {
  /** Height of the highest block kept; the new blocks start above it. */
  readonly forkPoint: bigint;
  readonly mode: ForkMode;
  /** The blocks rolled back, lowest first. */
  readonly rolledBack: readonly TestBlock[];
  /** Hashes of the rolled-back transactions put back in the pool ('reinclude'). */
  readonly reincluded: readonly string[];
  /** Hashes of the rolled-back transactions forgotten ('drop'). */
  readonly dropped: readonly string[];
  /** The blocks harvested at once after the rollback. */
  readonly replacements: readonly TestBlock[];
}

/** Account metadata and balances after a block; kept per block above finality so a fork can restore them. */
interface LedgerState {
  readonly metadata: ReadonlyMap<string, MetadataEntry>;
  readonly balances: ReadonlyMap<string, bigint> | undefined;
}

/** REST keeps failed statuses in a capped collection; so does the double. */
const FAILED_STATUS_CAPACITY = 10_000;
export const VOTING_SET_GROUPING = 720n;
const DIFFICULTY = 100_000_000_000_000n;

/** Transactions in a block are 8-byte aligned (catapult EntityBody padding); the block size counts the padding. */
const paddedSize = (size: number): number => Math.ceil(size / 8) * 8;

export class TestChain {
  readonly facade: SymbolFacade;
  readonly #options: TestChainOptions;
  readonly #harvester: BlockKeyPair;
  readonly #blocks = new Map<bigint, TestBlock>();
  #unconfirmed = new Map<string, StoredTransaction>();
  readonly #confirmed = new Map<string, ConfirmedTransaction>();
  readonly #failed = new Map<string, FailedStatus>();
  readonly #dropped: DroppedAnnouncement[] = [];
  /** Ledger state after each block from the finalized height up (older ones are never needed again). */
  readonly #states = new Map<bigint, LedgerState>();
  #state: LedgerState;
  #tip: TestBlock;
  #finalization: Finalization;
  #finalityStalled = false;
  #idCounter = 0;
  /** After a fork, new blocks are stamped later than every rolled-back one, so their hashes differ. */
  #minNextTimestamp = 0n;
  readonly #forks: ForkResult[] = [];
  readonly #currencyMosaicIds: ReadonlySet<bigint>;

  constructor(options: TestChainOptions) {
    this.#options = options;
    this.#currencyMosaicIds = new Set([options.preset.currencyMosaicId, CURRENCY_ALIAS_NAMESPACE_ID]);
    this.facade = new SymbolFacade(options.preset.name);
    this.#harvester = harvesterKeyPair();
    this.#state = { metadata: new Map(), balances: options.balances ? new Map(options.balances) : undefined };
    this.#tip = this.#seal({
      height: options.initialHeight,
      generationSeed: new Uint8Array(32),
      leaves: [],
      transactionsSize: 0,
      totalFee: 0n,
      timestamp: this.networkTime(),
    });
    this.#blocks.set(this.#tip.height, this.#tip);
    this.#states.set(this.#tip.height, this.#state);
    this.#finalization = { height: this.#tip.height, hash: this.#tip.hash, epoch: 1, point: 1 };
  }

  get initialHeight(): bigint {
    return this.#options.initialHeight;
  }

  get networkIdentifier(): number {
    return this.#options.preset.identifier;
  }

  /** Network time in ms: Unix ms minus the epoch adjustment. */
  networkTime(): bigint {
    return (
      BigInt(Math.floor(this.#options.clock())) - BigInt(this.#options.preset.epochAdjustmentSeconds) * 1000n
    );
  }

  get height(): bigint {
    return this.#tip.height;
  }

  get tip(): TestBlock {
    return this.#tip;
  }

  get finalization(): Finalization {
    return this.#finalization;
  }

  get finalityStalled(): boolean {
    return this.#finalityStalled;
  }

  set finalityStalled(stalled: boolean) {
    this.#finalityStalled = stalled;
    if (!stalled) this.#advanceFinality();
  }

  block(height: bigint): TestBlock | undefined {
    return this.#blocks.get(height);
  }

  confirmed(hash: string): ConfirmedTransaction | undefined {
    return this.#confirmed.get(hash.toUpperCase());
  }

  confirmedById(id: string): ConfirmedTransaction | undefined {
    for (const tx of this.#confirmed.values()) if (tx.id === id.toUpperCase()) return tx;
    return undefined;
  }

  confirmedTransactions(): ConfirmedTransaction[] {
    return [...this.#confirmed.values()];
  }

  unconfirmed(hash: string): StoredTransaction | undefined {
    return this.#unconfirmed.get(hash.toUpperCase());
  }

  failed(hash: string): FailedStatus | undefined {
    return this.#failed.get(hash.toUpperCase());
  }

  dropped(): readonly DroppedAnnouncement[] {
    return this.#dropped;
  }

  metadataEntries(): MetadataEntry[] {
    return [...this.#state.metadata.values()];
  }

  balance(addressHex: string): bigint | undefined {
    return this.#state.balances?.get(addressHex.toUpperCase());
  }

  /** Test accessor: credits `amount` µXYM to an account, as a transfer to it would (balance bookkeeping on only). */
  fund(addressHex: string, amount: bigint): void {
    const old = this.#state.balances;
    if (old === undefined) throw new RangeError('fund: the chain keeps no balances (start it with balances)');
    if (amount < 0n) throw new RangeError('fund: amount must be >= 0');
    const key = addressHex.toUpperCase();
    const balances = new Map(old);
    balances.set(key, (balances.get(key) ?? 0n) + amount);
    // States are snapshots per block: the tip's becomes the funded one.
    this.#state = { ...this.#state, balances };
    this.#states.set(this.#tip.height, this.#state);
  }

  /** Every fork so far, oldest first. */
  forks(): readonly ForkResult[] {
    return this.#forks;
  }

  /** Node-side hash of a payload, or undefined when it does not decode. */
  hashOf(payload: Uint8Array): string | undefined {
    const decoded = decodeAnnouncedPayload(payload);
    return decoded.ok ? hex(this.facade.hashTransaction(decoded.transaction).bytes) : undefined;
  }

  recordDrop(drop: DroppedAnnouncement): void {
    this.#dropped.push(drop);
  }

  /**
   * Processes an announced payload as the node's transaction pipeline does after REST has relayed it.
   * `forcedFailure` (fault injection) fails an otherwise decodable transaction with that code.
   */
  announce(payload: Uint8Array, forcedFailure?: SymbolFailureCode): void {
    const decoded = decodeAnnouncedPayload(payload);
    if (!decoded.ok) {
      this.#dropped.push({ hash: undefined, reason: 'malformed', detail: decoded.reason });
      return;
    }
    const tx = decoded.transaction;
    const hash = hex(this.facade.hashTransaction(tx).bytes);
    // Known hashes stop at the node's hash-check consumer (recency cache / hash cache): no new status.
    if (this.#confirmed.has(hash) || this.#unconfirmed.has(hash)) {
      const where = this.#confirmed.has(hash) ? 'confirmed' : 'unconfirmed';
      this.#dropped.push({
        hash,
        reason: 'duplicate',
        detail: `Failure_Hash_Already_Exists (already ${where})`,
      });
      return;
    }
    // The unconfirmed-transactions updater skips fees below the node's minimum without reporting a status.
    const minimumFee = BigInt(tx.size) * BigInt(this.#options.minFeeMultiplier);
    if (BigInt(tx.fee.value) < minimumFee) {
      this.#dropped.push({
        hash,
        reason: 'fee-below-minimum',
        detail: `max fee ${tx.fee.value} < size ${tx.size} × minFeeMultiplier ${this.#options.minFeeMultiplier}`,
      });
      return;
    }
    const deadline = BigInt(tx.deadline.value);
    if (forcedFailure) {
      this.#fail({ hash, code: forcedFailure, deadline });
      return;
    }
    const outcome = validateTransaction(tx, {
      facade: this.facade,
      limits: this.#options.limits,
      networkTimeMs: this.networkTime(),
      height: this.#tip.height + 1n,
      ledger: this.#ledgerView(true),
      currencyMosaicIds: this.#currencyMosaicIds,
    });
    if (!outcome.ok) {
      this.#fail({ hash, code: outcome.code, deadline });
      return;
    }
    this.#failed.delete(hash);
    this.#unconfirmed.set(hash, {
      hash,
      payload: Uint8Array.from(payload),
      transaction: tx,
      deadline,
      effects: outcome.effects,
    });
  }

  /** Harvests the next block from the unconfirmed pool (re-validated against the block's time and height). */
  produceBlock(): TestBlock {
    const height = this.#tip.height + 1n;
    let timestamp = this.networkTime();
    if (timestamp <= this.#tip.timestamp) timestamp = this.#tip.timestamp + 1n;
    if (timestamp < this.#minNextTimestamp) timestamp = this.#minNextTimestamp;
    const feeMultiplier = this.#options.blockFeeMultiplier;
    const metadata = new Map(this.#state.metadata);
    const balances = this.#state.balances ? new Map(this.#state.balances) : undefined;
    const included: StoredTransaction[] = [];
    for (const pending of [...this.#unconfirmed.values()]) {
      if (included.length >= this.#options.maxTransactionsPerBlock) break;
      if (pending.notBefore !== undefined && pending.notBefore > height) continue;
      this.#unconfirmed.delete(pending.hash);
      const outcome = validateTransaction(pending.transaction, {
        facade: this.facade,
        limits: this.#options.limits,
        networkTimeMs: timestamp,
        height,
        ledger: {
          metadataValue: (key) => metadata.get(key)?.value,
          balance: (address) => (balances ? (balances.get(address) ?? 0n) : undefined),
        },
        currencyMosaicIds: this.#currencyMosaicIds,
      });
      if (!outcome.ok) {
        this.#fail({ hash: pending.hash, code: outcome.code, deadline: pending.deadline });
        continue;
      }
      this.#apply(outcome.effects, metadata, balances, feeMultiplier);
      const { hash, payload, transaction, deadline } = pending;
      included.push({ hash, payload, transaction, deadline, effects: outcome.effects });
    }
    const leaves = included.map((tx) =>
      merkleComponentHash(
        this.facade.hashTransaction(tx.transaction).bytes,
        'cosignatures' in tx.transaction
          ? (tx.transaction.cosignatures as { signerPublicKey: { bytes: Uint8Array } }[]).map(
              (c) => c.signerPublicKey.bytes,
            )
          : [],
      ),
    );
    const block = this.#seal({
      height,
      generationSeed: sha3_256(new TextEncoder().encode(this.#tip.hash)),
      leaves,
      transactionsSize: included.reduce((n, tx) => n + paddedSize(tx.transaction.size), 0),
      totalFee: included.reduce((sum, tx) => sum + this.#chargedFee(tx, feeMultiplier), 0n),
      timestamp,
    });
    const confirmed = included.map(
      (tx, index): ConfirmedTransaction => ({
        ...tx,
        height,
        index,
        merkleComponentHash: hex(leaves[index] as Uint8Array),
        timestamp: block.timestamp,
        feeMultiplier,
        id: this.#nextId(),
      }),
    );
    const sealed: TestBlock = { ...block, transactions: confirmed };
    this.#blocks.set(height, sealed);
    this.#tip = sealed;
    for (const tx of confirmed) this.#confirmed.set(tx.hash, tx);
    this.#state = { metadata, balances };
    this.#states.set(height, this.#state);
    this.#advanceFinality();
    return sealed;
  }

  /**
   * Rolls back the top `depth` blocks (all above the finalized height, or RangeError: Symbol never rolls back a
   * finalized block), restores the ledger state of the fork point, re-pools or forgets their transactions, and
   * harvests `replacementBlocks` new blocks. Re-pooled transactions are harvested only above their old height, and
   * re-validated then (a deadline that passed meanwhile fails them).
   */
  fork(options: ForkOptions): ForkResult {
    const { depth, mode } = options;
    const replacementBlocks = options.replacementBlocks ?? depth + 1;
    if (!Number.isInteger(depth) || depth < 1) throw new RangeError('fork: depth must be an integer >= 1');
    if (mode !== 'reinclude' && mode !== 'drop')
      throw new RangeError("fork: mode must be 'reinclude' or 'drop'");
    if (!Number.isInteger(replacementBlocks) || replacementBlocks < 0 || replacementBlocks > 10_000)
      throw new RangeError('fork: replacementBlocks must be an integer in [0, 10000]');
    const forkPoint = this.#tip.height - BigInt(depth);
    if (forkPoint < this.#finalization.height)
      throw new RangeError(
        `fork: cannot roll back to height ${forkPoint}: blocks up to the finalized height ${this.#finalization.height} are final`,
      );
    const rolledBack: TestBlock[] = [];
    for (let height = forkPoint + 1n; height <= this.#tip.height; height++) {
      rolledBack.push(this.#blocks.get(height) as TestBlock);
      this.#blocks.delete(height);
      this.#states.delete(height);
    }
    const transactions = rolledBack.flatMap((block) => block.transactions);
    for (const tx of transactions) this.#confirmed.delete(tx.hash);
    if (mode === 'reinclude') {
      // Back in front of the pool, as catapult re-adds a rolled-back block's transactions to its UT cache.
      const pool = new Map<string, StoredTransaction>();
      for (const { hash, payload, transaction, deadline, effects, height } of transactions)
        pool.set(hash, { hash, payload, transaction, deadline, effects, notBefore: height + 1n });
      for (const [hash, tx] of this.#unconfirmed) pool.set(hash, tx);
      this.#unconfirmed = pool;
    } else {
      for (const tx of transactions)
        this.#dropped.push({
          hash: tx.hash,
          reason: 'dropped-by-fork',
          detail: `fork at height ${forkPoint}`,
        });
    }
    this.#minNextTimestamp = this.#tip.timestamp + 1n;
    this.#tip = this.#blocks.get(forkPoint) as TestBlock;
    this.#state = this.#states.get(forkPoint) as LedgerState;
    const replacements: TestBlock[] = [];
    for (let i = 0; i < replacementBlocks; i++) replacements.push(this.produceBlock());
    const hashes = transactions.map((tx) => tx.hash);
    const result: ForkResult = {
      forkPoint,
      mode,
      rolledBack,
      reincluded: mode === 'reinclude' ? hashes : [],
      dropped: mode === 'drop' ? hashes : [],
      replacements,
    };
    this.#forks.push(result);
    return result;
  }

  #chargedFee(tx: StoredTransaction, feeMultiplier: number): bigint {
    const fee = BigInt(tx.transaction.size) * BigInt(feeMultiplier);
    const maxFee = BigInt(tx.transaction.fee.value);
    return fee < maxFee ? fee : maxFee;
  }

  #apply(
    effects: readonly LedgerEffect[],
    metadata: Map<string, MetadataEntry>,
    balances: Map<string, bigint> | undefined,
    feeMultiplier: number | undefined,
  ): void {
    for (const effect of effects) {
      if (effect.kind === 'fee') {
        if (!balances) continue;
        // Unconfirmed state reserves the max fee; a block charges size × its fee multiplier, capped by max fee.
        const charged =
          feeMultiplier === undefined
            ? effect.maxFee
            : BigInt(effect.size) * BigInt(feeMultiplier) < effect.maxFee
              ? BigInt(effect.size) * BigInt(feeMultiplier)
              : effect.maxFee;
        balances.set(effect.addressHex, (balances.get(effect.addressHex) ?? 0n) - charged);
        continue;
      }
      if (effect.kind === 'transfer') {
        if (!balances) continue;
        balances.set(effect.fromHex, (balances.get(effect.fromHex) ?? 0n) - effect.amount);
        balances.set(effect.toHex, (balances.get(effect.toHex) ?? 0n) + effect.amount);
        continue;
      }
      // catapult MetadataKey::uniqueKey: SHA3-256(source ‖ target ‖ scopedKey LE ‖ targetId LE ‖ type); account type 0.
      const tail = new Uint8Array(17);
      new DataView(tail.buffer).setBigUint64(0, effect.scopedMetadataKey, true);
      const compositeHash = hex(sha3_256(concatBytes(effect.sourceAddress, effect.targetAddress, tail)));
      metadata.set(effect.key, {
        sourceAddress: effect.sourceAddress,
        targetAddress: effect.targetAddress,
        scopedMetadataKey: effect.scopedMetadataKey,
        value: effect.value,
        compositeHash,
      });
    }
  }

  /** Confirmed state, optionally with the unconfirmed pool's effects on top (what a new announcement sees). */
  #ledgerView(withUnconfirmed: boolean): LedgerView {
    const metadata = new Map(this.#state.metadata);
    const balances = this.#state.balances ? new Map(this.#state.balances) : undefined;
    if (withUnconfirmed)
      for (const tx of this.#unconfirmed.values()) this.#apply(tx.effects, metadata, balances, undefined);
    return {
      metadataValue: (key) => metadata.get(key)?.value,
      balance: (address) => (balances ? (balances.get(address) ?? 0n) : undefined),
    };
  }

  #fail(status: FailedStatus): void {
    this.#failed.delete(status.hash);
    this.#failed.set(status.hash, status);
    if (this.#failed.size > FAILED_STATUS_CAPACITY) {
      const oldest = this.#failed.keys().next().value;
      if (oldest !== undefined) this.#failed.delete(oldest);
    }
  }

  #advanceFinality(): void {
    if (this.#finalityStalled) return;
    const lag = BigInt(this.#options.finalizationLagBlocks);
    const floor = this.#options.initialHeight;
    const target = this.#tip.height - lag > floor ? this.#tip.height - lag : floor;
    if (target <= this.#finalization.height) return;
    const block = this.#blocks.get(target);
    if (!block) return;
    const epoch = Number(target / VOTING_SET_GROUPING) + 1;
    const point = epoch === this.#finalization.epoch ? this.#finalization.point + 1 : 1;
    this.#finalization = { height: target, hash: block.hash, epoch, point };
    for (const height of this.#states.keys()) if (height < target) this.#states.delete(height);
  }

  #nextId(): string {
    this.#idCounter += 1;
    return `5F5E100000000000${this.#idCounter.toString(16).toUpperCase().padStart(8, '0')}`;
  }

  /** Builds and signs a NormalBlockV1 header (transactions are attached by the caller). */
  #seal(block: {
    height: bigint;
    generationSeed: Uint8Array;
    leaves: Uint8Array[];
    transactionsSize: number;
    totalFee: bigint;
    timestamp: bigint;
  }): TestBlock {
    const { height, leaves, timestamp } = block;
    const previous = this.#blocks.get(height - 1n);
    const transactionsHash = blockMerkleRoot(leaves);
    const fields: NormalBlockFields = {
      network: this.#options.preset.identifier,
      height,
      timestamp,
      difficulty: DIFFICULTY,
      previousBlockHash: previous ? previous.hash : '0'.repeat(64),
      transactionsHash: hex(transactionsHash),
      receiptsHash: '0'.repeat(64),
      stateHash: hex(sha3_256(concatBytes(new TextEncoder().encode(`state:${height}`), transactionsHash))),
      beneficiaryAddress: hex(this.facade.network.publicKeyToAddress(this.#harvester.publicKey).bytes),
      feeMultiplier: this.#options.blockFeeMultiplier,
    };
    const seal = sealNormalBlock(fields, this.#harvester);
    return {
      ...fields,
      ...seal,
      generationHash: hex(sha3_256(concatBytes(block.generationSeed, Buffer.from(seal.hash, 'hex')))),
      size: NORMAL_BLOCK_HEADER_SIZE + block.transactionsSize,
      totalFee: block.totalFee,
      leaves,
      transactions: [],
      id: this.#nextId(),
    };
  }
}
