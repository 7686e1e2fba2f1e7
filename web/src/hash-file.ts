// SHA-256 of a file the user chose, streamed in the page: the file is read chunk by chunk (File.stream, a local
// read, no network) into an incremental hash, so a file of any size is checked without being held in memory, and
// the page can report progress and drop a run the user has replaced. Like `spark verify --data`, which streams the
// file and passes its digest to the verifier.
import { sha256 } from '@noble/hashes/sha2.js';

/** Called at most every `PROGRESS_MS` while hashing, with the bytes hashed so far. */
export type HashProgress = (done: number, total: number) => void;

const PROGRESS_MS = 100;

/**
 * The SHA-256 of `file`, or undefined when `cancelled()` turned true between two chunks (the user chose another
 * file). Yields to the event loop between chunks, so the page stays responsive.
 */
export async function sha256OfFile(
  file: Blob,
  progress: HashProgress,
  cancelled: () => boolean,
): Promise<Uint8Array | undefined> {
  const hash = sha256.create();
  const reader = file.stream().getReader();
  let done = 0;
  let reported = performance.now();
  for (;;) {
    const chunk = await reader.read();
    if (cancelled()) {
      await reader.cancel();
      return undefined;
    }
    if (chunk.done) return hash.digest();
    hash.update(chunk.value);
    done += chunk.value.length;
    if (performance.now() - reported >= PROGRESS_MS) {
      reported = performance.now();
      progress(done, file.size);
    }
  }
}
