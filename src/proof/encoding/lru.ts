// A bounded map that drops the least recently used entry first: the verifier's caches. Pure: runs in browsers.

/** A map of at most `capacity` entries; `get` and `set` make an entry the most recently used. */
export interface Lru<V> {
  /** Entries held now (never more than the capacity). */
  readonly size: number;
  get(key: string): V | undefined;
  /** Stores `value` under `key`, dropping the least recently used entries beyond the capacity. */
  set(key: string, value: V): void;
}

/** An empty LRU map of at most `capacity` entries (0 keeps nothing). */
export function createLru<V>(capacity: number): Lru<V> {
  if (!Number.isInteger(capacity) || capacity < 0) throw new RangeError('capacity must be an integer >= 0');
  // A Map iterates in insertion order: re-inserting on use keeps the least recently used first.
  const entries = new Map<string, V>();
  return {
    get size() {
      return entries.size;
    },
    get(key) {
      const value = entries.get(key);
      if (value !== undefined) {
        entries.delete(key);
        entries.set(key, value);
      }
      return value;
    },
    set(key, value) {
      entries.delete(key);
      if (capacity === 0) return;
      entries.set(key, value);
      for (const oldest of entries.keys()) {
        if (entries.size <= capacity) break;
        entries.delete(oldest);
      }
    },
  };
}
