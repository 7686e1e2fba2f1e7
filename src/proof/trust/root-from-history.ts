// Builds a trust root from a log's key history and the Symbol accounts that anchored it (docs/trust.md §Export):
// every key's self-signature and endorsement is checked before it goes in, so an export never ships a key the
// history does not chain to. Pure.
import type { Sha256 } from '../crypto/sha256.ts';
import type { SignatureVerifier } from '../crypto/signature-verifier.ts';
import {
  addressOf,
  type Checked,
  checkTrustRoot,
  type TrustedKey,
  type TrustedWitness,
  type TrustRoot,
} from './trust-root.ts';

/** A key-history entry as the store keeps it (or a bundle's key record). */
export interface KeyHistoryLike {
  readonly algorithmId: number;
  readonly keyId: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly validFromMs: number | bigint;
  readonly validUntilMs: number | bigint;
  readonly previousKeyId: Uint8Array;
  readonly endorsement: Uint8Array;
  readonly protection: string;
  readonly selfSignature: Uint8Array;
}

/** What a root is made of. */
export interface RootSources {
  readonly logId: Uint8Array;
  /** Oldest first. */
  readonly history: readonly KeyHistoryLike[];
  /** The witnesses this log asks and the quorum its bundles are held to (SPARK_WITNESSES_FILE). */
  readonly witnesses?: { readonly list: readonly TrustedWitness[]; readonly quorum: number };
  /** The Symbol network and the accounts (public keys) that anchor this log, when anchoring is on. */
  readonly symbol?: {
    readonly networkIdentifier: number;
    readonly generationHashSeed: Uint8Array;
    readonly accounts: readonly Uint8Array[];
  };
  readonly createdAtMs: number;
}

/** The trust root of `sources`, checked; the reason when a key does not check out. */
export function trustRootFrom(
  sources: RootSources,
  verifier: SignatureVerifier,
  sha256: Sha256,
): Checked<TrustRoot> {
  const keys: TrustedKey[] = sources.history.map((k) => ({
    algorithmId: k.algorithmId,
    keyId: k.keyId,
    publicKey: k.publicKey,
    validFromMs: BigInt(k.validFromMs),
    validUntilMs: BigInt(k.validUntilMs),
    previousKeyId: k.previousKeyId,
    endorsement: k.endorsement,
    protection: k.protection,
    selfSignature: k.selfSignature,
  }));
  const s = sources.symbol;
  const unique = s === undefined ? [] : [...new Map(s.accounts.map((a) => [a.join(','), a])).values()];
  return checkTrustRoot(
    {
      logId: sources.logId,
      keys,
      symbol:
        s === undefined
          ? undefined
          : {
              networkIdentifier: s.networkIdentifier,
              generationHashSeed: s.generationHashSeed,
              accounts: unique.map((publicKey) => ({
                publicKey,
                address: addressOf(publicKey, s.networkIdentifier),
              })),
            },
      witnesses: sources.witnesses?.list ?? [],
      witnessQuorum: sources.witnesses?.quorum ?? 0,
      createdAtMs: BigInt(sources.createdAtMs),
    },
    verifier,
    sha256,
  );
}
