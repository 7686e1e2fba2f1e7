// TEST DOUBLE of a Symbol node — one REST front's lies: the answers of a dishonest node, or of an honest one on
// another fork, computed on the way out so the shared chain (and every other front) stays honest. Deterministic.
import type { RestMerklePathItem } from './block-merkle.ts';
import {
  harvesterKeyPair,
  hashNormalBlock,
  labelledHash,
  liarKeyPair,
  sealNormalBlock,
} from './block-signer.ts';
import type { Json } from './rest-json.ts';
import {
  disguiseAggregate,
  dropCosignature,
  type Invention,
  inflateTransferAmounts,
  invent,
  place,
  renameEmbeddedAggregates,
} from './rest-search-lies.ts';
import {
  type ConfirmedTransaction,
  type Finalization,
  type TestBlock,
  type TestChain,
  VOTING_SET_GROUPING,
} from './test-chain.ts';

export type SymbolTestLieName =
  | 'wrongMerklePath'
  | 'wrongTransactionsHash'
  | 'finalityBackwards'
  | 'claimBlockLacksTransaction'
  | 'disagreeFrom'
  | 'inflateTransferAmounts'
  | 'hideTransfers'
  | 'inventTransfer'
  | 'disguiseAggregates'
  | 'dropCosignatures'
  | 'renameEmbeddedAggregates';

export interface LieScope {
  /** Lie only about this transaction: its hash or its merkleComponentHash (64 hex digits). */
  readonly hash?: string;
  /** Lie in this many answers, then answer honestly again (the lie switches itself off). */
  readonly count?: number;
}

/**
 * How `wrongTransactionsHash` covers its tracks: 'stale-hash' leaves meta.hash and the signature as they were,
 * 'rehash' recomputes meta.hash over the altered header (the signature no longer verifies), 'resign' re-signs the
 * altered header with the liar's key (hash and signature hold; only the Merkle paths do not lead to it).
 */
export type TransactionsHashLieVariant = 'stale-hash' | 'rehash' | 'resign';

/** Switches for one front's lies; none of them changes the shared chain. */
export interface SymbolTestNodeLies {
  /** `GET /blocks/{h}/transactions/{hash}/merkle`: one sibling hash altered (an empty path gains a made-up one). */
  wrongMerklePath(scope?: LieScope): void;
  /** `GET /blocks/{h}`: another transactionsHash (`hash` scope: the block holding that transaction). */
  wrongTransactionsHash(options: LieScope & { readonly variant: TransactionsHashLieVariant }): void;
  /** `GET /chain/info`: latestFinalizedBlock `blocks` lower than the truth (not below the first block), its hash. */
  finalityBackwards(blocks: number, scope?: Pick<LieScope, 'count'>): void;
  /**
   * Confirmed transactions are placed one block too low: `/transactionStatus` height, `/transactions/confirmed`
   * meta.height and meta.timestamp name the block below the real one (whose Merkle endpoint answers 404 for it).
   */
  claimBlockLacksTransaction(scope?: LieScope): void;
  /**
   * From `height` up, serve an alternative chain: the same transactions, Merkle paths and transaction metadata,
   * each block re-signed by the same harvester with another stateHash, linked by previousBlockHash; `/chain/info`'s
   * finalized hash comes from it too.
   */
  disagreeFrom(height: bigint | number): void;
  /**
   * `GET /transactions/confirmed` (search) and `GET /transactions/confirmed/{hash}` (an aggregate's embedded
   * transfers): every transfer's mosaic amounts ×1000 (meta.hash, signature kept), so the rebuilt transaction hashes
   * elsewhere. `count`: answers in which some amount changed.
   */
  inflateTransferAmounts(scope?: Pick<LieScope, 'count'>): void;
  /** `GET /transactions/confirmed` (search): `data: []`. `count`: answers that hid something. */
  hideTransfers(scope?: Pick<LieScope, 'count'>): void;
  /**
   * `GET /transactions/confirmed/{hash}`: an aggregate's first embedded transaction has type 16708 (account
   * metadata) instead of its own, so it looks like an aggregate a reader cannot rebuild. `count`: answers changed.
   */
  disguiseAggregates(scope?: Pick<LieScope, 'count'>): void;
  /**
   * `GET /transactions/confirmed/{hash}`: an aggregate loses its last cosignature and meta.merkleComponentHash is
   * recomputed to match (cosignatures are not covered by the hash). `count`: answers changed.
   */
  dropCosignatures(scope?: Pick<LieScope, 'count'>): void;
  /**
   * `GET /transactions/confirmed` (search): each embedded entry names an aggregate no chain holds instead of its own.
   * `count`: answers changed.
   */
  renameEmbeddedAggregates(scope?: Pick<LieScope, 'count'>): void;
  /**
   * The transaction signed in `payload` is confirmed at `height`, index 0, on this front only: in matching search
   * results, `/transactions/confirmed/{hash|id}` and `/transactionStatus` (meta.hash = its hash with the network's
   * seed; timestamp and feeMultiplier of the block at `height`, shown once that block exists). No block holds it:
   * the Merkle endpoint answers 404. Calling it again adds another; `off('inventTransfer')` forgets them all.
   */
  inventTransfer(payload: Uint8Array, height: bigint | number): void;
  /** Switches one lie off. */
  off(name: SymbolTestLieName): void;
  /** Switches every lie off. */
  clear(): void;
  /** The lies switched on. */
  active(): SymbolTestLieName[];
}

