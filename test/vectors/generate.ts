// Writes the proof bundle test vectors (docs/proof-format.md §Test vectors): valid bundles, and corrupted
// variants named after their corruption, each with the FIRST check that must fail.
// Run: node test/vectors/generate.ts   (deterministic: fixed seeds, deterministic ML-DSA signing)
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import Arweave from 'arweave';
import { bundleTags } from '../../src/arweave/arweave-publisher.ts';
import { arweaveEvidence } from '../../src/arweave/arweave-evidence.ts';
import { base58btc } from 'multiformats/bases/base58';
import { CID } from 'multiformats/cid';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToNumberLE } from '@noble/curves/utils.js';
import { ml_dsa65 } from '@noble/post-quantum/ml-dsa.js';
import { encodeAnchorRecord, encodeCheckpointRecord } from '../../src/proof/anchor/anchor-record.ts';
import { encodeSelfTransfer } from '../../src/proof/anchor/embedded-transfer.ts';
import { encodePublicationRecord } from '../../src/proof/anchor/publication-record.ts';
import { chunkRecord } from '../../src/proof/anchor/record-chunks.ts';
import { symbolAddress } from '../../src/proof/anchor/symbol-address.ts';
import { encodeCheckpoint, headerLog } from '../../src/proof/bundle/checkpoint.ts';
import { encodeBundle } from '../../src/proof/bundle/codec.ts';
import { encodeHeader, type HeaderFields } from '../../src/proof/bundle/header.ts';
import { encodeKeyStatement } from '../../src/proof/bundle/key-statement.ts';
import { encodeSource } from '../../src/proof/bundle/source-reference.ts';
import { ML_DSA_44, ML_DSA_65_ED25519, ML_DSA_87 } from '../../src/proof/crypto/algorithms.ts';
import {
  CHECKPOINT_SIGNATURE_CONTEXT,
  HEADER_SIGNATURE_CONTEXT,
  KEY_STATEMENT_CONTEXT,
} from '../../src/proof/crypto/contexts.ts';
import { hybridMessage } from '../../src/proof/crypto/hybrid.ts';
import { nativeSha256 } from '../../src/crypto/native-sha256.ts';
import { hashLeaf } from '../../src/proof/merkle/hash.ts';
import { toBase64Url } from '../../src/proof/encoding/base64.ts';
import { bytesEqual, concatBytes, fromHex, toHex } from '../../src/proof/encoding/bytes.ts';
import {
  type Anchor,
  AnchorSchema,
  type ArweaveTransaction,
  ArweaveTransactionSchema,
  CheckpointSchema,
  type ProofBundle,
  PublicationSchema,
  SignatureSchema,
} from '../../src/gen/spark/v1/bundle_pb.js';
import { cidOf } from '../../src/ipfs/cid.ts';
import {
  challenge,
  forgeForSmallOrder,
  hex,
  keyOf,
  L,
  le32,
  NON_CANONICAL_KEYS,
  Point,
  SMALL_ORDER_KEYS,
  signWith,
} from '../anchor/ed25519-cases.ts';
import {
  assembleAggregate,
  embeddedOf,
  embeddedTransaction,
  seedSigner,
  transferBody,
} from '../anchor/aggregate-fixture.ts';
import {
  ACCOUNT_SEED,
  anchorIn,
  blockWith,
  HARVESTER_SECRET,
  keyHistoryOf,
  SHARE_NETWORK,
  signedAggregate,
} from '../anchor/share-fixture.ts';
import {
  bundleOf,
  createTestKey,
  digestsOf,
  keyEntry,
  type SealedBatch,
  sealBatch,
  sealChain,
  seedOf,
  type TestKey,
} from '../bundle/fixture.ts';
import type { KeyHistoryEntry } from '../../src/store/store.ts';

/** One manifest line. */
interface VectorEntry {
  file: string;
  description: string;
  valid: boolean;
  failedCheck?: string;
  data?: string;
}

const DIR = new URL('./bundles/', import.meta.url);
const MANIFEST = new URL('./bundles.json', import.meta.url);
const T = 1_767_225_600_000; // 2026-01-01T00:00:00Z
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

const manifest: VectorEntry[] = [];
const files = new Map<string, Uint8Array>();

function write(name: string, bytes: Uint8Array): string {
  const file = `bundles/${name}.spark`;
  files.set(file, bytes);
  return file;
}

function valid(name: string, description: string, bundle: ProofBundle, data?: Uint8Array): Uint8Array {
  const bytes = encodeBundle(bundle);
  const entry: VectorEntry = { file: write(name, bytes), description, valid: true };
  if (data !== undefined) entry.data = toHex(data);
  manifest.push(entry);
  return bytes;
}

function invalid(name: string, failedCheck: string, description: string, bytes: Uint8Array): void {
  manifest.push({ file: write(name, bytes), description, valid: false, failedCheck });
}

/** Re-signs a header rebuilt from `fields` with `key`, keeping the bundle otherwise unchanged. */
function resealed(b: ProofBundle, fields: HeaderFields, key: TestKey): ProofBundle {
  const c = clone(b);
  const header = encodeHeader(fields);
  c.header = header;
  c.headerFields = { ...(c.headerFields as NonNullable<ProofBundle['headerFields']>), ...fields };
  const sig = c.signatures[0];
  if (sig === undefined) throw new Error('no signature to replace');
  sig.algorithmId = fields.algorithmId;
  sig.keyId = fields.keyId;
  sig.signature = key.sign(header, HEADER_SIGNATURE_CONTEXT);
  return c;
}

function clone(b: ProofBundle): ProofBundle {
  return structuredClone(b);
}

function flip(bytes: Uint8Array, at: number): Uint8Array {
  const out = bytes.slice();
  out[at] = (out[at] as number) ^ 0x01;
  return out;
}

// Keys: fixed seeds, documented here so another implementation can regenerate them.
const k65 = createTestKey(seedOf(0x01));
const k65next = createTestKey(seedOf(0x02));
const k44 = createTestKey(seedOf(0x03), { algorithmId: ML_DSA_44 });
const k87 = createTestKey(seedOf(0x04), { algorithmId: ML_DSA_87 });
const entry65 = keyEntry(k65, { validFromMs: T - 86_400_000, protection: 'memory' });

// 1. Size 1, the first batch of a log, with the original data.
const data1 = utf8('hello, spark\n');
const sealed1 = sealBatch({ key: k65, digests: [nativeSha256(data1)], timeMs: BigInt(T) });
const b1 = bundleOf(sealed1, 0, [entry65]);
const bytes1 = valid('valid-size1', 'tree size 1, sequence 0, ML-DSA-65, with its data', b1, data1);
manifest.push({
  file: 'bundles/valid-size1.spark',
  description: 'the valid size-1 bundle checked against other data',
  valid: false,
  failedCheck: 'subject',
  data: toHex(utf8('hello, spark?\n')),
});

