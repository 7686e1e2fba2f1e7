// Publishers (docs/ipfs.md): push a published bundle to a Kubo node (RPC block/put, pinned) or ask an IPFS Pinning
// Services API to pin its CID. Each call is one bounded HTTP request; retries and polling belong to the worker.

/** The result of one publishing attempt. */
export type StartOutcome =
  | { readonly done: true }
  | {
      readonly done: false;
      readonly requestId: string;
      /**
       * What proves where the copy is once it is confirmed, kept with the publication (the Arweave transaction in
       * the bundle's ArweaveTransaction form, docs/proof-format.md §9.6).
       */
      readonly evidence?: Uint8Array;
    };
/** The result of one poll of a pin request. */
export type PollOutcome = 'pinned' | 'pending' | 'failed';

/** One place bundles are published to. */
export interface IpfsPublisher {
  readonly name: string;
  /** Makes one attempt; throws an Error with a short reason (never a credential) on failure. */
  start(cid: string, bytes: Uint8Array, signal: AbortSignal): Promise<StartOutcome>;
  /**
   * Polls a request made by `start` for the bundle `cid`; only publishers that answer `done: false` implement it.
   * 'failed' makes the worker start over (a new pin request, or a new Arweave transaction).
   */
  poll?(requestId: string, signal: AbortSignal, cid: string): Promise<PollOutcome>;
}

const trimSlash = (url: string): string => url.replace(/\/+$/, '');

/** A short reason from a response that is not what was expected. */
async function httpFailure(what: string, res: Response): Promise<Error> {
  const text = (await res.text().catch(() => '')).replace(/\s+/g, ' ').slice(0, 200);
  return new Error(`${what}: HTTP ${res.status}${text === '' ? '' : ` ${text}`}`);
}

/** Reads at most `max` bytes of JSON. */
async function json(res: Response, what: string, max = 64 * 1024): Promise<Record<string, unknown>> {
  const text = await res.text();
  if (text.length > max) throw new Error(`${what}: answer larger than ${max} bytes`);
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
    return v as Record<string, unknown>;
  } catch {
    throw new Error(`${what}: answer is not a JSON object`);
  }
}

/** Kubo's RPC: `POST /api/v0/block/put?cid-codec=raw&mhtype=sha2-256&pin=true` with the bytes as multipart. */
export function kuboPublisher(url: string): IpfsPublisher {
  const base = trimSlash(url);
  return {
    name: 'kubo',
    async start(cid, bytes, signal) {
      const form = new FormData();
      form.append(
        'file',
        new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }),
        'bundle.spark',
      );
      const res = await fetch(`${base}/api/v0/block/put?cid-codec=raw&mhtype=sha2-256&pin=true`, {
        method: 'POST',
        body: form,
        signal,
        redirect: 'error',
      });
      if (!res.ok) throw await httpFailure('kubo block/put', res);
      const answer = await json(res, 'kubo block/put');
      if (answer['Key'] !== cid) {
        throw new Error(
          `kubo block/put: the node stored ${String(answer['Key']).slice(0, 100)}, expected ${cid}`,
        );
      }
      return { done: true };
    },
  };
}

/** An IPFS Pinning Services API: `POST /pins` with a bearer token, then `GET /pins/{requestid}` until pinned. */
export function pinningPublisher(url: string, token: string, origins: readonly string[] = []): IpfsPublisher {
  const base = trimSlash(url);
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const stateOf = (answer: Record<string, unknown>, what: string): string => {
    const status = answer['status'];
    if (status !== 'queued' && status !== 'pinning' && status !== 'pinned' && status !== 'failed') {
      throw new Error(`${what}: unknown pin status ${JSON.stringify(status)?.slice(0, 40)}`);
    }
    return status;
  };
  return {
    name: 'pinning',
    async start(cid, _bytes, signal) {
      const res = await fetch(`${base}/pins`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          cid,
          name: `spark-${cid.slice(-16)}.spark`,
          origins,
          meta: { app: 'spark-processor' },
        }),
        signal,
        redirect: 'error',
      });
      if (res.status !== 202 && res.status !== 200) throw await httpFailure('pinning POST /pins', res);
      const answer = await json(res, 'pinning POST /pins');
      const requestId = answer['requestid'];
      if (typeof requestId !== 'string' || requestId === '' || requestId.length > 200) {
        throw new Error('pinning POST /pins: no requestid in the answer');
      }
      const state = stateOf(answer, 'pinning POST /pins');
      if (state === 'pinned') return { done: true };
      if (state === 'failed') throw new Error('pinning POST /pins: the service reports the pin failed');
      return { done: false, requestId };
    },
    async poll(requestId, signal) {
      const res = await fetch(`${base}/pins/${encodeURIComponent(requestId)}`, {
        headers,
        signal,
        redirect: 'error',
      });
      if (!res.ok) throw await httpFailure('pinning GET /pins', res);
      const state = stateOf(await json(res, 'pinning GET /pins'), 'pinning GET /pins');
      return state === 'pinned' ? 'pinned' : state === 'failed' ? 'failed' : 'pending';
    },
  };
}
