// Parses a serialized Symbol aggregate-complete transaction (v2 or v3) by hand with strict bounds, by the layouts of
// docs/anchoring.md §5.1–§5.4 (catapult's AggregateTransaction, TransferTransaction, AccountMetadataTransaction).
import { ByteReader, type Decoded, decodeWith, needs } from '../encoding/byte-reader.ts';

/** Aggregate complete transaction type. */
export const AGGREGATE_COMPLETE_TYPE = 0x4141;
/** Transfer transaction type (version 1). */
export const TRANSFER_TYPE = 0x4154;
/** Account metadata transaction type (version 1). */
export const ACCOUNT_METADATA_TYPE = 0x4144;
/** Size of the aggregate header, up to the first embedded transaction. */
export const AGGREGATE_HEADER_SIZE = 168;
/** Size of an embedded transaction's header. */
export const EMBEDDED_HEADER_SIZE = 48;
/** Size of one cosignature: version u64, signer public key, signature. */
export const COSIGNATURE_SIZE = 104;
/** Network limits (docs/anchoring.md §5.1): embedded transactions and cosignatures per aggregate. */
export const MAX_EMBEDDED = 100;
export const MAX_COSIGNATURES = 25;
/** Symbol's maxMessageSize on mainnet and testnet: a transfer message (any type byte included) is at most this. */
export const MAX_TRANSFER_MESSAGE = 1024;
/** Upper bound on a transaction we agree to parse (an aggregate of 100 full transfers is ~110 KB). */
export const MAX_TRANSACTION_SIZE = 1 << 20;

/** A transfer's body. */
export interface TransferBody {
  readonly recipientAddress: Uint8Array;
  readonly mosaicCount: number;
  readonly message: Uint8Array;
}

/** An account metadata transaction's body. */
export interface AccountMetadataBody {
  readonly targetAddress: Uint8Array;
  readonly scopedMetadataKey: bigint;
  readonly valueSizeDelta: number;
  /** The value as sent: an XOR delta against the previous value when one existed. */
  readonly value: Uint8Array;
}

/** One embedded transaction. */
export interface EmbeddedTransaction {
  /** Its exact bytes (without padding): the Merkle leaf is SHA3-256 of these. */
  readonly bytes: Uint8Array;
  readonly signerPublicKey: Uint8Array;
  readonly version: number;
  readonly network: number;
  readonly type: number;
  readonly transfer?: TransferBody;
  readonly metadata?: AccountMetadataBody;
}

/** One cosignature. */
export interface Cosignature {
  readonly version: bigint;
  readonly signerPublicKey: Uint8Array;
  readonly signature: Uint8Array;
}

/** The parsed aggregate. */
export interface ParsedAggregate {
  readonly signature: Uint8Array;
  readonly signerPublicKey: Uint8Array;
  readonly version: 2 | 3;
  readonly network: number;
  readonly fee: bigint;
  readonly deadline: bigint;
  readonly transactionsHash: Uint8Array;
  /** The bytes the signature and hash cover after the seed: [108..160) for v2, [108..164) for v3. */
  readonly signedHeader: Uint8Array;
  readonly embedded: readonly EmbeddedTransaction[];
  readonly cosignatures: readonly Cosignature[];
}

function zero(r: ByteReader, n: number, field: string): void {
  const b = r.take(n, field);
  needs(
    b.every((x) => x === 0),
    `${field}: must be zero`,
  );
}

function parseEmbedded(bytes: Uint8Array, index: number, network: number): EmbeddedTransaction {
  const f = `transactions[${index}]`;
  const r = new ByteReader(bytes);
  r.u32le(`${f}.size`);
  zero(r, 4, `${f}.reserved`);
  const signerPublicKey = r.take(32, `${f}.signerPublicKey`);
  zero(r, 4, `${f}.reserved`);
  const version = r.u8(`${f}.version`);
  const net = r.u8(`${f}.network`);
  needs(net === network, `${f}.network: 0x${net.toString(16)} differs from the aggregate's`);
  const type = r.u16le(`${f}.type`);
  // Only transfer v1 and account metadata v1 are read field by field; any other type or version stays opaque
  // bytes (it counts in transactionsHash, nothing is read from it: docs/anchoring.md §5.2).
  const base = { bytes, signerPublicKey, version, network: net, type };
  if (type === TRANSFER_TYPE && version === 1) {
    const recipientAddress = r.take(24, `${f}.recipientAddress`);
    const messageSize = r.u16le(`${f}.messageSize`);
    needs(
      messageSize <= MAX_TRANSFER_MESSAGE,
      `${f}.messageSize: ${messageSize} exceeds Symbol's maxMessageSize ${MAX_TRANSFER_MESSAGE}: no node accepts it`,
    );
    const mosaicCount = r.u8(`${f}.mosaicsCount`);
    zero(r, 5, `${f}.reserved`);
    r.take(16 * mosaicCount, `${f}.mosaics`);
    const message = r.take(messageSize, `${f}.message`);
    r.end(f);
    return { ...base, transfer: { recipientAddress, mosaicCount, message } };
  }
  if (type === ACCOUNT_METADATA_TYPE && version === 1) {
    const targetAddress = r.take(24, `${f}.targetAddress`);
    const scopedMetadataKey = r.u64le(`${f}.scopedMetadataKey`);
    const valueSizeDelta = r.i16le(`${f}.valueSizeDelta`);
    const valueSize = r.u16le(`${f}.valueSize`);
    const value = r.take(valueSize, `${f}.value`);
    r.end(f);
    return { ...base, metadata: { targetAddress, scopedMetadataKey, valueSizeDelta, value } };
  }
  return base;
}

