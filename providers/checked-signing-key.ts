// The base of every signing key: checks inputs, derives the key id, and verifies each signature before release.
import { createHash } from 'node:crypto';
import { createNativeVerifier } from '../src/crypto/native-verifier.ts';
import { type AlgorithmSpec, algorithmById } from '../src/proof/crypto/algorithms.ts';
import type { SignatureVerifier } from '../src/proof/crypto/signature-verifier.ts';
import { KeyError, type KeyErrorCode } from './key-error.ts';
import type { Protection, SigningKey } from './key-provider.ts';

/** Largest message a key signs (batch headers and key statements are far smaller). */
export const MAX_SIGN_MESSAGE_LENGTH = 1024 * 1024;

/** Largest FIPS 204 context string. */
export const MAX_SIGN_CONTEXT_LENGTH = 255;

/** Options of a checked key. */
export interface CheckedSigningKeyOptions {
  /** Where the private key lives; default "memory". */
  readonly protection?: Protection;
  /** Verifier of the self-check; default node:crypto. */
  readonly verifier?: SignatureVerifier;
}

/** Throws a KeyError with `code` about `field` unless `cond` holds. */
function needs(cond: boolean, code: KeyErrorCode, message: string, field?: string): asserts cond {
  if (!cond) throw new KeyError(code, message, field === undefined ? {} : { field });
}

/**
 * Implements SigningKey.sign around the implementer's `_onSign`: inputs are checked before, and the
 * signature is length-checked and verified after, so a faulty or fault-attacked signer never releases
 * a bad (possibly key-leaking) signature.
 */
export abstract class CheckedSigningKey implements SigningKey {
  readonly algorithmId: number;
  readonly algorithm: AlgorithmSpec;
  readonly protection: Protection;
  readonly #publicKey: Uint8Array;
  readonly #keyId: Uint8Array;
  readonly #verifier: SignatureVerifier;
  #closed = false;

  constructor(algorithmId: number, publicKey: Uint8Array, options: CheckedSigningKeyOptions = {}) {
    const algorithm = algorithmById(algorithmId);
    needs(
      algorithm !== undefined,
      'UNSUPPORTED_ALGORITHM',
      `unknown algorithm id ${algorithmId}`,
      'algorithmId',
    );
    needs(
      publicKey instanceof Uint8Array && publicKey.length === algorithm.publicKeyLength,
      'SELF_CHECK_FAILED',
      `${algorithm.name} public key must be ${algorithm.publicKeyLength} bytes`,
      'publicKey',
    );
    this.algorithmId = algorithmId;
    this.algorithm = algorithm;
    this.protection = options.protection ?? 'memory';
    // Private copies: a caller mutating the exposed arrays must not change what signatures are checked against.
    this.#publicKey = Uint8Array.from(publicKey);
    this.#keyId = new Uint8Array(createHash('sha256').update(this.#publicKey).digest());
    this.#verifier = options.verifier ?? createNativeVerifier();
  }

  /** Raw public key bytes (a fresh copy). */
  get publicKey(): Uint8Array {
    return Uint8Array.from(this.#publicKey);
  }

  /** SHA-256 of the public key (a fresh copy). */
  get keyId(): Uint8Array {
    return Uint8Array.from(this.#keyId);
  }

  /** True once close() ran. */
  get closed(): boolean {
    return this.#closed;
  }

  async sign(message: Uint8Array, context: Uint8Array): Promise<Uint8Array> {
    needs(!this.#closed, 'CLOSED', 'signing key is closed');
    needs(message instanceof Uint8Array, 'INVALID_INPUT', 'message must be a Uint8Array', 'message');
    needs(message.length > 0, 'INVALID_INPUT', 'message must not be empty', 'message');
    needs(
      message.length <= MAX_SIGN_MESSAGE_LENGTH,
      'INVALID_INPUT',
      `message must be at most ${MAX_SIGN_MESSAGE_LENGTH} bytes`,
      'message',
    );
    needs(context instanceof Uint8Array, 'INVALID_INPUT', 'context must be a Uint8Array', 'context');
    needs(
      context.length <= MAX_SIGN_CONTEXT_LENGTH,
      'INVALID_INPUT',
      `context must be at most ${MAX_SIGN_CONTEXT_LENGTH} bytes`,
      'context',
    );
    // Snapshots: the caller may reuse its buffers while an asynchronous signer runs.
    const m = Uint8Array.from(message);
    const c = Uint8Array.from(context);
    let signature: Uint8Array;
    try {
      signature = await this._onSign(m, c);
    } catch (err) {
      if (err instanceof KeyError) throw err;
      throw new KeyError('SIGN_FAILED', `${this.algorithm.name} signing failed`, { cause: err });
    }
    needs(
      signature instanceof Uint8Array && signature.length === this.algorithm.signatureLength,
      'SELF_CHECK_FAILED',
      `${this.algorithm.name} signature must be ${this.algorithm.signatureLength} bytes`,
      'signature',
    );
    needs(
      this.#verifier.verify(this.algorithmId, this.#publicKey, m, signature, c),
      'SELF_CHECK_FAILED',
      `${this.algorithm.name} signature did not verify under its own public key`,
      'signature',
    );
    return signature;
  }

  /** Wipes the private material; later sign() calls fail with KeyError CLOSED. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this._onClose();
  }

  /** Signs already-checked `message` under `context`; the base verifies the result. */
  protected abstract _onSign(message: Uint8Array, context: Uint8Array): Promise<Uint8Array>;

  /** Wipes or releases the private material; called once. */
  protected abstract _onClose(): void;
}
