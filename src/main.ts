// Builds the sidecar from configuration (the only place concrete implementations are chosen) and shuts it down cleanly.
// Whole features (src/features/: anchoring, publication) are made from their dependencies and started and stopped here.
import { mkdirSync } from 'node:fs';
import { createKeyProvider } from '../providers/create-provider.ts';
import { createIngest } from './batch/ingest.ts';
import { openKeyRing } from './batch/key-ring.ts';
import { pairHasherFor } from './batch/pair-hasher.ts';
import { createProver } from './batch/prover.ts';
import { createRotationScheduler } from './batch/rotation-scheduler.ts';
import { createSealScheduler } from './batch/seal-scheduler.ts';
import { createSealer } from './batch/sealer.ts';
import { createTreeBuilder } from './batch/tree-builder.ts';
import { createJsonRpc } from './chains/json-rpc.ts';
import { createSourceChecker, type SourceChecker } from './chains/source-checker.ts';
import type { Config } from './config/config.ts';
import { ConfigError } from './config/config-error.ts';
import { applyMemoryProfile, streamItemsBudgetOf } from './config/memory-profile.ts';
import { providerSpecOf } from './config/provider-spec.ts';
import { readSecretFile } from './config/secret-file.ts';
import { createCheckpointNotes } from './cosign/checkpoint-notes.ts';
import { createCosigning } from './cosign/cosigning-rounds.ts';
import { readWitnessesFile } from './cosign/witnesses-file.ts';
import { submissionPrice } from './credit/credit.ts';
import { nativeSha256 } from './crypto/native-sha256.ts';
import { createNativeVerifier } from './crypto/native-verifier.ts';
import { type AnchoringFeature, createAnchoring } from './features/anchoring.ts';
import { createPublication, readPublicationSecrets } from './features/publication.ts';
import { Health } from './gen/grpc/health/v1/health_pb.js';
import { ServerReflection as ReflectionV1 } from './gen/grpc/reflection/v1/reflection_pb.js';
import { ServerReflection as ReflectionV1alpha } from './gen/grpc/reflection/v1alpha/reflection_pb.js';
import { SparkAdmin } from './gen/spark/v1/admin_pb.js';
import { SparkProcessor } from './gen/spark/v1/processor_pb.js';
import { checkpointRoutes } from './http/checkpoint-routes.ts';
import { type HttpRoute, type RunningHttpServer, startHttpServer } from './http/http-server.ts';
import { probeRoutes } from './http/probe-routes.ts';
import { verifyPageRoute } from './http/verify-page.ts';
import type { Logger } from './log/logger.ts';
import { timedProvider, timedSealer } from './metrics/instrument.ts';
import { createMetrics } from './metrics/metrics.ts';
import { createNoteSignatureCheck } from './note/note-verifier.ts';
import { toHex } from './proof/encoding/bytes.ts';
import { cosignerVerifierKey } from './proof/note/cosignature.ts';
import { readTokenFile } from './service/access-tokens.ts';
import { createAdminService } from './service/admin-service.ts';
import { createAuthorization } from './service/authorization.ts';
import { createHealthService } from './service/health-service.ts';
import { createRateLimiter, createStreamGate } from './service/limits.ts';
import {
  createIngestHandlers,
  createProcessorService,
  type ProcessorDeps,
} from './service/processor-service.ts';
import { createReflectionService } from './service/reflection-service.ts';
import { startServer } from './service/server.ts';
import { loadServerTls } from './service/tls-material.ts';
import { openLmdbStore } from './store/lmdb-store.ts';
import { checkStoreReady } from './store/write-health.ts';

/** A running sidecar. */
export interface App {
  readonly address: { host: string; port: number };
  /** The HTTP port (metrics, health, gateway, web verifier); undefined when SPARK_HTTP_LISTEN=off. */
  readonly httpAddress: { host: string; port: number } | undefined;
  /** Drains: refuses new work, finishes writes, closes the server, store and keys. */
  close(): Promise<void>;
}