// 2. Size 7, the last leaf (promoted unpaired at two levels), sequence 3.
const data7 = Array.from({ length: 7 }, (_, i) => utf8(`record ${i}`));
const sealed7 = sealBatch({
  key: k65,
  digests: data7.map((d) => nativeSha256(d)),
  timeMs: BigInt(T + 60_000),
  sequence: 3n,
  previousHeaderHash: nativeSha256(utf8('batch 2')),
});
const b7 = bundleOf(sealed7, 6, [entry65]);
valid('valid-size7-index6', 'tree size 7, last leaf (index 6), sequence 3', b7, data7[6]);

// 3. Size 1000, an inner leaf.
const sealed1000 = sealBatch({
  key: k65,
  digests: digestsOf(1000, 'vectors'),
  timeMs: BigInt(T + 120_000),
  sequence: 12n,
  previousHeaderHash: nativeSha256(utf8('batch 11')),
});
const b1000 = bundleOf(sealed1000, 617, [entry65]);
const bytes1000 = valid('valid-size1000-index617', 'tree size 1000, leaf 617, sequence 12', b1000);

// 4. A retired key: sealed inside its window, carrying its successor (endorsed by it).
const retiredAt = T + 3_600_000;
const retiredKeys = [
  keyEntry(k65, { validFromMs: T - 86_400_000, validUntilMs: retiredAt }),
  keyEntry(k65next, { validFromMs: retiredAt, endorser: k65, protection: 'hsm' }),
];
const sealedRetired = sealBatch({
  key: k65,
  digests: digestsOf(4, 'retired'),
  timeMs: BigInt(T + 1_800_000),
  sequence: 20n,
  previousHeaderHash: nativeSha256(utf8('batch 19')),
});
const bRetired = bundleOf(sealedRetired, 2, retiredKeys);
valid(
  'valid-retired-key',
  'key retired after sealing; its successor record (endorsed by it) travels along',
  bRetired,
);

// 4b. Key windows (docs/proof-format.md §6): the successor signs its valid_from_ms, which binds its predecessor's
// valid_until_ms wherever both records are in the bundle. A batch of the successor carries its endorser's record.
const sealedSuccessor = sealBatch({
  key: k65next,
  digests: digestsOf(3, 'successor'),
  timeMs: BigInt(retiredAt + 600_000),
  sequence: 21n,
  previousHeaderHash: sealedRetired.batch.headerHash,
});
const successorKeys = [retiredKeys[1], retiredKeys[0]] as KeyHistoryEntry[];
const bSuccessor = bundleOf(sealedSuccessor, 1, successorKeys);
valid(
  'valid-endorsed-successor',
  'a batch of the successor key, carrying the record of its endorser, retired exactly when the successor begins',
  bSuccessor,
);
{
  // The successor's own valid_until_ms: no successor of it travels along, so nothing signs it and nothing reads it.
  const c = clone(bRetired);
  (c.keys[1] as NonNullable<ProofBundle['keys'][number]>).validUntilMs = BigInt(retiredAt + 7 * 86_400_000);
  valid(
    'valid-successor-until-unbound',
    'valid-retired-key with a valid_until_ms on the successor record, whose own successor is not in the bundle: unsigned, so never read',
    c,
  );
}

// 5. The other ML-DSA parameter sets.
const sealed44 = sealBatch({ key: k44, digests: digestsOf(3, 'ml-dsa-44'), timeMs: BigInt(T) });
valid(
  'valid-ml-dsa-44',
  'ML-DSA-44 (0x0001), tree size 3, leaf 1',
  bundleOf(sealed44, 1, [keyEntry(k44, { validFromMs: T })]),
);
const sealed87 = sealBatch({ key: k87, digests: digestsOf(2, 'ml-dsa-87'), timeMs: BigInt(T) });
valid(
  'valid-ml-dsa-87',
  'ML-DSA-87 (0x0003), tree size 2, leaf 0',
  bundleOf(sealed87, 0, [keyEntry(k87, { validFromMs: T })]),
);

// 5b. The hybrid ML-DSA-65+Ed25519 (docs/proof-format.md §7.1), valid, and with Ed25519 parts that only a laxer rule
// than §7.2 accepts: each key's self-signature (and every other signature) is made the way that rule is fooled, so
// the "key" check fails first. ML-DSA-65 component from seed 0x05; the honest Ed25519 component from seed 0x06.
/** A hybrid test key whose Ed25519 part has public key `edKey` and signs the hybrid message with `edSign`. */
function hybridKey(edKey: Uint8Array, edSign: (m: Uint8Array) => Uint8Array): TestKey {
  const pq = ml_dsa65.keygen(seedOf(0x05));
  const publicKey = concatBytes(pq.publicKey, edKey);
  return {
    algorithmId: ML_DSA_65_ED25519,
    publicKey,
    keyId: nativeSha256(publicKey),
    sign: (message, context) => {
      const signed = hybridMessage(ML_DSA_65_ED25519, context, message);
      return concatBytes(ml_dsa65.sign(signed, pq.secretKey, { context, extraEntropy: false }), edSign(signed));
    },
  };
}
const edSecret = seedOf(0x06);
const edHonest = ed25519.getPublicKey(edSecret);
const { a: edScalar, A: edPoint } = keyOf(6);
const edMixed = Point.BASE.multiply(edScalar).add(Point.fromBytes(hex(SMALL_ORDER_KEYS[4]))).toBytes();
/** An honest signature under the mixed-order key whose challenge is a multiple of 8: even a cofactorless check holds. */
function mixedOrderSignature(m: Uint8Array): Uint8Array {
  for (let r = 1n; ; r++) {
    const sig = signWith(edScalar, edMixed, m, r);
    if (challenge(sig.subarray(0, 32), edMixed, m) % 8n === 0n) return sig;
  }
}
/** A signature with R of small order (encoded as `encodedR`) for which [S]B − [h]A is the identity. */
const smallR = (encodedR: Uint8Array) => (m: Uint8Array) =>
  concatBytes(encodedR, le32((challenge(encodedR, edPoint, m) * edScalar) % L));
