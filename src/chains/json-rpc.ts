// A minimal JSON-RPC 2.0 client over HTTP for chain endpoints (Ethereum, Bitcoin Core): one bounded POST per call,
// no redirects; a node's error is returned as such, a transport failure thrown. Credentials never reach a message.

/** A JSON-RPC error object from the node. */
export interface RpcFailure {
  readonly code: number;
  readonly message: string;
}

/** A JSON-RPC endpoint. */
export interface JsonRpc {
  call(method: string, params: readonly unknown[]): Promise<{ result: unknown } | { error: RpcFailure }>;
}

/** Settings of an endpoint. */
export interface JsonRpcOptions {
  readonly url: string;
  /** "user:password" for HTTP basic auth (Bitcoin Core), if any. */
  readonly basicAuth?: string | undefined;
  readonly timeoutMs: number;
  /** Bitcoin Core speaks JSON-RPC 1.0 ("jsonrpc": "1.0"); Ethereum nodes 2.0. */
  readonly version?: '1.0' | '2.0';
  /** Calls in flight at once (default 16); the others wait their turn. */
  readonly maxInFlight?: number;
  /** Calls waiting at most (default 1000); beyond, a call fails at once instead of queueing. */
  readonly maxWaiting?: number;
}

/** Largest answer read from an endpoint; a longer one is cut off and refused. */
export const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

/** Reads a response body up to `limit` bytes; undefined when it is longer (the rest is not read). */
async function boundedText(res: Response, limit: number): Promise<string | undefined> {
  if (res.body === null) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of res.body) {
    total += chunk.length;
    if (total > limit) {
      await res.body.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A counting gate: `enter` resolves when a slot is free, or throws when too many already wait. */
function gate(slots: number, maxWaiting: number, host: string) {
  let free = slots;
  const waiting: Array<() => void> = [];
  return {
    async enter(): Promise<void> {
      if (free > 0) {
        free--;
        return;
      }
      if (waiting.length >= maxWaiting) throw new Error(`${host}: ${maxWaiting} calls already waiting`);
      await new Promise<void>((resolve) => waiting.push(resolve));
    },
    leave(): void {
      const next = waiting.shift();
      if (next !== undefined) next();
      else free++;
    },
  };
}

/** Creates the client; `call` throws Error("<host>: …") when the endpoint cannot be reached or answers nonsense. */
export function createJsonRpc(o: JsonRpcOptions): JsonRpc {
  const host = new URL(o.url).host;
  let id = 0;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (o.basicAuth !== undefined)
    headers['authorization'] = `Basic ${Buffer.from(o.basicAuth).toString('base64')}`;
  const slots = gate(o.maxInFlight ?? 16, o.maxWaiting ?? 1000, host);
  const post = async (method: string, params: readonly unknown[]) => {
    let res: Response;
    try {
      res = await fetch(o.url, {
        method: 'POST',
        headers,
        body: JSON.stringify({ jsonrpc: o.version ?? '2.0', id: ++id, method, params }),
        signal: AbortSignal.timeout(o.timeoutMs),
        redirect: 'error',
      });
    } catch (err) {
      const timedOut = err instanceof Error && err.name === 'TimeoutError';
      throw new Error(`${host}: ${timedOut ? `no answer within ${o.timeoutMs} ms` : 'unreachable'}`);
    }
    let text: string | undefined;
    try {
      text = await boundedText(res, MAX_ANSWER_BYTES);
    } catch (err) {
      const timedOut = err instanceof Error && err.name === 'TimeoutError';
      throw new Error(
        `${host}: ${timedOut ? `answer not complete within ${o.timeoutMs} ms` : 'answer cut off'}`,
      );
    }
    if (text === undefined) throw new Error(`${host}: answer larger than ${MAX_ANSWER_BYTES} bytes`);
    let body: { result?: unknown; error?: { code?: unknown; message?: unknown } | null };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new Error(`${host}: HTTP ${res.status}, not JSON`);
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw new Error(`${host}: HTTP ${res.status}, not a JSON-RPC response object`);
    if (body.error !== undefined && body.error !== null) {
      return {
        error: { code: Number(body.error.code), message: String(body.error.message ?? '').slice(0, 200) },
      };
    }
    if (!res.ok) throw new Error(`${host}: HTTP ${res.status}`);
    return { result: body.result ?? null };
  };
  return {
    async call(method, params) {
      await slots.enter();
      try {
        return await post(method, params);
      } finally {
        slots.leave();
      }
    },
  };
}
