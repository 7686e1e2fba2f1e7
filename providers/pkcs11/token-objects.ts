// Finds token objects by label and reads their attributes, refusing keys that could leave the token.
import type { Attribute, Handle, PKCS11 } from 'pkcs11js';
import {
  CKA_CLASS,
  CKA_EXTRACTABLE,
  CKA_KEY_TYPE,
  CKA_LABEL,
  CKA_SENSITIVE,
  CKA_SIGN,
} from './pkcs11-constants.ts';
import { tokenUnavailable } from './pkcs11-error.ts';

/** The handles of the objects of class `objectClass` labelled `label` (at most 2: one is expected). */
export function findByLabel(pkcs11: PKCS11, session: Handle, objectClass: number, label: string): Handle[] {
  pkcs11.C_FindObjectsInit(session, [
    { type: CKA_CLASS, value: objectClass },
    { type: CKA_LABEL, value: label },
  ]);
  try {
    return pkcs11.C_FindObjects(session, 2);
  } finally {
    pkcs11.C_FindObjectsFinal(session);
  }
}

/**
 * The one object of class `objectClass` labelled `label`, or undefined when there is none. Throws KeyError
 * TOKEN_UNAVAILABLE when two share the label: which one is meant cannot be told.
 */
export function findOneByLabel(
  pkcs11: PKCS11,
  session: Handle,
  objectClass: number,
  label: string,
  what: string,
): Handle | undefined {
  const found = findByLabel(pkcs11, session, objectClass, label);
  if (found.length > 1) {
    throw tokenUnavailable(
      `more than one ${what} is labelled "${label}" on the token; labels must be unique`,
    );
  }
  return found[0];
}

/** Attribute `type` of object `handle` as raw bytes. */
export function readAttribute(pkcs11: PKCS11, session: Handle, handle: Handle, type: number): Buffer {
  const [attribute] = pkcs11.C_GetAttributeValue(session, handle, [{ type }]);
  const value = attribute?.value;
  if (!Buffer.isBuffer(value))
    throw tokenUnavailable(`the token returned no value for attribute 0x${type.toString(16)}`);
  return value;
}

/** A CK_BBOOL attribute. */
export function readBool(pkcs11: PKCS11, session: Handle, handle: Handle, type: number): boolean {
  return readAttribute(pkcs11, session, handle, type).some((b) => b !== 0);
}

/** A CK_ULONG attribute (native byte order: little-endian on every platform this runs on). */
export function readUlong(pkcs11: PKCS11, session: Handle, handle: Handle, type: number): number {
  const raw = readAttribute(pkcs11, session, handle, type);
  if (raw.length === 8) return Number(raw.readBigUInt64LE(0));
  if (raw.length === 4) return raw.readUInt32LE(0);
  throw tokenUnavailable(`attribute 0x${type.toString(16)} is ${raw.length} bytes, not a CK_ULONG`);
}

/**
 * Checks that key `handle` (`what` labelled `label`) is of one of `keyTypes`, can sign, is sensitive and is not
 * extractable: a key found on the token is used only if it cannot leave it. Throws KeyError TOKEN_UNAVAILABLE.
 */
export function checkKeptInToken(
  pkcs11: PKCS11,
  session: Handle,
  handle: Handle,
  keyTypes: readonly number[],
  what: string,
  label: string,
): void {
  const keyType = readUlong(pkcs11, session, handle, CKA_KEY_TYPE);
  if (!keyTypes.includes(keyType)) {
    throw tokenUnavailable(
      `${what} "${label}" has key type 0x${keyType.toString(16)}, not one this provider uses`,
    );
  }
  if (!readBool(pkcs11, session, handle, CKA_SIGN)) {
    throw tokenUnavailable(`${what} "${label}" is not allowed to sign (CKA_SIGN is false)`);
  }
  if (
    !readBool(pkcs11, session, handle, CKA_SENSITIVE) ||
    readBool(pkcs11, session, handle, CKA_EXTRACTABLE)
  ) {
    throw tokenUnavailable(
      `${what} "${label}" could leave the token (it must have CKA_SENSITIVE true and CKA_EXTRACTABLE false)`,
    );
  }
}

/** Shorthand for a template entry. */
export const attr = (type: number, value: NonNullable<Attribute['value']>): Attribute => ({ type, value });
