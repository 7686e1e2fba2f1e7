// TEST DOUBLE of a Symbol node — one catapult-rest look-alike front on loopback over a shared in-memory chain, with
// its own faults and lies. Not a Symbol node; it exists because none can run here. Shapes: symbol-openapi.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { blockMerklePath } from './block-merkle.ts';
import type { SymbolFailureCode } from './failure-codes.ts';
import { invalid, notFound, RestError } from './rest-errors.ts';
import {
  blockJson,
  configHex,
  configNumber,
  configTimeSpan,
  confirmedTransactionJson,
  type Json,
  statusJson,
} from './rest-json.ts';
import { RestLies } from './rest-lies.ts';
import { parseSearchQuery, searchConfirmed } from './rest-search.ts';
import type { SymbolTestNode, SymbolTestNodeFaults } from './symbol-test-node.ts';
import type { ConfirmedTransaction, MetadataEntry } from './test-chain.ts';
import {
  addressHex,
  chainAccessors,
  SYMBOL_TEST_NODE_DEFAULTS as d,
  type TestChainHost,
} from './test-chain-host.ts';

const HASH = /^[0-9A-Fa-f]{64}$/;
const OBJECT_ID = /^[0-9A-Fa-f]{24}$/;

function parseHash(value: string | undefined, name: string): string {
  if (value === undefined || !HASH.test(value)) throw invalid(name);
  return value.toUpperCase();
}

function parseHeight(value: string | undefined): bigint {
  if (value === undefined || !/^\d{1,20}$/.test(value)) throw invalid('height');
  return BigInt(value);
}

function parseAddress(value: string, name: string): string {
  const decoded = addressHex(value);
  if (decoded === undefined) throw invalid(name);
  return decoded;
}

/**
 * Starts one REST front over `chainHost`'s chain on `requestedPort` (0 = any free one). `onClose` runs once the
 * front has closed (a lone node stops its chain's block timer there).
 */
