// The current batch-signing key and its rotation (docs/keys.md): one lock orders every signature against key changes.
import type { KeyProvider, SigningKey } from '../../providers/key-provider.ts';
import type { Logger } from '../log/logger.ts';
import { algorithmById } from '../proof/crypto/algorithms.ts';
import { bytesEqual, toHex } from '../proof/encoding/bytes.ts';
import type { KeyHistoryEntry, Store } from '../store/store.ts';
import { makeKeyEntry } from './key-entry.ts';

/** The key that signs now, with its history entry. */
export interface ActiveKey {
  readonly key: SigningKey;
  readonly entry: KeyHistoryEntry;
}

/** Why a key was rotated, for logs. */
export type RotationReason = 'scheduled' | 'requested' | 'algorithm-change' | 'new-key';

/** The current key, and the only way to change it. */
export interface KeyRing {
  /** The key that signs now (it may change as soon as the caller awaits). */
  current(): ActiveKey;
  /**
   * Runs `fn` with the current key while no rotation can happen: every header and checkpoint is dated and
   * signed inside one, so none signed by the old key is dated at or after its successor's window start.
   */
  use<T>(fn: (active: ActiveKey) => Promise<T>): Promise<T>;
  /** Rotates to the next generation of the configured algorithm, endorsed by the current key. */
  rotate(reason: RotationReason): Promise<KeyHistoryEntry>;
}

/** What the ring needs. */
export interface KeyRingOptions {
  readonly store: Store;
  readonly provider: KeyProvider;
  /** Algorithm new keys use (PQC_ALGORITHM). */
  readonly algorithmId: number;
  /** Time of the newest sealed header (0 before the first): a new window starts after it. */
  readonly headTimeMs: () => number;
  readonly now: () => number;
  readonly log: Logger;
}

const PURPOSE = 'batch-signing';

function nameOf(algorithmId: number): string {
  return algorithmById(algorithmId)?.name ?? `0x${algorithmId.toString(16).padStart(4, '0')}`;
}

/**
 * Opens the ring. The key history's last entry is reopened when the provider still holds that key and its
 * algorithm is the configured one; otherwise the next generation starts a new entry, endorsed by the
 * previous key when the provider can still open it (docker-secret, pkcs11, remote; never a memory key of an
 * earlier process).
 */
export async function openKeyRing(o: KeyRingOptions): Promise<KeyRing> {
  let tail: Promise<unknown> = Promise.resolve();
  const serialize = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(fn);
    tail = run.catch(() => undefined);
    return run;
  };

  async function openPrevious(last: KeyHistoryEntry): Promise<SigningKey | undefined> {
    try {
      const key = await o.provider.open(PURPOSE, last.algorithmId, last.generation);
      return bytesEqual(key.keyId, last.keyId) ? key : undefined;
    } catch (err) {
      o.log.warn(
        { err, keyId: toHex(last.keyId), algorithm: nameOf(last.algorithmId) },
        'the previous key cannot be opened: its successor is not endorsed',
      );
      return undefined;
    }
  }

  /** Appends the next generation's entry, endorsed by `endorser` when given. */
  async function advance(
    last: KeyHistoryEntry | undefined,
    endorser: SigningKey | undefined,
    reason: RotationReason,
  ): Promise<ActiveKey> {
    const generation = last === undefined ? 0 : last.generation + 1;
    const key = await o.provider.open(PURPOSE, o.algorithmId, generation);
    // A window starts after the previous one's start and after the newest header, so every earlier
    // batch falls inside its own key's window.
    const validFromMs = Math.max(o.now(), (last?.validFromMs ?? 0) + 1, o.headTimeMs() + 1);
    const entry = await makeKeyEntry({
      key,
      generation,
      validFromMs,
      previousKeyId: last?.keyId ?? new Uint8Array(0),
      endorser,
    });
    await o.store.appendKey(entry);
    o.log.info(
      {
        reason,
        keyId: toHex(key.keyId),
        algorithm: nameOf(key.algorithmId),
        generation,
        validFromMs,
        previousKeyId: last === undefined ? undefined : toHex(last.keyId),
        endorsed: endorser !== undefined,
      },
      last === undefined ? 'first signing key recorded' : 'signing key rotated',
    );
    return { key, entry };
  }

  const history = o.store.keyHistory();
  const last = history[history.length - 1];
  let active: ActiveKey;
  if (last === undefined) {
    active = await advance(undefined, undefined, 'new-key');
  } else {
    const previous = await openPrevious(last);
    if (previous !== undefined && last.algorithmId === o.algorithmId) {
      active = { key: previous, entry: last };
    } else {
      const reason: RotationReason = last.algorithmId === o.algorithmId ? 'new-key' : 'algorithm-change';
      if (reason === 'algorithm-change') {
        o.log.info(
          { from: nameOf(last.algorithmId), to: nameOf(o.algorithmId) },
          'PQC_ALGORITHM changed: rotating into the new algorithm',
        );
      }
      active = await advance(last, previous, reason);
    }
  }

  return {
    current: () => active,
    use: (fn) => serialize(() => fn(active)),
    rotate: (reason) =>
      serialize(async () => {
        active = await advance(active.entry, active.key, reason);
        return active.entry;
      }),
  };
}

/** A ring that never rotates, over one key and its entry (benchmarks, and tests of one key). */
export function fixedKeyRing(active: ActiveKey): Pick<KeyRing, 'current' | 'use'> {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    current: () => active,
    use(fn) {
      const run = tail.then(() => fn(active));
      tail = run.catch(() => undefined);
      return run;
    },
  };
}
