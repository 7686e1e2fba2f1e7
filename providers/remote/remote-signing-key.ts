// A key held by the remote signer: the base class checks and verifies every signature the signer returns.
import { CheckedSigningKey } from '../checked-signing-key.ts';

/** Asks the signer for one signature over already-checked `message` under `context`. */
export type RemoteSign = (message: Uint8Array, context: Uint8Array) => Promise<Uint8Array>;

/**
 * A signing key whose private half lives on the signer. Its public key came from GetPublicKey; each signature
 * from Sign is length-checked and verified under that public key before release (SELF_CHECK_FAILED otherwise),
 * so a faulty or hostile signer cannot slip a bad signature into a batch.
 */
export class RemoteSigningKey extends CheckedSigningKey {
  readonly #sign: RemoteSign;

  constructor(algorithmId: number, publicKey: Uint8Array, sign: RemoteSign) {
    super(algorithmId, publicKey, { protection: 'remote' });
    this.#sign = sign;
  }

  protected override _onSign(message: Uint8Array, context: Uint8Array): Promise<Uint8Array> {
    return this.#sign(message, context);
  }

  /** Nothing to wipe here: the connection belongs to the provider. */
  protected override _onClose(): void {}
}
