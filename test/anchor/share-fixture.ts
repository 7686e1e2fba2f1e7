// Test inputs for anchored bundles in both forms (docs/proof-format.md §9): a signed aggregate from a fixed account
// seed, a block holding it among other transactions with a header signed by a fixed harvester key, and the Anchor
// messages (version 1 whole transaction, version 2 compact share) built from them. Deterministic throughout.
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha3_256 } from '@noble/hashes/sha3.js';
import { createMemoryEd25519Signer } from '../../src/anchor/memory-ed25519-signer.ts';
import {
  buildAnchorTransaction,
  type KeyHistoryInput,
  type SignedAnchorTransaction,
  signAnchorTransaction,
} from '../../src/anchor/transaction-builder.ts';
import type { Anchor } from '../../src/gen/spark/v1/bundle_pb.js';
import { type AnchorShare, buildAnchorShare, symbolMerklePath } from '../../src/proof/anchor/anchor-share.ts';
import {
  encodeBlockHeader,
  NORMAL_BLOCK_HEADER_SIZE,
  NORMAL_BLOCK_TYPE,
} from '../../src/proof/anchor/block-header.ts';
import { encodeKeyMetadata, encodePublicKeyRecord } from '../../src/proof/anchor/key-history-record.ts';
import { recordId } from '../../src/proof/anchor/record-chunks.ts';
import { symbolAddress } from '../../src/proof/anchor/symbol-address.ts';
import { type MerklePathStep, symbolMerkleRoot } from '../../src/proof/anchor/symbol-merkle.ts';
import { type AnchorEvidence, compactAnchor, fullAnchor } from '../../src/proof/bundle/anchor-message.ts';
import { toHex, utf8 } from '../../src/proof/encoding/bytes.ts';
import type { KeyHistoryEntry } from '../../src/store/store.ts';

/** A custom network with a fixed generation hash seed (testnet's network byte). */
export const SHARE_NETWORK = { identifier: 0x98, generationHashSeed: new Uint8Array(32).fill(0x47) } as const;
/** Seed of the anchoring account's Ed25519 key. */
export const ACCOUNT_SEED = new Uint8Array(32).fill(0x33);
/** Seed (RFC 8032 secret key) of the harvester that signs the test blocks. */
export const HARVESTER_SECRET = new Uint8Array(32).fill(0x7b);

/** The anchoring account's aggregate of `records` (and key history), signed; deterministic for fixed inputs. */
export async function signedAggregate(o: {
  readonly records: readonly Uint8Array[];
  readonly keyRecords?: readonly KeyHistoryInput[];
  readonly aggregateVersion?: 2 | 3;
  readonly deadline?: bigint;
}): Promise<SignedAnchorTransaction> {
  const signer = createMemoryEd25519Signer(ACCOUNT_SEED.slice());
  return signAnchorTransaction(
    buildAnchorTransaction({
      network: SHARE_NETWORK,
      signerPublicKey: signer.publicKey,
      records: o.records,
      keyRecords: o.keyRecords ?? [],
      aggregateVersion: o.aggregateVersion ?? 3,
      feeMultiplier: 100,
      deadline: o.deadline ?? 99_000_000n,
    }),
    signer,
  );
}

/** The key history the tracker writes in a key's first aggregate: its metadata entry and public-key record. */
export function keyHistoryOf(entry: KeyHistoryEntry): KeyHistoryInput {
  const publicKeyRecord = encodePublicKeyRecord({
    algorithmId: entry.algorithmId,
    publicKey: entry.publicKey,
    selfSignature: entry.selfSignature,
    endorsement: entry.endorsement,
  });
  const metadataValue = encodeKeyMetadata({
    algorithmId: entry.algorithmId,
    keyId: entry.keyId,
    validFromMs: BigInt(entry.validFromMs),
    validUntilMs: BigInt(entry.validUntilMs),
    previousKeyId: entry.previousKeyId,
    protection: entry.protection,
    publicKeyRecordId: toHex(recordId(publicKeyRecord)),
  });
  return { metadataValue, publicKeyRecord };
}