/** Starts the sidecar described by `config`. */
export async function createApp(config: Config, log: Logger): Promise<App> {
  // Tokens and TLS files are read first: a refusal answers before the store and the keys open.
  const tokens = config.authTokensFile === undefined ? undefined : readTokenFile(config.authTokensFile);
  // Each client of the tokens file and its quota: looked up per submission, so a map, not a scan.
  const quotas = new Map((tokens ?? []).map((t) => [t.name, t.quota]));
  const creditPrice = config.creditPrice;
  // With prepaid credit on: a submission's price, the client's own from the tokens file or SPARK_CREDIT_PRICE.
  const creditPriceOf =
    creditPrice === undefined
      ? undefined
      : (client: string, immediate: boolean): bigint =>
          submissionPrice(quotas.get(client)?.price ?? creditPrice, immediate, config.immediateFeeMultiplier);
  const tls = config.tls === undefined ? undefined : loadServerTls(config.tls);
  const witnessSet =
    config.witnessesFile === undefined
      ? undefined
      : readWitnessesFile(config.witnessesFile, config.witnessQuorum);
  // The publishers' secrets (pinning token, Arweave wallet) are read and checked before anything opens.
  const publicationSecrets = readPublicationSecrets(config);
  const sourceChecker = chainChecker(config);
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  applyMemoryProfile(config.memoryProfile);
  const store = await openLmdbStore({
    path: config.dataDir,
    pendingCapacity: config.pendingCapacity,
    chunkedMapping: config.memoryProfile === 'lean',
    hashPairs: pairHasherFor(config.merkleHasher),
  });
  const metrics = createMetrics({
    pendingLeaves: () => store.pendingCount(),
    storeWrites: () => store.writeHealth(),
  });
  // What a failed start must undo, newest first: a worker or handle left open would keep the process alive.
  const undo: Array<() => Promise<unknown>> = [() => store.close()];
  const provider = await createKeyProvider(providerSpecOf(config)).then(
    (p) => timedProvider(p, metrics),
    async (err: unknown) => {
      await store.close().catch(() => undefined);
      throw err;
    },
  );
  undo.unshift(() => provider.close());
  try {
    const now = () => Date.now();
    const headTimeMs = (): number => {
      const head = store.head();
      return head === undefined ? 0 : Number(head.fields.timeMs);
    };
    const keys = await openKeyRing({
      store,
      provider,
      algorithmId: config.algorithmId,
      headTimeMs,
      now,
      log: log.child({ module: 'keys' }),
    });
    const { key, entry: keyEntry } = keys.current();
    log.info(
      {
        keyId: toHex(key.keyId),
        algorithm: config.algorithmName,
        provider: provider.kind,
        generation: keyEntry.generation,
        logId: toHex(store.logId),
      },
      'signing key ready',
    );
    if (provider.kind === 'memory') {
      // Said once, loudly: nothing can pin or endorse keys that are gone at the next start (docs/trust.md §5).
      log.warn(
        { provider: 'memory', keyId: toHex(key.keyId) },
        'keys and the Symbol account are ephemeral: the memory provider makes new ones at every start, which no trust root can pin and no earlier key can endorse (development only; use docker-secret, pkcs11 or remote)',
      );
    }
    const rotation = createRotationScheduler(
      keys,
      config.keyRotationIntervalSeconds * 1000,
      now,
      log.child({ module: 'keys' }),
    );

    const timeoutMs = config.aggregationTimeoutSeconds * 1000;
    const trees = createTreeBuilder(config.merkleHasher);
    undo.unshift(() => trees.close());
    void trees.warm();
    const sealer = timedSealer(
      createSealer({
        store,
        keys,
        sha256: nativeSha256,
        buildTree: trees.build,
        guaranteeExpiryMs: config.guaranteeExpiryMs,
        now,
        log: log.child({ module: 'sealer' }),
      }),
      metrics,
    );
    const scheduler = createSealScheduler(
      store,
      sealer,
      { threshold: config.aggregationThreshold, timeoutMs, maxBatchSize: config.maxBatchSize },
      now,
      log.child({ module: 'scheduler' }),
    );
    const ingest = createIngest({
      store,
      scheduler,
      sha256: nativeSha256,
      now,
      immediateMode: config.immediateMode,
    });
    const checkpointNotes = createCheckpointNotes({ store, keys, sha256: nativeSha256, now });
    let anchoring: AnchoringFeature | undefined;
    // Publication: records, publishers, the sealed bundles of immediate batches (their CIDs kept with the batch for
    // the anchor's publication record and the prover) and the gateway route.
    const publication = createPublication({
      config,
      secrets: publicationSecrets,
      store,
      sha256: nativeSha256,
      prove: (leafHash, options) => prover.prove(leafHash, options),
      now,
      log: log.child({ module: 'ipfs' }),
    });
    const publications = publication.publications;
    // One prover: sealed bundles are published with it (before the tracker exists, no anchors are needed for those),
    // the services prove with the tracker's evidence.
    const prover = createProver(store, nativeSha256, () => anchoring?.tracker, {
      witnessed: witnessSet === undefined ? undefined : { notes: checkpointNotes, quorum: witnessSet.quorum },
      sealedCids: publication.sealed.entries,
      arweaveCopy: publication.arweaveCopy,
    });
    anchoring = await createAnchoring({
      config,
      store,
      provider,
      keys,
      scheduler,
      sealed: publication.sealed,
      metrics,
      sha256: nativeSha256,
      now,
      log,
    });
    const serviceNames = [SparkProcessor.typeName, SparkAdmin.typeName];
    const health = createHealthService(serviceNames);
    const reflection = createReflectionService([SparkProcessor, SparkAdmin, Health]);
    const cosigning =
      witnessSet === undefined
        ? undefined
        : createCosigning({
            notes: checkpointNotes,
            witnesses: witnessSet.witnesses,
            quorum: witnessSet.quorum,
            check: createNoteSignatureCheck(),
            intervalMs: config.witnessIntervalSeconds * 1000,
            now,
            log: log.child({ module: 'witnesses' }),
          });
    if (cosigning !== undefined) metrics.watchWitnesses(() => cosigning.state());
    const processorDeps: ProcessorDeps = {
      checkpointNotes,
      witnessQuorum: cosigning === undefined ? undefined : () => cosigning.state(),
      witnesses:
        witnessSet === undefined
          ? undefined
          : {
              list: witnessSet.witnesses.map((w) => ({
                vkey: cosignerVerifierKey(w.cosigner),
                cosigner: w.cosigner,
              })),
              quorum: witnessSet.quorum,
            },
      store,
      ingest,
      prover,
      scheduler,
      sha256: nativeSha256,
      verifier: createNativeVerifier(),
      timeoutMs,
      keyProvider: provider.kind,
      anchors: anchoring?.tracker,
      immediateFeeMultiplier: config.immediateFeeMultiplier,
      limits: {
        maxItemsPerRequest: config.maxItemsPerRequest,
        streams: createStreamGate(config.maxConcurrentStreams, config.maxStreamsPerConnection),
        streamRate: config.streamRate,
        rateLimiter: createRateLimiter(config.streamRate),
        streamItemsBudget: streamItemsBudgetOf(config.memoryProfile),
      },
      onSubmission: (result, count) => metrics.submission(result, count),
      onClientSubmission: (client, immediate) => metrics.clientSubmission(client, immediate),
      quotaOf: (client) => quotas.get(client),
      creditPriceOf,
      publications,
      sourceChecker,
      onlineCheck: anchoring?.onlineCheck,
    };
    // One set of ingest RPCs: connect-node and the gRPC fast path serve the same functions.
    const ingestRpcs = createIngestHandlers(processorDeps);
    const processor = createProcessorService(processorDeps, ingestRpcs);
    // Routes of the HTTP port; each concern adds its own here.
    const httpRoutes: HttpRoute[] = [];
    httpRoutes.push(publication.route);
    httpRoutes.push(...checkpointRoutes(checkpointNotes));
    const verifyPage = verifyPageRoute();
    if (typeof verifyPage === 'string') log.warn({ reason: verifyPage }, 'GET /verify is not served');
    else httpRoutes.push(verifyPage);
    httpRoutes.push(
      ...probeRoutes(metrics, {
        draining: () => health.state.isDraining(),
        storeCheck: () => checkStoreReady(store),
        keysLoaded: () => keys.current().key !== undefined,
        nodeCheck: anchoring?.ready,
      }),
    );
    let http: RunningHttpServer | undefined;
    if (config.httpListen !== undefined) {
      http = await startHttpServer({
        host: config.httpListen.host,
        port: config.httpListen.port,
        routes: httpRoutes,
        log: log.child({ module: 'http' }),
        onResponse: (route, status) => metrics.httpRequest(route, status),
      });
    }
    const server = await startServer({
      host: config.listen.host,
      port: config.listen.port,
      readMaxBytes: config.maxMessageBytes,
      log: log.child({ module: 'server' }),
      tls,
      fastPath: config.grpcFastPath ? ingestRpcs : undefined,
      maxStreamsPerConnection: config.maxStreamsPerConnection,
      authorization: createAuthorization({
        tokens,
        clientCertificates: tls?.clientAuth ?? 'none',
        adminCertNames: config.adminCertNames,
        log: log.child({ module: 'auth' }),
      }),
      routes: (router) => {
        router.service(SparkProcessor, processor);
        router.service(
          SparkAdmin,
          createAdminService({
            scheduler,
            keys,
            store,
            clients: quotas,
            creditPriceOf,
          }),
        );
        router.service(Health, health.impl);
        router.service(ReflectionV1, reflection);
        router.service(ReflectionV1alpha, reflection as never);
      },
    }).catch(async (err: unknown) => {
      await http?.close();
      throw err;
    });
    undo.unshift(
      () => server.close(0),
      async () => http?.close(),
    );
    const pending = store.pendingCount();
    if (pending > 0) log.info({ pending }, 'recovered pending leaves from the data dir; sealing resumes');
    scheduler.start();
    undo.unshift(() => scheduler.stop());
    await anchoring?.start();
    undo.unshift(async () => anchoring?.stop());
    cosigning?.start();
    rotation.start();
    publication.start();
    if (anchoring === undefined)
      log.warn('no Symbol node is set (SYMBOL_NODE_URLS): batches are not anchored and stop at SEALED');

    let closing: Promise<void> | undefined;
    return {
      address: server.address,
      httpAddress: http?.address,
      close() {
        closing ??= (async () => {
          log.info('draining: refusing new work, finishing writes');
          health.state.setDraining();
          await ingest.close();
          await server.close(config.shutdownGraceMs);
          await http?.close();
          await rotation.stop();
          await publication.stop();
          await scheduler.stop();
          await trees.close();
          await cosigning?.stop();
          await anchoring?.stop();
          await provider.close();
          await store.close();
          log.info('stopped cleanly');
        })();
        return closing;
      },
    };
  } catch (err) {
    for (const step of undo) await step().catch(() => undefined);
    throw err;
  }
}

