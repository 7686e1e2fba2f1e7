// Loads and initialises a PKCS#11 module once per process, shared by every provider that names the same path.
import { createRequire } from 'node:module';
import type { PKCS11 } from 'pkcs11js';
import { CKF_OS_LOCKING_OK, CKR_CRYPTOKI_ALREADY_INITIALIZED } from './pkcs11-constants.ts';
import { ckrCode, ckrName, tokenUnavailable } from './pkcs11-error.ts';

/** One provider's hold on an initialised module. */
export interface ModuleLease {
  /** The module's functions. */
  readonly pkcs11: PKCS11;
  /** The path it was loaded from, for messages. */
  readonly path: string;
  /** Gives the hold back; the last one finalises (if this process initialised the module) and unloads it. */
  release(): void;
}

interface Loaded {
  readonly pkcs11: PKCS11;
  leases: number;
  /** False when C_Initialize answered CKR_CRYPTOKI_ALREADY_INITIALIZED: someone else owns the library state. */
  readonly finalise: boolean;
}

/** Modules loaded by this registry, by path. */
const loaded = new Map<string, Loaded>();

/** pkcs11js, loaded only when a pkcs11 provider is made, so other providers never load the native addon. */
function loadBinding(): typeof import('pkcs11js') {
  try {
    return createRequire(import.meta.url)('pkcs11js') as typeof import('pkcs11js');
  } catch (cause) {
    throw tokenUnavailable('the pkcs11js native addon could not be loaded (was `npm ci` run?)', cause);
  }
}

/**
 * Takes a hold on the PKCS#11 module at `path`, loading and initialising it on the first hold.
 *
 * Leases are reference-counted: C_Initialize runs once, and C_Finalize only when the last hold of this process
 * is released, so two providers over one module both keep working whichever closes first. If C_Initialize
 * answers CKR_CRYPTOKI_ALREADY_INITIALIZED (another library in this process initialised the module), the module
 * is used as it is and never finalised here: only whoever initialised it may finalise it.
 * The library is initialised with CKF_OS_LOCKING_OK because C_SignAsync calls it from worker threads.
 */
export function acquireModule(path: string): ModuleLease {
  let entry = loaded.get(path);
  if (entry === undefined) {
    const binding = loadBinding();
    const pkcs11 = new binding.PKCS11();
    try {
      pkcs11.load(path);
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw tokenUnavailable(`PKCS#11 module "${path}" could not be loaded: ${reason}`, cause);
    }
    let finalise = true;
    try {
      pkcs11.C_Initialize({ flags: CKF_OS_LOCKING_OK });
    } catch (cause) {
      if (ckrCode(cause) !== CKR_CRYPTOKI_ALREADY_INITIALIZED) {
        pkcs11.close();
        throw tokenUnavailable(`PKCS#11 module "${path}" failed to initialise: ${ckrName(cause)}`, cause);
      }
      finalise = false;
    }
    entry = { pkcs11, leases: 0, finalise };
    loaded.set(path, entry);
  }
  entry.leases++;
  const held = entry;
  let released = false;
  return {
    pkcs11: held.pkcs11,
    path,
    release() {
      if (released) return;
      released = true;
      held.leases--;
      if (held.leases > 0) return;
      loaded.delete(path);
      // Nothing useful can be done about a module that fails to finalise or unload; the hold is gone either way.
      try {
        if (held.finalise) held.pkcs11.C_Finalize();
      } catch {}
      try {
        held.pkcs11.close();
      } catch {}
    },
  };
}
