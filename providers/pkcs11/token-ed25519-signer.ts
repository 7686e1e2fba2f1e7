// The Symbol account's Ed25519 key pair as token objects, signing with CKM_EDDSA (docs/anchoring.md, docs/keys.md); the key never leaves the token.
import type { Handle, PKCS11 } from 'pkcs11js';
import type { ExternalSigner } from '../../src/anchor/external-signer.ts';
import {
  CKA_EC_PARAMS,
  CKA_EC_POINT,
  CKA_EXTRACTABLE,
  CKA_ID,
  CKA_KEY_TYPE,
  CKA_LABEL,
  CKA_PRIVATE,
  CKA_SENSITIVE,
  CKA_SIGN,
  CKA_TOKEN,
  CKA_VERIFY,
  CKK_EC_EDWARDS,
  CKM_EC_EDWARDS_KEY_PAIR_GEN,
  CKM_EDDSA,
  CKO_PRIVATE_KEY,
  CKO_PUBLIC_KEY,
  ED25519_EC_PARAMS,
} from './pkcs11-constants.ts';
import { tokenUnavailable } from './pkcs11-error.ts';
import type { SessionPool } from './session-pool.ts';
import { attr, checkKeptInToken, findOneByLabel, readAttribute } from './token-objects.ts';

/**
 * The 32-byte Ed25519 public key in a CKA_EC_POINT value: raw (RFC 8032 bytes, as PKCS#11 3.2 specifies for
 * Edwards keys) or wrapped in a DER OCTET STRING (04 20 …, as SoftHSM 2.6.1 and PKCS#11 3.0 tokens return it).
 */
export function ed25519PointToRaw(point: Uint8Array): Uint8Array {
  if (point.length === 32) return Uint8Array.from(point);
  if (point.length === 34 && point[0] === 0x04 && point[1] === 0x20)
    return Uint8Array.from(point.subarray(2));
  throw tokenUnavailable(`CKA_EC_POINT of ${point.length} bytes is not an Ed25519 public key`);
}

/**
 * The public key of the Ed25519 key pair labelled `label`: found (the private key must be sensitive and not
 * extractable), or generated once as token objects (private: CKA_PRIVATE, CKA_SENSITIVE, CKA_EXTRACTABLE false).
 */
export function findOrCreateEd25519KeyPair(pkcs11: PKCS11, session: Handle, label: string): Uint8Array {
  const what = 'Symbol account key';
  let privateKey = findOneByLabel(pkcs11, session, CKO_PRIVATE_KEY, label, 'private key');
  let publicKey = findOneByLabel(pkcs11, session, CKO_PUBLIC_KEY, label, 'public key');
  if (privateKey === undefined && publicKey !== undefined) {
    throw tokenUnavailable(`the token holds a public key "${label}" without its private key`);
  }
  if (privateKey === undefined) {
    const id = Buffer.from(label, 'utf8');
    ({ privateKey, publicKey } = pkcs11.C_GenerateKeyPair(
      session,
      { mechanism: CKM_EC_EDWARDS_KEY_PAIR_GEN },
      [
        attr(CKA_KEY_TYPE, CKK_EC_EDWARDS),
        attr(CKA_EC_PARAMS, Buffer.from(ED25519_EC_PARAMS)),
        attr(CKA_LABEL, label),
        attr(CKA_ID, id),
        attr(CKA_TOKEN, true),
        attr(CKA_PRIVATE, false),
        attr(CKA_VERIFY, true),
      ],
      [
        attr(CKA_KEY_TYPE, CKK_EC_EDWARDS),
        attr(CKA_LABEL, label),
        attr(CKA_ID, id),
        attr(CKA_TOKEN, true),
        attr(CKA_PRIVATE, true),
        attr(CKA_SENSITIVE, true),
        attr(CKA_EXTRACTABLE, false),
        attr(CKA_SIGN, true),
      ],
    ));
  }
  checkKeptInToken(pkcs11, session, privateKey, [CKK_EC_EDWARDS], what, label);
  if (publicKey === undefined) {
    throw tokenUnavailable(`the token holds the ${what} "${label}" without its public key`);
  }
  return ed25519PointToRaw(readAttribute(pkcs11, session, publicKey, CKA_EC_POINT));
}

/**
 * A signer over the token's Ed25519 private key labelled `label`, whose public key is `publicKey`. Each
 * signature runs through the session pool (the key is looked up afresh, so a re-login or a reopened session
 * finds it again) and on a worker thread (C_SignAsync), so the event loop never waits for the token.
 * Wrap it in checkedEd25519Signer: this one checks nothing itself.
 */
export function createTokenEd25519Signer(
  pkcs11: PKCS11,
  pool: SessionPool,
  label: string,
  publicKey: Uint8Array,
): ExternalSigner {
  const raw = Uint8Array.from(publicKey);
  return {
    publicKey: raw,
    sign(signingPayload: Uint8Array): Promise<Uint8Array> {
      const data = Buffer.from(signingPayload.buffer, signingPayload.byteOffset, signingPayload.length);
      return pool.run(async (session) => {
        const key = findOneByLabel(pkcs11, session, CKO_PRIVATE_KEY, label, 'private key');
        if (key === undefined)
          throw tokenUnavailable(`the Symbol account key "${label}" is not on the token`);
        pkcs11.C_SignInit(session, { mechanism: CKM_EDDSA }, key);
        return new Uint8Array(await pkcs11.C_SignAsync(session, data, Buffer.alloc(64)));
      });
    },
  };
}