/** The source-reference checker over the configured chain endpoints (SPARK_*_RPC_URL). */
function chainChecker(config: Config): SourceChecker {
  const c = config.chains;
  const rpc = (url: string | undefined, basicAuth?: string, version?: '1.0' | '2.0') =>
    url === undefined
      ? undefined
      : createJsonRpc({
          url,
          basicAuth,
          timeoutMs: c.timeoutMs,
          ...(version === undefined ? {} : { version }),
        });
  let bitcoinAuth: string | undefined;
  if (c.bitcoinAuthFile !== undefined) {
    const bytes = readSecretFile('SPARK_BITCOIN_RPC_AUTH_FILE', c.bitcoinAuthFile);
    bitcoinAuth = bytes.toString('utf8').split(/\r?\n/)[0]?.trim();
    bytes.fill(0);
    if (bitcoinAuth === undefined || !/^[^:\s]+:\S+$/.test(bitcoinAuth)) {
      throw new ConfigError([
        {
          setting: 'SPARK_BITCOIN_RPC_AUTH_FILE',
          problem: `${c.bitcoinAuthFile} does not hold user:password on its first line`,
        },
      ]);
    }
  }
  const ethereum = rpc(c.ethereumUrl);
  const polygon = rpc(c.polygonUrl);
  return createSourceChecker({
    evm: { ...(ethereum === undefined ? {} : { ethereum }), ...(polygon === undefined ? {} : { polygon }) },
    bitcoin: rpc(c.bitcoinUrl, bitcoinAuth, '1.0'),
    jpycContracts: c.jpycContracts,
    minConfirmations: c.minConfirmations,
  });
}
