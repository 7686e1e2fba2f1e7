// Offline check of a Symbol anchor aggregate: structure, network, no cosignatures, embedded Merkle root, Ed25519
// signature and the records it carries (docs/anchoring.md §6).
import { sha3_256 } from '@noble/hashes/sha3.js';
import { bytesEqual, concatBytes, toHex } from '../encoding/bytes.ts';
import { type ParsedAggregate, parseAggregate } from './aggregate-layout.ts';
import {
  type AnchorRecordFields,
  type CheckpointRecordFields,
  decodeAnchorRecord,
  decodeCheckpointRecord,
} from './anchor-record.ts';
import { symbolNetworkOf } from './block-evidence.ts';
import type { Ed25519Verifier } from './ed25519-verifier.ts';
import { decodePublicationRecord, type PublicationRecordFields } from './publication-record.ts';
import {
  RECORD_KIND_BATCH,
  RECORD_KIND_CHECKPOINT,
  RECORD_KIND_PUBLICATION,
  type ReassembledRecord,
  reassembleRecords,
} from './record-chunks.ts';
import { symbolMerkleRoot } from './symbol-merkle.ts';

export { type MerklePathStep, verifyBlockMerklePath } from './symbol-merkle.ts';

/** What the verifier needs besides the transaction bytes. */
export interface VerifyAnchorOptions {
  /** The network's generation hash seed (32 bytes). */
  readonly generationHashSeed: Uint8Array;
  readonly ed25519: Ed25519Verifier;
  /** When given, the aggregate must be signed by this account public key. */
  readonly expectedSignerPublicKey?: Uint8Array;
  /** When given, the network byte (0x68 mainnet, 0x98 testnet) must match. */
  readonly expectedNetwork?: number;
}

/** One named check with its outcome. */
export interface AnchorCheck {
  readonly name:
    | 'parse'
    | 'network'
    | 'signer'
    | 'cosignatures'
    | 'transactions-hash'
    | 'signature'
    | 'records';
  readonly ok: boolean;
  readonly detail: string;
}

/** A batch anchor record found in the aggregate. */
export interface FoundBatchRecord {
  /** Hex record id. */
  readonly id: string;
  readonly fields: AnchorRecordFields;
}

/** A checkpoint record found in the aggregate. */
export interface FoundCheckpointRecord {
  /** Hex record id. */
  readonly id: string;
  readonly fields: CheckpointRecordFields;
}

/** A publication record found in the aggregate. */
export interface FoundPublicationRecord {
  /** Hex record id. */
  readonly id: string;
  readonly fields: PublicationRecordFields;
}

/** The records reassembled from the aggregate signer's own transfers (docs/anchoring.md §3). */
export function signerRecords(tx: ParsedAggregate): ReturnType<typeof reassembleRecords> {
  const messages = tx.embedded
    .filter((e) => e.transfer !== undefined && bytesEqual(e.signerPublicKey, tx.signerPublicKey))
    .map((e) => e.transfer?.message ?? new Uint8Array(0));
  return reassembleRecords(messages);
}

/** The verifier's report; `ok` iff every check passed. */
export interface AnchorVerification {
  readonly ok: boolean;
  readonly checks: readonly AnchorCheck[];
  readonly transaction?: ParsedAggregate;
  /** SHA3-256(signature ‖ signer ‖ seed ‖ signed header). */
  readonly transactionHash?: Uint8Array;
  /** The leaf of the block's transactions tree: the hash, or SHA3-256(hash ‖ cosigner keys…). */
  readonly merkleComponentHash?: Uint8Array;
  /** Every record reassembled from the signer's own transfer messages (all kinds). */
  readonly records: readonly ReassembledRecord[];
  /** The batch anchor records among them, decoded. */
  readonly batchRecords: readonly FoundBatchRecord[];
  /** The checkpoint records among them, decoded. */
  readonly checkpointRecords: readonly FoundCheckpointRecord[];
  /** The publication records among them, decoded. */
  readonly publicationRecords: readonly FoundPublicationRecord[];
}

/** Symbol's entity hash of a parsed aggregate. */
export function aggregateHash(tx: ParsedAggregate, generationHashSeed: Uint8Array): Uint8Array {
  return sha3_256(concatBytes(tx.signature, tx.signerPublicKey, generationHashSeed, tx.signedHeader));
}

/** A transaction's leaf in its block's Merkle tree: its hash, or SHA3-256(hash ‖ cosigners' keys) (catapult). */
export function merkleComponentHashOf(hash: Uint8Array, cosigners: readonly Uint8Array[]): Uint8Array {
  return cosigners.length === 0 ? hash : sha3_256(concatBytes(hash, ...cosigners));
}