interface Scoped {
  readonly hash: string | undefined;
  remaining: number | undefined;
}

const HASH = /^[0-9A-Fa-f]{64}$/;

function scoped(name: string, scope: LieScope = {}): Scoped {
  if (scope.hash !== undefined && !HASH.test(scope.hash))
    throw new RangeError(`${name}: hash must be 64 hex digits`);
  if (scope.count !== undefined && (!Number.isInteger(scope.count) || scope.count < 1))
    throw new RangeError(`${name}: count must be an integer >= 1`);
  return { hash: scope.hash?.toUpperCase(), remaining: scope.count };
}

/** The larger of two bigints (Math.max takes numbers only). */
const atLeast = (value: bigint, floor: bigint): bigint => (value < floor ? floor : value);

const concerns = (lie: Scoped, tx: ConfirmedTransaction): boolean =>
  lie.hash === undefined || lie.hash === tx.hash || lie.hash === tx.merkleComponentHash;

export class RestLies implements SymbolTestNodeLies {
  readonly #chain: TestChain;
  readonly #harvester = harvesterKeyPair();
  readonly #liar = liarKeyPair();
  readonly #on = new Map<SymbolTestLieName, Scoped>();
  #transactionsHashVariant: TransactionsHashLieVariant = 'stale-hash';
  #finalityBlocks = 0n;
  #disagreeFrom: bigint | undefined;
  /** Alternative blocks by the honest block's hash, which pins the whole honest chain below it. */
  readonly #alternatives = new Map<string, TestBlock>();
  /** Invented transactions by hash (`inventTransfer`). */
  readonly #inventions = new Map<string, Invention>();

  constructor(chain: TestChain) {
    this.#chain = chain;
  }

  wrongMerklePath(scope?: LieScope): void {
    this.#on.set('wrongMerklePath', scoped('wrongMerklePath', scope));
  }

  wrongTransactionsHash(options: LieScope & { readonly variant: TransactionsHashLieVariant }): void {
    const { variant, ...scope } = options;
    if (variant !== 'stale-hash' && variant !== 'rehash' && variant !== 'resign')
      throw new RangeError("wrongTransactionsHash: variant must be 'stale-hash', 'rehash' or 'resign'");
    this.#on.set('wrongTransactionsHash', scoped('wrongTransactionsHash', scope));
    this.#transactionsHashVariant = variant;
  }

  finalityBackwards(blocks: number, scope?: Pick<LieScope, 'count'>): void {
    if (!Number.isInteger(blocks) || blocks < 1)
      throw new RangeError('finalityBackwards: blocks must be an integer >= 1');
    this.#on.set('finalityBackwards', scoped('finalityBackwards', scope));
    this.#finalityBlocks = BigInt(blocks);
  }

  claimBlockLacksTransaction(scope?: LieScope): void {
    this.#on.set('claimBlockLacksTransaction', scoped('claimBlockLacksTransaction', scope));
  }

  disagreeFrom(height: bigint | number): void {
    if (typeof height === 'number' && !Number.isSafeInteger(height))
      throw new RangeError('disagreeFrom: height must be an integer');
    if (BigInt(height) < 1n) throw new RangeError('disagreeFrom: height must be >= 1');
    this.#on.set('disagreeFrom', scoped('disagreeFrom'));
    this.#disagreeFrom = BigInt(height);
    this.#alternatives.clear();
  }

  inflateTransferAmounts(scope?: Pick<LieScope, 'count'>): void {
    this.#on.set('inflateTransferAmounts', scoped('inflateTransferAmounts', scope));
  }

  hideTransfers(scope?: Pick<LieScope, 'count'>): void {
    this.#on.set('hideTransfers', scoped('hideTransfers', scope));
  }

