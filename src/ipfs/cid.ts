// Content identifiers of published bundles (docs/proof-format.md §9, docs/ipfs.md): CIDv1, raw codec (0x55), sha2-256 multihash, base32.
import { CID } from 'multiformats/cid';
import * as Digest from 'multiformats/hashes/digest';
import { identity } from 'multiformats/hashes/identity';
import { SHA256_LENGTH, type Sha256 } from '../proof/crypto/sha256.ts';

/** Multicodec code of raw bytes. */
export const RAW_CODEC = 0x55;
/** Multihash code of sha2-256. */
export const SHA2_256 = 0x12;
/** The empty identity CID gateways answer as a liveness probe (IPFS trustless gateway spec). */
export const EMPTY_IDENTITY_CID = 'bafkqaaa';

/** The CIDv1 (raw, sha2-256) string of `bytes`. */
export function cidOf(bytes: Uint8Array, sha256: Sha256): string {
  return CID.createV1(RAW_CODEC, Digest.create(SHA2_256, sha256(bytes))).toString();
}

/** A parsed CID that this gateway can serve or probe: a raw sha2-256 one, or the empty identity CID. */
export type ServableCid = { kind: 'sha256'; cid: string; digest: Uint8Array } | { kind: 'empty-identity' };

/** Parses a CID string; a reason string when it is not a CID, or not one this sidecar ever publishes. */
export function parseServableCid(text: string): ServableCid | string {
  if (text.length === 0 || text.length > 200) return 'not a CID';
  let cid: CID;
  try {
    cid = CID.parse(text);
  } catch {
    return 'not a CID';
  }
  if (cid.code === RAW_CODEC && cid.multihash.code === identity.code && cid.multihash.size === 0) {
    return { kind: 'empty-identity' };
  }
  if (cid.version !== 1 || cid.code !== RAW_CODEC || cid.multihash.code !== SHA2_256) {
    return 'only CIDv1 with the raw codec and a sha2-256 multihash is published here';
  }
  if (cid.multihash.digest.length !== SHA256_LENGTH) return 'sha2-256 digest of the wrong length';
  return { kind: 'sha256', cid: cid.toV1().toString(), digest: cid.multihash.digest };
}
