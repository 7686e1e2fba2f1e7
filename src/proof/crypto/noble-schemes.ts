// The @noble implementations of every component scheme in the registry, by scheme name. Pure: runs in browsers.
import { ml_dsa44, ml_dsa65, ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';
import { slh_dsa_sha2_128f, slh_dsa_sha2_128s } from '@noble/post-quantum/slh-dsa.js';
import type { ComponentSpec } from './algorithms.ts';
import { verifyEd25519 } from './ed25519-rule.ts';

/** A FIPS 204 or FIPS 205 scheme of @noble/post-quantum: seeded key generation, sign and verify with a context. */
export type NoblePqcScheme = typeof ml_dsa65 | typeof slh_dsa_sha2_128s;

const PQC_SCHEMES = new Map<string, NoblePqcScheme>([
  ['ML-DSA-44', ml_dsa44],
  ['ML-DSA-65', ml_dsa65],
  ['ML-DSA-87', ml_dsa87],
  ['SLH-DSA-SHA2-128s', slh_dsa_sha2_128s],
  ['SLH-DSA-SHA2-128f', slh_dsa_sha2_128f],
]);

/** The @noble/post-quantum implementation of post-quantum component `name`, or undefined. */
export function noblePqcScheme(name: string): NoblePqcScheme | undefined {
  return PQC_SCHEMES.get(name);
}

/**
 * Checks one component signature with @noble: FIPS 204/205 with `context`, Ed25519 without one by the protocol's
 * rule (docs/proof-format.md §7.2).
 */
export function nobleComponentVerify(
  component: ComponentSpec,
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
  context: Uint8Array,
): boolean {
  if (component.family === 'ed25519') return verifyEd25519(signature, message, publicKey);
  const scheme = PQC_SCHEMES.get(component.name);
  return scheme?.verify(signature, message, publicKey, { context }) === true;
}
