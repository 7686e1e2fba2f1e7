// The one-method contract for checking Symbol's Ed25519 signatures (pure RFC 8032), so the anchor verifier stays portable (SPEC §6).

/** Checks an Ed25519 signature; implementations return false on malformed input and never throw. */
export interface Ed25519Verifier {
  /** Name of the implementation, for reports. */
  readonly name: string;
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
}
