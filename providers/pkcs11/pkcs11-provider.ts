// The pkcs11 key provider (docs/keys.md): the Symbol account key lives in a PKCS#11 token, batch keys are derived in it.
import type { ExternalSigner } from '../../src/anchor/external-signer.ts';
import { checkedEd25519Signer } from '../checked-ed25519-signer.ts';
import type { CheckedSigningKey } from '../checked-signing-key.ts';
import { KeyError } from '../key-error.ts';
import { assertBuildable, createDerivedKey, type KeyImplementation } from '../key-factory.ts';
import type { KeyProvider, KeyPurpose, SigningKey } from '../key-provider.ts';
import { checkKeyRequest } from '../key-request.ts';
import { readPinFile } from '../secret-file.ts';
import { derivedEd25519Signer } from '../seed-source.ts';
import { type BindingAbilities, chooseBatchKeyPlacement, PKCS11JS_ABILITIES } from './batch-key-placement.ts';
import { findTokenSlot } from './find-token.ts';
import { CKM_EDDSA } from './pkcs11-constants.ts';
import { ckrName, tokenUnavailable } from './pkcs11-error.ts';
import { acquireModule } from './pkcs11-module.ts';
import { MAX_POOL_SESSIONS, openSessionPool, type SessionPool } from './session-pool.ts';
import { createTokenEd25519Signer, findOrCreateEd25519KeyPair } from './token-ed25519-signer.ts';
import { findOrCreateMlDsaKeyPair, TokenMlDsaKey, tokenKeyLabel } from './token-ml-dsa-key.ts';
import { findOrCreateSeedMaster, tokenSeedSource } from './token-seed-source.ts';

/** Label of the HMAC master key that key seeds are derived under. */
export const DEFAULT_MASTER_KEY_LABEL = 'spark-seed-master';
/** Label of the Symbol account's Ed25519 key pair. */
export const DEFAULT_SYMBOL_KEY_LABEL = 'spark-symbol-account';
/** Sessions in the pool: one for a signature, one for a key being opened meanwhile. */
export const DEFAULT_PKCS11_SESSIONS = 2;
/** Implementation of software keys built from derived seeds. */
export const DEFAULT_PKCS11_IMPLEMENTATION: KeyImplementation = 'native';
/** Longest object label accepted (tokens store labels of a few dozen bytes; PKCS#11 sets no limit). */
const MAX_LABEL_LENGTH = 128;

/** Options of the pkcs11 provider. */
export interface Pkcs11ProviderOptions {
  /** Path of the PKCS#11 module (e.g. /usr/lib/softhsm/libsofthsm2.so). */
  readonly modulePath: string;
  /** Label of the token (compared after trimming the padding spaces). */
  readonly tokenLabel: string;
  /** Path of the file holding the user PIN (mode 0400 or 0600); read at each login, never kept. */
  readonly pinFile: string;
  /** Label of the seed master key; default DEFAULT_MASTER_KEY_LABEL. */
  readonly masterKeyLabel?: string;
  /** Label of the Symbol account key pair; default DEFAULT_SYMBOL_KEY_LABEL. */
  readonly symbolKeyLabel?: string;
  /** Sessions in the pool; default DEFAULT_PKCS11_SESSIONS. */
  readonly sessions?: number;
  /** Implementation of software keys; default DEFAULT_PKCS11_IMPLEMENTATION. */
  readonly implementation?: KeyImplementation;
}

/** A non-empty string of at most `max` characters, or KeyError INVALID_INPUT naming `field`. */
function text(value: unknown, field: string, max: number): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > max) {
    throw new KeyError('INVALID_INPUT', `${field} must be a non-empty string of at most ${max} characters`, {
      field,
    });
  }
  return value;
}

/** KeyErrors pass; a token failure becomes TOKEN_UNAVAILABLE naming what was being done. */
function asKeyError(err: unknown, doing: string): KeyError {
  return err instanceof KeyError ? err : tokenUnavailable(`${doing} failed: ${ckrName(err)}`, err);
}

