// Verifies any registry algorithm through one function per component scheme: a single algorithm directly,
// a hybrid component by component over the hybrid message. Shared by the native and portable verifiers. Pure.
import { type AlgorithmSpec, algorithmById, type ComponentSpec } from './algorithms.ts';
import { hybridMessage, MAX_HYBRID_CONTEXT_LENGTH, splitComponents } from './hybrid.ts';

/**
 * Checks one component signature: FIPS 204/205 schemes with `context`; Ed25519 as pure RFC 8032 (it gets
 * no context). Must return false on any malformed input; may throw (the caller treats a throw as false).
 */
export type ComponentVerify = (
  component: ComponentSpec,
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
  context: Uint8Array,
) => boolean;

function verifySpec(
  spec: AlgorithmSpec,
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
  context: Uint8Array,
  verifyComponent: ComponentVerify,
): boolean {
  if (publicKey.length !== spec.publicKeyLength || signature.length !== spec.signatureLength) return false;
  const [only] = spec.components;
  if (spec.family !== 'hybrid') {
    return only !== undefined && verifyComponent(only, publicKey, message, signature, context);
  }
  if (context.length > MAX_HYBRID_CONTEXT_LENGTH) return false;
  const keys = splitComponents(spec, publicKey, 'publicKey');
  const signatures = splitComponents(spec, signature, 'signature');
  if (keys === undefined || signatures === undefined) return false;
  const signed = hybridMessage(spec.id, context, message);
  // Every component must verify: a hybrid is broken only when all its components are.
  return spec.components.every((c, i) => {
    const key = keys[i];
    const sig = signatures[i];
    return key !== undefined && sig !== undefined && verifyComponent(c, key, signed, sig, context);
  });
}

/**
 * True when `signature` is valid for `message` under `publicKey` with `context` for algorithm `algorithmId`.
 * False for unknown ids, wrong lengths, non-bytes and anything `verifyComponent` throws on; never throws.
 */
export function verifyByComponents(
  algorithmId: number,
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
  context: Uint8Array,
  verifyComponent: ComponentVerify,
): boolean {
  try {
    const spec = algorithmById(algorithmId);
    if (spec === undefined) return false;
    for (const b of [publicKey, message, signature, context]) if (!(b instanceof Uint8Array)) return false;
    return verifySpec(spec, publicKey, message, signature, context, verifyComponent);
  } catch {
    return false;
  }
}
