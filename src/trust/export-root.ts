// The trust root of this sidecar's log (docs/trust.md §Export): its key history, checked key by key, and the Symbol
// network and accounts that anchored it — for `spark trust export` from a data directory and the GetTrustRoot RPC.
import type { AnchorStateStore, OutboxEntry } from '../anchor/anchor-state.ts';
import type { Sha256 } from '../proof/crypto/sha256.ts';
import type { SignatureVerifier } from '../proof/crypto/signature-verifier.ts';
import { bytesEqual } from '../proof/encoding/bytes.ts';
import { trustRootFrom } from '../proof/trust/root-from-history.ts';
import type { Checked, TrustedWitness, TrustRoot } from '../proof/trust/trust-root.ts';
import type { Store } from '../store/store.ts';

/** The account anchoring now, when anchoring is on (its network once a node told it). */
export interface CurrentAccount {
  readonly publicKey: Uint8Array;
  readonly network?: { readonly identifier: number; readonly generationHashSeed: Uint8Array };
}

/** The signer and network of a stored announcement (aggregate bytes 72..104 and 109). */
function signerOf(e: OutboxEntry): { publicKey: Uint8Array; identifier: number; seed: Uint8Array } {
  return { publicKey: e.payload.slice(72, 104), identifier: e.payload[109] ?? 0, seed: e.generationHashSeed };
}

/**
 * The root: every key of the history (each self-signature and endorsement verified, else the reason), and, when
 * this log is anchored, the network and every account whose announcement reached a block, plus the current one.
 */
export function exportTrustRoot(o: {
  readonly store: Store;
  readonly states: AnchorStateStore;
  readonly account?: CurrentAccount;
  readonly nowMs: number;
  readonly verifier: SignatureVerifier;
  readonly sha256: Sha256;
  /** The witnesses this log asks (SPARK_WITNESSES_FILE) and their quorum. */
  readonly witnesses?: { readonly list: readonly TrustedWitness[]; readonly quorum: number };
}): Checked<TrustRoot> {
  const anchored = o.states
    .allOutbox()
    .filter((e) => e.state === 'confirmed' || e.state === 'final')
    .map(signerOf);
  const network =
    o.account?.network ??
    (anchored[0] === undefined
      ? undefined
      : { identifier: anchored[0].identifier, generationHashSeed: anchored[0].seed });
  const accounts = [
    ...anchored
      .filter((a) => network !== undefined && bytesEqual(a.seed, network.generationHashSeed))
      .map((a) => a.publicKey),
    ...(o.account === undefined ? [] : [o.account.publicKey]),
  ];
  return trustRootFrom(
    {
      logId: o.store.logId,
      history: o.store.keyHistory(),
      ...(network === undefined || accounts.length === 0
        ? {}
        : {
            symbol: {
              networkIdentifier: network.identifier,
              generationHashSeed: network.generationHashSeed,
              accounts,
            },
          }),
      ...(o.witnesses === undefined ? {} : { witnesses: o.witnesses }),
      createdAtMs: o.nowMs,
    },
    o.verifier,
    o.sha256,
  );
}