const hybridCases: Array<[string, string, TestKey]> = [
  [
    'hybrid-ed25519-identity-key',
    'the Ed25519 part of the key is the identity point; R = [S]B makes catapult\'s cofactorless equation hold for any message',
    hybridKey(hex(SMALL_ORDER_KEYS[0]), () => forgeForSmallOrder(0x5151n)),
  ],
  [
    'hybrid-ed25519-small-order-key',
    'the Ed25519 part of the key is a point of order 8; R = [S]B satisfies the cofactored equation (RFC 8032 §5.1.7, ZIP 215) for any message',
    hybridKey(hex(SMALL_ORDER_KEYS[4]), () => forgeForSmallOrder(0x5252n)),
  ],
  [
    'hybrid-ed25519-mixed-order-key',
    'the Ed25519 part of the key is a prime-order point plus a point of order 8, honestly signed with challenges divisible by 8: both equations hold, only the subgroup check refuses it',
    hybridKey(edMixed, mixedOrderSignature),
  ],
  [
    'hybrid-ed25519-non-canonical-key',
    'the Ed25519 part of the key is the identity encoded with y = p + 1 (non-canonical); R = [S]B',
    hybridKey(hex(NON_CANONICAL_KEYS[1]), () => forgeForSmallOrder(0x5353n)),
  ],
  [
    'hybrid-ed25519-non-canonical-s',
    'an honest Ed25519 key whose signatures carry S + L instead of S (S mod L would verify)',
    hybridKey(edPoint, (m) => {
      const sig = signWith(edScalar, edPoint, m, 0x5454n);
      return concatBytes(sig.subarray(0, 32), le32(bytesToNumberLE(sig.subarray(32)) + L));
    }),
  ],
  [
    'hybrid-ed25519-identity-r',
    'an honest Ed25519 key; R is the identity and S = h·a, so [S]B − [h]A encodes as R (catapult accepts it)',
    hybridKey(edPoint, smallR(hex(SMALL_ORDER_KEYS[0]))),
  ],
  [
    'hybrid-ed25519-non-canonical-r',
    'an honest Ed25519 key; R is the identity encoded with y = p + 1 and S = h·a (ZIP 215 accepts it)',
    hybridKey(edPoint, smallR(hex(NON_CANONICAL_KEYS[1]))),
  ],
];
const kHybrid = hybridKey(edHonest, (m) => ed25519.sign(m, edSecret));
const hybridExpiry = BigInt(Date.parse('2045-01-01T00:00:00Z'));
const sealedHybrid = sealBatch({ key: kHybrid, digests: digestsOf(3, 'hybrid'), timeMs: BigInt(T), guaranteeExpiryMs: hybridExpiry });
valid(
  'valid-ml-dsa-65-ed25519',
  'ML-DSA-65+Ed25519 (0x0101), tree size 3, leaf 2: both components verify (the Ed25519 part by the rule of §7.2)',
  bundleOf(sealedHybrid, 2, [keyEntry(kHybrid, { validFromMs: T })]),
);
const hybridVectors: Array<[string, string, ProofBundle]> = hybridCases.map(([name, description, key]) => {
  const sealed = sealBatch({ key, digests: digestsOf(3, 'hybrid'), timeMs: BigInt(T), guaranteeExpiryMs: hybridExpiry });
  return [name, description, bundleOf(sealed, 2, [keyEntry(key, { validFromMs: T })])];
});

// 6. Version-2 leaf entries binding an other-chain reference (docs/proof-format.md §2.1), beside version-1 ones.
const jpycSource = encodeSource({
  kind: 'jpyc',
  chain: 'polygon',
  txHash: nativeSha256(utf8('a JPYC transfer')),
  logIndex: 7,
  block: { number: 50_000_000n, hash: nativeSha256(utf8('polygon block 50000000')) },
});
const symbolSource = encodeSource({
  kind: 'symbol',
  chain: 'none',
  txHash: nativeSha256(utf8('a Symbol transaction')),
  logIndex: 0,
});
const dataSource = Array.from({ length: 3 }, (_, i) => utf8(`invoice ${i}`));
const sealedSource = sealBatch({
  key: k65,
  digests: dataSource.map((d) => nativeSha256(d)),
  sources: [undefined, jpycSource, symbolSource],
  timeMs: BigInt(T + 240_000),
  sequence: 30n,
  previousHeaderHash: nativeSha256(utf8('batch 29')),
});
const bJpyc = bundleOf(sealedSource, 1, [entry65]);
valid(
  'valid-source-jpyc',
  'leaf entry v2: a JPYC transfer on Polygon (log 7) checked into block 50000000; tree size 3, leaf 1',
  bJpyc,
  dataSource[1],
);
valid(
  'valid-source-symbol',
  'leaf entry v2: a Symbol transaction bound in form only (not checked); same batch, leaf 2',
  bundleOf(sealedSource, 2, [entry65]),
  dataSource[2],
);

// 7. Anchored bundles (docs/proof-format.md §9), in both forms. Log 0x5b…: batches 0..2 share one aggregate with
// the key's history (metadata entry and public-key record), confirmed in block 1234 among four other transactions;
// a checkpoint over the three is anchored alone in block 1240; batch 3 is immediate, anchored alone with the
// publication record naming its leaf 0's sealed bundle, in block 1250. Anchoring account: Ed25519 seed 0x33…,
// harvester 0x7b…, network 0x98 with generation hash seed 0x47… (test/anchor/share-fixture.ts).
const ANCHORED_LOG = new Uint8Array(32).fill(0x5b);
const TA = T + 600_000;
const chain = sealChain({
  key: k65,
  count: 4,
  tag: 'anchored ',
  timeMs: BigInt(TA),
  step: 1_000n,
  size: (s) => (s === 3 ? 2 : 5 + s),
  logId: ANCHORED_LOG,
});
const recordOf = (b: SealedBatch): Uint8Array =>
  encodeAnchorRecord({ header: b.batch.header, signatures: b.batch.signatures });
const [c0, c1, c2, c3] = chain as [SealedBatch, SealedBatch, SealedBatch, SealedBatch];
const batchRecords = [c0, c1, c2].map(recordOf);
const record1 = batchRecords[1] as Uint8Array;
const aggregateBatches = await signedAggregate({ records: batchRecords, keyRecords: [keyHistoryOf(entry65)] });
const blockBatches = blockWith(aggregateBatches.merkleComponentHash, {
  height: 1234n,
  timestamp: 98_765_432_100n,
  others: 4,
  index: 1,
});
const FINALIZED = 1260n;

const headerLogOf3 = headerLog(
  [c0, c1, c2].map((b) => b.batch.headerHash),
  nativeSha256,
);
const checkpointBody = encodeCheckpoint({
  version: 1,
  logId: ANCHORED_LOG,
  batchCount: 3n,
  headerLogRoot: headerLogOf3.root,
  headHeaderHash: c2.batch.headerHash,
  timeMs: BigInt(TA + 10_000),
  algorithmId: k65.algorithmId,
  keyId: k65.keyId,
});
const checkpointSignatures = [
  { algorithmId: k65.algorithmId, keyId: k65.keyId, signature: k65.sign(checkpointBody, CHECKPOINT_SIGNATURE_CONTEXT) },
];
const checkpointRecord = encodeCheckpointRecord({ body: checkpointBody, signatures: checkpointSignatures });
const aggregateCheckpoint = await signedAggregate({ records: [checkpointRecord], deadline: 99_100_000n });
const blockCheckpoint = blockWith(aggregateCheckpoint.merkleComponentHash, {
  height: 1240n,
  timestamp: 98_765_492_100n,
  others: 2,
  index: 0,
});

