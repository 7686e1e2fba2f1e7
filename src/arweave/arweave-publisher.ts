// The Arweave publisher (docs/publication.md): stores each published bundle as an Arweave data transaction signed by
// the operator's wallet, tagged with its content type, CID and log id, and tracks it until the gateway reports it
// with enough confirmations and serves back bytes whose SHA-256 is the CID's. Every gateway answer is checked
// before it is used: the anchor and price it quotes (a price above SPARK_ARWEAVE_MAX_REWARD is refused, so a lying
// gateway cannot make the wallet overpay), the status it reports, the bytes it serves.
import { createHash } from 'node:crypto';
import { toBinary } from '@bufbuild/protobuf';
import Arweave from 'arweave';
import type { JWKInterface } from 'arweave/node/lib/wallet.js';
import { ArweaveTransactionSchema } from '../gen/spark/v1/bundle_pb.js';
import { parseServableCid } from '../ipfs/cid.ts';
import type { IpfsPublisher, PollOutcome, StartOutcome } from '../ipfs/publishers.ts';
import { toHex } from '../proof/encoding/bytes.ts';
import { arweaveEvidence } from './arweave-evidence.ts';

/** The Content-Type tag of a bundle's Arweave transaction (docs/publication.md §Arweave). */
export const BUNDLE_CONTENT_TYPE = 'application/vnd.spark.bundle';

/** Arweave publisher settings. */
export interface ArweaveOptions {
  /** The gateway's base URL (SPARK_ARWEAVE_URL). */
  readonly url: string;
  /** The wallet's JWK (from SPARK_ARWEAVE_WALLET_FILE). */
  readonly wallet: JWKInterface;
  /** The log id, tagged on every transaction. */
  readonly logId: Uint8Array;
  /** Confirmations the gateway must report before the copy counts (SPARK_ARWEAVE_CONFIRMATIONS). */
  readonly confirmations: number;
  /** Most winston a transaction may pay (SPARK_ARWEAVE_MAX_REWARD). */
  readonly maxReward: bigint;
}

/** What an Arweave transaction of ours carries, for readers and the gateway double. */
export interface BundleTags {
  readonly contentType: string;
  readonly cid: string;
  readonly logId: string;
}

/** The tags of a bundle's transaction: names as Arweave's conventions spell them. */
export function bundleTags(cid: string, logId: Uint8Array): Array<[string, string]> {
  return [
    ['Content-Type', BUNDLE_CONTENT_TYPE],
    ['App-Name', 'spark-processor'],
    ['Spark-CID', cid],
    ['Spark-Log-Id', toHex(logId)],
  ];
}

const B64URL = /^[A-Za-z0-9_-]+$/;
const trimSlash = (url: string): string => url.replace(/\/+$/, '');

async function text(res: Response, what: string, max: number): Promise<string> {
  const body = await res.text();
  if (body.length > max) throw new Error(`${what}: answer larger than ${max} bytes`);
  return body;
}

/** A bounded, checked GET of the gateway. */
async function get(url: string, what: string, signal: AbortSignal): Promise<Response> {
  return fetch(url, { signal, redirect: 'error' }).catch((err: unknown) => {
    throw new Error(`${what}: ${err instanceof Error ? err.message : String(err)}`.slice(0, 200));
  });
}

