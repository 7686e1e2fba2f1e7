// The private half of one hybrid component: signs what the hybrid key hands it, and wipes itself.
import type { ComponentSpec } from '../../src/proof/crypto/algorithms.ts';

/** One component's signing key inside a hybrid key (never used on its own: it only ever signs M'). */
export interface ComponentSigner {
  /** The scheme it signs with. */
  readonly component: ComponentSpec;
  /** Its raw public key (a hybrid's public key is its components' keys concatenated). */
  readonly publicKey: Uint8Array;
  /** Signs the hybrid message `message`; FIPS 204/205 components with `context`, Ed25519 ignores it. */
  sign(message: Uint8Array, context: Uint8Array): Promise<Uint8Array>;
  /** Wipes or drops the private material; idempotent. */
  wipe(): void;
}

/** Builds the signer of `component` from its seed; the caller keeps (and wipes) `seed`. */
export type ComponentSignerFactory = (component: ComponentSpec, seed: Uint8Array) => ComponentSigner;
