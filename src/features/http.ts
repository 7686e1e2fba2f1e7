// The HTTP port as one feature (docs/operations.md §Metrics and probes): the routes other features bring (the IPFS
// gateway, the checkpoint routes), the web verifier page, /metrics, /healthz and /readyz, served on
// SPARK_HTTP_LISTEN; nothing is served when it is `off`.
import type { Config } from '../config/config.ts';
import { type HttpRoute, type RunningHttpServer, startHttpServer } from '../http/http-server.ts';
import { probeRoutes, type Readiness } from '../http/probe-routes.ts';
import { verifyPageRoute } from '../http/verify-page.ts';
import type { Logger } from '../log/logger.ts';
import type { SparkMetrics } from '../metrics/metrics.ts';

/** What the HTTP port serves besides its own routes. */
export interface HttpDeps {
  readonly config: Config;
  /** Routes of other features. */
  readonly routes: readonly HttpRoute[];
  readonly readiness: Readiness;
  readonly metrics: SparkMetrics;
  readonly log: Logger;
}

/** Starts the HTTP server; undefined when SPARK_HTTP_LISTEN is `off`. */
export async function startHttp(d: HttpDeps): Promise<RunningHttpServer | undefined> {
  const listen = d.config.httpListen;
  if (listen === undefined) return undefined;
  const routes = [...d.routes];
  const verifyPage = verifyPageRoute();
  if (typeof verifyPage === 'string') d.log.warn({ reason: verifyPage }, 'GET /verify is not served');
  else routes.push(verifyPage);
  routes.push(...probeRoutes(d.metrics, d.readiness));
  return startHttpServer({
    host: listen.host,
    port: listen.port,
    routes,
    log: d.log.child({ module: 'http' }),
    onResponse: (route, status) => d.metrics.httpRequest(route, status),
  });
}
