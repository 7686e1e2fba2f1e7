// The HTTP port's operational routes (docs/operations.md §Metrics and probes): Prometheus text at /metrics, liveness at /healthz, readiness at
// /readyz. Ready means the store is open and its commits succeed (not while the data volume is full:
// docs/operations.md "Disk full"), the signing key is loaded, the server is not draining and — when anchoring is on —
// the Symbol node answers (checked at most every few seconds, so probes never hammer it).
import type { SparkMetrics } from '../metrics/metrics.ts';
import { type HttpRoute, sendJson } from './http-server.ts';

/** What readiness is made of. */
export interface Readiness {
  readonly draining: () => boolean;
  /** Throws, saying why, when the store cannot answer or its commits fail. */
  readonly storeCheck: () => void;
  readonly keysLoaded: () => boolean;
  /** Resolves when the Symbol node answers; absent when anchoring is off. */
  readonly nodeCheck?: (() => Promise<void>) | undefined;
}

/** How long a node check's outcome is reused. */
export const NODE_CHECK_CACHE_MS = 5_000;

/** The /metrics, /healthz and /readyz routes. */
export function probeRoutes(
  metrics: SparkMetrics,
  readiness: Readiness,
  now: () => number = Date.now,
): HttpRoute[] {
  let node: { at: number; problem: string | undefined } | undefined;
  let checking: Promise<void> | undefined;
  const nodeProblem = async (): Promise<string | undefined> => {
    const check = readiness.nodeCheck;
    if (check === undefined) return undefined;
    if (node === undefined || now() - node.at >= NODE_CHECK_CACHE_MS) {
      checking ??= check()
        .then(
          () => ({ at: now(), problem: undefined }),
          (err: unknown) => ({
            at: now(),
            problem: `symbol node: ${err instanceof Error ? err.message : String(err)}`,
          }),
        )
        .then((outcome) => {
          node = outcome;
          checking = undefined;
        });
      await checking;
    }
    return node?.problem;
  };
  return [
    {
      path: '/metrics',
      methods: ['GET'],
      async handle(_req, res) {
        const body = await metrics.text();
        res.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' });
        res.end(res.req.method === 'HEAD' ? undefined : body);
      },
    },
    {
      path: '/healthz',
      methods: ['GET'],
      handle: (_req, res) => sendJson(res, 200, { status: 'ok' }),
    },
    {
      path: '/readyz',
      methods: ['GET'],
      async handle(_req, res) {
        const problems: string[] = [];
        if (readiness.draining()) problems.push('draining: the server is shutting down');
        try {
          readiness.storeCheck();
        } catch (err) {
          problems.push(`store: ${err instanceof Error ? err.message : String(err)}`);
        }
        if (!readiness.keysLoaded()) problems.push('keys: the signing key is not loaded');
        const nodeIssue = await nodeProblem();
        if (nodeIssue !== undefined) problems.push(nodeIssue);
        if (problems.length === 0) sendJson(res, 200, { status: 'ready' });
        else sendJson(res, 503, { status: 'not ready', problems });
      },
    },
  ];
}