/** Batch 1's leaf 2, anchored in the form of `version`, with the checkpoint when asked. */
function anchoredBundle(version: 1 | 2, withCheckpoint: boolean): ProofBundle {
  const b = bundleOf(c1, 2, [entry65]);
  b.version = version;
  b.anchor = anchorIn(version, aggregateBatches, record1, blockBatches, { finalizedHeight: FINALIZED });
  if (withCheckpoint) {
    b.checkpoint = create(CheckpointSchema, {
      sequence: 2n,
      headerHash: c2.batch.headerHash,
      batchCount: 3n,
      body: checkpointBody,
      signatures: checkpointSignatures.map((x) => create(SignatureSchema, x)),
      anchor: anchorIn(version, aggregateCheckpoint, checkpointRecord, blockCheckpoint, {
        finalizedHeight: FINALIZED,
      }),
      headerPath: headerLogOf3.path(1),
    });
  }
  return b;
}

const bAnchored2 = anchoredBundle(2, false);
valid(
  'valid-anchored-v2',
  'bundle version 2: compact anchor (block header, aggregate header, the record chunks\' paths) of batch 1, leaf 2, in block 1234',
  bAnchored2,
);
const bCheckpoint2 = anchoredBundle(2, true);
valid(
  'valid-anchored-checkpoint-v2',
  'bundle version 2: the same with an anchored checkpoint over batches 0..2 (its own compact anchor, block 1240)',
  bCheckpoint2,
);
const bAnchored1 = anchoredBundle(1, false);
valid(
  'valid-anchored-v1',
  'bundle version 1: the same anchor with the whole aggregate transaction (old bundles still verify)',
  bAnchored1,
);
const bCheckpoint1 = anchoredBundle(1, true);
valid(
  'valid-anchored-checkpoint-v1',
  'bundle version 1: anchored, with an anchored checkpoint, both with whole transactions',
  bCheckpoint1,
);

// The immediate batch 3: its leaf 0's sealed bundle is published by CID, the anchor names it.
const sealedImmediate = bundleOf(c3, 0, [entry65]);
const immediateCid = cidOf(encodeBundle(sealedImmediate), nativeSha256);
const publicationRecord = encodePublicationRecord({
  sequence: 3n,
  root: c3.fields.root,
  entries: [{ leafIndex: 0, cid: immediateCid }],
});
const record3 = recordOf(c3);
const aggregateImmediate = await signedAggregate({ records: [record3, publicationRecord], deadline: 99_200_000n });
const blockImmediate = blockWith(aggregateImmediate.merkleComponentHash, {
  height: 1250n,
  timestamp: 98_765_552_100n,
  others: 3,
  index: 3,
});
const bImmediate2 = bundleOf(c3, 0, [entry65]);
bImmediate2.version = 2;
bImmediate2.anchor = anchorIn(2, aggregateImmediate, record3, blockImmediate, {
  publication: true,
  finalizedHeight: FINALIZED,
});
bImmediate2.publication = create(PublicationSchema, { ipfsCid: immediateCid });
valid(
  'valid-immediate-v2',
  'bundle version 2 of an immediate batch: the anchor carries the publication record\'s transfers verbatim, naming the sealed bundle\'s CID',
  bImmediate2,
);

const bImmediate1 = bundleOf(c3, 0, [entry65]);
bImmediate1.anchor = anchorIn(1, aggregateImmediate, record3, blockImmediate, { finalizedHeight: FINALIZED });
bImmediate1.publication = create(PublicationSchema, { ipfsCid: immediateCid });
valid(
  'valid-immediate-v1',
  'bundle version 1 of the immediate batch: the whole aggregate, whose publication record names the sealed bundle\'s CID',
  bImmediate1,
);

// 7b. The immediate bundle's Arweave copy (docs/proof-format.md §9.6). RSA-PSS signing is randomized and a wallet
// is a secret, so the copy is signed once with a throw-away wallet (generated here, never written anywhere) and
// only its public form is kept, in test/vectors/arweave-copy.json; it is signed again only when the sealed
// bundle's CID changes. Beside it, a transaction of the same wallet over other bytes.
const ARWEAVE_FIXTURE = new URL('arweave-copy.json', import.meta.url);

async function arweaveCopies(sealed: Uint8Array, cid: string) {
  const decode = (hex: string) => fromBinary(ArweaveTransactionSchema, fromHex(hex) ?? new Uint8Array(0));
  if (existsSync(ARWEAVE_FIXTURE)) {
    const stored = JSON.parse(readFileSync(ARWEAVE_FIXTURE, 'utf8')) as Record<string, string>;
    if (stored['cid'] === cid) {
      return { copy: decode(stored['copy'] ?? ''), otherBytes: decode(stored['otherBytes'] ?? '') };
    }
  }
  const arweave = Arweave.init({});
  const wallet = await arweave.wallets.generate();
  const sign = async (data: Uint8Array, tagged: string) => {
    const tx = await arweave.createTransaction(
      { data, last_tx: toBase64Url(new Uint8Array(48).fill(0x4a)), reward: '65595508' },
      wallet,
    );
    for (const [name, value] of bundleTags(tagged, ANCHORED_LOG)) tx.addTag(name, value);
    await arweave.transactions.sign(tx, wallet);
    return arweaveEvidence(tx);
  };
  const copy = await sign(sealed, cid);
  const other = utf8('other bytes');
  const otherBytes = await sign(other, cidOf(other, nativeSha256));
  const hexOf = (tx: ArweaveTransaction) => toHex(toBinary(ArweaveTransactionSchema, tx));
  writeFileSync(
    ARWEAVE_FIXTURE,
    `${JSON.stringify({ note: 'public Arweave transactions of a discarded wallet (test/vectors/generate.ts §7b)', cid, copy: hexOf(copy), otherBytes: hexOf(otherBytes) }, null, 2)}\n`,
  );
  return { copy, otherBytes };
}

const arweaveCopy = await arweaveCopies(encodeBundle(sealedImmediate), immediateCid);
const bImmediateArweave = clone(bImmediate2);
bImmediateArweave.publication = create(PublicationSchema, { ipfsCid: immediateCid, arweave: arweaveCopy.copy });
valid(
  'valid-immediate-v2-arweave',
  'valid-immediate-v2 with the Arweave copy of its sealed bundle: a signed data transaction whose data root is that of the bytes the CID names',
  bImmediateArweave,
);

// 8. Whole aggregates (version 1) with what our builder never writes, assembled by hand from docs/anchoring.md §5
// (test/anchor/aggregate-fixture.ts) and re-signed by the anchoring account: the bundle's own record must be in
// the signer's self-transfers, other records and unknown content do not count, cosignatures are refused.
const account = seedSigner(ACCOUNT_SEED);
const NET = SHARE_NETWORK.identifier;
const selfTransfer = (m: Uint8Array, network: number = NET, signer = account.publicKey): Uint8Array =>
  encodeSelfTransfer(signer, network, m);
