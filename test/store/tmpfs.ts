// A small tmpfs mounted for a test, so that a data dir can really run out of space (test helper).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A mounted tmpfs. */
export interface Tmpfs {
  readonly path: string;
  /** Writes a file of `bytes` zero bytes into the tmpfs (space to give back later); returns its path. */
  fill(name: string, bytes: number): string;
  /** Changes the size limit (mount -o remount,size=…). */
  resize(mebibytes: number): void;
  /** Unmounts (lazily if something still holds it open) and removes the mount point; safe to call twice. */
  unmount(): void;
}

function run(command: string, args: readonly string[]): void {
  execFileSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
}

function reason(error: unknown): string {
  const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
  return stderr !== undefined && stderr !== ''
    ? stderr
    : error instanceof Error
      ? error.message
      : String(error);
}

/**
 * Mounts a tmpfs of `mebibytes` on a new directory. Returns a sentence saying why not when mounting is impossible
 * here (no privilege, no mount(8)), for the test to skip with.
 */
export function mountTmpfs(mebibytes: number): Tmpfs | string {
  const path = mkdtempSync(join(tmpdir(), 'spark-tmpfs-'));
  try {
    run('mount', ['-t', 'tmpfs', '-o', `size=${mebibytes}m,mode=0700`, 'tmpfs', path]);
  } catch (error) {
    rmdirSync(path);
    return `cannot mount a ${mebibytes} MiB tmpfs (root is needed): ${reason(error)}`;
  }
  let mounted = true;
  return {
    path,
    fill(name, bytes) {
      const file = join(path, name);
      writeFileSync(file, Buffer.alloc(bytes));
      return file;
    },
    resize(size) {
      run('mount', ['-o', `remount,size=${size}m`, path]);
    },
    unmount() {
      if (!mounted) return;
      try {
        run('umount', [path]);
      } catch {
        run('umount', ['-l', path]);
      }
      mounted = false;
      rmdirSync(path);
    },
  };
}

/** For a test: the mounted tmpfs, unmounted after the test; undefined (the test skipped, saying why) when impossible. */
export function tmpfsForTest(
  t: { skip(message: string): void; after(fn: () => void): void },
  mebibytes: number,
): Tmpfs | undefined {
  const fs = mountTmpfs(mebibytes);
  if (typeof fs === 'string') {
    t.skip(fs);
    return undefined;
  }
  t.after(() => fs.unmount());
  return fs;
}
