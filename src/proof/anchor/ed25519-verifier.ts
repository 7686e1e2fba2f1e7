// The one-method contract for checking Symbol's Ed25519 signatures (pure RFC 8032 under the rule of
// docs/proof-format.md §7.2), so the anchor verifier stays portable.

/** Checks an Ed25519 signature; implementations return false on malformed input and never throw. */
export interface Ed25519Verifier {
  /** Name of the implementation, for reports. */
  readonly name: string;
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
}