/**
 * Creates the provider: loads the module (shared within the process, see pkcs11-module.ts), finds the token by
 * label, opens the session pool and logs in, reading the PIN from `pinFile` and zeroing it. Throws KeyError
 * TOKEN_UNAVAILABLE naming the module path or token label (never the PIN), SECRET_UNUSABLE for a bad PIN file,
 * INVALID_INPUT for bad options.
 *
 * Batch keys: where chooseBatchKeyPlacement allows, generated in the token (CKM_ML_DSA); otherwise built in
 * memory from seeds derived in the token, seed = HKDF-Expand(master, "spark/v1/key-seed/<purpose>/<alg>/<gen>"),
 * each HMAC computed by the token under the non-extractable master key (docs/hsm.md). The seed exists only in
 * memory, briefly, and is wiped. The Symbol account: an Ed25519 key pair in the token, signing with CKM_EDDSA.
 */
export async function createPkcs11Provider(
  options: Pkcs11ProviderOptions,
  binding: BindingAbilities = PKCS11JS_ABILITIES,
): Promise<KeyProvider> {
  const modulePath = text(options.modulePath, 'modulePath', 4096);
  // PKCS#11 pads token labels with spaces to 32 bytes: compare and bound the trimmed label.
  const rawLabel: unknown = options.tokenLabel;
  const tokenLabel = text(typeof rawLabel === 'string' ? rawLabel.trim() : rawLabel, 'tokenLabel', 32);
  const pinFile = text(options.pinFile, 'pinFile', 4096);
  const masterKeyLabel = text(
    options.masterKeyLabel ?? DEFAULT_MASTER_KEY_LABEL,
    'masterKeyLabel',
    MAX_LABEL_LENGTH,
  );
  const symbolKeyLabel = text(
    options.symbolKeyLabel ?? DEFAULT_SYMBOL_KEY_LABEL,
    'symbolKeyLabel',
    MAX_LABEL_LENGTH,
  );
  const sessions = options.sessions ?? DEFAULT_PKCS11_SESSIONS;
  if (!Number.isInteger(sessions) || sessions < 1 || sessions > MAX_POOL_SESSIONS) {
    throw new KeyError('INVALID_INPUT', `sessions must be an integer in 1..${MAX_POOL_SESSIONS}`, {
      field: 'sessions',
    });
  }
  const implementation = options.implementation ?? DEFAULT_PKCS11_IMPLEMENTATION;
  if (implementation !== 'native' && implementation !== 'noble') {
    throw new KeyError('INVALID_INPUT', 'implementation must be "native" or "noble"', {
      field: 'implementation',
    });
  }

  const lease = acquireModule(modulePath);
  const { pkcs11 } = lease;
  let pool: SessionPool;
  let mechanisms: number[];
  try {
    const slot = findTokenSlot(pkcs11, modulePath, tokenLabel);
    try {
      mechanisms = pkcs11.C_GetMechanismList(slot);
    } catch (cause) {
      throw tokenUnavailable(`cannot list the mechanisms of token "${tokenLabel}": ${ckrName(cause)}`, cause);
    }
    pool = openSessionPool({ pkcs11, slot, size: sessions, tokenLabel, readPin: () => readPinFile(pinFile) });
  } catch (err) {
    lease.release();
    throw err;
  }

  const keys = new Map<string, Promise<CheckedSigningKey>>();
  const ed25519 = new Map<string, Promise<ExternalSigner>>();
  let account: Promise<ExternalSigner> | undefined;
  let closed = false;
  const ensureOpen = (): void => {
    if (closed) throw new KeyError('CLOSED', 'key provider is closed');
  };

  /** Opens (finding, generating or deriving) one batch key. */
  async function openKey(
    purpose: KeyPurpose,
    algorithmId: number,
    generation: number,
  ): Promise<CheckedSigningKey> {
    const placement = chooseBatchKeyPlacement(algorithmId, mechanisms, binding);
    if (placement.where === 'none') {
      throw new KeyError('UNSUPPORTED_ALGORITHM', `token "${tokenLabel}": ${placement.reason}`, {
        field: 'algorithmId',
      });
    }
    const signContextParameter = binding.signContextParameter;
    if (placement.where === 'token' && signContextParameter !== undefined) {
      const label = tokenKeyLabel(purpose, algorithmId, generation);
      const publicKey = await pool
        .run((session) => findOrCreateMlDsaKeyPair(pkcs11, session, label, placement.parameterSet))
        .catch((err: unknown) => {
          throw asKeyError(err, `opening ML-DSA key "${label}" on token "${tokenLabel}"`);
        });
      return new TokenMlDsaKey(algorithmId, publicKey, { pkcs11, pool, label, signContextParameter });
    }
    return pool
      .run((session) => {
        const master = findOrCreateSeedMaster(pkcs11, session, masterKeyLabel);
        return createDerivedKey(
          tokenSeedSource(pkcs11, session, master),
          { purpose, algorithmId, generation, implementation },
          { protection: 'hsm' },
        );
      })
      .catch((err: unknown) => {
        throw asKeyError(err, `deriving a key seed under "${masterKeyLabel}" on token "${tokenLabel}"`);
      });
  }

  return {
    kind: 'pkcs11',
    async open(purpose: KeyPurpose, algorithmId: number, generation = 0): Promise<SigningKey> {
      ensureOpen();
      checkKeyRequest(purpose, generation);
      assertBuildable(algorithmId);
      const slot = `${purpose}/${algorithmId}/${generation}`;
      let pending = keys.get(slot);
      if (pending === undefined) {
        pending = openKey(purpose, algorithmId, generation);
        keys.set(slot, pending);
        pending.catch(() => keys.delete(slot));
      }
      const key = await pending;
      ensureOpen();
      return key;
    },
    async openEd25519(purpose: KeyPurpose, generation = 0): Promise<ExternalSigner> {
      ensureOpen();
      checkKeyRequest(purpose, generation);
      const slot = `${purpose}/ed25519/${generation}`;
      let pending = ed25519.get(slot);
      if (pending === undefined) {
        // Like a software batch key: the seed is derived in the token (HMAC under the master key), the key held here.
        pending = pool
          .run((session) =>
            derivedEd25519Signer(
              tokenSeedSource(pkcs11, session, findOrCreateSeedMaster(pkcs11, session, masterKeyLabel)),
              purpose,
              generation,
              () => closed,
            ),
          )
          .catch((err: unknown) => {
            throw asKeyError(
              err,
              `deriving an Ed25519 seed under "${masterKeyLabel}" on token "${tokenLabel}"`,
            );
          });
        ed25519.set(slot, pending);
        pending.catch(() => ed25519.delete(slot));
      }
      const signer = await pending;
      ensureOpen();
      return signer;
    },
    async openSymbolAccount(): Promise<ExternalSigner> {
      ensureOpen();
      if (!mechanisms.includes(CKM_EDDSA)) {
        throw tokenUnavailable(
          `token "${tokenLabel}" does not offer CKM_EDDSA, which the Symbol account key needs`,
        );
      }
      if (account === undefined) {
        account = pool
          .run((session) => findOrCreateEd25519KeyPair(pkcs11, session, symbolKeyLabel))
          .then((publicKey) =>
            checkedEd25519Signer(
              createTokenEd25519Signer(pkcs11, pool, symbolKeyLabel, publicKey),
              () => closed,
            ),
          )
          .catch((err: unknown) => {
            account = undefined;
            throw asKeyError(
              err,
              `opening the Symbol account key "${symbolKeyLabel}" on token "${tokenLabel}"`,
            );
          });
      }
      const signer = await account;
      ensureOpen();
      return signer;
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      const opened = await Promise.allSettled(keys.values());
      for (const result of opened) if (result.status === 'fulfilled') result.value.close();
      keys.clear();
      account = undefined;
      await pool.close();
      lease.release();
    },
  };
}
