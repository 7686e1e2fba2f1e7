// TEST DOUBLE of an Arweave gateway's HTTP API (arlocal cannot be installed here: one of its dependencies comes from
// a git repository). It serves GET /tx_anchor, GET /price/{bytes}, POST /tx, GET /tx/{id}/status, GET /tx/{id} and
// GET /{id}, and checks every posted transaction the way a gateway does, with the `arweave` package itself: format
// 2, id = SHA-256 of the signature, the signature under the owner's key over the transaction's deep hash, the data
// root of the data it carries, a recent anchor, a reward of at least the price, well-formed tags. Transactions stay
// pending until `mine()`. It can misbehave: be down, drop what it accepted, answer garbage, overprice.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Arweave from 'arweave';
import { generateTransactionChunks } from 'arweave/node/lib/merkle.js';

/** How the double misbehaves. */
export interface GatewayFaults {
  /** Every request answers 503 (a gateway that is down). */
  down: boolean;
  /** The next N accepted transactions are forgotten after the answer (status 404 afterwards). */
  dropNext: number;
  /** Answers are garbage: the anchor, the status JSON and the served bytes. */
  garbage: boolean;
  /** Quotes this price in winston instead of the real one. */
  price: bigint | undefined;
}

/** A transaction the double accepted. */
export interface PostedTransaction {
  readonly id: string;
  readonly owner: string;
  readonly tags: ReadonlyArray<readonly [string, string]>;
  readonly data: Uint8Array;
  readonly reward: bigint;
  /** The height of the block that holds it; undefined while pending. */
  height: number | undefined;
}

/** The running double. */
export interface ArweaveGatewayDouble {
  readonly url: string;
  readonly faults: GatewayFaults;
  /** Accepted and not dropped, in order. */
  transactions(): PostedTransaction[];
  /** Requests refused, with the reason given. */
  readonly refusals: string[];
  /** Mines `blocks` blocks: the first includes every pending transaction. */
  mine(blocks?: number): void;
  readonly height: number;
  close(): Promise<void>;
}

const WINSTON_PER_BYTE = 1000n;
const BASE_PRICE = 50_000n;
const MAX_BODY = 1 << 20;
const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');

/** The price the double charges for `bytes` of data. */
export function doublePrice(bytes: number): bigint {
  return BASE_PRICE + WINSTON_PER_BYTE * BigInt(bytes);
}

