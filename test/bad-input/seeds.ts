// Real, valid inputs the fuzz loops start from: the bundle vectors, and one bundle built here that carries
// every optional part (an anchor in a two-transaction block and an anchored checkpoint), with its aggregate.
import { readFileSync } from 'node:fs';
import { create } from '@bufbuild/protobuf';
import { createMemoryEd25519Signer } from '../../src/anchor/memory-ed25519-signer.ts';
import { buildAnchorTransaction, signAnchorTransaction } from '../../src/anchor/transaction-builder.ts';
import { nativeSha256 } from '../../src/crypto/native-sha256.ts';
import {
  type Anchor,
  AnchorSchema,
  CheckpointSchema,
  MerklePathItemSchema,
  SignatureSchema,
} from '../../src/gen/spark/v1/bundle_pb.js';
import { encodeAnchorRecord, encodeCheckpointRecord } from '../../src/proof/anchor/anchor-record.ts';
import { symbolMerkleRoot } from '../../src/proof/anchor/symbol-merkle.ts';
import { encodeCheckpoint, headerLog } from '../../src/proof/bundle/checkpoint.ts';
import { encodeBundle } from '../../src/proof/bundle/codec.ts';
import { CHECKPOINT_SIGNATURE_CONTEXT } from '../../src/proof/crypto/contexts.ts';
import {
  bundleOf,
  createTestKey,
  digestsOf,
  keyEntry,
  type SealedBatch,
  sealBatch,
  seedOf,
} from '../bundle/fixture.ts';

interface VectorEntry {
  readonly file: string;
  readonly valid: boolean;
}

const MANIFEST = new URL('../vectors/bundles.json', import.meta.url);

/** Every vector bundle's bytes, valid ones flagged. */
export function vectorBundles(): { name: string; bytes: Uint8Array; valid: boolean }[] {
  const entries = JSON.parse(readFileSync(MANIFEST, 'utf8')) as VectorEntry[];
  const seen = new Set<string>();
  const out: { name: string; bytes: Uint8Array; valid: boolean }[] = [];
  for (const e of entries) {
    if (seen.has(e.file)) continue;
    seen.add(e.file);
    out.push({
      name: e.file,
      bytes: new Uint8Array(readFileSync(new URL(e.file, MANIFEST))),
      valid: e.valid,
    });
  }
  return out;
}

/** The network of the anchored seed: a custom one with a fixed generation hash seed. */
export const SEED_NETWORK = { identifier: 0x98, generationHashSeed: new Uint8Array(32).fill(0x47) };

/**
 * A valid bundle with every part filled: batch 2 of a three-batch log, anchored in an aggregate (which also
 * carries the checkpoint record) that sits in a block of two transactions, and a checkpoint over all three
 * batches with its own anchor. Also returns the signed aggregate, for the anchor-parser fuzz.
 */
export async function fullBundle(): Promise<{ bytes: Uint8Array; transaction: Uint8Array }> {
  const t0 = 1_760_000_000_000;
  const key = createTestKey(seedOf(0x61), { impl: 'native' });
  const entry = keyEntry(key, { validFromMs: t0 - 1000 });
  const batches: SealedBatch[] = [];
  for (let s = 0; s < 3; s++) {
    batches.push(
      sealBatch({
        key,
        digests: digestsOf(4 + s, `fuzz${s}`),
        timeMs: BigInt(t0 + s),
        sequence: BigInt(s),
        previousHeaderHash: s === 0 ? new Uint8Array(32) : (batches[s - 1] as SealedBatch).batch.headerHash,
      }),
    );
  }
  const target = batches[2] as SealedBatch;
  const hashes = batches.map((b) => b.batch.headerHash);
  const log = headerLog(hashes, nativeSha256);
  const body = encodeCheckpoint({
    version: 1,
    logId: target.fields.logId,
    batchCount: 3n,
    headerLogRoot: log.root,
    headHeaderHash: hashes[2] as Uint8Array,
    timeMs: BigInt(t0 + 100),
    algorithmId: key.algorithmId,
    keyId: key.keyId,
  });
  const checkpointSignatures = [
    {
      algorithmId: key.algorithmId,
      keyId: key.keyId,
      signature: key.sign(body, CHECKPOINT_SIGNATURE_CONTEXT),
    },
  ];
  const signer = createMemoryEd25519Signer(new Uint8Array(32).fill(0x33));
  const signed = await signAnchorTransaction(
    buildAnchorTransaction({
      network: SEED_NETWORK,
      signerPublicKey: signer.publicKey,
      records: [
        encodeAnchorRecord({ header: target.batch.header, signatures: target.batch.signatures }),
        encodeCheckpointRecord({ body, signatures: checkpointSignatures }),
      ],
      aggregateVersion: 3,
      feeMultiplier: 100,
      deadline: 99_000_000n,
    }),
    signer,
  );
  // A block of two transactions: ours on the left, a neighbour on the right.
  const neighbour = new Uint8Array(32).fill(0x4e);
  const anchor = (): Anchor =>
    create(AnchorSchema, {
      networkGenerationHashSeed: SEED_NETWORK.generationHashSeed,
      transactionHash: signed.hash,
      height: 1234n,
      blockTimestamp: 98_000_000n,
      merkleComponentHash: signed.merkleComponentHash,
      merklePath: [create(MerklePathItemSchema, { left: false, hash: neighbour })],
      transactionsHash: symbolMerkleRoot([signed.merkleComponentHash, neighbour]),
      finalizedHeight: 1240n,
      transaction: signed.payload,
    });
  const bundle = bundleOf(target, 1, [entry]);
  bundle.anchor = anchor();
  bundle.checkpoint = create(CheckpointSchema, {
    sequence: 2n,
    headerHash: hashes[2] as Uint8Array,
    batchCount: 3n,
    body,
    signatures: checkpointSignatures.map((s) => create(SignatureSchema, s)),
    headerPath: log.path(2),
    anchor: anchor(),
  });
  return { bytes: encodeBundle(bundle), transaction: signed.payload };
}