  disguiseAggregates(scope?: Pick<LieScope, 'count'>): void {
    this.#on.set('disguiseAggregates', scoped('disguiseAggregates', scope));
  }

  dropCosignatures(scope?: Pick<LieScope, 'count'>): void {
    this.#on.set('dropCosignatures', scoped('dropCosignatures', scope));
  }

  renameEmbeddedAggregates(scope?: Pick<LieScope, 'count'>): void {
    this.#on.set('renameEmbeddedAggregates', scoped('renameEmbeddedAggregates', scope));
  }

  inventTransfer(payload: Uint8Array, height: bigint | number): void {
    const invention = invent(this.#chain, payload, height);
    this.#inventions.set(invention.hash, invention);
    this.#on.set('inventTransfer', scoped('inventTransfer'));
  }

  off(name: SymbolTestLieName): void {
    this.#on.delete(name);
    if (name === 'disagreeFrom') this.#alternatives.clear();
    if (name === 'inventTransfer') this.#inventions.clear();
  }

  clear(): void {
    this.#on.clear();
    this.#alternatives.clear();
    this.#inventions.clear();
  }

  active(): SymbolTestLieName[] {
    return [...this.#on.keys()];
  }

  /** The lie `name` if it is on and concerns `tx` (any transaction when undefined). */
  #lie(name: SymbolTestLieName, tx?: ConfirmedTransaction): Scoped | undefined {
    const lie = this.#on.get(name);
    if (lie === undefined) return undefined;
    if (lie.hash !== undefined && (tx === undefined || !concerns(lie, tx))) return undefined;
    return lie;
  }

  /** Counts one lying answer; a lie limited to N answers switches itself off after the Nth. */
  #spend(name: SymbolTestLieName, lie: Scoped): void {
    if (lie.remaining === undefined) return;
    lie.remaining -= 1;
    if (lie.remaining <= 0) this.#on.delete(name);
  }

