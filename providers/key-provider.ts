// The KeyProvider contract (docs/keys.md): where signing keys live, behind one small interface.
import type { ExternalSigner } from '../src/anchor/external-signer.ts';

/**
 * What a key is used for; each purpose derives or labels its keys apart, so a witness's key is never a log's.
 * `witness-cosigning`: the key of a `spark witness` (docs/witnesses.md).
 */
export type KeyPurpose = 'batch-signing' | 'witness-cosigning';

/** Where the private key lives. */
export type Protection = 'memory' | 'file' | 'hsm' | 'remote';

/** A public key and its identity. */
export interface PublicKeyInfo {
  /** Algorithm identifier (src/proof/crypto/algorithms.ts). */
  readonly algorithmId: number;
  /** SHA-256 of `publicKey`. */
  readonly keyId: Uint8Array;
  /** Raw public key bytes. */
  readonly publicKey: Uint8Array;
}

/** A key that signs. The private part never leaves the provider. */
export interface SigningKey extends PublicKeyInfo {
  readonly protection: Protection;
  /** Signs `message` with FIPS 204 `context` (at most 255 bytes). */
  sign(message: Uint8Array, context: Uint8Array): Promise<Uint8Array>;
}

/** A source of signing keys. */
export interface KeyProvider {
  /**
   * Opens the Symbol account key (Ed25519) that signs anchor transactions, as an external signer: the
   * private key never leaves the provider. Repeated calls return the same account.
   */
  openSymbolAccount(): Promise<ExternalSigner>;
  /** Configuration name, e.g. "memory". */
  readonly kind: string;
  /**
   * Opens (generating, deriving or loading) generation `generation` (default 0) of the key for `purpose`
   * with `algorithmId`. The same triple gives the same key for as long as the provider's root secret lives
   * (for the memory provider: this process); another generation gives another key. Rotation opens the next
   * generation; a restart reopens the current one from the key history.
   */
  open(purpose: KeyPurpose, algorithmId: number, generation?: number): Promise<SigningKey>;
  /**
   * Opens generation `generation` (default 0) of a plain Ed25519 key for `purpose` — a witness's C2SP Ed25519
   * cosignatures (docs/witnesses.md §3); never the Symbol account's key. Absent where the provider cannot hold one.
   */
  openEd25519?(purpose: KeyPurpose, generation?: number): Promise<ExternalSigner>;
  /** Wipes private material and releases resources; later calls fail with KeyError CLOSED. */
  close(): Promise<void>;
}

/** Largest key generation (a rotation a day for thousands of years fits). */
export const MAX_KEY_GENERATION = 0xffff_ffff;