const chunksOf1 = chunkRecord(record1);
const batchEmbedded = embeddedOf(aggregateBatches.payload);
const at = (message: Uint8Array): number => {
  const i = batchEmbedded.findIndex((e) => bytesEqual(e, selfTransfer(message)));
  if (i < 0) throw new Error('chunk not in the aggregate');
  return i;
};
const transferOf = (o: { message: Uint8Array; recipient?: Uint8Array; version?: number; mosaic?: boolean }) =>
  embeddedTransaction({
    signerPublicKey: account.publicKey,
    version: o.version ?? 1,
    network: NET,
    type: 0x4154,
    body: transferBody({
      recipient: o.recipient ?? symbolAddress(account.publicKey, NET),
      message: o.message,
      ...(o.mosaic === true ? { mosaics: [{ id: 0x6bed913fa20223f8n, amount: 1n }] } : {}),
    }),
  });
/** Batch 1's leaf 2 anchored (version 1) in the aggregate of `embedded`, confirmed like the original at 1234. */
function anchoredIn(embedded: readonly Uint8Array[], o: { cosigners?: Uint8Array[] } = {}): ProofBundle {
  const signed = assembleAggregate({
    embedded,
    signer: account,
    network: NET,
    generationHashSeed: SHARE_NETWORK.generationHashSeed,
    ...(o.cosigners === undefined ? {} : { cosigners: o.cosigners }),
  });
  const block = blockWith(signed.merkleComponentHash, { height: 1234n, timestamp: 98_765_432_100n, others: 4, index: 1 });
  const b = bundleOf(c1, 2, [entry65]);
  b.anchor = anchorIn(1, signed, record1, block, { finalizedHeight: FINALIZED });
  return b;
}
const replaced = (i: number, e: Uint8Array): Uint8Array[] => batchEmbedded.map((x, j) => (j === i ? e : x));
if (toHex(assembleAggregate({ embedded: batchEmbedded, signer: account, network: NET, generationHashSeed: SHARE_NETWORK.generationHashSeed }).payload) !== toHex(aggregateBatches.payload)) {
  throw new Error('the hand-assembled aggregate differs from the builder\'s');
}
const lastChunkOf0 = chunkRecord(batchRecords[0] as Uint8Array).at(-1) as Uint8Array;
valid(
  'valid-anchored-v1-other-record-broken',
  'batch 1\'s bundle (version 1) in an aggregate where batch 0\'s record lacks its last chunk: records that are not the bundle\'s do not count',
  anchoredIn(batchEmbedded.filter((_, i) => i !== at(lastChunkOf0))),
);
valid(
  'valid-anchored-v1-unknown-chunk-version',
  'the aggregate also carries a self-transfer with the magic and chunk format version 2: skipped by a version-1 reader',
  anchoredIn([...batchEmbedded, selfTransfer(concatBytes(chunksOf1[0]?.subarray(0, 4) as Uint8Array, Uint8Array.of(2, 0x41), new Uint8Array(30).fill(0x22)))]),
);
valid(
  'valid-anchored-v1-unknown-embedded-type',
  'the aggregate also carries an embedded transaction of another type (0x414e, namespace registration): opaque bytes, counted only in transactionsHash',
  anchoredIn([
    ...batchEmbedded,
    embeddedTransaction({ signerPublicKey: account.publicKey, version: 1, network: NET, type: 0x414e, body: new Uint8Array(24).fill(0x33) }),
  ]),
);
const v1AnchorVectors: Array<[string, string, ProofBundle]> = [
  [
    'anchor-v1-record-chunk-to-other-recipient',
    'chunk 0 of the bundle\'s record sent to the harvester\'s address instead of the signer\'s own',
    anchoredIn(
      replaced(
        at(chunksOf1[0] as Uint8Array),
        transferOf({ message: chunksOf1[0] as Uint8Array, recipient: symbolAddress(ed25519.getPublicKey(HARVESTER_SECRET), NET) }),
      ),
    ),
  ],
  [
    'anchor-v1-record-chunk-with-mosaic',
    'chunk 0 of the bundle\'s record in a self-transfer that also moves 1 µXYM',
    anchoredIn(replaced(at(chunksOf1[0] as Uint8Array), transferOf({ message: chunksOf1[0] as Uint8Array, mosaic: true }))),
  ],
  [
    'anchor-v1-record-chunk-in-transfer-v2',
    'chunk 0 of the bundle\'s record in a transfer of version 2 (not read as a transfer): the chunk is missing',
    anchoredIn(replaced(at(chunksOf1[0] as Uint8Array), transferOf({ message: chunksOf1[0] as Uint8Array, version: 2 }))),
  ],
  [
    'anchor-v1-record-chunk-missing',
    'chunk 2 of the bundle\'s record removed from the aggregate (re-signed)',
    anchoredIn(batchEmbedded.filter((_, i) => i !== at(chunksOf1[2] as Uint8Array))),
  ],
  [
    'anchor-v1-record-conflicting-chunk',
    'the aggregate also carries a second chunk 1 of the bundle\'s record (same record id) with other bytes',
    anchoredIn([...batchEmbedded, selfTransfer(flip(chunksOf1[1] as Uint8Array, 500))]),
  ],
  [
    'anchor-v1-message-over-1024',
    'the aggregate also carries a self-transfer whose message is 1025 bytes, over Symbol\'s maxMessageSize',
    anchoredIn([...batchEmbedded, transferOf({ message: new Uint8Array(1025) })]),
  ],
  [
    'anchor-v1-cosigned',
    'the aggregate carries a valid cosignature of another account (merkle_component_hash and block path made for it)',
    anchoredIn(batchEmbedded, { cosigners: [seedOf(0x44)] }),
  ],
];
{
  // The immediate batch in version 1, its publication record's chunk 0 sent to another address.
  const embedded = embeddedOf(aggregateImmediate.payload);
  const chunk = chunkRecord(publicationRecord)[0] as Uint8Array;
  const i = embedded.findIndex((e) => bytesEqual(e, selfTransfer(chunk)));
  const signed = assembleAggregate({
    embedded: embedded.map((e, j) =>
      j === i ? transferOf({ message: chunk, recipient: symbolAddress(ed25519.getPublicKey(HARVESTER_SECRET), NET) }) : e,
    ),
    signer: account,
    network: NET,
    generationHashSeed: SHARE_NETWORK.generationHashSeed,
    deadline: 99_200_000n,
  });
  const block = blockWith(signed.merkleComponentHash, { height: 1250n, timestamp: 98_765_552_100n, others: 3, index: 3 });
  const b = clone(bImmediate1);
  b.anchor = anchorIn(1, signed, record3, block, { finalizedHeight: FINALIZED });
  v1AnchorVectors.push([
    'anchor-v1-publication-chunk-to-other-recipient',
    'the immediate batch in version 1 with its publication record\'s chunk 0 sent to the harvester\'s address',
    b,
  ]);
}