/** Checks an anchor transaction offline. Never throws, whatever the bytes. */
export function verifyAnchorTransaction(bytes: Uint8Array, options: VerifyAnchorOptions): AnchorVerification {
  const checks: AnchorCheck[] = [];
  const fail = (name: AnchorCheck['name'], detail: string): AnchorVerification => {
    checks.push({ name, ok: false, detail });
    return {
      ok: false,
      checks,
      records: [],
      batchRecords: [],
      checkpointRecords: [],
      publicationRecords: [],
    };
  };
  const seed = options.generationHashSeed;
  if (!(seed instanceof Uint8Array) || seed.length !== 32) {
    return fail('parse', 'generationHashSeed: must be 32 bytes');
  }
  const parsed = parseAggregate(bytes);
  if (!parsed.ok) return fail('parse', parsed.reason);
  const tx = parsed.value;
  checks.push({
    name: 'parse',
    ok: true,
    detail: `aggregate complete v${tx.version}, ${tx.embedded.length} embedded, ${tx.cosignatures.length} cosignatures`,
  });
  // The seed and the byte must name one network (a testnet seed with the mainnet byte is refused).
  const network = symbolNetworkOf(seed, tx.network);
  if (!network.ok) {
    checks.push({ name: 'network', ok: false, detail: network.reason });
  } else if (options.expectedNetwork !== undefined && tx.network !== options.expectedNetwork) {
    checks.push({
      name: 'network',
      ok: false,
      detail: `network byte 0x${tx.network.toString(16)}, expected 0x${options.expectedNetwork.toString(16)}`,
    });
  } else {
    checks.push({ name: 'network', ok: true, detail: network.value.description });
  }
  if (options.expectedSignerPublicKey !== undefined) {
    const ok = bytesEqual(tx.signerPublicKey, options.expectedSignerPublicKey);
    checks.push({ name: 'signer', ok, detail: `signer ${toHex(tx.signerPublicKey)}` });
  }
  // The anchoring account signs alone: a cosignature is covered by no signature this verifier checks, and an
  // embedded transaction of another signer would need one (docs/anchoring.md §5.4).
  const foreign = tx.embedded.findIndex((e) => !bytesEqual(e.signerPublicKey, tx.signerPublicKey));
  checks.push(
    tx.cosignatures.length > 0
      ? {
          name: 'cosignatures',
          ok: false,
          detail: `${tx.cosignatures.length} cosignature(s): an anchor aggregate is signed by the anchoring account alone`,
        }
      : foreign >= 0
        ? {
            name: 'cosignatures',
            ok: false,
            detail: `transactions[${foreign}]: signed by another key than the aggregate's, which would need a cosignature`,
          }
        : { name: 'cosignatures', ok: true, detail: "none: every embedded transaction is the signer's" },
  );
  const root = symbolMerkleRoot(tx.embedded.map((e) => sha3_256(e.bytes)));
  const rootOk = bytesEqual(root, tx.transactionsHash);
  checks.push({
    name: 'transactions-hash',
    ok: rootOk,
    detail: rootOk ? 'embedded transactions match transactionsHash' : `computed ${toHex(root)}`,
  });
  const signingPayload = concatBytes(seed, tx.signedHeader);
  let sigOk = false;
  try {
    sigOk = options.ed25519.verify(tx.signature, signingPayload, tx.signerPublicKey) === true;
  } catch {
    sigOk = false;
  }
  checks.push({
    name: 'signature',
    ok: sigOk,
    detail: sigOk ? `Ed25519 (${options.ed25519.name}) verifies` : 'Ed25519 signature does not verify',
  });
  const transactionHash = aggregateHash(tx, seed);
  const merkleComponentHash = merkleComponentHashOf(
    transactionHash,
    tx.cosignatures.map((c) => c.signerPublicKey),
  );
  const { records, problems } = signerRecords(tx);
  const batchRecords: FoundBatchRecord[] = [];
  const recordProblems = [...problems];
  const checkpointRecords: FoundCheckpointRecord[] = [];
  const publicationRecords: FoundPublicationRecord[] = [];
  for (const r of records) {
    if (r.kind === RECORD_KIND_BATCH) {
      const d = decodeAnchorRecord(r.bytes);
      if (d.ok) batchRecords.push({ id: r.id, fields: d.value });
      else recordProblems.push(`record ${r.id}: ${d.reason}`);
    } else if (r.kind === RECORD_KIND_CHECKPOINT) {
      const d = decodeCheckpointRecord(r.bytes);
      if (d.ok) checkpointRecords.push({ id: r.id, fields: d.value });
      else recordProblems.push(`record ${r.id}: ${d.reason}`);
    } else if (r.kind === RECORD_KIND_PUBLICATION) {
      const d = decodePublicationRecord(r.bytes);
      if (d.ok) publicationRecords.push({ id: r.id, fields: d.value });
      else recordProblems.push(`record ${r.id}: ${d.reason}`);
    }
  }
  checks.push({
    name: 'records',
    ok: recordProblems.length === 0,
    detail:
      recordProblems.length === 0
        ? `${records.length} records, ${batchRecords.length} batch anchor records, ${checkpointRecords.length} checkpoint records${publicationRecords.length > 0 ? `, ${publicationRecords.length} publication records` : ''}`
        : recordProblems.join('; '),
  });
  return {
    ok: checks.every((c) => c.ok),
    checks,
    transaction: tx,
    transactionHash,
    merkleComponentHash,
    records,
    batchRecords,
    checkpointRecords,
    publicationRecords,
  };
}
