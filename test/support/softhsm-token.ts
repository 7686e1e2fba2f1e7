// Makes SoftHSM2 tokens in a temporary directory for tests (test helper): its own softhsm2.conf, removed afterwards.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The SoftHSM2 module Debian's softhsm2 package installs (SoftHSM 2.6.1 on bookworm). */
export const SOFTHSM_MODULE = '/usr/lib/softhsm/libsofthsm2.so';

/** One initialised token. */
export interface SoftHsmToken {
  readonly label: string;
  /** The user PIN (random, distinctive, so a test can look for it in output). */
  readonly pin: string;
  /** The security officer PIN. */
  readonly soPin: string;
  /** A file holding the PIN and a line end, mode 0400. */
  readonly pinFile: string;
}

/** A SoftHSM2 token directory with its configuration, made the one this process uses. */
export interface SoftHsm {
  readonly dir: string;
  /** Path of softhsm2.conf (SOFTHSM2_CONF points at it). */
  readonly conf: string;
  readonly module: string;
  /**
   * Initialises a token labelled `label` with a random PIN. SoftHSM reads its token directory at C_Initialize,
   * so make every token before the first provider of the process loads the module (or while none holds it).
   */
  addToken(label: string): SoftHsmToken;
  /** Writes `content` to a new file of mode `mode` under the directory and returns its path. */
  writeFile(name: string, content: string | Uint8Array, mode: number): string;
  /** Removes the directory and every token in it. */
  remove(): void;
}

/**
 * Makes a token directory and a softhsm2.conf for it, and sets process.env.SOFTHSM2_CONF, which SoftHSM reads at
 * C_Initialize: call this before any provider loads the module. Objects are kept in files (the default backend).
 */
export function createSoftHsm(): SoftHsm {
  const dir = mkdtempSync(join(tmpdir(), 'spark-softhsm-'));
  const tokens = join(dir, 'tokens');
  mkdirSync(tokens, { mode: 0o700 });
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(conf, `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  process.env['SOFTHSM2_CONF'] = conf;
  const env = { ...process.env, SOFTHSM2_CONF: conf };
  let files = 0;

  const writeFile = (name: string, content: string | Uint8Array, mode: number): string => {
    const path = join(dir, `${files++}-${name}`);
    writeFileSync(path, content, { mode });
    return path;
  };

  return {
    dir,
    conf,
    module: SOFTHSM_MODULE,
    addToken(label) {
      const pin = `spark-test-pin-${randomBytes(6).toString('hex')}`;
      const soPin = `spark-test-so-${randomBytes(6).toString('hex')}`;
      // Output is captured, never printed: softhsm2-util echoes nothing secret, but tests stay quiet.
      execFileSync(
        'softhsm2-util',
        ['--init-token', '--free', '--label', label, '--pin', pin, '--so-pin', soPin],
        { env, stdio: 'pipe' },
      );
      return { label, pin, soPin, pinFile: writeFile(`${label}.pin`, `${pin}\n`, 0o400) };
    },
    writeFile,
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
