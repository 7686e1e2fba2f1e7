// Test fixtures: real ML-DSA keys from fixed seeds, self-signed key entries, sealed batches and their bundles.
import { createPrivateKey, createPublicKey, type KeyObject, sign } from 'node:crypto';
import { ml_dsa44, ml_dsa65, ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';
import { nativeSha256 } from '../../src/crypto/native-sha256.ts';
import type { ProofBundle } from '../../src/gen/spark/v1/bundle_pb.js';
import { buildBundle } from '../../src/proof/bundle/build.ts';
import {
  encodeHeader,
  HEADER_FORMAT_VERSION,
  type HeaderFields,
  ZERO_HASH,
} from '../../src/proof/bundle/header.ts';
import { encodeKeyStatement } from '../../src/proof/bundle/key-statement.ts';
import { encodeLeafEntry } from '../../src/proof/bundle/leaf.ts';
import { algorithmById, ML_DSA_44, ML_DSA_65, ML_DSA_87 } from '../../src/proof/crypto/algorithms.ts';
import {
  HEADER_SIGNATURE_CONTEXT,
  KEY_ENDORSEMENT_CONTEXT,
  KEY_STATEMENT_CONTEXT,
} from '../../src/proof/crypto/contexts.ts';
import { concatBytes } from '../../src/proof/encoding/bytes.ts';
import { hashLeaf } from '../../src/proof/merkle/hash.ts';
import { buildLevels, inclusionPath, levelReader, rootOf } from '../../src/proof/merkle/tree.ts';
import type { BatchRecord, KeyHistoryEntry } from '../../src/store/store.ts';

/** A signing key for tests. `algorithmId` may be overridden to forge records for unknown algorithms. */
export interface TestKey {
  readonly algorithmId: number;
  readonly publicKey: Uint8Array;
  readonly keyId: Uint8Array;
  sign(message: Uint8Array, context: Uint8Array): Uint8Array;
}

const NOBLE = new Map([
  [ML_DSA_44, ml_dsa44],
  [ML_DSA_65, ml_dsa65],
  [ML_DSA_87, ml_dsa87],
]);

/**
 * An ML-DSA key from a fixed 32-byte seed (FIPS 204 KeyGen_internal(ξ)). `noble` signs deterministically
 * (reproducible vectors); `native` signs with OpenSSL (hedged, fast). Both derive the same key pair.
 */
export function createTestKey(
  seed: Uint8Array,
  options: { algorithmId?: number; impl?: 'noble' | 'native' } = {},
): TestKey {
  const algorithmId = options.algorithmId ?? ML_DSA_65;
  const spec = algorithmById(algorithmId);
  const noble = NOBLE.get(algorithmId);
  if (spec === undefined || noble === undefined) throw new Error(`no test key for ${algorithmId}`);
  if (options.impl === 'native') {
    const key: KeyObject = createPrivateKey({
      key: Buffer.from(seed),
      format: 'raw-seed',
      asymmetricKeyType: spec.nodeKeyType,
    } as never);
    const publicKey = new Uint8Array(
      createPublicKey(key).export({ format: 'raw-public' } as never) as Buffer,
    );
    return {
      algorithmId,
      publicKey,
      keyId: nativeSha256(publicKey),
      sign: (message, context) => new Uint8Array(sign(null, message, { key, context } as never)),
    };
  }
  const { publicKey, secretKey } = noble.keygen(seed);
  return {
    algorithmId,
    publicKey,
    keyId: nativeSha256(publicKey),
    sign: (message, context) => noble.sign(message, secretKey, { context, extraEntropy: false }),
  };
}

/** A fixed seed: 32 bytes of `b`. */
export const seedOf = (b: number): Uint8Array => new Uint8Array(32).fill(b);

/** A self-signed key history entry; `endorser` (the previous key) endorses it when given. */
export function keyEntry(
  key: TestKey,
  o: {
    validFromMs: number;
    validUntilMs?: number;
    previousKeyId?: Uint8Array;
    endorser?: TestKey;
    protection?: string;
    algorithmId?: number;
    keyId?: Uint8Array;
  },
): KeyHistoryEntry {
  const algorithmId = o.algorithmId ?? key.algorithmId;
  const keyId = o.keyId ?? key.keyId;
  const previousKeyId = o.previousKeyId ?? o.endorser?.keyId ?? new Uint8Array(0);
  const protection = o.protection ?? 'memory';
  const statement = encodeKeyStatement({
    algorithmId,
    keyId,
    validFromMs: BigInt(o.validFromMs),
    previousKeyId,
    protection,
  });
  return {
    algorithmId,
    keyId,
    publicKey: key.publicKey,
    validFromMs: o.validFromMs,
    validUntilMs: o.validUntilMs ?? 0,
    generation: 0,
    previousKeyId,
    endorsement: o.endorser?.sign(statement, KEY_ENDORSEMENT_CONTEXT) ?? new Uint8Array(0),
    protection,
    selfSignature: key.sign(statement, KEY_STATEMENT_CONTEXT),
  };
}

/** A sealed batch with its tree. */
export interface SealedBatch {
  readonly batch: BatchRecord;
  readonly fields: HeaderFields;
  readonly digests: readonly Uint8Array[];
  /** Encoded other-chain references of version-2 entries, by leaf (undefined: a version-1 entry). */
  readonly sources?: readonly (Uint8Array | undefined)[] | undefined;
  readonly levels: readonly Uint8Array[];
}

/** Seals `digests` into a batch signed by `key` (header fields overridable to forge test cases). */
export function sealBatch(o: {
  key: TestKey;
  digests: readonly Uint8Array[];
  timeMs: bigint;
  sequence?: bigint;
  previousHeaderHash?: Uint8Array;
  guaranteeExpiryMs?: bigint;
  logId?: Uint8Array;
  algorithmId?: number;
  keyId?: Uint8Array;
  sources?: readonly (Uint8Array | undefined)[];
}): SealedBatch {
  const leafHashes = o.digests.map((d, i) => hashLeaf(encodeLeafEntry(d, o.sources?.[i]), nativeSha256));
  const levels = buildLevels(concatBytes(...leafHashes), nativeSha256);
  const fields: HeaderFields = {
    formatVersion: HEADER_FORMAT_VERSION,
    logId: o.logId ?? new Uint8Array(32).fill(0x5a),
    sequence: o.sequence ?? 0n,
    previousHeaderHash: o.previousHeaderHash ?? ZERO_HASH,
    root: rootOf(levels),
    treeSize: BigInt(o.digests.length),
    timeMs: o.timeMs,
    algorithmId: o.algorithmId ?? o.key.algorithmId,
    keyId: o.keyId ?? o.key.keyId,
    guaranteeExpiryMs: o.guaranteeExpiryMs ?? BigInt(Date.parse('2045-01-01T00:00:00Z')),
  };
  const header = encodeHeader(fields);
  const batch: BatchRecord = {
    sequence: fields.sequence,
    header,
    fields,
    headerHash: nativeSha256(header),
    signatures: [
      {
        algorithmId: fields.algorithmId,
        keyId: fields.keyId,
        signature: o.key.sign(header, HEADER_SIGNATURE_CONTEXT),
      },
    ],
    treeSize: o.digests.length,
  };
  return { batch, fields, digests: o.digests, sources: o.sources, levels };
}

/** The bundle for leaf `index` of `sealed`, built by src/proof/bundle/build.ts. */
export function bundleOf(sealed: SealedBatch, index: number, keys: readonly KeyHistoryEntry[]): ProofBundle {
  const size = sealed.digests.length;
  return buildBundle({
    digest: sealed.digests[index] as Uint8Array,
    source: sealed.sources?.[index],
    leafIndex: index,
    treeSize: size,
    path: inclusionPath(size, index, levelReader(sealed.levels)),
    batch: sealed.batch,
    keys,
    sha256: nativeSha256,
  });
}

/** `n` distinct digests: SHA-256 of "leaf <i>" under `tag`. */
export function digestsOf(n: number, tag = 'spark'): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => nativeSha256(new TextEncoder().encode(`${tag} leaf ${i}`)));
}

/**
 * `count` chained batches 0..count−1 of one log, each signed by `key`: batch s holds `size(s)` leaves
 * (digestsOf(size(s), `${tag}${s}`)), is sealed at `timeMs + s × step` and names the previous header's hash.
 */
export function sealChain(o: {
  key: TestKey;
  count: number;
  tag: string;
  timeMs: bigint;
  size: (sequence: number) => number;
  step?: bigint;
  logId?: Uint8Array;
}): SealedBatch[] {
  const chain: SealedBatch[] = [];
  for (let s = 0; s < o.count; s++) {
    chain.push(
      sealBatch({
        key: o.key,
        digests: digestsOf(o.size(s), `${o.tag}${s}`),
        timeMs: o.timeMs + BigInt(s) * (o.step ?? 1n),
        sequence: BigInt(s),
        previousHeaderHash: chain[s - 1]?.batch.headerHash ?? ZERO_HASH,
        ...(o.logId === undefined ? {} : { logId: o.logId }),
      }),
    );
  }
  return chain;
}
