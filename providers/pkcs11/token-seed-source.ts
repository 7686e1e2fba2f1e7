// Derives key seeds inside the token (docs/keys.md): HKDF-Expand whose HMAC-SHA256 runs under a non-extractable master key.
import type { Handle, PKCS11 } from 'pkcs11js';
import { expandWithHmac, type SeedSource } from '../seed-source.ts';
import {
  CKA_CLASS,
  CKA_EXTRACTABLE,
  CKA_KEY_TYPE,
  CKA_LABEL,
  CKA_PRIVATE,
  CKA_SENSITIVE,
  CKA_SIGN,
  CKA_TOKEN,
  CKA_VALUE_LEN,
  CKK_GENERIC_SECRET,
  CKK_SHA256_HMAC,
  CKM_GENERIC_SECRET_KEY_GEN,
  CKM_SHA256_HMAC,
  CKO_SECRET_KEY,
} from './pkcs11-constants.ts';
import { tokenUnavailable } from './pkcs11-error.ts';
import { attr, checkKeptInToken, findOneByLabel } from './token-objects.ts';

/** Length of a generated master key: the HMAC-SHA256 block of entropy HKDF wants. */
export const MASTER_KEY_BYTES = 32;

/**
 * The seed master key labelled `label`: found, or generated once as a 32-byte generic secret that is a token
 * object, private, sensitive, never extractable and usable only to sign (HMAC). A master imported by an
 * operator (e.g. a docker-secret root moved into the HSM) is used as it is, if it cannot leave the token.
 */
export function findOrCreateSeedMaster(pkcs11: PKCS11, session: Handle, label: string): Handle {
  const found = findOneByLabel(pkcs11, session, CKO_SECRET_KEY, label, 'secret key');
  if (found !== undefined) {
    checkKeptInToken(pkcs11, session, found, [CKK_GENERIC_SECRET, CKK_SHA256_HMAC], 'seed master key', label);
    return found;
  }
  return pkcs11.C_GenerateKey(session, { mechanism: CKM_GENERIC_SECRET_KEY_GEN }, [
    attr(CKA_CLASS, CKO_SECRET_KEY),
    attr(CKA_KEY_TYPE, CKK_GENERIC_SECRET),
    attr(CKA_VALUE_LEN, MASTER_KEY_BYTES),
    attr(CKA_LABEL, label),
    attr(CKA_TOKEN, true),
    attr(CKA_PRIVATE, true),
    attr(CKA_SENSITIVE, true),
    attr(CKA_EXTRACTABLE, false),
    attr(CKA_SIGN, true),
  ]);
}

/**
 * A seed source over `master` on `session`: seed = HKDF-Expand(PRK = master, info = label, length), each
 * HMAC-SHA256 block computed by the token (C_Sign with CKM_SHA256_HMAC). It calls the token synchronously, so
 * the caller must hold `session` for as long as it uses the source. The same 32-byte root as a Docker secret
 * gives the same seeds (memorySeedSource). Each token output buffer is wiped by expandWithHmac after use.
 */
export function tokenSeedSource(pkcs11: PKCS11, session: Handle, master: Handle): SeedSource {
  const hmac = (data: Uint8Array): Uint8Array => {
    const out = Buffer.alloc(32);
    pkcs11.C_SignInit(session, { mechanism: CKM_SHA256_HMAC }, master);
    const mac = pkcs11.C_Sign(session, Buffer.from(data.buffer, data.byteOffset, data.length), out);
    if (mac.length !== 32) {
      out.fill(0);
      throw tokenUnavailable(`the token returned a ${mac.length}-byte HMAC-SHA256`);
    }
    return out;
  };
  return (label, length) => expandWithHmac(hmac, label, length);
}
