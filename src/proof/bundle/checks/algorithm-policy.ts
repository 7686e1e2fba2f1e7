// The verifier's algorithm policy (docs/proof-format.md §7.1): which registry algorithms a verifier relies on. A verifier
// may disable algorithms it no longer trusts (e.g. after a break); bundles that need one then fail, with the reason.
// A hybrid relies on every component: disabling a component disables every hybrid that contains it.
import { type AlgorithmSpec, algorithmById, algorithmByName, algorithmHex } from '../../crypto/algorithms.ts';
import type { SignatureVerifier } from '../../crypto/signature-verifier.ts';

/** The algorithm ids a verifier refuses to rely on, as given (hybrids of a disabled component are refused too). */
export interface AlgorithmPolicy {
  readonly disabled: ReadonlySet<number>;
}

/** A policy disabling `disabled` (any non-array counts as none: the verifier never throws). */
export function algorithmPolicy(disabled: readonly number[] | undefined): AlgorithmPolicy {
  return { disabled: new Set(Array.isArray(disabled) ? disabled : []) };
}

/** The registry algorithms among a hybrid's components (ML-DSA-65, SLH-DSA-SHA2-128s; Ed25519 has no id); none for others. */
function componentAlgorithms(spec: AlgorithmSpec): AlgorithmSpec[] {
  if (spec.family !== 'hybrid') return [];
  return spec.components.flatMap((c) => {
    const alone = algorithmByName(c.name);
    return alone === undefined ? [] : [alone];
  });
}

/**
 * Why a verifier under `policy` does not rely on `algorithmId`, or undefined when it does:
 * "unknown algorithm id 0x7777", "algorithm 0x0011 (SLH-DSA-SHA2-128f) is disabled by this verifier's policy", or
 * "algorithm 0x0101 (ML-DSA-65+Ed25519) relies on 0x0002 (ML-DSA-65), which this verifier's policy disables".
 */
export function algorithmRefusal(algorithmId: number, policy: AlgorithmPolicy): string | undefined {
  const spec = algorithmById(algorithmId);
  if (spec === undefined) return `unknown algorithm id ${algorithmHex(algorithmId)}`;
  const name = `algorithm ${algorithmHex(algorithmId)} (${spec.name})`;
  if (policy.disabled.has(algorithmId)) return `${name} is disabled by this verifier's policy`;
  const component = componentAlgorithms(spec).find((c) => policy.disabled.has(c.id));
  if (component !== undefined) {
    return `${name} relies on ${algorithmHex(component.id)} (${component.name}), which this verifier's policy disables`;
  }
  return undefined;
}

/** `verifier` under `policy`: a signature of an algorithm the policy refuses never verifies, whatever its bytes. */
export function withPolicy(verifier: SignatureVerifier, policy: AlgorithmPolicy): SignatureVerifier {
  if (policy.disabled.size === 0) return verifier;
  return {
    name: verifier.name,
    verify: (algorithmId, publicKey, message, signature, context) =>
      algorithmRefusal(algorithmId, policy) === undefined &&
      verifier.verify(algorithmId, publicKey, message, signature, context),
  };
}