/** Parses `bytes` as an aggregate complete v2/v3, or gives the reason naming the field. Never throws. */
export function parseAggregate(bytes: Uint8Array): Decoded<ParsedAggregate> {
  return decodeWith(bytes, 'transaction', (r) => {
    needs(
      bytes.length <= MAX_TRANSACTION_SIZE,
      `transaction: ${bytes.length} bytes exceeds ${MAX_TRANSACTION_SIZE}`,
    );
    const size = r.u32le('size');
    needs(size === bytes.length, `size: field says ${size}, have ${bytes.length} bytes`);
    zero(r, 4, 'reserved');
    const signature = r.take(64, 'signature');
    const signerPublicKey = r.take(32, 'signerPublicKey');
    zero(r, 4, 'reserved');
    const version = r.u8('version');
    const network = r.u8('network');
    const type = r.u16le('type');
    needs(
      type === AGGREGATE_COMPLETE_TYPE,
      `type: 0x${type.toString(16)} is not aggregate complete (0x4141)`,
    );
    needs(version === 2 || version === 3, `version: aggregate version ${version} is not 2 or 3`);
    const fee = r.u64le('fee');
    const deadline = r.u64le('deadline');
    const transactionsHash = r.take(32, 'transactionsHash');
    const payloadSize = r.u32le('payloadSize');
    zero(r, 4, 'reserved');
    needs(payloadSize <= r.remaining, `payloadSize: ${payloadSize} exceeds the ${r.remaining} bytes left`);
    const payloadEnd = r.offset + payloadSize;
    const embedded: EmbeddedTransaction[] = [];
    while (r.offset < payloadEnd) {
      needs(embedded.length < MAX_EMBEDDED, `transactions: more than ${MAX_EMBEDDED} embedded transactions`);
      const at = r.offset;
      const f = `transactions[${embedded.length}]`;
      needs(payloadEnd - at >= 4, `${f}.size: truncated`);
      const sizeField = r.u32le(`${f}.size`);
      r.offset = at;
      const padded = sizeField + ((8 - (sizeField % 8)) % 8);
      needs(sizeField >= EMBEDDED_HEADER_SIZE, `${f}.size: ${sizeField} is below the embedded header size`);
      needs(padded <= payloadEnd - at, `${f}.size: ${sizeField} runs past the payload`);
      const txBytes = r.take(sizeField, `${f}`);
      zero(r, padded - sizeField, `${f}.padding`);
      // Problems inside surface as the whole decode's reason (ReadProblem propagates to decodeWith).
      embedded.push(parseEmbedded(txBytes, embedded.length, network));
    }
    needs(embedded.length > 0, 'transactions: an aggregate needs at least one embedded transaction');
    needs(
      r.remaining % COSIGNATURE_SIZE === 0,
      `cosignatures: ${r.remaining} bytes is not a whole number of cosignatures`,
    );
    const cosignatures: Cosignature[] = [];
    while (r.remaining > 0) {
      const i = cosignatures.length;
      needs(i < MAX_COSIGNATURES, `cosignatures: more than ${MAX_COSIGNATURES}`);
      cosignatures.push({
        version: r.u64le(`cosignatures[${i}].version`),
        signerPublicKey: r.take(32, `cosignatures[${i}].signerPublicKey`),
        signature: r.take(64, `cosignatures[${i}].signature`),
      });
    }
    const signedHeader = bytes.slice(108, version === 3 ? 164 : 160);
    return {
      signature,
      signerPublicKey,
      version,
      network,
      fee,
      deadline,
      transactionsHash,
      signedHeader,
      embedded,
      cosignatures,
    };
  });
}