// 9. The network an anchor names (docs/anchoring.md §5.1): testnet's generation hash seed with its own byte is
// "Symbol testnet"; with mainnet's byte it is refused. And an aggregate "signed" by the identity key (§7.2).
const TESTNET_SEED = hex('49d6e1ce276a85b70eafe52349aacca389302e7a9754bcf1221e79494fc665a4');
/** Batch 1's leaf 2 anchored in an aggregate of its records' self-transfers on `network` with `seed`, by `signer`. */
function anchoredOn(version: 1 | 2, network: number, seed: Uint8Array, signer = account): ProofBundle {
  const signed = assembleAggregate({
    embedded: batchRecords.flatMap((r) => chunkRecord(r).map((m) => selfTransfer(m, network, signer.publicKey))),
    signer,
    network,
    generationHashSeed: seed,
  });
  const block = blockWith(signed.merkleComponentHash, { height: 1234n, timestamp: 98_765_432_100n, network });
  const b = bundleOf(c1, 2, [entry65]);
  b.version = version;
  b.anchor = anchorIn(version, signed, record1, block, { finalizedHeight: FINALIZED });
  b.anchor.networkGenerationHashSeed = seed;
  return b;
}
valid(
  'valid-anchored-testnet-v2',
  'bundle version 2 anchored on Symbol testnet (its generation hash seed and network byte 0x98): the detail names the network and the block time as a date',
  anchoredOn(2, 0x98, TESTNET_SEED),
);
v1AnchorVectors.push(
  [
    'anchor-testnet-seed-mainnet-byte',
    'bundle version 2 whose aggregate and block carry mainnet\'s network byte 0x68 with testnet\'s generation hash seed',
    anchoredOn(2, 0x68, TESTNET_SEED),
  ],
  [
    'anchor-v1-testnet-seed-mainnet-byte',
    'the same in version 1 (whole aggregate)',
    anchoredOn(1, 0x68, TESTNET_SEED),
  ],
  [
    'anchor-aggregate-signer-identity-key',
    'bundle version 2 whose aggregate is signed by the identity key with R = [S]B (catapult\'s equation holds for any message)',
    anchoredOn(2, NET, SHARE_NETWORK.generationHashSeed, {
      publicKey: hex(SMALL_ORDER_KEYS[0]),
      sign: () => forgeForSmallOrder(0x6161n),
    }),
  ],
);

// Corruptions, from the outside in. Each is derived from a valid bundle above.
invalid(
  'truncated',
  'decode',
  'the size-1000 bundle cut in the middle of a field',
  bytes1000.subarray(0, 700),
);
invalid(
  'non-canonical-unknown-field',
  'canonical',
  'a valid bundle with an unknown field 111 (varint 1) appended',
  new Uint8Array([...bytes1, 0xf8, 0x06, 0x01]),
);
if (bytes1[0] !== 0x08 || bytes1[1] !== 0x01) throw new Error('expected the bundle to open with version = 1');
invalid(
  'non-canonical-varint',
  'canonical',
  'version written as the two-byte varint 0x81 0x00 instead of 0x01',
  new Uint8Array([0x08, 0x81, 0x00, ...bytes1.subarray(2)]),
);
{
  const c = clone(b1);
  c.version = 3;
  invalid('version-3', 'version', 'bundle version 3', encodeBundle(c));
}
{
  const c = clone(b7);
  (c.leaf as NonNullable<ProofBundle['leaf']>).digest = flip(c.leaf?.digest as Uint8Array, 0);
  invalid(
    'corrupt-leaf-digest',
    'leaf',
    'leaf.digest differs from the digest inside leaf.entry',
    encodeBundle(c),
  );
}
{
  // Another log index in the bound reference, leaf_hash recomputed to match: only the tree can tell.
  const c = clone(bJpyc);
  const leaf = c.leaf as NonNullable<ProofBundle['leaf']>;
  leaf.entry = flip(leaf.entry, 34 + 37);
  leaf.leafHash = hashLeaf(leaf.entry, nativeSha256);
  invalid(
    'source-log-index-changed',
    'inclusion',
    'the JPYC reference says log 6 instead of 7, leaf_hash recomputed: the path no longer leads to the root',
    encodeBundle(c),
  );
}
{
  // A form-only reference that still carries block bytes: not the canonical encoding of any reference.
  const c = clone(bJpyc);
  const leaf = c.leaf as NonNullable<ProofBundle['leaf']>;
  leaf.entry = leaf.entry.slice();
  leaf.entry[34 + 38] = 0;
  leaf.leafHash = hashLeaf(leaf.entry, nativeSha256);
  invalid(
    'source-unchecked-with-block',
    'leaf',
    'the reference\'s checked flag cleared while block number and hash remain',
    encodeBundle(c),
  );
}
{
  const c = clone(b7);
  (c.leaf as NonNullable<ProofBundle['leaf']>).leafHash = flip(c.leaf?.leafHash as Uint8Array, 31);
  invalid('corrupt-leaf-hash', 'leaf', 'leaf_hash is not SHA-256(0x00 || entry)', encodeBundle(c));
}
{
  const c = clone(b1000);
  c.header = flip(c.header, 10); // inside the log id
  invalid(
    'header-byte-flipped',
    'header',
    'one bit of the signed header bytes flipped (log id)',
    encodeBundle(c),
  );
}
{
  const c = clone(b1000);
  const path = c.inclusion?.path as Uint8Array[];
  path[4] = flip(path[4] as Uint8Array, 7);
  invalid(
    'corrupt-path-element',
    'inclusion',
    'one bit of inclusion path element 4 flipped',
    encodeBundle(c),
  );
}
{
  const c = clone(b1000);
  (c.inclusion as NonNullable<ProofBundle['inclusion']>).leafIndex = 618n;
  invalid('wrong-index', 'inclusion', 'leaf index 618 instead of 617', encodeBundle(c));
}
{
  const c = clone(b1000);
  (c.inclusion as NonNullable<ProofBundle['inclusion']>).treeSize = 999n;
  invalid(
    'tree-size-mismatch',
    'inclusion',
    'inclusion.tree_size 999 while the header says 1000',
    encodeBundle(c),
  );
}
{
  const fields = { ...sealed7.fields, sequence: 0n };
  invalid(
    'sequence0-nonzero-prev',
    'chain',
    'a correctly signed header with sequence 0 but a non-zero previous_header_hash',
    encodeBundle(resealed(b7, fields, k65)),
  );
}
{
  // Header and key record both claim algorithm 0x0099, all re-signed: only the registry can refuse it.
  const fields = { ...sealed1.fields, algorithmId: 0x0099 };
  const c = resealed(b1, fields, k65);
  const record = c.keys[0] as NonNullable<ProofBundle['keys'][number]>;
  record.algorithmId = 0x0099;
  record.selfSignature = k65.sign(
    encodeKeyStatement({ ...record, validFromMs: record.validFromMs }),
    KEY_STATEMENT_CONTEXT,
  );
  invalid(
    'unknown-algorithm',
    'key',
    'header, signature and key record use the unassigned algorithm id 0x0099',
    encodeBundle(c),
  );
}
{
  // Everything consistently names a key id that is not SHA-256 of the public key, all re-signed.
  const fakeId = nativeSha256(utf8('not the key'));
  const fields = { ...sealed1.fields, keyId: fakeId };
  const c = resealed(b1, fields, k65);
  const record = c.keys[0] as NonNullable<ProofBundle['keys'][number]>;
  record.keyId = fakeId;
  record.selfSignature = k65.sign(encodeKeyStatement(record), KEY_STATEMENT_CONTEXT);
  invalid(
    'key-id-mismatch',
    'key',
    'key id (in header, signature and record) is not SHA-256 of the public key',
    encodeBundle(c),
  );
}
{
  const c = clone(b7);
  const record = c.keys[0] as NonNullable<ProofBundle['keys'][number]>;
  record.selfSignature = flip(record.selfSignature, 100);
  invalid('self-signature-bad', 'key', 'one bit of the key record self-signature flipped', encodeBundle(c));
}
{
  const c = clone(b7);
  c.keys.push(clone(bRetired).keys[1] as NonNullable<ProofBundle['keys'][number]>);
  invalid(
    'unused-key-record',
    'key',
    'a key record no signature, successor or endorsement needs',
    encodeBundle(c),
  );
}
{
  const fields = { ...sealed7.fields, timeMs: BigInt(T - 86_400_001) };
  invalid(
    'time-before-key',
    'key-validity',
    'a correctly signed header 1 ms before the key valid_from_ms',
    encodeBundle(resealed(b7, fields, k65)),
  );
}
{
  const c = clone(bRetired);
  c.keys.pop();
  invalid(
    'retired-key-no-successor',
    'key-validity',
    'a retired key whose successor record is missing',
    encodeBundle(c),
  );
}
{
  const fields = { ...sealedRetired.fields, timeMs: BigInt(retiredAt) };
  invalid(
    'sealed-after-retirement',
    'key-validity',
    'a correctly signed header at the instant the key was retired',
    encodeBundle(resealed(bRetired, fields, k65)),
  );
}
{
  const c = clone(bSuccessor);
  (c.keys[1] as NonNullable<ProofBundle['keys'][number]>).validUntilMs = BigInt(retiredAt + 1);
  invalid(
    'endorser-retired-elsewhere',
    'key',
    'the endorser record says it retired 1 ms after its successor\'s signed valid_from_ms',
    encodeBundle(c),
  );
}
{
  const c = clone(bSuccessor);
  (c.keys[1] as NonNullable<ProofBundle['keys'][number]>).validUntilMs = 0n;
  invalid(
    'endorser-not-retired',
    'key',
    'the endorser record says it is still current (valid_until_ms 0) although its successor is in the bundle',
    encodeBundle(c),
  );
}
{
  // The successor re-signed (self-signature and endorsement) to start a day before its endorser did.
  const early = T - 2 * 86_400_000;
  const keys = [
    keyEntry(k65next, { validFromMs: early, endorser: k65, protection: 'hsm' }),
    keyEntry(k65, { validFromMs: T - 86_400_000, validUntilMs: early }),
  ];
  invalid(
    'successor-starts-before-endorser',
    'key',
    'the successor\'s signed valid_from_ms is before its endorser\'s, whose valid_until_ms says the same instant',
    encodeBundle(bundleOf(sealedSuccessor, 1, keys)),
  );
}
{
  const c = bundleOf(sealedRetired, 2, [
    ...retiredKeys,
    keyEntry(k44, { validFromMs: retiredAt, endorser: k65, protection: 'hsm' }),
  ]);
  invalid(
    'retired-key-two-successors',
    'key',
    'a retired key with two successor records, both endorsed by it',
    encodeBundle(c),
  );
}
{
  const c = clone(b1000);
  const sig = c.signatures[0] as NonNullable<ProofBundle['signatures'][number]>;
  sig.signature = flip(sig.signature, 1234);
  invalid('signature-flipped', 'signature', 'one bit of the header signature flipped', encodeBundle(c));
}
{
  const c = clone(b1000);
  c.signatures = [];
  invalid('no-signature', 'signature', 'the signature list is empty', encodeBundle(c));
}
{
  const fields = { ...sealed7.fields, guaranteeExpiryMs: sealed7.fields.timeMs };
  invalid(
    'expired-guarantee',
    'guarantee',
    'a correctly signed header sealed at the instant its guarantee expired',
    encodeBundle(resealed(b7, fields, k65)),
  );
}
{
  const c = clone(b1);
  c.anchor = create(AnchorSchema, { transactionHash: new Uint8Array(32).fill(0xab), height: 1234n });
  invalid(
    'anchor-present',
    'anchor',
    'an anchor with a transaction hash and a height but no transaction (version 1) or share (version 2)',
    encodeBundle(c),
  );
}

