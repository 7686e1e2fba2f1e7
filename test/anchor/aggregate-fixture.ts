// Aggregates assembled by hand from the layouts of docs/anchoring.md §5.1–§5.4, without the SDK, for vectors and tests
// that need what our builder never writes: another recipient, a mosaic, a cosignature, a foreign chunk, an identity
// signer. Deterministic: Ed25519 signing by RFC 8032 is deterministic.
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha3_256 } from '@noble/hashes/sha3.js';
import type { SignedAnchorTransaction } from '../../src/anchor/transaction-builder.ts';
import { AGGREGATE_HEADER_SIZE, parseAggregate } from '../../src/proof/anchor/aggregate-layout.ts';
import { symbolMerkleRoot } from '../../src/proof/anchor/symbol-merkle.ts';
import { concatBytes, toHex } from '../../src/proof/encoding/bytes.ts';

/** Who signs the aggregate: a public key and a signing function over seed ‖ signed header bytes. */
export interface AggregateSigner {
  readonly publicKey: Uint8Array;
  readonly sign: (payload: Uint8Array) => Uint8Array;
}

/** An RFC 8032 signer from a 32-byte secret key (Symbol's account keys are these). */
export function seedSigner(secret: Uint8Array): AggregateSigner {
  return { publicKey: ed25519.getPublicKey(secret), sign: (payload) => ed25519.sign(payload, secret) };
}

/** What an aggregate complete transaction is made of. */
export interface AggregateParts {
  readonly embedded: readonly Uint8Array[];
  readonly signer: AggregateSigner;
  readonly network: number;
  readonly generationHashSeed: Uint8Array;
  readonly version?: 2 | 3;
  readonly deadline?: bigint;
  readonly feeMultiplier?: bigint;
  /** Secret keys of accounts that cosign the transaction hash (docs/anchoring.md §5.4). */
  readonly cosigners?: readonly Uint8Array[];
}

const u32le = (n: number): Uint8Array => {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n, true);
  return out;
};
const u64le = (n: bigint): Uint8Array => {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, n, true);
  return out;
};
const padded = (b: Uint8Array): Uint8Array => concatBytes(b, new Uint8Array((8 - (b.length % 8)) % 8));

/** The signed aggregate of `parts`, with its hash and Merkle component hash, as catapult computes them. */
export function assembleAggregate(parts: AggregateParts): SignedAnchorTransaction {
  const version = parts.version ?? 3;
  const body = concatBytes(...parts.embedded.map(padded));
  const transactionsHash = symbolMerkleRoot(parts.embedded.map((e) => sha3_256(e)));
  const cosigners = parts.cosigners ?? [];
  const size = AGGREGATE_HEADER_SIZE + body.length + 104 * cosigners.length;
  const header = (signature: Uint8Array): Uint8Array =>
    concatBytes(
      u32le(size),
      new Uint8Array(4),
      signature,
      parts.signer.publicKey,
      new Uint8Array(4),
      Uint8Array.of(version, parts.network, 0x41, 0x41),
      u64le(BigInt(AGGREGATE_HEADER_SIZE + body.length) * (parts.feeMultiplier ?? 100n)),
      u64le(parts.deadline ?? 99_000_000n),
      transactionsHash,
      u32le(body.length),
      new Uint8Array(4),
    );
  const signedPart = (h: Uint8Array) => h.subarray(108, version === 3 ? 164 : 160);
  const unsigned = header(new Uint8Array(64));
  const signature = parts.signer.sign(concatBytes(parts.generationHashSeed, signedPart(unsigned)));
  const signed = header(signature);
  const hash = sha3_256(
    concatBytes(signature, parts.signer.publicKey, parts.generationHashSeed, signedPart(signed)),
  );
  const cosignatures = cosigners.map((secret) =>
    concatBytes(u64le(0n), ed25519.getPublicKey(secret), ed25519.sign(hash, secret)),
  );
  const payload = concatBytes(signed, body, ...cosignatures);
  const merkleComponentHash =
    cosigners.length === 0
      ? hash
      : sha3_256(concatBytes(hash, ...cosigners.map((c) => ed25519.getPublicKey(c))));
  return { payload, payloadHex: toHex(payload).toUpperCase(), hash, merkleComponentHash };
}

/** The embedded transactions (unpadded bytes) of a signed aggregate. */
export function embeddedOf(payload: Uint8Array): Uint8Array[] {
  const parsed = parseAggregate(payload);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.value.embedded.map((e) => e.bytes);
}

/**
 * An embedded transaction of the given layout (docs/anchoring.md §5.2): size, reserved, signer, reserved, version,
 * network, type (u16 little-endian), then `body`.
 */
export function embeddedTransaction(o: {
  readonly signerPublicKey: Uint8Array;
  readonly version: number;
  readonly network: number;
  readonly type: number;
  readonly body: Uint8Array;
}): Uint8Array {
  return concatBytes(
    u32le(48 + o.body.length),
    new Uint8Array(4),
    o.signerPublicKey,
    new Uint8Array(4),
    Uint8Array.of(o.version, o.network, o.type & 0xff, o.type >>> 8),
    o.body,
  );
}

/** A transfer's body (docs/anchoring.md §5.3): recipient, message size, mosaics, reserved, mosaics, message. */
export function transferBody(o: {
  readonly recipient: Uint8Array;
  readonly message: Uint8Array;
  readonly mosaics?: readonly { readonly id: bigint; readonly amount: bigint }[];
}): Uint8Array {
  const mosaics = o.mosaics ?? [];
  const size = new Uint8Array(2);
  new DataView(size.buffer).setUint16(0, o.message.length, true);
  return concatBytes(
    o.recipient,
    size,
    Uint8Array.of(mosaics.length),
    new Uint8Array(5),
    ...mosaics.flatMap((m) => [u64le(m.id), u64le(m.amount)]),
    o.message,
  );
}
