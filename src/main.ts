// Builds the sidecar from configuration (the only place concrete implementations are chosen) and shuts it down cleanly.
// It lists the features (src/features/: keys, sealing, witnesses, publication, anchoring, chains, transport, http), made
// from their dependencies, started in order and stopped in reverse to drain.
import { mkdirSync } from 'node:fs';
import { pairHasherFor } from './batch/pair-hasher.ts';
import { createProver } from './batch/prover.ts';
import type { Config } from './config/config.ts';
import { applyMemoryProfile, streamItemsBudgetOf } from './config/memory-profile.ts';
import { createCheckpointNotes } from './cosign/checkpoint-notes.ts';
import { readWitnessesFile } from './cosign/witnesses-file.ts';
import { submissionPrice } from './credit/credit.ts';
import { nativeSha256 } from './crypto/native-sha256.ts';
import { createNativeVerifier } from './crypto/native-verifier.ts';
import { type AnchoringFeature, createAnchoring } from './features/anchoring.ts';
import { createChainChecker } from './features/chains.ts';
import { startHttp } from './features/http.ts';
import { openKeys } from './features/keys.ts';
import { createPublication, readPublicationSecrets } from './features/publication.ts';
import { createSealing } from './features/sealing.ts';
import { createTransport } from './features/transport.ts';
import { createWitnesses } from './features/witnesses.ts';
import { checkpointRoutes } from './http/checkpoint-routes.ts';
import type { Logger } from './log/logger.ts';
import { createMetrics } from './metrics/metrics.ts';
import { readTokenFile } from './service/access-tokens.ts';
import { createRateLimiter, createStreamGate } from './service/limits.ts';
import type { ProcessorDeps } from './service/processor-service.ts';
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
  const sourceChecker = createChainChecker(config);
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
  const now = () => Date.now();
  // Keys: the provider, the key ring and its rotation (nothing is left open when they fail to open).
  const keyFeature = await openKeys({ config, store, metrics, now, log }).catch(async (err: unknown) => {
    await store.close().catch(() => undefined);
    throw err;
  });
  const { provider, keys } = keyFeature;
  undo.unshift(() => keyFeature.close());
  try {
    // Ingest and sealing: the tree builder, sealer, scheduler and ingest.
    const sealing = createSealing({ config, store, keys, metrics, sha256: nativeSha256, now, log });
    undo.unshift(() => sealing.stop());
    const { ingest, scheduler, timeoutMs } = sealing;
    const checkpointNotes = createCheckpointNotes({ store, keys, sha256: nativeSha256, now });
    // Witnesses: cosigning rounds over the signed checkpoint notes, when a witnesses file is set.
    const witnesses = createWitnesses({ config, witnessSet, notes: checkpointNotes, metrics, now, log });
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
      witnessed: witnesses?.witnessed,
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
    const processorDeps: ProcessorDeps = {
      checkpointNotes,
      ...witnesses?.processor,
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
    // The gRPC port: SparkProcessor, SparkAdmin, health and reflection (it listens once the HTTP port is up).
    const transport = createTransport({
      config,
      tls,
      tokens,
      processor: processorDeps,
      admin: { scheduler, keys, store, clients: quotas, creditPriceOf },
      log,
    });
    // The HTTP port: the features' routes, the web verifier, metrics and probes.
    const http = await startHttp({
      config,
      routes: [publication.route, ...checkpointRoutes(checkpointNotes)],
      readiness: {
        draining: () => transport.health.isDraining(),
        storeCheck: () => checkStoreReady(store),
        keysLoaded: () => keys.current().key !== undefined,
        nodeCheck: anchoring?.ready,
      },
      metrics,
      log,
    });
    const server = await transport.start().catch(async (err: unknown) => {
      await http?.close();
      throw err;
    });
    undo.unshift(
      () => server.close(0),
      async () => http?.close(),
    );
    const pending = store.pendingCount();
    if (pending > 0) log.info({ pending }, 'recovered pending leaves from the data dir; sealing resumes');
    sealing.start();
    await anchoring?.start();
    undo.unshift(async () => anchoring?.stop());
    witnesses?.start();
    keyFeature.start();
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
          transport.health.setDraining();
          await ingest.close();
          await server.close(config.shutdownGraceMs);
          await http?.close();
          await keyFeature.stop();
          await publication.stop();
          await sealing.stop();
          await witnesses?.stop();
          await anchoring?.stop();
          await keyFeature.close();
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
