// Reads PKCS#11 return values out of pkcs11js errors and turns token failures into KeyErrors that never carry a PIN.
import { KeyError } from '../key-error.ts';

/** The CKR_* value of a pkcs11js Pkcs11Error, or undefined for any other error. */
export function ckrCode(err: unknown): number | undefined {
  if (!(err instanceof Error) || err.name !== 'Pkcs11Error') return undefined;
  const code = (err as Error & { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
}

/** The CKR_* name of a pkcs11js Pkcs11Error (e.g. "CKR_PIN_INCORRECT"), or a short description of another error. */
export function ckrName(err: unknown): string {
  if (ckrCode(err) !== undefined && /^CKR_[A-Z0-9_]+$/.test((err as Error).message)) {
    return (err as Error).message;
  }
  return err instanceof Error ? err.name : 'unknown error';
}

/** A TOKEN_UNAVAILABLE KeyError; `message` names the module, token or object, never a PIN. */
export function tokenUnavailable(message: string, cause?: unknown): KeyError {
  return new KeyError('TOKEN_UNAVAILABLE', message, cause === undefined ? {} : { cause });
}