export async function startRestFront(
  chainHost: TestChainHost,
  requestedPort: number,
  onClose: () => void = () => {},
): Promise<SymbolTestNode> {
  const { chain, preset, settings } = chainHost;
  const { host, minFeeMultiplier, medianFeeMultiplier } = settings;
  const lies = new RestLies(chain);

  // Fault state.
  let isDown = false;
  let slowMs = 0;
  let dropCount = 0;
  const rejections: SymbolFailureCode[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let pendingValidations = 0;
  let idleWaiters: (() => void)[] = [];
  let closed = false;

  const later = (ms: number, fn: () => void): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };

  const settleValidation = (): void => {
    pendingValidations -= 1;
    if (pendingValidations === 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  };

  function networkProperties(): Json {
    return {
      network: {
        identifier: preset.name,
        nodeEqualityStrategy: 'host',
        nemesisSignerPublicKey: '0'.repeat(64),
        generationHashSeed: preset.generationHashSeed,
        epochAdjustment: `${preset.epochAdjustmentSeconds}s`,
      },
      chain: {
        enableVerifiableState: true,
        enableVerifiableReceipts: true,
        currencyMosaicId: configHex(preset.currencyMosaicId),
        harvestingMosaicId: configHex(preset.currencyMosaicId),
        blockGenerationTargetTime: configTimeSpan(
          settings.blockIntervalMs === 0 ? 30_000 : settings.blockIntervalMs,
        ),
        maxTransactionLifetime: configTimeSpan(settings.maxTransactionLifetimeMs),
        maxTransactionsPerBlock: configNumber(settings.maxTransactionsPerBlock),
        votingSetGrouping: '720',
        defaultDynamicFeeMultiplier: configNumber(minFeeMultiplier),
      },
      plugins: {
        aggregate: {
          maxTransactionsPerAggregate: configNumber(settings.maxTransactionsPerAggregate),
          maxCosignaturesPerAggregate: configNumber(settings.maxCosignaturesPerAggregate),
          enableStrictCosignatureCheck: false,
          enableBondedAggregateSupport: true,
          maxBondedTransactionLifetime: '48h',
        },
        transfer: { maxMessageSize: configNumber(settings.maxMessageSize) },
        metadata: { maxValueSize: configNumber(settings.maxMetadataValueSize) },
      },
      forkHeights: {
        totalVotingBalanceCalculationFix: '0',
        treasuryReissuance: '0',
        strictAggregateTransactionHash: '0',
        skipSecretLockUniquenessChecks: '0',
        skipSecretLockExpirations: '0',
        forceSecretLockExpirations: '0',
        uniqueAggregateTransactionHash: configNumber(settings.forkHeightV3),
      },
    };
  }

  function transactionStatus(hash: string): Json | undefined {
    const confirmed = lies.confirmed(hash);
    if (confirmed) return statusJson(hash, { group: 'confirmed', tx: lies.placement(confirmed) });
    const unconfirmed = chain.unconfirmed(hash);
    if (unconfirmed) return statusJson(hash, { group: 'unconfirmed', tx: unconfirmed });
    const failed = chain.failed(hash);
    if (failed) return statusJson(hash, { group: 'failed', status: failed });
    return undefined;
  }

  function announce(body: Json): Json {
    const payload =
      body !== null && typeof body === 'object' && !Array.isArray(body)
        ? (body as { payload?: Json }).payload
        : undefined;
    if (
      typeof payload !== 'string' ||
      payload.length === 0 ||
      payload.length % 2 !== 0 ||
      !/^[0-9A-Fa-f]*$/.test(payload)
    )
      throw new RestError(409, 'InvalidArgument', 'payload has an invalid format');
    const bytes = Uint8Array.from(Buffer.from(payload, 'hex'));
    if (dropCount > 0) {
      dropCount -= 1;
      chain.recordDrop({
        hash: chain.hashOf(bytes),
        reason: 'dropped-by-fault',
        detail: 'faults.dropSilently',
      });
    } else {
      const forced = rejections.shift();
      pendingValidations += 1;
      later(settings.validationDelayMs, () => {
        try {
          if (!closed) chain.announce(bytes, forced);
        } finally {
          settleValidation();
        }
      });
    }
    return { message: 'packet 9 was pushed to the network via /transactions' };
  }

  function metadata(query: URLSearchParams): Json {
    const filters: ((entry: MetadataEntry) => boolean)[] = [];
    const source = query.get('sourceAddress');
    if (source !== null) {
      const want = parseAddress(source, 'sourceAddress');
      filters.push((e) => Buffer.from(e.sourceAddress).toString('hex').toUpperCase() === want);
    }
    const target = query.get('targetAddress');
    if (target !== null) {
      const want = parseAddress(target, 'targetAddress');
      filters.push((e) => Buffer.from(e.targetAddress).toString('hex').toUpperCase() === want);
    }
    const key = query.get('scopedMetadataKey');
    if (key !== null) {
      if (!/^[0-9A-Fa-f]{16}$/.test(key)) throw invalid('scopedMetadataKey');
      const want = BigInt(`0x${key}`);
      filters.push((e) => e.scopedMetadataKey === want);
    }
    const type = query.get('metadataType');
    if (type !== null) {
      if (!/^[0-2]$/.test(type)) throw invalid('metadataType');
      // The double only stores account metadata (type 0).
      if (type !== '0') filters.push(() => false);
    }
    const targetId = query.get('targetId');
    if (targetId !== null) {
      if (!/^[0-9A-Fa-f]{16}$/.test(targetId)) throw invalid('targetId');
      if (BigInt(`0x${targetId}`) !== 0n) filters.push(() => false);
    }
    const pageSizeRaw = query.get('pageSize');
    const pageNumberRaw = query.get('pageNumber');
    if (pageSizeRaw !== null && !/^\d{1,6}$/.test(pageSizeRaw)) throw invalid('pageSize');
    if (pageNumberRaw !== null && !/^\d{1,9}$/.test(pageNumberRaw)) throw invalid('pageNumber');
    const pageSize = Math.min(100, Math.max(10, pageSizeRaw === null ? 10 : Number(pageSizeRaw)));
    const pageNumber = Math.max(1, pageNumberRaw === null ? 1 : Number(pageNumberRaw));
    const hexOf = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();
    const matches = chain.metadataEntries().filter((e) => filters.every((f) => f(e)));
    const page = matches.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
    return {
      data: page.map((e) => ({
        metadataEntry: {
          version: 1,
          compositeHash: e.compositeHash,
          sourceAddress: hexOf(e.sourceAddress),
          targetAddress: hexOf(e.targetAddress),
          scopedMetadataKey: e.scopedMetadataKey.toString(16).toUpperCase().padStart(16, '0'),
          targetId: '0000000000000000',
          metadataType: 0,
          valueSize: e.value.length,
          value: hexOf(e.value),
        },
        id: e.compositeHash.slice(0, 24),
      })),
      pagination: { pageNumber, pageSize },
    };
  }

  function route(
    method: string,
    path: string,
    query: URLSearchParams,
    body: Json | undefined,
  ): { status: number; json: Json } {
    const parts = path.split('/').filter((p) => p.length > 0);
    const [a, b, c, d2, e] = parts;
    const ok = (json: Json): { status: number; json: Json } => ({ status: 200, json });
    const allow = (...methods: string[]): void => {
      if (!methods.includes(method)) throw new RestError(405, 'MethodNotAllowed', `${method} is not allowed`);
    };

    if (a === 'transactions' && parts.length === 1) {
      allow('PUT');
      return { status: 202, json: announce(body ?? null) };
    }
    if (a === 'transactions' && b === 'confirmed' && parts.length === 2) {
      allow('GET');
      const criteria = parseSearchQuery(query);
      const page = searchConfirmed(criteria, {
        transactions: lies.confirmedTransactions(),
        placement: (tx) => lies.placement(tx),
      });
      return ok({ data: lies.searchResults(page.data), pagination: page.pagination });
    }
    if (a === 'transactions' && b === 'confirmed' && parts.length === 3) {
      allow('GET');
      const id = c ?? '';
      let found: ConfirmedTransaction | undefined;
      if (HASH.test(id)) found = lies.confirmed(id);
      else if (OBJECT_ID.test(id)) found = lies.confirmedById(id);
      else throw invalid('transactionId');
      if (!found) throw notFound(id);
      return ok(lies.confirmedResult(confirmedTransactionJson(lies.placement(found))));
    }
    if (a === 'transactionStatus' && parts.length === 2) {
      allow('GET');
      const hash = parseHash(b, 'hash');
      const status = transactionStatus(hash);
      if (!status) throw notFound(b ?? '');
      return ok(status);
    }
    if (a === 'transactionStatus' && parts.length === 1) {
      allow('POST');
      const hashes =
        body !== null && typeof body === 'object' && !Array.isArray(body) ? body['hashes'] : undefined;
      if (!Array.isArray(hashes) || hashes.length > 1000) throw invalid('hashes');
      const statuses: Json[] = [];
      for (const h of hashes) {
        if (typeof h !== 'string') throw invalid('hashes');
        const status = transactionStatus(parseHash(h, 'hashes'));
        if (status) statuses.push(status);
      }
      return ok(statuses);
    }
    if (a === 'blocks' && parts.length === 2) {
      allow('GET');
      const block = lies.block(parseHeight(b));
      if (!block) throw notFound(b ?? '');
      return ok(blockJson(block, preset.identifier));
    }
    if (a === 'blocks' && c === 'transactions' && e === 'merkle' && parts.length === 5) {
      allow('GET');
      const block = chain.block(parseHeight(b));
      const leaf = parseHash(d2, 'hash');
      if (!block) throw notFound(b ?? '');
      const index = block.leaves.findIndex((l) => Buffer.from(l).toString('hex').toUpperCase() === leaf);
      if (index < 0) throw notFound(leaf);
      const path = lies.merklePath(block, leaf, blockMerklePath(block.leaves, index));
      return ok({ merklePath: path.map((item) => ({ ...item })) });
    }
    if (a === 'chain' && b === 'info' && parts.length === 2) {
      allow('GET');
      const f = lies.finalization(chain.finalization);
      return ok({
        height: chain.height.toString(),
        scoreHigh: '0',
        scoreLow: (chain.height * 100_000_000_000_000n).toString(),
        latestFinalizedBlock: {
          finalizationEpoch: f.epoch,
          finalizationPoint: f.point,
          height: f.height.toString(),
          hash: f.hash,
        },
      });
    }
    if (a === 'network' && b === 'properties' && parts.length === 2) {
      allow('GET');
      return ok(networkProperties());
    }
    if (a === 'network' && b === 'fees' && c === 'transaction' && parts.length === 3) {
      allow('GET');
      return ok({
        averageFeeMultiplier: medianFeeMultiplier,
        medianFeeMultiplier,
        highestFeeMultiplier: Math.max(medianFeeMultiplier, minFeeMultiplier),
        lowestFeeMultiplier: Math.min(medianFeeMultiplier, minFeeMultiplier),
        minFeeMultiplier,
      });
    }
    if (a === 'node' && parts.length === 2) {
      allow('GET');
      if (b === 'info')
        return ok({
          version: 16777984,
          publicKey: chain.tip.signerPublicKey,
          networkGenerationHashSeed: preset.generationHashSeed,
          roles: 3,
          port: 7900,
          networkIdentifier: preset.identifier,
          host: 'symbol-test-node.invalid',
          friendlyName: 'TEST DOUBLE — not a Symbol node',
          nodePublicKey: chain.tip.signerPublicKey,
        });
      if (b === 'time') {
        const now = chain.networkTime().toString();
        return ok({ communicationTimestamps: { sendTimestamp: now, receiveTimestamp: now } });
      }
      if (b === 'health') return ok({ status: { apiNode: 'up', db: 'up' } });
    }
    if (a === 'metadata' && parts.length === 1) {
      allow('GET');
      return ok(metadata(query));
    }
    if (a === 'accounts' && parts.length === 2) {
      allow('GET');
      // catapult-rest takes the base32 address (or the decoded one as hex); an account the chain never credited is
      // unknown (404). Only with balance bookkeeping on does the double know accounts at all.
      const id = b ?? '';
      const addressHex = /^[0-9A-Fa-f]{48}$/.test(id) ? id.toUpperCase() : parseAddress(id, 'accountId');
      const amount = chain.balance(addressHex);
      if (amount === undefined) throw notFound(id);
      const mosaicId = preset.currencyMosaicId.toString(16).toUpperCase().padStart(16, '0');
      return ok({
        account: {
          version: 1,
          address: addressHex,
          addressHeight: '1',
          publicKey: '0'.repeat(64),
          publicKeyHeight: '0',
          accountType: 0,
          supplementalPublicKeys: {},
          activityBuckets: [],
          mosaics: [{ id: mosaicId, amount: amount.toString() }],
          importance: '0',
          importanceHeight: '0',
        },
        id: addressHex.slice(0, 24),
      });
    }
    throw new RestError(404, 'ResourceNotFound', `${path} does not exist`);
  }

  async function readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > d.maxBodyBytes) throw new RestError(413, 'PayloadTooLarge', 'request body is too large');
      chunks.push(chunk);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  /** Successful answers by path: what a test waits on instead of the clock (e.g. n more rounds of a client). */
  const answered = new Map<string, number>();
  /** Requests received, answered or not yet (a slowed front holds them). */
  let received = 0;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    received++;
    let status: number;
    let json: Json;
    try {
      const url = new URL(req.url ?? '/', 'http://symbol-test-node.invalid');
      const method = req.method ?? 'GET';
      let body: Json | undefined;
      if (method === 'PUT' || method === 'POST') {
        const text = await readBody(req);
        if (text.length > 0) {
          try {
            body = JSON.parse(text) as Json;
          } catch (error) {
            throw new RestError(400, 'InvalidContent', `Invalid JSON: ${(error as Error).message}`);
          }
        }
      }
      if (slowMs > 0) await new Promise<void>((resolve) => later(slowMs, resolve));
      ({ status, json } = route(method, url.pathname, url.searchParams, body));
    } catch (error) {
      if (error instanceof RestError) {
        status = error.status;
        json = { code: error.code, message: error.message };
      } else {
        status = 500;
        json = { code: 'Internal', message: 'test double internal error' };
      }
    }
    if (res.destroyed || closed) return;
    if (status < 400) {
      const path = new URL(req.url ?? '/', 'http://symbol-test-node.invalid').pathname;
      answered.set(path, (answered.get(path) ?? 0) + 1);
    }
    const text = JSON.stringify(json);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  const server: Server = createServer((req, res) => {
    void handle(req, res);
  });

  async function listen(port: number): Promise<number> {
    server.listen(port, host);
    await once(server, 'listening');
    return (server.address() as AddressInfo).port;
  }

  async function shutDownSocket(): Promise<void> {
    const closing = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closing;
  }

  const port = await listen(requestedPort);

  const faults: SymbolTestNodeFaults = {
    async down() {
      if (isDown || closed) return;
      isDown = true;
      await shutDownSocket();
    },
    async up() {
      if (!isDown || closed) return;
      await listen(port);
      isDown = false;
    },
    get isDown() {
      return isDown;
    },
    slow(ms) {
      if (!Number.isInteger(ms) || ms < 0 || ms > 600_000)
        throw new RangeError('slow: ms must be an integer in [0, 600000]');
      slowMs = ms;
    },
    dropSilently(count = 1) {
      if (!Number.isInteger(count) || count < 0)
        throw new RangeError('dropSilently: count must be an integer >= 0');
      dropCount = count;
    },
    rejectWith(code, count = 1) {
      if (!Number.isInteger(count) || count < 0)
        throw new RangeError('rejectWith: count must be an integer >= 0');
      for (let i = 0; i < count; i++) rejections.push(code);
    },
    stallFinality(stalled) {
      chain.finalityStalled = stalled;
    },
    async clear() {
      slowMs = 0;
      dropCount = 0;
      rejections.length = 0;
      chain.finalityStalled = false;
      await faults.up();
    },
  };

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    networkGenerationHashSeed: preset.generationHashSeed,
    epochAdjustmentSeconds: preset.epochAdjustmentSeconds,
    faults,
    lies,
    ...chainAccessors(chain),
    confirmedTransactions: () =>
      chain.confirmedTransactions().map((tx) => ({
        hash: tx.hash,
        height: tx.height,
        index: tx.index,
        merkleComponentHash: tx.merkleComponentHash,
        payload: Uint8Array.from(tx.payload),
      })),
    payloadOf: (hash) => {
      const tx = chain.confirmed(hash) ?? chain.unconfirmed(hash);
      return tx ? Uint8Array.from(tx.payload) : undefined;
    },
    dropped: () => chain.dropped(),
    answered: (path) => answered.get(path) ?? 0,
    received: () => received,
    metadataEntries: () => chain.metadataEntries(),
    balanceOf: (address) => chain.balance(parseAddress(address, 'address')),
    fund: (address, amount) => chain.fund(parseAddress(address, 'address'), amount),
    whenIdle: () =>
      pendingValidations === 0
        ? Promise.resolve()
        : new Promise<void>((resolve) => idleWaiters.push(resolve)),
    async close() {
      if (closed) return;
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      pendingValidations = 0;
      for (const resolve of idleWaiters) resolve();
      idleWaiters = [];
      if (!isDown) await shutDownSocket();
      onClose();
    },
  };
}
