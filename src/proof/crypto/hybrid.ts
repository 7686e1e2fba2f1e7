// The hybrid encoding (docs/proof-format.md §7.1): what each component of a hybrid signs, and how
// keys and signatures split into components. Pure: runs in browsers.
import { concatBytes, utf8 } from '../encoding/bytes.ts';
import type { AlgorithmSpec, ComponentSpec } from './algorithms.ts';

/** Opens every hybrid component's message: binds the signature to this protocol's hybrid construction. */
export const HYBRID_DOMAIN: Uint8Array = utf8('spark/v1/hybrid');

/** Largest context a hybrid carries (its length is one byte, as in FIPS 204/205). */
export const MAX_HYBRID_CONTEXT_LENGTH = 255;

/**
 * The bytes every component of hybrid `hybridId` signs for `message` under `context`:
 * M' = "spark/v1/hybrid" ‖ u16be(hybrid id) ‖ u8(len ctx) ‖ ctx ‖ message. The id stops a component
 * signature from being moved to another hybrid; the domain stops it from verifying as a plain signature
 * over `message` (stripping). Throws RangeError when the context is longer than 255 bytes or the id is not a u16.
 */
export function hybridMessage(hybridId: number, context: Uint8Array, message: Uint8Array): Uint8Array {
  if (!Number.isInteger(hybridId) || hybridId < 0 || hybridId > 0xffff) {
    throw new RangeError('hybrid id must be a u16');
  }
  if (context.length > MAX_HYBRID_CONTEXT_LENGTH) {
    throw new RangeError(`hybrid context must be at most ${MAX_HYBRID_CONTEXT_LENGTH} bytes`);
  }
  return concatBytes(
    HYBRID_DOMAIN,
    Uint8Array.of(hybridId >>> 8, hybridId & 0xff, context.length),
    context,
    message,
  );
}

/**
 * Splits a hybrid's public key or signature into its components' parts (views, in component order), or
 * undefined when the length is not the sum of the components' lengths.
 */
export function splitComponents(
  spec: AlgorithmSpec,
  bytes: Uint8Array,
  part: 'publicKey' | 'signature',
): Uint8Array[] | undefined {
  const lengthOf = (c: ComponentSpec) => (part === 'publicKey' ? c.publicKeyLength : c.signatureLength);
  let total = 0;
  for (const c of spec.components) total += lengthOf(c);
  if (bytes.length !== total) return undefined;
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const c of spec.components) {
    parts.push(bytes.subarray(offset, offset + lengthOf(c)));
    offset += lengthOf(c);
  }
  return parts;
}
