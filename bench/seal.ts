// Seal time in-process on a fresh LMDB store: tree build + ML-DSA sign + durable commit, with a breakdown.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { SigningKey } from '../providers/key-provider.ts';
import { makeKeyEntry } from '../src/batch/key-entry.ts';
import { fixedKeyRing } from '../src/batch/key-ring.ts';
import { createSealer } from '../src/batch/sealer.ts';
import { createTreeBuilder } from '../src/batch/tree-builder.ts';
import { nativeSha256 } from '../src/crypto/native-sha256.ts';
import { createLogger } from '../src/log/logger.ts';
import { leafHashOfDigest } from '../src/proof/bundle/leaf.ts';
import { buildLevels } from '../src/proof/merkle/tree.ts';
import { openLmdbStore } from '../src/store/lmdb-store.ts';
import type { NewLeaf, Store } from '../src/store/store.ts';
import { randomDigests } from './digests.ts';
import { median } from './stats.ts';
import { benchTempDir } from './temp-dirs.ts';

/** Leaves per store.add while filling (not timed). */
const ADD_CHUNK = 50_000;

/** Medians over the repeats of one batch size, ms. */
export interface SealFigures {
  readonly leaves: number;
  readonly repeats: number;
  /** sealer.seal(n): everything below plus header encoding. */
  readonly sealMs: number;
  /** store.pendingLeaves(n) inside the seal. */
  readonly readPendingMs: number;
  /** key.sign inside the seal (the provider verifies its own signature before release). */
  readonly signMs: number;
  /** store.commitBatch inside the seal: batch, tree levels, positions, one fsynced transaction. */
  readonly commitMs: number;
  /** The rest of the seal: mostly buildLevels. */
  readonly otherMs: number;
  /** buildLevels with native SHA-256 alone, on the same leaf hashes. */
  readonly treeOnlyMs: number;
  /** Longest stretch the event loop was blocked during the seal, ms: a server answers nothing meanwhile. */
  readonly longestBlockMs: number;
  /** Filling the store before each seal (not part of the seal), ms. */
  readonly fillMs: number;
}

interface Parts {
  readPendingMs: number;
  signMs: number;
  commitMs: number;
}

/** Wraps the store so the two calls the sealer makes into storage are timed. */
function timedStore(store: Store, parts: Parts): Store {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (property === 'pendingHashes') {
        return (limit: number) => {
          const t = performance.now();
          const out = target.pendingHashes(limit);
          parts.readPendingMs += performance.now() - t;
          return out;
        };
      }
      if (property === 'commitBatch') {
        return async (...args: Parameters<Store['commitBatch']>) => {
          const t = performance.now();
          await target.commitBatch(...args);
          parts.commitMs += performance.now() - t;
        };
      }
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

function timedKey(key: SigningKey, parts: Parts): SigningKey {
  return {
    algorithmId: key.algorithmId,
    keyId: key.keyId,
    publicKey: key.publicKey,
    protection: key.protection,
    async sign(message, context) {
      const t = performance.now();
      const signature = await key.sign(message, context);
      parts.signMs += performance.now() - t;
      return signature;
    },
  };
}

/** Adds `n` fresh leaves in chunks; returns their leaf hashes concatenated in arrival order. */
async function fill(store: Store, n: number): Promise<Uint8Array> {
  const hashes = new Uint8Array(n * 32);
  for (let start = 0; start < n; start += ADD_CHUNK) {
    const digests = randomDigests(Math.min(ADD_CHUNK, n - start));
    const acceptedAtMs = Date.now();
    const leaves: NewLeaf[] = digests.map((digest, k) => {
      const leafHash = leafHashOfDigest(digest, nativeSha256);
      hashes.set(leafHash, (start + k) * 32);
      return { leafHash, digest, requestId: '', immediate: false, acceptedAtMs };
    });
    const outcomes = await store.add(leaves);
    const stored = outcomes.filter((o) => o.kind === 'stored').length;
    if (stored !== leaves.length)
      throw new Error(`filling the store: ${leaves.length - stored} leaves not stored`);
  }
  return hashes;
}

/**
 * Seals `leaves` pending leaves `repeats` times on one fresh store (batches 0, 1, …), each time after
 * filling it with `leaves` new ones, and times buildLevels alone on the same hashes.
 */
export async function sealBench(key: SigningKey, leaves: number, repeats: number): Promise<SealFigures> {
  const entry = await makeKeyEntry({
    key,
    generation: 0,
    validFromMs: 0,
    previousKeyId: new Uint8Array(0),
    endorser: undefined,
  });
  const dir = benchTempDir('spark-bench-seal-');
  const store = await openLmdbStore({ path: dir.path, pendingCapacity: leaves });
  const trees = createTreeBuilder();
  await trees.warm();
  try {
    const samples: Array<
      Parts & { sealMs: number; treeOnlyMs: number; fillMs: number; longestBlockMs: number }
    > = [];
    for (let r = 0; r < repeats; r++) {
      let t = performance.now();
      const hashes = await fill(store, leaves);
      const fillMs = performance.now() - t;
      const parts: Parts = { readPendingMs: 0, signMs: 0, commitMs: 0 };
      const sealer = createSealer({
        store: timedStore(store, parts),
        keys: fixedKeyRing({ key: timedKey(key, parts), entry }),
        sha256: nativeSha256,
        // As the server builds trees: WebAssembly hasher, in a worker thread past INLINE_TREE_LEAVES.
        buildTree: trees.build,
        guaranteeExpiryMs: Date.parse('2045-01-01T00:00:00Z'),
        now: () => Date.now(),
        log: createLogger('silent'),
      });
      const loop = monitorEventLoopDelay({ resolution: 5 });
      loop.enable();
      t = performance.now();
      const batch = await sealer.seal(leaves);
      const sealMs = performance.now() - t;
      loop.disable();
      const longestBlockMs = loop.max / 1e6;
      if (batch?.treeSize !== leaves)
        throw new Error(`seal of ${leaves} leaves sealed ${batch?.treeSize ?? 'nothing'}`);
      t = performance.now();
      buildLevels(hashes, nativeSha256);
      const treeOnlyMs = performance.now() - t;
      samples.push({ ...parts, sealMs, treeOnlyMs, fillMs, longestBlockMs });
    }
    const med = (pick: (s: (typeof samples)[number]) => number) => median(samples.map(pick));
    return {
      leaves,
      repeats,
      sealMs: med((s) => s.sealMs),
      readPendingMs: med((s) => s.readPendingMs),
      signMs: med((s) => s.signMs),
      commitMs: med((s) => s.commitMs),
      otherMs: med((s) => s.sealMs - s.readPendingMs - s.signMs - s.commitMs),
      treeOnlyMs: med((s) => s.treeOnlyMs),
      longestBlockMs: med((s) => s.longestBlockMs),
      fillMs: med((s) => s.fillMs),
    };
  } finally {
    await trees.close();
    await store.close().catch(() => undefined);
    dir.cleanup();
  }
}
