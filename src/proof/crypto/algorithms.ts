// The registry of signature algorithm identifiers written into batch headers (docs/proof-format.md §7).
// Identifiers are stable forever: a verifier in 2056 maps the same number to the same algorithm.

/** A signature scheme that registry algorithms are made of. */
export interface ComponentSpec {
  /** Name as in its standard: "ML-DSA-65", "SLH-DSA-SHA2-128s", "Ed25519". */
  readonly name: string;
  /** Scheme family; also a hybrid's component label in key-seed derivation. */
  readonly family: 'ml-dsa' | 'slh-dsa' | 'ed25519';
  /** Node's key type name for native signing and verification. */
  readonly nodeKeyType: string;
  /** Public key length in bytes. */
  readonly publicKeyLength: number;
  /** Signature length in bytes. */
  readonly signatureLength: number;
}

/** A signature algorithm this build knows. */
export interface AlgorithmSpec {
  /** Stable identifier written into headers and signatures. */
  readonly id: number;
  /** Name as in its standard, e.g. "ML-DSA-65"; a hybrid joins its components' names with "+". */
  readonly name: string;
  /** The defining standard. */
  readonly standard: string;
  /** NIST security category (a hybrid's is its strongest post-quantum component's). */
  readonly securityCategory: number;
  /** "ml-dsa" (FIPS 204), "slh-dsa" (FIPS 205) or "hybrid" (two components that must both verify). */
  readonly family: 'ml-dsa' | 'slh-dsa' | 'hybrid';
  /** The scheme itself for a single algorithm; a hybrid's components in key and signature order. */
  readonly components: readonly ComponentSpec[];
  /** Public key length in bytes (a hybrid's: its components' keys concatenated). */
  readonly publicKeyLength: number;
  /** Signature length in bytes (a hybrid's: its components' signatures concatenated). */
  readonly signatureLength: number;
  /** Node's key type name of a single algorithm; absent for hybrids (each component has its own). */
  readonly nodeKeyType?: string;
  /** Default end of the guarantee (ISO date): after it, the algorithm is no longer relied on. */
  readonly defaultGuaranteeExpiry: string;
}

/** Identifier of ML-DSA-44 (FIPS 204). */
export const ML_DSA_44 = 0x0001;
/** Identifier of ML-DSA-65 (FIPS 204), the default. */
export const ML_DSA_65 = 0x0002;
/** Identifier of ML-DSA-87 (FIPS 204). */
export const ML_DSA_87 = 0x0003;
/** Identifier of SLH-DSA-SHA2-128s (FIPS 205; SLH-DSA range 0x0010–0x001F). */
export const SLH_DSA_SHA2_128S = 0x0010;
/** Identifier of SLH-DSA-SHA2-128f (FIPS 205). */
export const SLH_DSA_SHA2_128F = 0x0011;
/** Identifier of the hybrid ML-DSA-65 + Ed25519 (hybrid range 0x0100–0x01FF). */
export const ML_DSA_65_ED25519 = 0x0101;
/** Identifier of the dual post-quantum hybrid ML-DSA-65 + SLH-DSA-SHA2-128s. */
export const ML_DSA_65_SLH_DSA_SHA2_128S = 0x0102;

/** Algorithm the sidecar signs with unless configured otherwise. */
export const DEFAULT_ALGORITHM_ID = ML_DSA_65;

const ML_DSA_44_SCHEME = {
  name: 'ML-DSA-44',
  family: 'ml-dsa',
  nodeKeyType: 'ml-dsa-44',
  publicKeyLength: 1312,
  signatureLength: 2420,
} as const satisfies ComponentSpec;
const ML_DSA_65_SCHEME = {
  name: 'ML-DSA-65',
  family: 'ml-dsa',
  nodeKeyType: 'ml-dsa-65',
  publicKeyLength: 1952,
  signatureLength: 3309,
} as const satisfies ComponentSpec;
const ML_DSA_87_SCHEME = {
  name: 'ML-DSA-87',
  family: 'ml-dsa',
  nodeKeyType: 'ml-dsa-87',
  publicKeyLength: 2592,
  signatureLength: 4627,
} as const satisfies ComponentSpec;
const SLH_DSA_SHA2_128S_SCHEME = {
  name: 'SLH-DSA-SHA2-128s',
  family: 'slh-dsa',
  nodeKeyType: 'slh-dsa-sha2-128s',
  publicKeyLength: 32,
  signatureLength: 7856,
} as const satisfies ComponentSpec;
const SLH_DSA_SHA2_128F_SCHEME = {
  name: 'SLH-DSA-SHA2-128f',
  family: 'slh-dsa',
  nodeKeyType: 'slh-dsa-sha2-128f',
  publicKeyLength: 32,
  signatureLength: 17088,
} as const satisfies ComponentSpec;
const ED25519_SCHEME = {
  name: 'Ed25519',
  family: 'ed25519',
  nodeKeyType: 'ed25519',
  publicKeyLength: 32,
  signatureLength: 64,
} as const satisfies ComponentSpec;

