// Temporary directories for benchmarks, remembered so that an interrupted run still removes them.
import { tempDir } from '../test/support/spawn-server.ts';

const live = new Map<string, () => void>();

/** A fresh temporary directory; `cleanup` removes it (also done by removeAllTempDirs). */
export function benchTempDir(prefix: string): { path: string; cleanup: () => void } {
  const dir = tempDir(prefix);
  const cleanup = () => {
    live.delete(dir.path);
    dir.cleanup();
  };
  live.set(dir.path, cleanup);
  return { path: dir.path, cleanup };
}

/** Removes every directory not yet cleaned up (on interruption). */
export function removeAllTempDirs(): void {
  for (const cleanup of [...live.values()]) {
    try {
      cleanup();
    } catch {
      // best effort on the way out
    }
  }
}