/** A block and where the anchor's leaf is in it. */
export interface TestBlock {
  readonly header: Uint8Array;
  readonly hash: Uint8Array;
  readonly transactionsHash: Uint8Array;
  /** From the anchor's Merkle component hash to `transactionsHash`. */
  readonly path: MerklePathStep[];
  readonly height: bigint;
  readonly timestamp: bigint;
}

/** A fixed 32-byte value named by `tag`. */
const fixed = (tag: string, n = 32): Uint8Array => sha3_256(utf8(`spark test block ${tag}`)).slice(0, n);

/**
 * A normal block at `height` and `timestamp` whose transactions tree holds `leaf` at `index` among `others`
 * other leaves (fixed values), its header signed by the harvester key.
 */
export function blockWith(
  leaf: Uint8Array,
  o: {
    readonly height: bigint;
    readonly timestamp: bigint;
    readonly others?: number;
    readonly index?: number;
    readonly network?: number;
    readonly harvester?: Uint8Array;
  },
): TestBlock {
  const others = Array.from({ length: o.others ?? 4 }, (_, i) => fixed(`leaf ${o.height} ${i}`));
  const index = Math.min(o.index ?? 1, others.length);
  const leaves = [...others.slice(0, index), leaf, ...others.slice(index)];
  const transactionsHash = symbolMerkleRoot(leaves);
  const secret = o.harvester ?? HARVESTER_SECRET;
  const signerPublicKey = ed25519.getPublicKey(secret);
  const network = o.network ?? SHARE_NETWORK.identifier;
  const fields = {
    // The block's size (header and transactions) is not signed; any value from the header's size up parses.
    size: NORMAL_BLOCK_HEADER_SIZE + 1_000 * leaves.length,
    signature: new Uint8Array(64),
    signerPublicKey,
    version: 1,
    network,
    type: NORMAL_BLOCK_TYPE,
    height: o.height,
    timestamp: o.timestamp,
    difficulty: 100_000_000_000_000n,
    generationHashProof: {
      gamma: fixed('gamma'),
      verificationHash: fixed('verification', 16),
      scalar: fixed('scalar'),
    },
    previousBlockHash: fixed(`block ${o.height - 1n}`),
    transactionsHash,
    receiptsHash: fixed('receipts'),
    stateHash: fixed('state'),
    beneficiaryAddress: symbolAddress(signerPublicKey, network),
    feeMultiplier: 100,
  };
  const unsigned = encodeBlockHeader(fields);
  const signature = ed25519.sign(unsigned.subarray(108, 372), secret);
  const header = encodeBlockHeader({ ...fields, signature });
  return {
    header,
    hash: sha3_256(new Uint8Array([...signature, ...signerPublicKey, ...header.subarray(108, 372)])),
    transactionsHash,
    path: symbolMerklePath(leaves, index),
    height: o.height,
    timestamp: o.timestamp,
  };
}

/** The evidence both anchor forms carry for `signed` in `block`. */
export function evidenceOf(
  signed: SignedAnchorTransaction,
  block: TestBlock,
  finalizedHeight = block.height + 10n,
): AnchorEvidence {
  return {
    generationHashSeed: SHARE_NETWORK.generationHashSeed,
    transactionHash: signed.hash,
    height: block.height,
    blockTimestamp: block.timestamp,
    merkleComponentHash: signed.merkleComponentHash,
    path: block.path,
    transactionsHash: block.transactionsHash,
    finalizedHeight,
  };
}

/** The share of `record` in `signed` (throws when it is not there). */
export function shareOf(
  signed: SignedAnchorTransaction,
  record: Uint8Array,
  publication = false,
): AnchorShare {
  const share = buildAnchorShare(signed.payload, record, { publication });
  if (!share.ok) throw new Error(share.reason);
  return share.value;
}

/** The anchor of `record` in `signed`, confirmed in `block`, in the form of bundle `version`. */
export function anchorIn(
  version: 1 | 2,
  signed: SignedAnchorTransaction,
  record: Uint8Array,
  block: TestBlock,
  o: { readonly publication?: boolean; readonly finalizedHeight?: bigint } = {},
): Anchor {
  const evidence = evidenceOf(signed, block, o.finalizedHeight);
  return version === 1
    ? fullAnchor(evidence, signed.payload)
    : compactAnchor(evidence, block.header, shareOf(signed, record, o.publication));
}
