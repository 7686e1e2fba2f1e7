// Decides where a batch-signing key lives on a PKCS#11 token (docs/keys.md): a pure function of the token's mechanisms.
import type { Mechanism } from 'pkcs11js';
import { algorithmById } from '../../src/proof/crypto/algorithms.ts';
import {
  CKM_ML_DSA,
  CKM_ML_DSA_KEY_PAIR_GEN,
  CKM_SHA256_HMAC,
  CKP_ML_DSA_44,
  CKP_ML_DSA_65,
  CKP_ML_DSA_87,
} from './pkcs11-constants.ts';

/** Where the key of one algorithm lives. */
export type BatchKeyPlacement =
  /** Generated and used in the token (PKCS#11 3.2 CKM_ML_DSA), with this CKA_PARAMETER_SET. */
  | { readonly where: 'token'; readonly parameterSet: number }
  /** Built in memory from a seed the token derives (HMAC-SHA256 under the master key); `reason` says why. */
  | { readonly where: 'derived'; readonly reason: string }
  /** Neither is possible on this token. */
  | { readonly where: 'none'; readonly reason: string };

/** What the PKCS#11 binding can pass to the token. */
export interface BindingAbilities {
  /**
   * Builds the CKM_ML_DSA parameter CK_SIGN_ADDITIONAL_CONTEXT (hedge variant, pointer to the FIPS 204 context,
   * its length) for `context`, if the binding can. Every Spark signature has a context, so without this
   * CKM_ML_DSA cannot be used.
   */
  readonly signContextParameter?: (context: Uint8Array) => NonNullable<Mechanism['parameter']>;
}

/**
 * pkcs11js 2.1.7 passes mechanism parameters only as raw bytes, a number, or the structs it knows (AES, RSA,
 * ECDH, …), so it cannot build CK_SIGN_ADDITIONAL_CONTEXT, whose context sits behind a pointer.
 */
export const PKCS11JS_ABILITIES: BindingAbilities = {};

const PARAMETER_SETS: ReadonlyMap<string, number> = new Map([
  ['ML-DSA-44', CKP_ML_DSA_44],
  ['ML-DSA-65', CKP_ML_DSA_65],
  ['ML-DSA-87', CKP_ML_DSA_87],
]);

/**
 * Where the key of `algorithmId` lives on a token offering `mechanisms` (C_GetMechanismList), given what the
 * binding can pass. An ML-DSA key lives in the token when it offers both CKM_ML_DSA_KEY_PAIR_GEN and CKM_ML_DSA
 * and the binding can pass the signing context; every other key (SLH-DSA, hybrids, ML-DSA on older tokens such
 * as SoftHSM 2.6.1) is derived, which needs CKM_SHA256_HMAC. An unknown algorithm id gives "none".
 */
export function chooseBatchKeyPlacement(
  algorithmId: number,
  mechanisms: readonly number[],
  binding: BindingAbilities,
): BatchKeyPlacement {
  const spec = algorithmById(algorithmId);
  if (spec === undefined) return { where: 'none', reason: `unknown algorithm id ${algorithmId}` };
  const has = new Set(mechanisms);
  const parameterSet = PARAMETER_SETS.get(spec.name);
  let reason: string;
  if (parameterSet === undefined) {
    reason = `${spec.name} has no PKCS#11 mechanism this provider uses`;
  } else if (!has.has(CKM_ML_DSA_KEY_PAIR_GEN) || !has.has(CKM_ML_DSA)) {
    reason = 'the token does not offer CKM_ML_DSA_KEY_PAIR_GEN and CKM_ML_DSA (PKCS#11 3.2)';
  } else if (binding.signContextParameter === undefined) {
    reason =
      'the PKCS#11 binding cannot pass the FIPS 204 context (CK_SIGN_ADDITIONAL_CONTEXT) to CKM_ML_DSA';
  } else {
    return { where: 'token', parameterSet };
  }
  if (!has.has(CKM_SHA256_HMAC)) {
    return {
      where: 'none',
      reason: `${reason}, and the token does not offer CKM_SHA256_HMAC to derive a seed`,
    };
  }
  return { where: 'derived', reason };
}
