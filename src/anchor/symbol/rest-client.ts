// A client for the Symbol node REST API (docs/anchoring.md §7): typed, bounded in time, hostile-JSON safe. It parses;
// it does not believe: what the answers mean together is checked by evidence-checks.ts.
import { SparkError } from '../../errors/spark-error.ts';
import { TRANSFER_TYPE } from '../../proof/anchor/aggregate-layout.ts';
import { encodeBlockHeader, IMPORTANCE_BLOCK_TYPE } from '../../proof/anchor/block-header.ts';

/** Why a call to the node failed. */
export type SymbolNodeErrorCode =
  | 'UNAVAILABLE' // connection refused, reset, or a 5xx answer
  | 'TIMEOUT' // no answer within the call's time bound
  | 'BAD_RESPONSE' // an answer that does not have the documented shape
  | 'REJECTED' // a 4xx answer to an announcement
  | 'INVALID_ARGUMENT'; // a malformed argument, refused before any call

/** A failed node call. Messages name the endpoint, never a key. */
export class SymbolNodeError extends SparkError<SymbolNodeErrorCode> {
  override readonly name = 'SymbolNodeError';
}

/** Node identity. */
export interface NodeInfo {
  readonly generationHashSeed: Uint8Array;
  readonly networkIdentifier: number;
}

/** Chain head and finality. */
export interface ChainInfo {
  readonly height: bigint;
  readonly finalizedHeight: bigint;
  /** The hash the node gives for its latest finalized block. */
  readonly finalizedHash: Uint8Array;
}

/** Fee multipliers the node reports. */
export interface FeeInfo {
  readonly median: number;
  readonly minimum: number;
}

/** Network settings that shape anchors. */
export interface NetworkProperties {
  readonly epochAdjustmentSeconds: number;
  readonly maxMessageSize: number;
  readonly maxTransactionsPerAggregate: number;
  /** Height from which aggregate v3 is required, when the network has the fork. */
  readonly aggregateV3Height: bigint | undefined;
  /** The currency mosaic fees are paid in (`chain.currencyMosaicId`), when the node says. */
  readonly currencyMosaicId: bigint | undefined;
}

/** An account's mosaics, as the node holds them. */
export interface AccountInfo {
  readonly mosaics: ReadonlyArray<{ readonly id: bigint; readonly amount: bigint }>;
}

/** A transaction's status. */
export interface TransactionStatus {
  readonly group: 'unconfirmed' | 'confirmed' | 'failed' | 'partial';
  readonly code: string;
  readonly height: bigint;
  readonly deadline: bigint;
}

/** Where a confirmed transaction sits. */
export interface ConfirmedMeta {
  /** The transaction hash the node reports (must be the one asked for). */
  readonly hash: Uint8Array;
  readonly height: bigint;
  readonly merkleComponentHash: Uint8Array;
  readonly index: number;
  readonly timestamp: bigint;
  readonly feeMultiplier: number;
}

/** A block as a node describes it. */
export interface BlockInfo {
  readonly height: bigint;
  readonly timestamp: bigint;
  readonly transactionsHash: Uint8Array;
  readonly previousBlockHash: Uint8Array;
  /** The hash the node claims (`meta.hash`); not yet compared with `header`'s. */
  readonly hash: Uint8Array;
  /** The header rebuilt from the node's fields (docs/anchoring.md §6.1), to be parsed and checked. */
  readonly header: Uint8Array;
}

/** One step of a block Merkle path. */
export interface PathItem {
  readonly left: boolean;
  readonly hash: Uint8Array;
}

/** Client settings. */
export interface RestClientOptions {
  /** Node base URL, e.g. http://127.0.0.1:3000. */
  readonly url: string;
  /** Time bound of one call, ms. */
  readonly timeoutMs?: number;
  /** Largest accepted response body, bytes. */
  readonly maxResponseBytes?: number;
}

