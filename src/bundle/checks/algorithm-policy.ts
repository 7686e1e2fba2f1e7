// The verifier's algorithm policy (SPEC §8): which registry algorithms a verifier relies on. A verifier may
// disable algorithms it no longer trusts (e.g. after a break); bundles that need one then fail, with the reason.
import { algorithmById, algorithmHex } from '../../crypto/algorithms.ts';
import type { SignatureVerifier } from '../../crypto/signature-verifier.ts';

/** The algorithm ids a verifier refuses to rely on. */
export interface AlgorithmPolicy {
  readonly disabled: ReadonlySet<number>;
}

/** A policy disabling `disabled` (any non-array counts as none: the verifier never throws). */
export function algorithmPolicy(disabled: readonly number[] | undefined): AlgorithmPolicy {
  return { disabled: new Set(Array.isArray(disabled) ? disabled : []) };
}

/**
 * Why a verifier under `policy` does not rely on `algorithmId`, or undefined when it does:
 * "unknown algorithm id 0x7777", or "algorithm 0x0011 (SLH-DSA-SHA2-128f) is disabled by this verifier's policy".
 */
export function algorithmRefusal(algorithmId: number, policy: AlgorithmPolicy): string | undefined {
  const spec = algorithmById(algorithmId);
  if (spec === undefined) return `unknown algorithm id ${algorithmHex(algorithmId)}`;
  if (policy.disabled.has(algorithmId)) {
    return `algorithm ${algorithmHex(algorithmId)} (${spec.name}) is disabled by this verifier's policy`;
  }
  return undefined;
}

/** `verifier` under `policy`: a signature of a disabled algorithm never verifies, whatever its bytes. */
export function withPolicy(verifier: SignatureVerifier, policy: AlgorithmPolicy): SignatureVerifier {
  if (policy.disabled.size === 0) return verifier;
  return {
    name: verifier.name,
    verify: (algorithmId, publicKey, message, signature, context) =>
      !policy.disabled.has(algorithmId) &&
      verifier.verify(algorithmId, publicKey, message, signature, context),
  };
}