/** Starts the double on 127.0.0.1. */
export async function startArweaveGatewayDouble(): Promise<ArweaveGatewayDouble> {
  const arweave = Arweave.init({});
  const faults: GatewayFaults = { down: false, dropNext: 0, garbage: false, price: undefined };
  const txs = new Map<string, PostedTransaction>();
  const refusals: string[] = [];
  const blocks: string[] = [b64url(randomBytes(48))];
  const recentAnchors = () => new Set(blocks.slice(-50));

  const send = (res: ServerResponse, status: number, body: string | Uint8Array, type = 'text/plain') => {
    res.writeHead(status, { 'content-type': type });
    res.end(body);
  };
  const refuse = (res: ServerResponse, why: string) => {
    refusals.push(why);
    send(res, 400, why);
  };

  async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
    const parts: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY) return undefined;
      parts.push(chunk as Buffer);
    }
    return Buffer.concat(parts);
  }

  async function post(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    if (body === undefined) return refuse(res, 'body too large');
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    } catch {
      return refuse(res, 'not JSON');
    }
    const str = (k: string) => (typeof json[k] === 'string' ? (json[k] as string) : undefined);
    if (json['format'] !== 2) return refuse(res, 'format must be 2');
    const id = str('id');
    const data = str('data');
    if (
      id === undefined ||
      data === undefined ||
      str('owner') === undefined ||
      str('signature') === undefined
    )
      return refuse(res, 'id, owner, signature and data are required');
    if (txs.has(id)) return send(res, 208, 'Transaction already processed.');
    const tx = arweave.transactions.fromRaw(json);
    // The signature under the owner's key over the deep hash of every signed field, and id = SHA-256(signature).
    if (!(await arweave.transactions.verify(tx).catch(() => false)))
      return refuse(res, 'invalid signature or id');
    const bytes = Buffer.from(data, 'base64url');
    if (String(bytes.length) !== str('data_size')) return refuse(res, 'data_size does not match the data');
    const chunks = await generateTransactionChunks(bytes);
    if (b64url(chunks.data_root) !== str('data_root'))
      return refuse(res, 'data_root does not match the data');
    if (!recentAnchors().has(str('last_tx') ?? '')) return refuse(res, 'anchor (last_tx) not recent');
    const reward = /^\d+$/.test(str('reward') ?? '') ? BigInt(str('reward') as string) : -1n;
    if (reward < doublePrice(bytes.length)) return refuse(res, 'reward below the price');
    const tags: Array<[string, string]> = [];
    for (const t of (json['tags'] ?? []) as Array<Record<string, unknown>>) {
      if (typeof t['name'] !== 'string' || typeof t['value'] !== 'string')
        return refuse(res, 'malformed tag');
      tags.push([
        Buffer.from(t['name'], 'base64url').toString('utf8'),
        Buffer.from(t['value'], 'base64url').toString('utf8'),
      ]);
    }
    const owner = await arweave.wallets.ownerToAddress(str('owner') as string);
    send(res, 200, 'OK');
    if (faults.dropNext > 0) {
      faults.dropNext--;
      return; // accepted, then forgotten: a transaction a real network drops
    }
    txs.set(id, { id, owner, tags, data: bytes, reward, height: undefined });
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (faults.down) return send(res, 503, 'down');
    if (req.method === 'POST' && path === '/tx') {
      post(req, res).catch((err: unknown) => send(res, 500, String(err)));
      return;
    }
    if (req.method !== 'GET') return send(res, 405, 'method');
    if (path === '/tx_anchor') return send(res, 200, faults.garbage ? '<html>' : (blocks.at(-1) as string));
    const price = /^\/price\/(\d{1,12})$/.exec(path);
    if (price) return send(res, 200, String(faults.price ?? doublePrice(Number(price[1]))));
    const status = /^\/tx\/([A-Za-z0-9_-]{43})\/status$/.exec(path);
    if (status) {
      const tx = txs.get(status[1] as string);
      if (tx === undefined) return send(res, 404, 'Not Found');
      if (faults.garbage) return send(res, 200, '{"block_height":"tall"', 'application/json');
      if (tx.height === undefined) return send(res, 202, 'Pending');
      return send(
        res,
        200,
        JSON.stringify({
          block_height: tx.height,
          block_indep_hash: blocks[tx.height],
          number_of_confirmations: blocks.length - tx.height,
        }),
        'application/json',
      );
    }
    const whole = /^\/tx\/([A-Za-z0-9_-]{43})$/.exec(path);
    if (whole) {
      const tx = txs.get(whole[1] as string);
      return tx === undefined
        ? send(res, 404, 'Not Found')
        : send(res, 200, JSON.stringify({ id: tx.id, owner: tx.owner, tags: tx.tags }), 'application/json');
    }
    const data = /^\/([A-Za-z0-9_-]{43})$/.exec(path);
    if (data) {
      const tx = txs.get(data[1] as string);
      if (tx === undefined || tx.height === undefined) return send(res, 404, 'Not Found');
      return send(
        res,
        200,
        faults.garbage ? randomBytes(tx.data.length) : tx.data,
        'application/octet-stream',
      );
    }
    send(res, 404, 'Not Found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    faults,
    refusals,
    transactions: () => [...txs.values()],
    mine(n = 1) {
      for (let i = 0; i < n; i++) {
        blocks.push(
          b64url(
            createHash('sha384')
              .update(blocks.at(-1) as string)
              .digest(),
          ),
        );
        if (i === 0)
          for (const tx of txs.values()) if (tx.height === undefined) tx.height = blocks.length - 1;
      }
    },
    get height() {
      return blocks.length - 1;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
