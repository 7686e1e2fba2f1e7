// Checks for the tests of the Symbol TEST DOUBLE: rebuilds a block header from catapult-rest JSON with the sidecar's
// own codec (src/proof/anchor/block-header.ts) to recompute its hash and verify its signature, and verifies REST Merkle paths.
import { sha3_256 } from '@noble/hashes/sha3.js';
import {
  encodeBlockHeader,
  parseBlockHeader,
  verifyBlockSignature,
} from '../../../src/proof/anchor/block-header.ts';
import { createNobleEd25519Verifier } from '../../../src/proof/anchor/noble-ed25519-verifier.ts';

/** `GET /blocks/{height}` as catapult-rest returns a normal block. */
export interface RestBlock {
  readonly meta: { readonly hash: string; readonly generationHash: string };
  readonly block: {
    readonly size: number;
    readonly signature: string;
    readonly signerPublicKey: string;
    readonly version: number;
    readonly network: number;
    readonly type: number;
    readonly height: string;
    readonly timestamp: string;
    readonly difficulty: string;
    readonly proofGamma: string;
    readonly proofVerificationHash: string;
    readonly proofScalar: string;
    readonly previousBlockHash: string;
    readonly transactionsHash: string;
    readonly receiptsHash: string;
    readonly stateHash: string;
    readonly beneficiaryAddress: string;
    readonly feeMultiplier: number;
  };
}

/** `GET /transactionStatus/{hash}`. */
export interface RestStatus {
  readonly group: string;
  readonly code: string;
  readonly hash: string;
  readonly deadline: string;
  readonly height: string;
}

/** `GET /chain/info`. */
export interface RestChainInfo {
  readonly height: string;
  readonly latestFinalizedBlock: {
    readonly height: string;
    readonly hash: string;
    readonly finalizationEpoch: number;
    readonly finalizationPoint: number;
  };
}

export type RestMerklePath = readonly { readonly position: 'left' | 'right'; readonly hash: string }[];

export interface HeaderCheck {
  /** SHA3-256(signature ‖ signer ‖ signed header bytes) of the header rebuilt from the JSON fields. */
  readonly hash: string;
  /** The recomputed hash equals meta.hash. */
  readonly hashMatches: boolean;
  /** The signature verifies under signerPublicKey over the rebuilt header. */
  readonly signatureVerifies: boolean;
}

const bytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, 'hex'));
const ed25519 = createNobleEd25519Verifier();

export function checkRestBlock(json: RestBlock): HeaderCheck {
  const b = json.block;
  const encoded = encodeBlockHeader({
    size: b.size,
    signature: bytes(b.signature),
    signerPublicKey: bytes(b.signerPublicKey),
    version: b.version,
    network: b.network,
    type: b.type,
    height: BigInt(b.height),
    timestamp: BigInt(b.timestamp),
    difficulty: BigInt(b.difficulty),
    generationHashProof: {
      gamma: bytes(b.proofGamma),
      verificationHash: bytes(b.proofVerificationHash),
      scalar: bytes(b.proofScalar),
    },
    previousBlockHash: bytes(b.previousBlockHash),
    transactionsHash: bytes(b.transactionsHash),
    receiptsHash: bytes(b.receiptsHash),
    stateHash: bytes(b.stateHash),
    beneficiaryAddress: bytes(b.beneficiaryAddress),
    feeMultiplier: b.feeMultiplier,
  });
  const parsed = parseBlockHeader(encoded);
  if (!parsed.ok) throw new Error(`rebuilt header does not parse: ${parsed.reason}`);
  const hash = Buffer.from(parsed.value.hash).toString('hex').toUpperCase();
  return {
    hash,
    hashMatches: hash === json.meta.hash,
    signatureVerifies: verifyBlockSignature(parsed.value, ed25519),
  };
}

/** SYMBOL.md, "Hashes and Merkle paths": acc = leaf; left → H(item ‖ acc); right → H(acc ‖ item). */
export function verifyRestMerklePath(leafHex: string, path: RestMerklePath, rootHex: string): boolean {
  let acc = Uint8Array.from(Buffer.from(leafHex, 'hex'));
  for (const item of path) {
    const sibling = Buffer.from(item.hash, 'hex');
    acc = sha3_256(Buffer.concat(item.position === 'left' ? [sibling, acc] : [acc, sibling]));
  }
  return Buffer.from(acc).toString('hex').toUpperCase() === rootHex.toUpperCase();
}
