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
}

const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

/** Creates the client; `call` throws Error("<host>: …") when the endpoint cannot be reached or answers nonsense. */
export function createJsonRpc(o: JsonRpcOptions): JsonRpc {
  const host = new URL(o.url).host;
  let id = 0;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (o.basicAuth !== undefined)
    headers['authorization'] = `Basic ${Buffer.from(o.basicAuth).toString('base64')}`;
  return {
    async call(method, params) {
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
      const text = await res.text();
      if (text.length > MAX_ANSWER_BYTES)
        throw new Error(`${host}: answer larger than ${MAX_ANSWER_BYTES} bytes`);
      let body: { result?: unknown; error?: { code?: unknown; message?: unknown } | null };
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        throw new Error(`${host}: HTTP ${res.status}, not JSON`);
      }
      if (body.error !== undefined && body.error !== null) {
        return {
          error: { code: Number(body.error.code), message: String(body.error.message ?? '').slice(0, 200) },
        };
      }
      if (!res.ok) throw new Error(`${host}: HTTP ${res.status}`);
      return { result: body.result ?? null };
    },
  };
}
