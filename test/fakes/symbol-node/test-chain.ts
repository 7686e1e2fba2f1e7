// TEST DOUBLE of a Symbol node — the in-memory chain behind the REST double: unconfirmed pool, failed statuses,
// blocks with catapult transactionsHash, account metadata and optional balances, and voting finality with a lag.
import { sha3_256 } from '@noble/hashes/sha3.js';
import { PrivateKey } from 'symbol-sdk';
import { models, SymbolFacade } from 'symbol-sdk/symbol';
import { blockMerkleRoot, merkleComponentHash } from './block-merkle.ts';
import type { SymbolFailureCode } from './failure-codes.ts';
import type { SymbolNetworkPreset } from './network-presets.ts';
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

export interface TestBlock {
  readonly height: bigint;
  readonly timestamp: bigint;
  readonly hash: string;
  readonly generationHash: string;
  readonly previousBlockHash: string;
  readonly transactionsHash: string;
  readonly receiptsHash: string;
  readonly stateHash: string;
  readonly feeMultiplier: number;
  readonly difficulty: bigint;
  readonly signature: string;
  readonly signerPublicKey: string;
  readonly beneficiaryAddress: string;
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
  readonly reason: 'malformed' | 'duplicate' | 'fee-below-minimum' | 'dropped-by-fault';
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

/** REST keeps failed statuses in a capped collection; so does the double. */
const FAILED_STATUS_CAPACITY = 10_000;
const VOTING_SET_GROUPING = 720n;
const DIFFICULTY = 100_000_000_000_000n;
/** The double's harvester key: fixed, public, never valid anywhere real. */
const HARVESTER_PRIVATE_KEY = '5A'.repeat(32);

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex').toUpperCase();

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export class TestChain {
  readonly facade: SymbolFacade;
  readonly #options: TestChainOptions;
  readonly #harvester: InstanceType<typeof SymbolFacade.KeyPair>;
  readonly #blocks = new Map<bigint, TestBlock>();
  readonly #unconfirmed = new Map<string, StoredTransaction>();
  readonly #confirmed = new Map<string, ConfirmedTransaction>();
  readonly #failed = new Map<string, FailedStatus>();
  readonly #dropped: DroppedAnnouncement[] = [];
  readonly #metadata = new Map<string, MetadataEntry>();
  readonly #balances: Map<string, bigint> | undefined;
  #tip: TestBlock;
  #finalization: Finalization;
  #finalityStalled = false;
  #idCounter = 0;

  constructor(options: TestChainOptions) {
    this.#options = options;
    this.facade = new SymbolFacade(options.preset.name);
    this.#harvester = new SymbolFacade.KeyPair(new PrivateKey(HARVESTER_PRIVATE_KEY));
    this.#balances = options.balances ? new Map(options.balances) : undefined;
    this.#tip = this.#seal(options.initialHeight, new Uint8Array(32), [], [], 0n);
    this.#blocks.set(this.#tip.height, this.#tip);
    this.#finalization = { height: this.#tip.height, hash: this.#tip.hash, epoch: 1, point: 1 };
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
    return [...this.#metadata.values()];
  }

  balance(addressHex: string): bigint | undefined {
    return this.#balances?.get(addressHex.toUpperCase());
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
    const timestamp =
      this.networkTime() > this.#tip.timestamp ? this.networkTime() : this.#tip.timestamp + 1n;
    const feeMultiplier = this.#options.blockFeeMultiplier;
    const metadata = new Map(this.#metadata);
    const balances = this.#balances ? new Map(this.#balances) : undefined;
    const included: StoredTransaction[] = [];
    for (const pending of [...this.#unconfirmed.values()]) {
      if (included.length >= this.#options.maxTransactionsPerBlock) break;
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
      });
      if (!outcome.ok) {
        this.#fail({ hash: pending.hash, code: outcome.code, deadline: pending.deadline });
        continue;
      }
      this.#apply(outcome.effects, metadata, balances, feeMultiplier);
      included.push({ ...pending, effects: outcome.effects });
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
    const totalFee = included.reduce((sum, tx) => sum + this.#chargedFee(tx, feeMultiplier), 0n);
    const block = this.#seal(
      height,
      sha3_256(new TextEncoder().encode(this.#tip.hash)),
      leaves,
      [],
      totalFee,
      timestamp,
    );
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
    this.#metadata.clear();
    for (const [key, entry] of metadata) this.#metadata.set(key, entry);
    if (this.#balances && balances)
      for (const [address, amount] of balances) this.#balances.set(address, amount);
    this.#advanceFinality();
    return sealed;
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
      // catapult MetadataKey::uniqueKey: SHA3-256(source ‖ target ‖ scopedKey LE ‖ targetId LE ‖ type); account type 0.
      const tail = new Uint8Array(17);
      new DataView(tail.buffer).setBigUint64(0, effect.scopedMetadataKey, true);
      const compositeHash = hex(sha3_256(concat(effect.sourceAddress, effect.targetAddress, tail)));
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
    const metadata = new Map(this.#metadata);
    const balances = this.#balances ? new Map(this.#balances) : undefined;
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
  }

  #nextId(): string {
    this.#idCounter += 1;
    return `5F5E100000000000${this.#idCounter.toString(16).toUpperCase().padStart(8, '0')}`;
  }

  /** Builds and signs a NormalBlockV1 header; block hash = SHA3-256(signature ‖ signer ‖ header[108..372)). */
  #seal(
    height: bigint,
    generationSeed: Uint8Array,
    leaves: Uint8Array[],
    transactions: ConfirmedTransaction[],
    totalFee: bigint,
    timestamp: bigint = this.networkTime(),
  ): TestBlock {
    const previous = this.#blocks.get(height - 1n);
    const previousHash = previous ? Buffer.from(previous.hash, 'hex') : new Uint8Array(32);
    const transactionsHash = blockMerkleRoot(leaves);
    const stateHash = sha3_256(concat(new TextEncoder().encode(`state:${height}`), transactionsHash));
    const beneficiary = this.facade.network.publicKeyToAddress(this.#harvester.publicKey);
    const header = new models.NormalBlockV1();
    header.signerPublicKey = new models.PublicKey(this.#harvester.publicKey.bytes);
    header.network = new models.NetworkType(this.#options.preset.identifier);
    header.height = new models.Height(height);
    header.timestamp = new models.Timestamp(timestamp);
    header.difficulty = new models.Difficulty(DIFFICULTY);
    header.previousBlockHash = new models.Hash256(previousHash);
    header.transactionsHash = new models.Hash256(Uint8Array.from(transactionsHash));
    header.receiptsHash = new models.Hash256(new Uint8Array(32));
    header.stateHash = new models.Hash256(stateHash);
    header.beneficiaryAddress = new models.Address(beneficiary.bytes);
    header.feeMultiplier = new models.BlockFeeMultiplier(this.#options.blockFeeMultiplier);
    const signed = header.serialize().subarray(108, 372);
    const signature = this.#harvester.sign(signed);
    header.signature = new models.Signature(signature.bytes);
    const hash = sha3_256(concat(signature.bytes, this.#harvester.publicKey.bytes, signed));
    return {
      height,
      timestamp,
      hash: hex(hash),
      generationHash: hex(sha3_256(concat(generationSeed, hash))),
      previousBlockHash: hex(previousHash),
      transactionsHash: hex(transactionsHash),
      receiptsHash: hex(new Uint8Array(32)),
      stateHash: hex(stateHash),
      feeMultiplier: this.#options.blockFeeMultiplier,
      difficulty: DIFFICULTY,
      signature: hex(signature.bytes),
      signerPublicKey: hex(this.#harvester.publicKey.bytes),
      beneficiaryAddress: hex(beneficiary.bytes),
      size: header.size,
      totalFee,
      leaves,
      transactions,
      id: this.#nextId(),
    };
  }
}