/** Creates the publisher. The wallet stays in this closure; no error or log carries it. */
export function arweavePublisher(o: ArweaveOptions): IpfsPublisher {
  const base = trimSlash(o.url);
  // Only building and signing happen in the library; every request is made here, bounded and checked.
  const arweave = Arweave.init({});
  return {
    name: 'arweave',
    async start(cid, bytes, signal): Promise<StartOutcome> {
      const anchorRes = await get(`${base}/tx_anchor`, 'arweave GET /tx_anchor', signal);
      if (!anchorRes.ok) throw new Error(`arweave GET /tx_anchor: HTTP ${anchorRes.status}`);
      const anchor = (await text(anchorRes, 'arweave GET /tx_anchor', 200)).trim();
      if (!B64URL.test(anchor) || ![43, 64].includes(anchor.length))
        throw new Error('arweave GET /tx_anchor: not a block or transaction id');
      const priceRes = await get(`${base}/price/${bytes.length}`, 'arweave GET /price', signal);
      if (!priceRes.ok) throw new Error(`arweave GET /price: HTTP ${priceRes.status}`);
      const price = (await text(priceRes, 'arweave GET /price', 40)).trim();
      if (!/^\d{1,30}$/.test(price)) throw new Error('arweave GET /price: not a winston amount');
      if (BigInt(price) > o.maxReward)
        throw new Error(
          `arweave GET /price: ${price} winston is above SPARK_ARWEAVE_MAX_REWARD (${o.maxReward})`,
        );
      const tx = await arweave.createTransaction({ data: bytes, last_tx: anchor, reward: price }, o.wallet);
      for (const [name, value] of bundleTags(cid, o.logId)) tx.addTag(name, value);
      await arweave.transactions.sign(tx, o.wallet);
      const res = await fetch(`${base}/tx`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(tx.toJSON()),
        signal,
        redirect: 'error',
      }).catch((err: unknown) => {
        throw new Error(
          `arweave POST /tx: ${err instanceof Error ? err.message : String(err)}`.slice(0, 200),
        );
      });
      if (res.status !== 200 && res.status !== 208) {
        const body = (await res.text().catch(() => '')).replace(/\s+/g, ' ').slice(0, 160);
        throw new Error(`arweave POST /tx: HTTP ${res.status}${body === '' ? '' : ` ${body}`}`);
      }
      return {
        done: false,
        requestId: tx.id,
        evidence: toBinary(ArweaveTransactionSchema, arweaveEvidence(tx)),
      };
    },

    async poll(id, signal, cid): Promise<PollOutcome> {
      if (!B64URL.test(id) || id.length !== 43) return 'failed';
      let res: Response;
      try {
        res = await get(`${base}/tx/${id}/status`, 'arweave GET /tx/{id}/status', signal);
      } catch {
        return 'pending'; // the gateway is down: ask again, do not pay for a second copy
      }
      if (res.status === 404) return 'failed'; // dropped: the worker posts it again
      if (res.status === 202) return 'pending';
      if (res.status !== 200) return 'pending';
      let status: unknown;
      try {
        status = JSON.parse(await text(res, 'arweave GET /tx/{id}/status', 4096));
      } catch {
        throw new Error('arweave GET /tx/{id}/status: not JSON');
      }
      const s = status as Record<string, unknown> | null;
      const confirmations = s?.['number_of_confirmations'];
      if (
        typeof s?.['block_height'] !== 'number' ||
        typeof s['block_indep_hash'] !== 'string' ||
        typeof confirmations !== 'number' ||
        !Number.isSafeInteger(confirmations) ||
        confirmations < 0
      )
        throw new Error('arweave GET /tx/{id}/status: not a transaction status');
      if (confirmations < o.confirmations) return 'pending';
      // Confirmed: the gateway must serve the very bytes the CID names.
      const data = await get(`${base}/${id}`, 'arweave GET /{id}', signal);
      if (!data.ok) throw new Error(`arweave GET /{id}: HTTP ${data.status}`);
      const served = new Uint8Array(await data.arrayBuffer());
      if (!servesCid(served, cid))
        throw new Error(`arweave GET /${id}: the gateway serves other bytes than the bundle ${cid}`);
      return 'pinned';
    },
  };
}

/** Whether `served` are the bytes the CIDv1 `cid` names. */
export function servesCid(served: Uint8Array, cid: string): boolean {
  const parsed = parseServableCid(cid);
  return (
    typeof parsed !== 'string' &&
    parsed.kind === 'sha256' &&
    toHex(createHash('sha256').update(served).digest()) === toHex(parsed.digest)
  );
}
