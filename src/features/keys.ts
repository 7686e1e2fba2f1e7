// Keys as one feature (docs/trust.md, docs/operations.md): the key provider the settings name (timed for the
// metrics), the key ring over the store's key history, the "signing key ready" line (with the memory provider's
// warning that its keys die with the process), and the rotation schedule.
import { createKeyProvider } from '../../providers/create-provider.ts';
import type { KeyProvider } from '../../providers/key-provider.ts';
import { type KeyRing, openKeyRing } from '../batch/key-ring.ts';
import { createRotationScheduler } from '../batch/rotation-scheduler.ts';
import type { Config } from '../config/config.ts';
import { providerSpecOf } from '../config/provider-spec.ts';
import type { Logger } from '../log/logger.ts';
import { timedProvider } from '../metrics/instrument.ts';
import type { SparkMetrics } from '../metrics/metrics.ts';
import { toHex } from '../proof/encoding/bytes.ts';
import type { Store } from '../store/store.ts';

/** What the rest of the sidecar uses of the keys. */
export interface KeysFeature {
  readonly provider: KeyProvider;
  readonly keys: KeyRing;
  /** Starts the rotation schedule (SPARK_KEY_ROTATION_INTERVAL). */
  start(): void;
  /** Stops the rotation schedule (a rotation under way finishes). */
  stop(): Promise<void>;
  /** Closes the provider (its sessions, connections, key material). */
  close(): Promise<void>;
}

/** What the keys need. */
export interface KeysDeps {
  readonly config: Config;
  readonly store: Store;
  readonly metrics: SparkMetrics;
  readonly now: () => number;
  readonly log: Logger;
}

/** Opens the provider and the key ring; on failure nothing is left open. */
export async function openKeys(d: KeysDeps): Promise<KeysFeature> {
  const { config, store, now } = d;
  const log = d.log.child({ module: 'keys' });
  const provider = timedProvider(await createKeyProvider(providerSpecOf(config)), d.metrics);
  let keys: KeyRing;
  try {
    keys = await openKeyRing({
      store,
      provider,
      algorithmId: config.algorithmId,
      headTimeMs: () => {
        const head = store.head();
        return head === undefined ? 0 : Number(head.fields.timeMs);
      },
      now,
      log,
    });
  } catch (err) {
    await provider.close().catch(() => undefined);
    throw err;
  }
  const { key, entry } = keys.current();
  d.log.info(
    {
      keyId: toHex(key.keyId),
      algorithm: config.algorithmName,
      provider: provider.kind,
      generation: entry.generation,
      logId: toHex(store.logId),
    },
    'signing key ready',
  );
  if (provider.kind === 'memory') {
    // Said once, loudly: nothing can pin or endorse keys that are gone at the next start (docs/trust.md §5).
    d.log.warn(
      { provider: 'memory', keyId: toHex(key.keyId) },
      'keys and the Symbol account are ephemeral: the memory provider makes new ones at every start, which no trust root can pin and no earlier key can endorse (development only; use docker-secret, pkcs11 or remote)',
    );
  }
  const rotation = createRotationScheduler(keys, config.keyRotationIntervalSeconds * 1000, now, log);
  return {
    provider,
    keys,
    start: () => rotation.start(),
    stop: () => rotation.stop(),
    close: () => provider.close(),
  };
}
