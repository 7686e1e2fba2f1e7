// The one-method contract for the Symbol account's Ed25519 key, wherever it lives (memory, HSM, remote) (docs/anchoring.md, docs/keys.md).

/** Signs Symbol signing payloads with pure Ed25519 (RFC 8032; PKCS#11 CKM_EDDSA). */
export interface ExternalSigner {
  /** The account's 32-byte Ed25519 public key. */
  readonly publicKey: Uint8Array;
  /** The 64-byte signature R ‖ S over `signingPayload` (generation hash seed ‖ signed transaction bytes). */
  sign(signingPayload: Uint8Array): Promise<Uint8Array>;
}
