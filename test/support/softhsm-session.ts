// A raw pkcs11js session on a SoftHSM token (test helper): to inspect token objects and to act underneath a provider.
import { createRequire } from 'node:module';
import type { Handle, PKCS11 } from 'pkcs11js';

const P = createRequire(import.meta.url)('pkcs11js') as typeof import('pkcs11js');

/** A session of its own on one token, through its own pkcs11js instance of the module. */
export interface RawSession {
  readonly pkcs11: PKCS11;
  readonly slot: Handle;
  readonly session: Handle;
  /** True if this instance's C_Initialize initialised the module (no provider held it). */
  readonly initialised: boolean;
  /** Closes the session, finalises the module if this instance initialised it, and unloads it. */
  close(): void;
}

/**
 * Opens a read-write session on the token labelled `label` of module `module`. If a provider already holds the
 * module, C_Initialize answers CKR_CRYPTOKI_ALREADY_INITIALIZED and the login state is the provider's (PKCS#11
 * login is per process and token); otherwise call C_Login yourself, and close this before any provider that
 * starts later, since it finalises the module.
 */
export function openRawSession(module: string, label: string): RawSession {
  const pkcs11 = new P.PKCS11();
  pkcs11.load(module);
  let initialised = true;
  try {
    pkcs11.C_Initialize({ flags: P.CKF_OS_LOCKING_OK });
  } catch (err) {
    if ((err as { code?: number }).code !== P.CKR_CRYPTOKI_ALREADY_INITIALIZED) throw err;
    initialised = false;
  }
  const slot = pkcs11.C_GetSlotList(true).find((s) => pkcs11.C_GetTokenInfo(s).label.trim() === label);
  if (slot === undefined) throw new Error(`no token "${label}"`);
  const session = pkcs11.C_OpenSession(slot, P.CKF_SERIAL_SESSION | P.CKF_RW_SESSION);
  return {
    pkcs11,
    slot,
    session,
    initialised,
    close() {
      try {
        pkcs11.C_CloseSession(session);
      } catch {
        // Closed underneath by the test itself (C_CloseAllSessions).
      }
      if (initialised) pkcs11.C_Finalize();
      pkcs11.close();
    },
  };
}
