// An ML-DSA key generated and used inside a PKCS#11 3.2 token (CKM_ML_DSA); every signature is verified before release.
//
// Not exercised by the tests: SoftHSM 2.6.1 has no ML-DSA, and pkcs11js 2.1.7 cannot pass the signing context
// (batch-key-placement.ts), so the provider chooses this only with a binding that can. docs/hsm.md says so.
import type { Handle, Mechanism, PKCS11 } from 'pkcs11js';
import { CheckedSigningKey, type CheckedSigningKeyOptions } from '../checked-signing-key.ts';
import type { KeyPurpose } from '../key-provider.ts';
import {
  CKA_EXTRACTABLE,
  CKA_KEY_TYPE,
  CKA_LABEL,
  CKA_PARAMETER_SET,
  CKA_PRIVATE,
  CKA_SENSITIVE,
  CKA_SIGN,
  CKA_TOKEN,
  CKA_VALUE,
  CKA_VERIFY,
  CKK_ML_DSA,
  CKM_ML_DSA,
  CKM_ML_DSA_KEY_PAIR_GEN,
  CKO_PRIVATE_KEY,
  CKO_PUBLIC_KEY,
} from './pkcs11-constants.ts';
import { tokenUnavailable } from './pkcs11-error.ts';
import type { SessionPool } from './session-pool.ts';
import { attr, checkKeptInToken, findOneByLabel, readAttribute, readUlong } from './token-objects.ts';

/** Label of an in-token key: "spark/v1/key/<purpose>/<algorithm id, 4 hex>/<generation>". */
export function tokenKeyLabel(purpose: KeyPurpose, algorithmId: number, generation: number): string {
  return `spark/v1/key/${purpose}/${algorithmId.toString(16).padStart(4, '0')}/${generation}`;
}

/**
 * The raw public key (CKA_VALUE, FIPS 204 encoding) of the ML-DSA key pair labelled `label` with parameter set
 * `parameterSet`: found (the private key must be sensitive, not extractable, and of that parameter set), or
 * generated once as token objects.
 */
export function findOrCreateMlDsaKeyPair(
  pkcs11: PKCS11,
  session: Handle,
  label: string,
  parameterSet: number,
): Uint8Array {
  let privateKey = findOneByLabel(pkcs11, session, CKO_PRIVATE_KEY, label, 'private key');
  let publicKey = findOneByLabel(pkcs11, session, CKO_PUBLIC_KEY, label, 'public key');
  if (privateKey === undefined && publicKey !== undefined) {
    throw tokenUnavailable(`the token holds a public key "${label}" without its private key`);
  }
  if (privateKey === undefined) {
    ({ privateKey, publicKey } = pkcs11.C_GenerateKeyPair(
      session,
      { mechanism: CKM_ML_DSA_KEY_PAIR_GEN },
      [
        attr(CKA_KEY_TYPE, CKK_ML_DSA),
        attr(CKA_PARAMETER_SET, parameterSet),
        attr(CKA_LABEL, label),
        attr(CKA_TOKEN, true),
        attr(CKA_PRIVATE, false),
        attr(CKA_VERIFY, true),
      ],
      [
        attr(CKA_KEY_TYPE, CKK_ML_DSA),
        attr(CKA_LABEL, label),
        attr(CKA_TOKEN, true),
        attr(CKA_PRIVATE, true),
        attr(CKA_SENSITIVE, true),
        attr(CKA_EXTRACTABLE, false),
        attr(CKA_SIGN, true),
      ],
    ));
  }
  checkKeptInToken(pkcs11, session, privateKey, [CKK_ML_DSA], 'ML-DSA key', label);
  if (readUlong(pkcs11, session, privateKey, CKA_PARAMETER_SET) !== parameterSet) {
    throw tokenUnavailable(`ML-DSA key "${label}" has another parameter set than its algorithm id says`);
  }
  if (publicKey === undefined)
    throw tokenUnavailable(`the token holds ML-DSA key "${label}" without its public key`);
  return new Uint8Array(readAttribute(pkcs11, session, publicKey, CKA_VALUE));
}

/** What an in-token key signs through. */
export interface TokenKeyAccess {
  readonly pkcs11: PKCS11;
  readonly pool: SessionPool;
  /** Label of the key pair on the token. */
  readonly label: string;
  /** Builds CK_SIGN_ADDITIONAL_CONTEXT for a context (BindingAbilities.signContextParameter). */
  readonly signContextParameter: (context: Uint8Array) => NonNullable<Mechanism['parameter']>;
}

/** A key whose private part stays in the token; signing runs C_Sign with CKM_ML_DSA on a worker thread. */
export class TokenMlDsaKey extends CheckedSigningKey {
  #access: TokenKeyAccess | undefined;

  constructor(
    algorithmId: number,
    publicKey: Uint8Array,
    access: TokenKeyAccess,
    options?: CheckedSigningKeyOptions,
  ) {
    super(algorithmId, publicKey, { ...options, protection: 'hsm' });
    this.#access = access;
  }

  protected _onSign(message: Uint8Array, context: Uint8Array): Promise<Uint8Array> {
    const access = this.#access;
    if (access === undefined) return Promise.reject(tokenUnavailable('the token key is closed'));
    const { pkcs11, pool, label } = access;
    const length = this.algorithm.signatureLength;
    return pool.run(async (session) => {
      const key = findOneByLabel(pkcs11, session, CKO_PRIVATE_KEY, label, 'private key');
      if (key === undefined) throw tokenUnavailable(`ML-DSA key "${label}" is not on the token`);
      pkcs11.C_SignInit(
        session,
        { mechanism: CKM_ML_DSA, parameter: access.signContextParameter(context) },
        key,
      );
      const data = Buffer.from(message.buffer, message.byteOffset, message.length);
      return new Uint8Array(await pkcs11.C_SignAsync(session, data, Buffer.alloc(length)));
    });
  }

  protected _onClose(): void {
    // Nothing secret is held here: the private key is in the token. Dropping the access ends signing.
    this.#access = undefined;
  }
}