  /** The block this front believes in at `height`: the honest one, or its alternative under `disagreeFrom`. */
  chainBlock(height: bigint): TestBlock | undefined {
    const honest = this.#chain.block(height);
    const from = this.#disagreeFrom;
    if (honest === undefined || from === undefined || !this.#on.has('disagreeFrom') || height < from)
      return honest;
    const start = atLeast(from, this.#chain.initialHeight);
    let alternative: TestBlock | undefined;
    for (let h = start; h <= height; h++) {
      const block = this.#chain.block(h) as TestBlock;
      const cached = this.#alternatives.get(block.hash);
      if (cached !== undefined) {
        alternative = cached;
        continue;
      }
      const fields = {
        ...block,
        previousBlockHash: alternative?.hash ?? block.previousBlockHash,
        stateHash: labelledHash('other fork state', block.stateHash),
      };
      const seal = sealNormalBlock(fields, this.#harvester);
      alternative = {
        ...fields,
        ...seal,
        generationHash: labelledHash('other fork generation', block.generationHash, seal.hash),
      };
      this.#alternatives.set(block.hash, alternative);
    }
    return alternative;
  }

  /** `GET /blocks/{height}`. */
  block(height: bigint): TestBlock | undefined {
    const block = this.chainBlock(height);
    if (block === undefined) return undefined;
    const lie = this.#on.get('wrongTransactionsHash');
    if (lie === undefined || (lie.hash !== undefined && !block.transactions.some((tx) => concerns(lie, tx))))
      return block;
    this.#spend('wrongTransactionsHash', lie);
    const altered = {
      ...block,
      transactionsHash: labelledHash('wrong transactionsHash', block.transactionsHash),
    };
    switch (this.#transactionsHashVariant) {
      case 'stale-hash':
        return altered;
      case 'rehash':
        return { ...altered, hash: hashNormalBlock(altered, block.signature, block.signerPublicKey) };
      case 'resign':
        return { ...altered, ...sealNormalBlock(altered, this.#liar) };
    }
  }

  /** `GET /blocks/{h}/transactions/{leaf}/merkle` for a leaf of `block`. */
  merklePath(block: TestBlock, leaf: string, path: RestMerklePathItem[]): RestMerklePathItem[] {
    const tx = block.transactions.find((t) => t.merkleComponentHash === leaf);
    const lie = this.#lie('wrongMerklePath', tx);
    if (lie === undefined) return path;
    this.#spend('wrongMerklePath', lie);
    const [first, ...rest] = path;
    if (first === undefined) return [{ position: 'right', hash: labelledHash('wrong sibling', leaf) }];
    return [{ position: first.position, hash: labelledHash('wrong sibling', first.hash) }, ...rest];
  }

  /** Where `/transactionStatus` and `/transactions/confirmed` say a confirmed transaction is. */
  placement(tx: ConfirmedTransaction): ConfirmedTransaction {
    const lie = this.#lie('claimBlockLacksTransaction', tx);
    const below = this.#chain.block(tx.height - 1n);
    if (lie === undefined || below === undefined) return tx;
    this.#spend('claimBlockLacksTransaction', lie);
    return { ...tx, height: below.height, timestamp: below.timestamp };
  }

  /** An invented transaction placed in its block, or undefined (not invented, or that block does not exist). */
  #invented(invention: Invention | undefined): ConfirmedTransaction | undefined {
    if (invention === undefined || !this.#on.has('inventTransfer')) return undefined;
    const block = this.#chain.block(invention.height);
    return block === undefined ? undefined : place(invention, block);
  }

  /** A confirmed transaction by hash as this front knows it: an invented one first, then the chain's. */
  confirmed(hash: string): ConfirmedTransaction | undefined {
    return this.#invented(this.#inventions.get(hash.toUpperCase())) ?? this.#chain.confirmed(hash);
  }

  /** A confirmed transaction by its REST object id, as this front knows it. */
  confirmedById(id: string): ConfirmedTransaction | undefined {
    const invention = [...this.#inventions.values()].find((i) => i.id === id.toUpperCase());
    return this.#invented(invention) ?? this.#chain.confirmedById(id);
  }

  /** Every confirmed transaction this front knows: the chain's, an invented one replacing a real one of its hash. */
  confirmedTransactions(): ConfirmedTransaction[] {
    const invented = [...this.#inventions.values()]
      .map((i) => this.#invented(i))
      .filter((tx): tx is ConfirmedTransaction => tx !== undefined);
    const hashes = new Set(invented.map((tx) => tx.hash));
    return [...this.#chain.confirmedTransactions().filter((tx) => !hashes.has(tx.hash)), ...invented];
  }

  /** The `data` of a search answer: hidden (`hideTransfers`) or with inflated amounts (`inflateTransferAmounts`). */
  searchResults(data: Json[]): Json[] {
    const hide = this.#lie('hideTransfers');
    if (hide !== undefined && data.length > 0) {
      this.#spend('hideTransfers', hide);
      return [];
    }
    const rename = this.#lie('renameEmbeddedAggregates');
    const renamed = rename === undefined ? undefined : renameEmbeddedAggregates(data);
    if (rename !== undefined && renamed?.changed === true) {
      this.#spend('renameEmbeddedAggregates', rename);
      return renamed.data;
    }
    const inflate = this.#lie('inflateTransferAmounts');
    if (inflate === undefined) return data;
    const inflated = inflateTransferAmounts(data);
    if (inflated.changed) this.#spend('inflateTransferAmounts', inflate);
    return inflated.data;
  }

  /**
   * A `GET /transactions/confirmed/{hash}` answer, with an aggregate's embedded transfer amounts inflated too
   * (`inflateTransferAmounts`): the lie a top-up inside an aggregate meets.
   */
  confirmedResult(json: Json): Json {
    const disguise = this.#lie('disguiseAggregates');
    const disguised = disguise === undefined ? undefined : disguiseAggregate(json);
    if (disguise !== undefined && disguised !== undefined) {
      this.#spend('disguiseAggregates', disguise);
      return disguised;
    }
    const drop = this.#lie('dropCosignatures');
    const dropped = drop === undefined ? undefined : dropCosignature(json);
    if (drop !== undefined && dropped !== undefined) {
      this.#spend('dropCosignatures', drop);
      return dropped;
    }
    const inflate = this.#lie('inflateTransferAmounts');
    if (inflate === undefined) return json;
    const inflated = inflateTransferAmounts([json]);
    if (!inflated.changed) return json;
    this.#spend('inflateTransferAmounts', inflate);
    return inflated.data[0] ?? json;
  }

  /** `latestFinalizedBlock` of `/chain/info`. */
  finalization(truth: Finalization): Finalization {
    const lie = this.#lie('finalityBackwards');
    let { height, epoch, point } = truth;
    if (lie !== undefined && truth.height > this.#chain.initialHeight) {
      this.#spend('finalityBackwards', lie);
      const lowered = truth.height - this.#finalityBlocks;
      height = atLeast(lowered, this.#chain.initialHeight);
      epoch = Number(height / VOTING_SET_GROUPING) + 1;
      point = epoch === truth.epoch ? Math.max(1, point - Number(truth.height - height)) : 1;
    }
    return { height, epoch, point, hash: this.chainBlock(height)?.hash ?? truth.hash };
  }
}
