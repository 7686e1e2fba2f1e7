// TEST DOUBLE of a Symbol node — builds, signs and hashes NormalBlockV1 headers (symbol-sdk's serializer) for the
// double's harvester and for its lying fronts; block hash = SHA3-256(signature ‖ signer ‖ header[108..372)).
import { sha3_256 } from '@noble/hashes/sha3.js';
import { PrivateKey } from 'symbol-sdk';
import { models, SymbolFacade } from 'symbol-sdk/symbol';

export type BlockKeyPair = InstanceType<typeof SymbolFacade.KeyPair>;

/** The double's harvester key: fixed, public, never valid anywhere real. */
export const HARVESTER_PRIVATE_KEY = '5A'.repeat(32);
/** The key a lying front re-signs altered headers with (`wrongTransactionsHash({ variant: 'resign' })`). */
export const LIAR_PRIVATE_KEY = 'C3'.repeat(32);

export const harvesterKeyPair = (): BlockKeyPair =>
  new SymbolFacade.KeyPair(new PrivateKey(HARVESTER_PRIVATE_KEY));
export const liarKeyPair = (): BlockKeyPair => new SymbolFacade.KeyPair(new PrivateKey(LIAR_PRIVATE_KEY));

/** The signed fields of a normal block header, hashes and the decoded address as upper-case hex. */
export interface NormalBlockFields {
  readonly network: number;
  readonly height: bigint;
  readonly timestamp: bigint;
  readonly difficulty: bigint;
  readonly previousBlockHash: string;
  readonly transactionsHash: string;
  readonly receiptsHash: string;
  readonly stateHash: string;
  readonly beneficiaryAddress: string;
  readonly feeMultiplier: number;
}

export interface BlockSeal {
  readonly signature: string;
  readonly signerPublicKey: string;
  readonly hash: string;
}

/** Serialized size of a normal block header (372 bytes padded to 8). */
export const NORMAL_BLOCK_HEADER_SIZE = new models.NormalBlockV1().size;

export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex').toUpperCase();
export const unhex = (text: string): Uint8Array<ArrayBuffer> => Uint8Array.from(Buffer.from(text, 'hex'));

export const concatBytes = (...parts: Uint8Array[]): Uint8Array => Buffer.concat(parts);

/** SHA3-256 of a label and some hex values: the double's deterministic stand-in for derived hashes. */
export function labelledHash(label: string, ...hexValues: string[]): string {
  return hex(sha3_256(concatBytes(new TextEncoder().encode(label), ...hexValues.map(unhex))));
}

/** header[108..372): what the harvester signs (the VRF proof is all zeros in the double's blocks). */
function signedData(fields: NormalBlockFields): Uint8Array {
  const header = new models.NormalBlockV1();
  header.network = new models.NetworkType(fields.network);
  header.height = new models.Height(fields.height);
  header.timestamp = new models.Timestamp(fields.timestamp);
  header.difficulty = new models.Difficulty(fields.difficulty);
  header.previousBlockHash = new models.Hash256(unhex(fields.previousBlockHash));
  header.transactionsHash = new models.Hash256(unhex(fields.transactionsHash));
  header.receiptsHash = new models.Hash256(unhex(fields.receiptsHash));
  header.stateHash = new models.Hash256(unhex(fields.stateHash));
  header.beneficiaryAddress = new models.Address(unhex(fields.beneficiaryAddress));
  header.feeMultiplier = new models.BlockFeeMultiplier(fields.feeMultiplier);
  return header.serialize().subarray(108, 372);
}

/** The block hash of `fields` under a given signature and signer (which need not verify). */
export function hashNormalBlock(
  fields: NormalBlockFields,
  signature: string,
  signerPublicKey: string,
): string {
  return hex(sha3_256(concatBytes(unhex(signature), unhex(signerPublicKey), signedData(fields))));
}

/** Signs `fields` with `keyPair` and hashes the result, as a harvester does. */
export function sealNormalBlock(fields: NormalBlockFields, keyPair: BlockKeyPair): BlockSeal {
  const signature = hex(keyPair.sign(signedData(fields)).bytes);
  const signerPublicKey = hex(keyPair.publicKey.bytes);
  return { signature, signerPublicKey, hash: hashNormalBlock(fields, signature, signerPublicKey) };
}