for (const [name, description, bundle] of hybridVectors) invalid(name, 'key', description, encodeBundle(bundle));

for (const [name, description, bundle] of v1AnchorVectors) invalid(name, 'anchor', description, encodeBundle(bundle));

// Corruptions of anchored bundles: each breaks one part of the evidence; the check named fails first.
const anchorOfBundle = (b: ProofBundle): Anchor => b.anchor as Anchor;
const anchoredCorruptions: Array<[string, string, string, ProofBundle, (b: ProofBundle) => void]> = [
  [
    'anchor-block-header-signature-flipped',
    'anchor',
    'one bit of the harvester\'s signature in the block header flipped',
    bAnchored2,
    (b) => {
      anchorOfBundle(b).blockHeader = flip(anchorOfBundle(b).blockHeader, 20);
    },
  ],
  [
    'anchor-block-header-height-flipped',
    'anchor',
    'one bit of the height inside the block header flipped (and the anchor\'s height with it): the signature fails',
    bAnchored2,
    (b) => {
      const a = anchorOfBundle(b);
      a.blockHeader = flip(a.blockHeader, 112);
      a.height ^= 1n;
    },
  ],
  [
    'anchor-block-height-changed',
    'anchor',
    'anchor.height 1235 while the signed block header says 1234',
    bAnchored2,
    (b) => {
      anchorOfBundle(b).height += 1n;
    },
  ],
  [
    'anchor-block-time-changed',
    'anchor',
    'anchor.block_timestamp one ms later than the signed block header\'s',
    bAnchored2,
    (b) => {
      anchorOfBundle(b).blockTimestamp += 1n;
    },
  ],
  [
    'anchor-transactions-hash-changed',
    'anchor',
    'anchor.transactions_hash flipped: no longer the block header\'s',
    bAnchored2,
    (b) => {
      anchorOfBundle(b).transactionsHash = flip(anchorOfBundle(b).transactionsHash, 31);
    },
  ],
  [
    'anchor-block-path-wrong',
    'anchor',
    'one bit of the block Merkle path flipped',
    bAnchored2,
    (b) => {
      const step = anchorOfBundle(b).merklePath[0] as NonNullable<Anchor['merklePath'][number]>;
      step.hash = flip(step.hash, 3);
    },
  ],
  [
    'anchor-record-chunk-path-wrong',
    'anchor',
    'one bit of the path of record chunk 1 flipped',
    bAnchored2,
    (b) => {
      const step = anchorOfBundle(b).recordChunks[1]?.path[0] as NonNullable<Anchor['merklePath'][number]>;
      step.hash = flip(step.hash, 0);
    },
  ],
  [
    'anchor-record-chunk-missing',
    'anchor',
    'the last record chunk\'s entry dropped',
    bAnchored2,
    (b) => {
      anchorOfBundle(b).recordChunks.pop();
    },
  ],
  [
    'anchor-aggregate-signature-flipped',
    'anchor',
    'one bit of the aggregate\'s Ed25519 signature flipped',
    bAnchored2,
    (b) => {
      anchorOfBundle(b).aggregateHeader = flip(anchorOfBundle(b).aggregateHeader, 8);
    },
  ],
  [
    'anchor-aggregate-size-changed',
    'anchor',
    'the aggregate header\'s size field no longer 168 + its payload size (the one field the signature does not cover)',
    bAnchored2,
    (b) => {
      anchorOfBundle(b).aggregateHeader = flip(anchorOfBundle(b).aggregateHeader, 1);
    },
  ],
  [
    'anchor-transaction-hash-changed',
    'anchor',
    'anchor.transaction_hash flipped',
    bAnchored2,
    (b) => {
      anchorOfBundle(b).transactionHash = flip(anchorOfBundle(b).transactionHash, 0);
    },
  ],
  [
    'anchor-v2-with-transaction',
    'anchor',
    'a version-2 anchor that also carries the whole transaction',
    bAnchored2,
    (b) => {
      anchorOfBundle(b).transaction = aggregateBatches.payload;
    },
  ],
  [
    'anchor-record-chunk-with-transaction',
    'anchor',
    'a record chunk entry that carries a transaction: the verifier rebuilds chunks, so the field must be empty',
    bAnchored2,
    (b) => {
      const chunk = anchorOfBundle(b).recordChunks[0] as NonNullable<Anchor['recordChunks'][number]>;
      chunk.transaction = new Uint8Array(80);
    },
  ],
  [
    'anchor-v1-with-block-header',
    'anchor',
    'a version-1 anchor that also carries a block header (a version-2 field)',
    bAnchored1,
    (b) => {
      anchorOfBundle(b).blockHeader = blockBatches.header;
    },
  ],
  [
    'anchor-v2-publication-chunks-without-publication',
    'anchor',
    'a version-2 anchor carrying publication transfers in a bundle without a publication',
    bImmediate2,
    (b) => {
      b.publication = undefined;
    },
  ],
  [
    'anchor-publication-cid-changed',
    'anchor',
    'publication.ipfs_cid names other bytes than the anchor\'s publication record',
    bImmediate2,
    (b) => {
      b.publication = create(PublicationSchema, { ipfsCid: cidOf(utf8('other bytes'), nativeSha256) });
    },
  ],
  [
    'anchor-publication-cid-upper-case',
    'anchor',
    'publication.ipfs_cid is the right CID in upper-case base32 ("BAFKREI…"): only the lower-case spelling is accepted',
    bImmediate2,
    (b) => {
      b.publication = create(PublicationSchema, { ipfsCid: immediateCid.toUpperCase() });
    },
  ],
  [
    'anchor-publication-cid-base58',
    'anchor',
    'publication.ipfs_cid is the right CID in base58btc ("z…"): only the lower-case base32 spelling is accepted',
    bImmediate2,
    (b) => {
      b.publication = create(PublicationSchema, { ipfsCid: CID.parse(immediateCid).toString(base58btc) });
    },
  ],
  [
    'anchor-publication-chunk-flipped',
    'anchor',
    'one bit inside a verbatim publication transfer flipped',
    bImmediate2,
    (b) => {
      const chunk = anchorOfBundle(b).publicationChunks[0] as NonNullable<Anchor['publicationChunks'][number]>;
      chunk.transaction = flip(chunk.transaction, 120);
    },
  ],
  [
    'anchor-arweave-other-bytes',
    'anchor',
    'the Arweave copy is a valid transaction of the same wallet, but of other bytes than the CID names (data_root)',
    bImmediateArweave,
    (b) => {
      b.publication = create(PublicationSchema, { ipfsCid: immediateCid, arweave: arweaveCopy.otherBytes });
    },
  ],
  [
    'anchor-arweave-reward-changed',
    'anchor',
    'the Arweave copy\'s reward changed by one winston: the RSA-PSS signature no longer verifies',
    bImmediateArweave,
    (b) => {
      const tx = b.publication?.arweave as ArweaveTransaction;
      tx.reward = (BigInt(tx.reward) + 1n).toString();
    },
  ],
  [
    'anchor-arweave-signature-flipped',
    'anchor',
    'one bit of the Arweave copy\'s signature flipped, its id recomputed to match: the signature does not verify',
    bImmediateArweave,
    (b) => {
      const tx = b.publication?.arweave as ArweaveTransaction;
      tx.signature = flip(tx.signature, 300);
      tx.id = toBase64Url(nativeSha256(tx.signature));
    },
  ],
  [
    'anchor-arweave-id-changed',
    'anchor',
    'the Arweave copy names another transaction id than the hash of its signature',
    bImmediateArweave,
    (b) => {
      const tx = b.publication?.arweave as ArweaveTransaction;
      tx.id = toBase64Url(nativeSha256(utf8('another transaction')));
    },
  ],
  [
    'checkpoint-block-header-wrong',
    'checkpoint',
    'the checkpoint\'s anchor carries the block header of the batch\'s block (1234), not its own (1240)',
    bCheckpoint2,
    (b) => {
      (b.checkpoint?.anchor as Anchor).blockHeader = blockBatches.header;
    },
  ],
  [
    'checkpoint-anchor-v1-in-v2',
    'checkpoint',
    'a version-2 bundle whose checkpoint anchor is in the version-1 form (whole transaction): a mixed form',
    bCheckpoint2,
    (b) => {
      (b.checkpoint as NonNullable<ProofBundle['checkpoint']>).anchor = clone(bCheckpoint1).checkpoint?.anchor;
    },
  ],
  [
    'checkpoint-record-chunk-path-wrong',
    'checkpoint',
    'one bit of the path of the checkpoint record\'s chunk 0 flipped',
    bCheckpoint2,
    (b) => {
      const step = (b.checkpoint?.anchor as Anchor).recordChunks[0]?.path[0] as NonNullable<
        Anchor['merklePath'][number]
      >;
      step.hash = flip(step.hash, 5);
    },
  ],
  [
    'version-2-without-anchor',
    'version',
    'bundle version 2 without any anchor: bundles without anchors are version 1',
    b1,
    (b) => {
      b.version = 2;
    },
  ],
];
for (const [name, check, description, base, corrupt] of anchoredCorruptions) {
  const c = clone(base);
  corrupt(c);
  invalid(name, check, description, encodeBundle(c));
}

mkdirSync(DIR, { recursive: true });
for (const f of readdirSync(DIR)) if (f.endsWith('.spark')) rmSync(new URL(f, DIR));
for (const [file, bytes] of files) writeFileSync(new URL(file, MANIFEST), bytes);
writeFileSync(MANIFEST, `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`wrote ${files.size} bundles and ${manifest.length} manifest entries`);