/** The calls the sidecar makes to a Symbol node. */
export interface SymbolRestClient {
  /** The node's base URL (names the node in logs and reports). */
  readonly url: string;
  nodeInfo(): Promise<NodeInfo>;
  /** The node's clock in network milliseconds (base deadlines on it). */
  nodeTime(): Promise<bigint>;
  chainInfo(): Promise<ChainInfo>;
  networkProperties(): Promise<NetworkProperties>;
  fees(): Promise<FeeInfo>;
  /** PUT /transactions; resolves once the node accepted the payload for relay (not validation). */
  announce(payload: Uint8Array): Promise<void>;
  /** undefined when the node does not know the hash (404). */
  transactionStatus(hash: Uint8Array): Promise<TransactionStatus | undefined>;
  /** undefined when not confirmed (404). */
  confirmed(hash: Uint8Array): Promise<ConfirmedMeta | undefined>;
  /**
   * The node's whole JSON of a confirmed transaction (an aggregate with its embedded transactions and cosignatures),
   * undefined when not confirmed (404): rebuilt and checked by the caller (src/credit/incoming-aggregate.ts).
   */
  confirmedEntry(hash: Uint8Array): Promise<unknown>;
  block(height: bigint): Promise<BlockInfo>;
  /** undefined when the node says the block has no such transaction (404). */
  merklePath(height: bigint, merkleComponentHash: Uint8Array): Promise<PathItem[] | undefined>;
  /** The account's mosaics (GET /accounts/{address}); undefined when the node knows no such account (404). */
  account(address: string): Promise<AccountInfo | undefined>;
  /**
   * One page (1-based, `pageSize` 10..100) of the confirmed transfers to `recipientAddress` (base32) in blocks
   * `fromHeight`..`toHeight`, top-level and embedded in aggregates (`embedded=true`; an embedded one names its
   * aggregate in `meta.aggregateHash`), oldest first, as the node's JSON entries: they are rebuilt and checked by the
   * caller (src/credit/incoming-transfer.ts, incoming-aggregate.ts), never believed as they are.
   */
  transfersTo(
    recipientAddress: string,
    fromHeight: bigint,
    toHeight: bigint,
    pageNumber: number,
    pageSize: number,
  ): Promise<unknown[]>;
  /**
   * The value of the account-metadata entry (source, target, scoped key), or undefined when there is none.
   * Addresses in base32 (39 characters, e.g. `T…`); the scoped key as 16 hex digits.
   */
  metadata(
    sourceAddress: string,
    targetAddress: string,
    scopedKeyHex: string,
  ): Promise<Uint8Array | undefined>;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

/** Largest metadata value the network allows (docs/anchoring.md §5.1: 1..1024 bytes), with room for private networks. */
const MAX_METADATA_VALUE_BYTES = 65_535;

const hexOf = (b: Uint8Array) => Buffer.from(b).toString('hex').toUpperCase();

/** Reads a REST uint64: a decimal string or number, possibly with ' separators ("1'024"). */
export function parseUint(value: unknown, what: string): bigint {
  const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
  if (typeof text !== 'string' || !/^\d[\d']*$/.test(text)) {
    throw new SymbolNodeError(
      'BAD_RESPONSE',
      `${what}: expected an unsigned integer, got ${JSON.stringify(value)}`,
    );
  }
  return BigInt(text.replaceAll("'", ''));
}

/** Reads a mosaic id: 16 hex digits, or config notation "0x72C0'212E'67A0'8BCE". */
export function parseMosaicId(value: unknown, what: string): bigint {
  const text = typeof value === 'string' ? value.replace(/^0x/i, '').replaceAll("'", '') : '';
  if (!/^[0-9A-Fa-f]{1,16}$/.test(text)) {
    throw new SymbolNodeError('BAD_RESPONSE', `${what}: expected a mosaic id (up to 16 hex digits)`);
  }
  return BigInt(`0x${text}`);
}

/** Reads a 32-byte hex hash. */
export function parseHash(value: unknown, what: string): Uint8Array {
  return parseHex(value, 32, what);
}

/** Reads exactly `n` bytes of hex. */
export function parseHex(value: unknown, n: number, what: string): Uint8Array {
  if (typeof value !== 'string' || value.length !== 2 * n || !/^[0-9a-fA-F]*$/.test(value)) {
    throw new SymbolNodeError('BAD_RESPONSE', `${what}: expected ${2 * n} hex characters`);
  }
  return Uint8Array.from(Buffer.from(value, 'hex'));
}

/** Reads a small unsigned integer field (a number or a decimal string) no larger than `max`. */
function parseSmall(value: unknown, max: number, what: string): number {
  const n = parseUint(value, what);
  if (n > BigInt(max)) throw new SymbolNodeError('BAD_RESPONSE', `${what}: ${n} exceeds ${max}`);
  return Number(n);
}

/**
 * Rebuilds the serialized block header from `GET /blocks/{height}`'s JSON (catapult-rest names every header field),
 * so that its hash and signature can be checked rather than believed.
 */
export function blockHeaderFromJson(j: unknown): Uint8Array {
  const b = field(j, 'block', 'block');
  const f = (name: string) => field(b, name, 'block');
  const type = parseSmall(f('type'), 0xffff, 'block.type');
  const fields = {
    size: parseSmall(f('size'), 0xffff_ffff, 'block.size'),
    signature: parseHex(f('signature'), 64, 'block.signature'),
    signerPublicKey: parseHex(f('signerPublicKey'), 32, 'block.signerPublicKey'),
    version: parseSmall(f('version'), 0xff, 'block.version'),
    network: parseSmall(f('network'), 0xff, 'block.network'),
    type,
    height: parseUint(f('height'), 'block.height'),
    timestamp: parseUint(f('timestamp'), 'block.timestamp'),
    difficulty: parseUint(f('difficulty'), 'block.difficulty'),
    generationHashProof: {
      gamma: parseHex(f('proofGamma'), 32, 'block.proofGamma'),
      verificationHash: parseHex(f('proofVerificationHash'), 16, 'block.proofVerificationHash'),
      scalar: parseHex(f('proofScalar'), 32, 'block.proofScalar'),
    },
    previousBlockHash: parseHash(f('previousBlockHash'), 'block.previousBlockHash'),
    transactionsHash: parseHash(f('transactionsHash'), 'block.transactionsHash'),
    receiptsHash: parseHash(f('receiptsHash'), 'block.receiptsHash'),
    stateHash: parseHash(f('stateHash'), 'block.stateHash'),
    beneficiaryAddress: parseHex(f('beneficiaryAddress'), 24, 'block.beneficiaryAddress'),
    feeMultiplier: parseSmall(f('feeMultiplier'), 0xffff_ffff, 'block.feeMultiplier'),
    ...(type === IMPORTANCE_BLOCK_TYPE
      ? {
          importance: {
            votingEligibleAccountsCount: parseSmall(
              f('votingEligibleAccountsCount'),
              0xffff_ffff,
              'block.votingEligibleAccountsCount',
            ),
            harvestingEligibleAccountsCount: parseUint(
              f('harvestingEligibleAccountsCount'),
              'block.harvestingEligibleAccountsCount',
            ),
            totalVotingBalance: parseUint(f('totalVotingBalance'), 'block.totalVotingBalance'),
            previousImportanceBlockHash: parseHash(
              f('previousImportanceBlockHash'),
              'block.previousImportanceBlockHash',
            ),
          },
        }
      : {}),
  };
  try {
    return encodeBlockHeader(fields);
  } catch (cause) {
    throw new SymbolNodeError(
      'BAD_RESPONSE',
      `block: ${cause instanceof Error ? cause.message : 'header does not encode'}`,
      { cause },
    );
  }
}

/** The value at `path` (dot-separated) of a node's JSON; BAD_RESPONSE naming `what` and the path when missing. */
export function field(obj: unknown, path: string, what: string): unknown {
  let at: unknown = obj;
  for (const key of path.split('.')) {
    if (typeof at !== 'object' || at === null || !(key in at)) {
      throw new SymbolNodeError('BAD_RESPONSE', `${what}: missing ${path}`);
    }
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

/** Creates the client. Every call is bounded by `timeoutMs` and never follows redirects. */
export function createSymbolRestClient(o: RestClientOptions): SymbolRestClient {
  const base = o.url.replace(/\/+$/, '');
  const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = o.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;

  async function call(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: unknown }> {
    const what = `${method} ${path}`;
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method,
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (cause) {
      const timedOut =
        cause instanceof Error && (cause.name === 'TimeoutError' || cause.name === 'AbortError');
      throw new SymbolNodeError(
        timedOut ? 'TIMEOUT' : 'UNAVAILABLE',
        `${what}: ${timedOut ? `no answer in ${timeoutMs} ms` : 'node unreachable'}`,
        { cause },
      );
    }
    const text = await readBounded(res, maxBytes, what);
    if (res.status >= 500) throw new SymbolNodeError('UNAVAILABLE', `${what}: node answered ${res.status}`);
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch (cause) {
      throw new SymbolNodeError('BAD_RESPONSE', `${what}: answer is not JSON`, { cause });
    }
    return { status: res.status, json };
  }

  async function get(path: string): Promise<unknown> {
    const { status, json } = await call('GET', path);
    if (status !== 200) throw new SymbolNodeError('BAD_RESPONSE', `GET ${path}: status ${status}`);
    return json;
  }

  return {
    url: base,
    async nodeInfo() {
      const j = await get('/node/info');
      const id = Number(parseUint(field(j, 'networkIdentifier', 'node info'), 'node info networkIdentifier'));
      return {
        generationHashSeed: parseHash(field(j, 'networkGenerationHashSeed', 'node info'), 'node info seed'),
        networkIdentifier: id,
      };
    },
    async nodeTime() {
      const j = await get('/node/time');
      return parseUint(field(j, 'communicationTimestamps.receiveTimestamp', 'node time'), 'node time');
    },
    async chainInfo() {
      const j = await get('/chain/info');
      return {
        height: parseUint(field(j, 'height', 'chain info'), 'chain height'),
        finalizedHeight: parseUint(field(j, 'latestFinalizedBlock.height', 'chain info'), 'finalized height'),
        finalizedHash: parseHash(field(j, 'latestFinalizedBlock.hash', 'chain info'), 'finalized hash'),
      };
    },
    async networkProperties() {
      const j = await get('/network/properties');
      const fork = (j as { forkHeights?: { uniqueAggregateTransactionHash?: unknown } }).forkHeights
        ?.uniqueAggregateTransactionHash;
      const currency = (j as { chain?: { currencyMosaicId?: unknown } }).chain?.currencyMosaicId;
      return {
        epochAdjustmentSeconds: Number(
          parseUint(
            String(field(j, 'network.epochAdjustment', 'network properties')).replace(/s$/, ''),
            'epochAdjustment',
          ),
        ),
        maxMessageSize: Number(
          parseUint(field(j, 'plugins.transfer.maxMessageSize', 'network properties'), 'maxMessageSize'),
        ),
        maxTransactionsPerAggregate: Number(
          parseUint(
            field(j, 'plugins.aggregate.maxTransactionsPerAggregate', 'network properties'),
            'maxTransactionsPerAggregate',
          ),
        ),
        aggregateV3Height: fork === undefined ? undefined : parseUint(fork, 'uniqueAggregateTransactionHash'),
        currencyMosaicId:
          currency === undefined ? undefined : parseMosaicId(currency, 'chain.currencyMosaicId'),
      };
    },
    async fees() {
      const j = await get('/network/fees/transaction');
      return {
        median: Number(parseUint(field(j, 'medianFeeMultiplier', 'fees'), 'medianFeeMultiplier')),
        minimum: Number(parseUint(field(j, 'minFeeMultiplier', 'fees'), 'minFeeMultiplier')),
      };
    },
    async announce(payload) {
      const { status, json } = await call('PUT', '/transactions', { payload: hexOf(payload) });
      if (status !== 202 && status !== 200) {
        const code = (json as { code?: unknown } | undefined)?.code;
        throw new SymbolNodeError(
          'REJECTED',
          `PUT /transactions: status ${status}${typeof code === 'string' ? ` (${code})` : ''}`,
        );
      }
    },
    async transactionStatus(hash) {
      const { status, json } = await call('GET', `/transactionStatus/${hexOf(hash)}`);
      if (status === 404) return undefined;
      if (status !== 200) throw new SymbolNodeError('BAD_RESPONSE', `transaction status: status ${status}`);
      const group = field(json, 'group', 'transaction status');
      if (group !== 'unconfirmed' && group !== 'confirmed' && group !== 'failed' && group !== 'partial') {
        throw new SymbolNodeError(
          'BAD_RESPONSE',
          `transaction status: unknown group ${JSON.stringify(group)}`,
        );
      }
      const code = field(json, 'code', 'transaction status');
      const j = json as { height?: unknown; deadline?: unknown };
      return {
        group,
        code: typeof code === 'string' ? code : String(code),
        height: j.height === undefined ? 0n : parseUint(j.height, 'status height'),
        deadline: j.deadline === undefined ? 0n : parseUint(j.deadline, 'status deadline'),
      };
    },
    async confirmed(hash) {
      const { status, json } = await call('GET', `/transactions/confirmed/${hexOf(hash)}`);
      if (status === 404) return undefined;
      if (status !== 200)
        throw new SymbolNodeError('BAD_RESPONSE', `confirmed transaction: status ${status}`);
      return {
        hash: parseHash(field(json, 'meta.hash', 'confirmed'), 'meta.hash'),
        height: parseUint(field(json, 'meta.height', 'confirmed'), 'meta.height'),
        merkleComponentHash: parseHash(
          field(json, 'meta.merkleComponentHash', 'confirmed'),
          'meta.merkleComponentHash',
        ),
        index: Number(parseUint(field(json, 'meta.index', 'confirmed'), 'meta.index')),
        timestamp: parseUint(field(json, 'meta.timestamp', 'confirmed'), 'meta.timestamp'),
        feeMultiplier: Number(
          parseUint(field(json, 'meta.feeMultiplier', 'confirmed'), 'meta.feeMultiplier'),
        ),
      };
    },
    async confirmedEntry(hash) {
      const { status, json } = await call('GET', `/transactions/confirmed/${hexOf(hash)}`);
      if (status === 404) return undefined;
      if (status !== 200)
        throw new SymbolNodeError('BAD_RESPONSE', `confirmed transaction: status ${status}`);
      return json;
    },
    async block(height) {
      const j = await get(`/blocks/${height}`);
      return {
        height: parseUint(field(j, 'block.height', 'block'), 'block.height'),
        timestamp: parseUint(field(j, 'block.timestamp', 'block'), 'block.timestamp'),
        transactionsHash: parseHash(field(j, 'block.transactionsHash', 'block'), 'block.transactionsHash'),
        previousBlockHash: parseHash(field(j, 'block.previousBlockHash', 'block'), 'block.previousBlockHash'),
        hash: parseHash(field(j, 'meta.hash', 'block'), 'meta.hash'),
        header: blockHeaderFromJson(j),
      };
    },
    async merklePath(height, merkleComponentHash) {
      const path = `/blocks/${height}/transactions/${hexOf(merkleComponentHash)}/merkle`;
      const { status, json: j } = await call('GET', path);
      if (status === 404) return undefined;
      if (status !== 200) throw new SymbolNodeError('BAD_RESPONSE', `GET ${path}: status ${status}`);
      const items = field(j, 'merklePath', 'merkle path');
      if (!Array.isArray(items) || items.length > 64)
        throw new SymbolNodeError('BAD_RESPONSE', 'merkle path: expected at most 64 items');
      return items.map((item, i) => {
        const position = field(item, 'position', `merkle path item ${i}`);
        if (position !== 'left' && position !== 'right') {
          throw new SymbolNodeError('BAD_RESPONSE', `merkle path item ${i}: position must be left or right`);
        }
        return {
          left: position === 'left',
          hash: parseHash(field(item, 'hash', `merkle path item ${i}`), `merkle path item ${i}`),
        };
      });
    },
    async account(address) {
      if (!/^[A-Z2-7]{39}$/.test(address))
        throw new SymbolNodeError(
          'INVALID_ARGUMENT',
          'account: address must be a 39-character base32 address',
        );
      const { status, json } = await call('GET', `/accounts/${address}`);
      if (status === 404) return undefined;
      if (status !== 200) throw new SymbolNodeError('BAD_RESPONSE', `account: status ${status}`);
      const mosaics = field(json, 'account.mosaics', 'account');
      if (!Array.isArray(mosaics) || mosaics.length > 1000)
        throw new SymbolNodeError('BAD_RESPONSE', 'account: mosaics must be an array of at most 1000');
      return {
        mosaics: mosaics.map((m, i) => ({
          id: parseMosaicId(field(m, 'id', `account mosaic ${i}`), `account mosaic ${i} id`),
          amount: parseUint(field(m, 'amount', `account mosaic ${i}`), `account mosaic ${i} amount`),
        })),
      };
    },
    async transfersTo(recipientAddress, fromHeight, toHeight, pageNumber, pageSize) {
      if (!/^[A-Z2-7]{39}$/.test(recipientAddress))
        throw new SymbolNodeError(
          'INVALID_ARGUMENT',
          'transfers: recipientAddress must be a 39-character base32 address',
        );
      if (!Number.isInteger(pageSize) || pageSize < 10 || pageSize > 100)
        throw new SymbolNodeError('INVALID_ARGUMENT', 'transfers: pageSize must be 10..100');
      if (!Number.isInteger(pageNumber) || pageNumber < 1)
        throw new SymbolNodeError('INVALID_ARGUMENT', 'transfers: pageNumber must be 1 or more');
      if (fromHeight < 1n || toHeight < fromHeight)
        throw new SymbolNodeError(
          'INVALID_ARGUMENT',
          'transfers: heights must be 1 <= fromHeight <= toHeight',
        );
      const query = new URLSearchParams({
        recipientAddress,
        type: String(TRANSFER_TYPE),
        embedded: 'true',
        fromHeight: fromHeight.toString(),
        toHeight: toHeight.toString(),
        pageSize: String(pageSize),
        pageNumber: String(pageNumber),
        order: 'asc',
      });
      const data = field(await get(`/transactions/confirmed?${query}`), 'data', 'transfers');
      if (!Array.isArray(data) || data.length > pageSize)
        throw new SymbolNodeError('BAD_RESPONSE', `transfers: data must be an array of at most ${pageSize}`);
      return data;
    },
    async metadata(sourceAddress, targetAddress, scopedKeyHex) {
      for (const [name, value] of [
        ['sourceAddress', sourceAddress],
        ['targetAddress', targetAddress],
      ] as const) {
        if (!/^[A-Z2-7]{39}$/.test(value))
          throw new SymbolNodeError(
            'INVALID_ARGUMENT',
            `metadata: ${name} must be a 39-character base32 address`,
          );
      }
      if (!/^[0-9A-Fa-f]{16}$/.test(scopedKeyHex))
        throw new SymbolNodeError('INVALID_ARGUMENT', 'metadata: scopedMetadataKey must be 16 hex digits');
      const key = scopedKeyHex.toUpperCase();
      const query = new URLSearchParams({
        sourceAddress,
        targetAddress,
        scopedMetadataKey: key,
        metadataType: '0',
      });
      const j = await get(`/metadata?${query}`);
      const data = field(j, 'data', 'metadata');
      if (!Array.isArray(data) || data.length > 100)
        throw new SymbolNodeError('BAD_RESPONSE', 'metadata: data must be an array of at most 100 entries');
      for (const [i, item] of data.entries()) {
        const what = `metadata entry ${i}`;
        const entryKey = field(item, 'metadataEntry.scopedMetadataKey', what);
        if (typeof entryKey !== 'string' || entryKey.toUpperCase() !== key) continue;
        const type = field(item, 'metadataEntry.metadataType', what);
        if (type !== 0 && type !== '0') continue;
        const value = field(item, 'metadataEntry.value', what);
        if (
          typeof value !== 'string' ||
          value.length % 2 !== 0 ||
          value.length > 2 * MAX_METADATA_VALUE_BYTES ||
          !/^[0-9A-Fa-f]*$/.test(value)
        ) {
          throw new SymbolNodeError(
            'BAD_RESPONSE',
            `${what}: value must be hex of at most ${MAX_METADATA_VALUE_BYTES} bytes`,
          );
        }
        return Uint8Array.from(Buffer.from(value, 'hex'));
      }
      return undefined;
    },
  };
}

/** Reads at most `max` bytes of a response body as text. */
async function readBounded(res: Response, max: number, what: string): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > max)
    throw new SymbolNodeError('BAD_RESPONSE', `${what}: answer of ${declared} bytes exceeds ${max}`);
  const reader = res.body?.getReader();
  if (reader === undefined) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > max) {
      await reader.cancel();
      throw new SymbolNodeError('BAD_RESPONSE', `${what}: answer exceeds ${max} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
