// The one-method contract for checking a signature by algorithm identifier.

/** Checks signatures; implementations must never throw on malformed input, only return false. */
export interface SignatureVerifier {
  /** Name of the implementation, for reports (e.g. "@noble/post-quantum"). */
  readonly name: string;
  /** True when `signature` is valid for `message` under `publicKey` with FIPS 204 `context`. */
  verify(
    algorithmId: number,
    publicKey: Uint8Array,
    message: Uint8Array,
    signature: Uint8Array,
    context: Uint8Array,
  ): boolean;
}
