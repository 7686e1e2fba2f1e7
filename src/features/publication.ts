// Publication as one feature (docs/ipfs.md, docs/publication.md): the configured publishers (Kubo, a pinning
// service, Arweave), the publication records, the sealed bundles of immediate batches, the worker that drives every
// publication to its publishers, and the gateway route on the HTTP port. Its secrets (the pinning token, the Arweave
// wallet) are read first, before the store opens; the rest starts once the store and a prover exist.
import { checkedArweaveCopy } from '../arweave/arweave-evidence.ts';
import { arweavePublisher } from '../arweave/arweave-publisher.ts';
import { readArweaveWallet } from '../arweave/wallet-file.ts';
import type { Config } from '../config/config.ts';
import { ConfigError } from '../config/config-error.ts';
import { firstLineOf, readSecretFile } from '../config/secret-file.ts';
import type { ArweaveTransaction } from '../gen/spark/v1/bundle_pb.js';
import type { HttpRoute } from '../http/http-server.ts';
import { gatewayRoute } from '../ipfs/gateway.ts';
import { createPublications, type Publications } from '../ipfs/publications.ts';
import { createPublishWorker } from '../ipfs/publish-worker.ts';
import { type IpfsPublisher, kuboPublisher, pinningPublisher } from '../ipfs/publishers.ts';
import {
  createSealedPublication,
  type SealedPublication,
  type SealedPublicationDeps,
} from '../ipfs/sealed-publication.ts';
import type { Logger } from '../log/logger.ts';
import type { Sha256 } from '../proof/crypto/sha256.ts';
import { createLru } from '../proof/encoding/lru.ts';
import type { Store } from '../store/store.ts';

/** The publishers' secrets, read and checked before anything opens; kept in memory only. */
export interface PublicationSecrets {
  /** Publishers that need nothing from the store (Kubo, pinning). */
  readonly publishers: readonly IpfsPublisher[];
  /** The Arweave wallet, when the Arweave publisher is on (its publisher needs the store's log id). */
  readonly arweaveWallet: ReturnType<typeof readArweaveWallet> | undefined;
}

/** What the rest of the sidecar uses of publication. */
export interface PublicationFeature {
  readonly publications: Publications;
  /** Immediate batches' sealed bundles and their stored CIDs. */
  readonly sealed: SealedPublication;
  /** The gateway on the HTTP port (`GET /ipfs/{cid}`). */
  readonly route: HttpRoute;
  /** The confirmed Arweave copy of the bytes `cid` names, checked against it; undefined when there is none. */
  arweaveCopy(cid: string): ArweaveTransaction | undefined;
  /** Starts the worker (when a publisher is configured). */
  start(): void;
  /** Stops the worker, letting a step under way finish. */
  stop(): Promise<void>;
}

/** Arweave copies kept checked in memory (one per immediate leaf proved lately). */
const CHECKED_COPIES = 4_096;

/** Reads the publishers' secrets (SPARK_IPFS_PINNING_TOKEN_FILE, SPARK_ARWEAVE_WALLET_FILE); throws ConfigError. */
export function readPublicationSecrets(config: Config): PublicationSecrets {
  const publishers: IpfsPublisher[] = [];
  if (config.ipfs.kuboUrl !== undefined) publishers.push(kuboPublisher(config.ipfs.kuboUrl));
  if (config.ipfs.pinningUrl !== undefined && config.ipfs.pinningTokenFile !== undefined) {
    const token = firstLineOf(readSecretFile('SPARK_IPFS_PINNING_TOKEN_FILE', config.ipfs.pinningTokenFile));
    if (!/^[\x21-\x7e]{1,4096}$/.test(token)) {
      throw new ConfigError([
        {
          setting: 'SPARK_IPFS_PINNING_TOKEN_FILE',
          problem: `${config.ipfs.pinningTokenFile} does not hold a token on its first line`,
        },
      ]);
    }
    publishers.push(pinningPublisher(config.ipfs.pinningUrl, token, config.ipfs.pinningOrigins));
  }
  const arweaveWallet =
    config.arweave === undefined ? undefined : readArweaveWallet(config.arweave.walletFile);
  return { publishers, arweaveWallet };
}

/** What publication needs once the store is open. */
export interface PublicationDeps {
  readonly config: Config;
  readonly secrets: PublicationSecrets;
  readonly store: Store;
  readonly sha256: Sha256;
  /** The prover's sealed-only bundles (a function: the prover is made with this feature's lookups). */
  readonly prove: SealedPublicationDeps['prove'];
  readonly now: () => number;
  readonly log: Logger;
}

/** Creates the feature; start() starts its worker. */
export function createPublication(d: PublicationDeps): PublicationFeature {
  const { config, secrets, store } = d;
  const publishers = [...secrets.publishers];
  if (config.arweave !== undefined && secrets.arweaveWallet !== undefined) {
    publishers.push(
      arweavePublisher({
        url: config.arweave.url,
        wallet: secrets.arweaveWallet,
        logId: store.logId,
        confirmations: config.arweave.confirmations,
        maxReward: config.arweave.maxReward,
      }),
    );
  }
  const publications = createPublications(
    store,
    publishers.map((p) => p.name),
    d.sha256,
    d.now,
  );
  const worker = createPublishWorker({
    publications,
    publishers,
    log: d.log,
    now: d.now,
    intervalMs: config.ipfs.pollIntervalMs,
    maxAttempts: config.ipfs.maxAttempts,
    baseBackoffMs: config.ipfs.retryBaseMs,
    maxBackoffMs: Math.max(config.ipfs.retryBaseMs, 300_000),
    requestTimeoutMs: 30_000,
    pinTimeoutMs: 3_600_000,
  });
  const checkedCopies = createLru<ArweaveTransaction>(CHECKED_COPIES);
  return {
    publications,
    sealed: createSealedPublication({ store, prove: d.prove, publications }),
    route: gatewayRoute((cid) => publications.bytes(cid)),
    arweaveCopy(cid) {
      // A PUBLISHED copy never changes: checked once (an RSA verification, about 0.7 ms), then served from memory.
      const known = checkedCopies.get(cid);
      if (known !== undefined) return known;
      const evidence = publications.evidence(cid, 'arweave');
      const copy = evidence === undefined ? undefined : checkedArweaveCopy(evidence, cid);
      if (copy !== undefined) checkedCopies.set(cid, copy);
      return copy;
    },
    start: () => worker.start(),
    stop: () => worker.stop(),
  };
}