/** A registry entry for one post-quantum scheme on its own (Ed25519 appears only inside hybrids). */
function single(
  id: number,
  scheme: ComponentSpec & { readonly family: 'ml-dsa' | 'slh-dsa' },
  o: { standard: string; securityCategory: number; defaultGuaranteeExpiry: string },
): AlgorithmSpec {
  return {
    id,
    name: scheme.name,
    family: scheme.family,
    components: [scheme],
    publicKeyLength: scheme.publicKeyLength,
    signatureLength: scheme.signatureLength,
    nodeKeyType: scheme.nodeKeyType,
    ...o,
  };
}

/** A registry entry for a hybrid: keys and signatures are its components' concatenated, in order. */
function hybrid(
  id: number,
  components: readonly ComponentSpec[],
  o: { standard: string; securityCategory: number; defaultGuaranteeExpiry: string },
): AlgorithmSpec {
  let publicKeyLength = 0;
  let signatureLength = 0;
  for (const c of components) {
    publicKeyLength += c.publicKeyLength;
    signatureLength += c.signatureLength;
  }
  return {
    id,
    name: components.map((c) => c.name).join('+'),
    family: 'hybrid',
    components,
    publicKeyLength,
    signatureLength,
    ...o,
  };
}

const REGISTRY: readonly AlgorithmSpec[] = [
  single(ML_DSA_44, ML_DSA_44_SCHEME, {
    standard: 'FIPS 204',
    securityCategory: 2,
    defaultGuaranteeExpiry: '2040-01-01T00:00:00Z',
  }),
  single(ML_DSA_65, ML_DSA_65_SCHEME, {
    standard: 'FIPS 204',
    securityCategory: 3,
    defaultGuaranteeExpiry: '2045-01-01T00:00:00Z',
  }),
  single(ML_DSA_87, ML_DSA_87_SCHEME, {
    standard: 'FIPS 204',
    securityCategory: 5,
    defaultGuaranteeExpiry: '2050-01-01T00:00:00Z',
  }),
  // Hash-based: security rests on SHA-256 alone, the most conservative assumption in the registry.
  single(SLH_DSA_SHA2_128S, SLH_DSA_SHA2_128S_SCHEME, {
    standard: 'FIPS 205',
    securityCategory: 1,
    defaultGuaranteeExpiry: '2050-01-01T00:00:00Z',
  }),
  single(SLH_DSA_SHA2_128F, SLH_DSA_SHA2_128F_SCHEME, {
    standard: 'FIPS 205',
    securityCategory: 1,
    defaultGuaranteeExpiry: '2050-01-01T00:00:00Z',
  }),
  // Ed25519 adds nothing against a quantum adversary: the guarantee is ML-DSA-65's.
  hybrid(ML_DSA_65_ED25519, [ML_DSA_65_SCHEME, ED25519_SCHEME], {
    standard: 'FIPS 204 + RFC 8032 (spark/v1/hybrid)',
    securityCategory: 3,
    defaultGuaranteeExpiry: '2045-01-01T00:00:00Z',
  }),
  // Holds while either component holds: as long as the longer of the two.
  hybrid(ML_DSA_65_SLH_DSA_SHA2_128S, [ML_DSA_65_SCHEME, SLH_DSA_SHA2_128S_SCHEME], {
    standard: 'FIPS 204 + FIPS 205 (spark/v1/hybrid)',
    securityCategory: 3,
    defaultGuaranteeExpiry: '2050-01-01T00:00:00Z',
  }),
];

/** Every algorithm this build can verify, in identifier order. */
export function allAlgorithms(): readonly AlgorithmSpec[] {
  return REGISTRY;
}

/** The algorithm with identifier `id`, or undefined when unknown. */
export function algorithmById(id: number): AlgorithmSpec | undefined {
  return REGISTRY.find((a) => a.id === id);
}

/** The algorithm named `name` (case-insensitive, e.g. "ml-dsa-65", "ML-DSA-65+Ed25519"), or undefined. */
export function algorithmByName(name: string): AlgorithmSpec | undefined {
  const n = name.toLowerCase();
  return REGISTRY.find((a) => a.name.toLowerCase() === n);
}

/** Four-digit hex of an algorithm id, e.g. "0x0002". */
export function algorithmHex(id: number): string {
  return `0x${id.toString(16).padStart(4, '0')}`;
}
