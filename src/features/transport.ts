// The gRPC port as one feature (docs/operations.md): gRPC, gRPC-Web and Connect on SPARK_LISTEN (TLS when set,
// with client certificates and bearer tokens), serving SparkProcessor, SparkAdmin, gRPC health and server
// reflection, with the optional gRPC fast path for the ingest RPCs. Health exists before the port opens: the HTTP
// port's readiness reads whether it drains.
import type { Config } from '../config/config.ts';
import { Health } from '../gen/grpc/health/v1/health_pb.js';
import { ServerReflection as ReflectionV1 } from '../gen/grpc/reflection/v1/reflection_pb.js';
import { ServerReflection as ReflectionV1alpha } from '../gen/grpc/reflection/v1alpha/reflection_pb.js';
import { SparkAdmin } from '../gen/spark/v1/admin_pb.js';
import { SparkProcessor } from '../gen/spark/v1/processor_pb.js';
import type { Logger } from '../log/logger.ts';
import type { TokenEntry } from '../service/access-tokens.ts';
import { type AdminDeps, createAdminService } from '../service/admin-service.ts';
import { createAuthorization } from '../service/authorization.ts';
import { createHealthService, type HealthState } from '../service/health-service.ts';
import {
  createIngestHandlers,
  createProcessorService,
  type ProcessorDeps,
} from '../service/processor-service.ts';
import { createReflectionService } from '../service/reflection-service.ts';
import { type RunningServer, startServer } from '../service/server.ts';
import type { ServerTls } from '../service/tls-material.ts';

/** The gRPC port before and after it listens. */
export interface TransportFeature {
  /** Serving or draining (gRPC health; the HTTP port's readiness reads it too). */
  readonly health: HealthState;
  /** Opens the port; rejects (nothing left listening) when it cannot. */
  start(): Promise<RunningServer>;
}

/** What the gRPC port serves. */
export interface TransportDeps {
  readonly config: Config;
  readonly tls: ServerTls | undefined;
  /** The tokens file's entries, when SPARK_AUTH_TOKENS is set. */
  readonly tokens: readonly TokenEntry[] | undefined;
  readonly processor: ProcessorDeps;
  readonly admin: AdminDeps;
  readonly log: Logger;
}

/** Creates the services; start() opens the port. */
export function createTransport(d: TransportDeps): TransportFeature {
  const { config, tls } = d;
  const health = createHealthService([SparkProcessor.typeName, SparkAdmin.typeName]);
  const reflection = createReflectionService([SparkProcessor, SparkAdmin, Health]);
  // One set of ingest RPCs: connect-node and the gRPC fast path serve the same functions.
  const ingestRpcs = createIngestHandlers(d.processor);
  const processor = createProcessorService(d.processor, ingestRpcs);
  return {
    health: health.state,
    start: () =>
      startServer({
        host: config.listen.host,
        port: config.listen.port,
        readMaxBytes: config.maxMessageBytes,
        log: d.log.child({ module: 'server' }),
        tls,
        fastPath: config.grpcFastPath ? ingestRpcs : undefined,
        maxStreamsPerConnection: config.maxStreamsPerConnection,
        authorization: createAuthorization({
          tokens: d.tokens,
          clientCertificates: tls?.clientAuth ?? 'none',
          adminCertNames: config.adminCertNames,
          log: d.log.child({ module: 'auth' }),
        }),
        routes: (router) => {
          router.service(SparkProcessor, processor);
          router.service(SparkAdmin, createAdminService(d.admin));
          router.service(Health, health.impl);
          router.service(ReflectionV1, reflection);
          router.service(ReflectionV1alpha, reflection as never);
        },
      }),
  };
}
