// The Arweave copy of a published bundle (docs/proof-format.md §9.6): checks offline that a signed Arweave format-2
// data transaction commits to exactly the bytes a CID names, so its id is as good a name for them as the CID.
// Bundles are one Arweave chunk (under 256 KiB), whose data root depends only on the bytes' SHA-256 — the CID's
// digest — and their length: SHA-256(SHA-256(digest) ‖ SHA-256(length as 32 bytes big-endian)). The id is
// SHA-256 of the RSA-PSS signature, which covers the data root through the transaction's deep hash (pure).
import { sha256 } from '@noble/hashes/sha2.js';
import type { ArweaveTransaction } from '../../gen/spark/v1/bundle_pb.js';
import { toBase64Url } from '../encoding/base64.ts';
import type { Decoded } from '../encoding/byte-reader.ts';
import { bytesEqual, concatBytes, utf8 } from '../encoding/bytes.ts';
import { deepHash } from './deep-hash.ts';
import { verifyRsaPssSha256 } from './rsa-pss.ts';

/** Arweave's chunk size: data this long or longer has more than one chunk. */
export const ARWEAVE_CHUNK_SIZE = 256 * 1024;
/** An Arweave owner: a 4096-bit RSA modulus. */
export const ARWEAVE_OWNER_LENGTH = 512;
/**
 * The most tag bytes a transaction may carry, as Arweave nodes enforce. Each tag counts its name and value and 2 bytes
 * more, the least its two lengths take serialized: so a forged copy cannot carry a million empty tags for the deep
 * hash to walk (at most 1,024 tags).
 */
export const ARWEAVE_MAX_TAG_BYTES = 2048;
/** What each tag counts besides its name and value. */
const TAG_OVERHEAD = 2;

/** What a checked copy names. */
export interface ArweaveCopy {
  /** The transaction id (base64url, 43 characters). */
  readonly id: string;
  /** The owner's wallet address: base64url of SHA-256(owner). */
  readonly address: string;
}

/** The data root of data of `size` bytes (1 ≤ size < 256 KiB, one chunk) whose SHA-256 is `digest`. */
export function singleChunkDataRoot(digest: Uint8Array, size: number): Uint8Array {
  const note = new Uint8Array(32);
  let v = size;
  for (let i = note.length - 1; i >= 0 && v > 0; i--) {
    note[i] = v % 256;
    v = Math.floor(v / 256);
  }
  return sha256(concatBytes(sha256(digest), sha256(note)));
}

/** The 48 bytes a format-2 data transaction's signature covers: the deep hash of its fields in Arweave's order. */
export function arweaveSignatureData(tx: ArweaveTransaction): Uint8Array {
  return deepHash([
    utf8('2'),
    tx.owner,
    new Uint8Array(0), // target: none
    utf8('0'), // quantity: none
    utf8(tx.reward),
    tx.lastTx,
    tx.tags.map((t) => [t.name, t.value]),
    utf8(tx.dataSize.toString()),
    tx.dataRoot,
  ]);
}

/** A transaction's id: base64url of SHA-256(signature). */
const arweaveTransactionId = (signature: Uint8Array): string => toBase64Url(sha256(signature));

/**
 * Checks that `tx` is a signed Arweave data transaction holding the bytes whose SHA-256 is `digest` (the CID's),
 * naming the field under `field` that is not. Never throws.
 */
export function checkArweaveCopy(
  tx: ArweaveTransaction,
  digest: Uint8Array,
  field: string,
): Decoded<ArweaveCopy> {
  const fail = (reason: string): Decoded<ArweaveCopy> => ({ ok: false, reason: `${field}.${reason}` });
  if (tx.owner.length !== ARWEAVE_OWNER_LENGTH)
    return fail(
      `owner: ${tx.owner.length} bytes, not a 4096-bit RSA modulus (${ARWEAVE_OWNER_LENGTH} bytes)`,
    );
  if (((tx.owner[0] ?? 0) & 0x80) === 0)
    return fail('owner: its top bit is clear, not a 4096-bit RSA modulus');
  if (tx.signature.length !== ARWEAVE_OWNER_LENGTH)
    return fail(`signature: ${tx.signature.length} bytes, must be ${ARWEAVE_OWNER_LENGTH}`);
  if (!/^(0|[1-9][0-9]{0,29})$/.test(tx.reward)) return fail('reward: not a winston amount in decimal');
  if (tx.lastTx.length !== 32 && tx.lastTx.length !== 48)
    return fail(`last_tx: ${tx.lastTx.length} bytes, not a transaction (32) or block (48) id`);
  const tagBytes = tx.tags.reduce((n, t) => n + TAG_OVERHEAD + t.name.length + t.value.length, 0);
  if (tagBytes > ARWEAVE_MAX_TAG_BYTES)
    return fail(`tags: ${tagBytes} bytes, more than the ${ARWEAVE_MAX_TAG_BYTES} Arweave accepts`);
  if (tx.dataSize < 1n || tx.dataSize >= BigInt(ARWEAVE_CHUNK_SIZE))
    return fail(
      `data_size: ${tx.dataSize} is not in 1..${ARWEAVE_CHUNK_SIZE - 1} (one chunk: only then is the data root bound to the CID alone)`,
    );
  if (!bytesEqual(tx.dataRoot, singleChunkDataRoot(digest, Number(tx.dataSize))))
    return fail(`data_root: not the root of the ${tx.dataSize} bytes the CID names`);
  const id = arweaveTransactionId(tx.signature);
  if (tx.id !== id) return fail(`id: ${tx.id.slice(0, 60)} is not SHA-256 of the signature (${id})`);
  if (!verifyRsaPssSha256(tx.owner, arweaveSignatureData(tx), tx.signature))
    return fail("signature: does not verify under owner over the transaction's fields");
  return { ok: true, value: { id, address: toBase64Url(sha256(tx.owner)) } };
}
