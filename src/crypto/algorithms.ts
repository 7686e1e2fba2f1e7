// The registry of signature algorithm identifiers written into batch headers (SPEC §8).
// Identifiers are stable forever: a verifier in 2056 maps the same number to the same algorithm.

/** A signature algorithm this build knows. */
export interface AlgorithmSpec {
  /** Stable identifier written into headers and signatures. */
  readonly id: number;
  /** Name as in its standard, e.g. "ML-DSA-65". */
  readonly name: string;
  /** The defining standard. */
  readonly standard: string;
  /** NIST security category. */
  readonly securityCategory: number;
  /** Public key length in bytes. */
  readonly publicKeyLength: number;
  /** Signature length in bytes. */
  readonly signatureLength: number;
  /** Node's key type name for native signing and verification. */
  readonly nodeKeyType: string;
  /** Default end of the guarantee (ISO date): after it, the algorithm is no longer relied on. */
  readonly defaultGuaranteeExpiry: string;
}

/** Identifier of ML-DSA-44 (FIPS 204). */
export const ML_DSA_44 = 0x0001;
/** Identifier of ML-DSA-65 (FIPS 204), the default. */
export const ML_DSA_65 = 0x0002;
/** Identifier of ML-DSA-87 (FIPS 204). */
export const ML_DSA_87 = 0x0003;

/** Algorithm the sidecar signs with unless configured otherwise. */
export const DEFAULT_ALGORITHM_ID = ML_DSA_65;

const REGISTRY: readonly AlgorithmSpec[] = [
  {
    id: ML_DSA_44,
    name: 'ML-DSA-44',
    standard: 'FIPS 204',
    securityCategory: 2,
    publicKeyLength: 1312,
    signatureLength: 2420,
    nodeKeyType: 'ml-dsa-44',
    defaultGuaranteeExpiry: '2040-01-01T00:00:00Z',
  },
  {
    id: ML_DSA_65,
    name: 'ML-DSA-65',
    standard: 'FIPS 204',
    securityCategory: 3,
    publicKeyLength: 1952,
    signatureLength: 3309,
    nodeKeyType: 'ml-dsa-65',
    defaultGuaranteeExpiry: '2045-01-01T00:00:00Z',
  },
  {
    id: ML_DSA_87,
    name: 'ML-DSA-87',
    standard: 'FIPS 204',
    securityCategory: 5,
    publicKeyLength: 2592,
    signatureLength: 4627,
    nodeKeyType: 'ml-dsa-87',
    defaultGuaranteeExpiry: '2050-01-01T00:00:00Z',
  },
];

/** Every algorithm this build can verify. */
export function allAlgorithms(): readonly AlgorithmSpec[] {
  return REGISTRY;
}

/** The algorithm with identifier `id`, or undefined when unknown. */
export function algorithmById(id: number): AlgorithmSpec | undefined {
  return REGISTRY.find((a) => a.id === id);
}

/** The algorithm named `name` (case-insensitive, e.g. "ml-dsa-65"), or undefined. */
export function algorithmByName(name: string): AlgorithmSpec | undefined {
  const n = name.toLowerCase();
  return REGISTRY.find((a) => a.name.toLowerCase() === n);
}
