// Other-chain references bound into a leaf (docs/proof-format.md §2.1): a Bitcoin transaction, an
// Ethereum or Polygon transaction, a JPYC (ERC-20) transfer — transaction and log index — or a Symbol transaction,
// with the block it was found in when the sidecar checked it. Encoded in a fixed 79-byte block.

/** What the reference points at. */
export const SOURCE_KINDS = { bitcoin: 1, ethereum: 2, jpyc: 3, symbol: 4 } as const;
export type SourceKind = keyof typeof SOURCE_KINDS;
/** The chain, for kinds that exist on several (ethereum, jpyc); 0 for bitcoin and symbol. */
export const SOURCE_CHAINS = { none: 0, ethereum: 1, polygon: 2 } as const;
export type SourceChain = keyof typeof SOURCE_CHAINS;

/** Length of the encoded reference. */
export const SOURCE_LENGTH = 79;
/** Largest log index accepted (a block holds far fewer logs). */
export const MAX_LOG_INDEX = 1_000_000;

/** A decoded reference. */
export interface SourceReference {
  readonly kind: SourceKind;
  readonly chain: SourceChain;
  /** 32 bytes; for Bitcoin in internal byte order (the reverse of the usual hex display). */
  readonly txHash: Uint8Array;
  /** The ERC-20 Transfer log's index in its block (jpyc); 0 otherwise. */
  readonly logIndex: number;
  /** Where the sidecar found the transaction, when it checked; undefined for a form-only reference. */
  readonly block?: { readonly number: bigint; readonly hash: Uint8Array } | undefined;
}

const byValue = <T extends Record<string, number>>(table: T, v: number): keyof T | undefined =>
  (Object.keys(table) as Array<keyof T>).find((k) => table[k] === v);

/** Encodes: kind ‖ chain ‖ tx hash (32) ‖ log index (u32 BE) ‖ checked (0/1) ‖ block number (u64 BE) ‖ block hash (32). */
export function encodeSource(s: SourceReference): Uint8Array {
  if (s.txHash.length !== 32) throw new RangeError('txHash must be 32 bytes');
  if (s.block !== undefined && s.block.hash.length !== 32)
    throw new RangeError('block hash must be 32 bytes');
  const out = new Uint8Array(SOURCE_LENGTH);
  const view = new DataView(out.buffer);
  out[0] = SOURCE_KINDS[s.kind];
  out[1] = SOURCE_CHAINS[s.chain];
  out.set(s.txHash, 2);
  view.setUint32(34, s.logIndex);
  if (s.block !== undefined) {
    out[38] = 1;
    view.setBigUint64(39, s.block.number);
    out.set(s.block.hash, 47);
  }
  return out;
}

/** Which chains each kind may name. */
const CHAINS_OF: Record<SourceKind, readonly SourceChain[]> = {
  bitcoin: ['none'],
  ethereum: ['ethereum', 'polygon'],
  jpyc: ['ethereum', 'polygon'],
  symbol: ['none'],
};

/** Decodes; a reason string when the bytes are not a valid reference. */
export function decodeSource(bytes: Uint8Array): SourceReference | string {
  if (bytes.length !== SOURCE_LENGTH)
    return `source reference is ${bytes.length} bytes, expected ${SOURCE_LENGTH}`;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const kind = byValue(SOURCE_KINDS, bytes[0] as number);
  if (kind === undefined) return `source kind ${bytes[0]} is unknown`;
  const chain = byValue(SOURCE_CHAINS, bytes[1] as number);
  if (chain === undefined || !CHAINS_OF[kind].includes(chain))
    return `source chain ${bytes[1]} is not valid for ${kind}`;
  const logIndex = view.getUint32(34);
  if (kind !== 'jpyc' && logIndex !== 0) return `a ${kind} reference has no log index`;
  if (logIndex > MAX_LOG_INDEX) return `log index ${logIndex} exceeds ${MAX_LOG_INDEX}`;
  const checked = bytes[38];
  const blockNumber = view.getBigUint64(39);
  const blockHash = bytes.slice(47, 79);
  if (checked === 0) {
    if (blockNumber !== 0n || blockHash.some((b) => b !== 0))
      return 'an unchecked reference carries no block';
    return { kind, chain, txHash: bytes.slice(2, 34), logIndex };
  }
  if (checked !== 1) return `source checked flag ${checked} is not 0 or 1`;
  return {
    kind,
    chain,
    txHash: bytes.slice(2, 34),
    logIndex,
    block: { number: blockNumber, hash: blockHash },
  };
}

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/** The transaction id as people and explorers write it (Bitcoin: reversed; Ethereum/Polygon: 0x-prefixed). */
export function displayTxHash(s: Pick<SourceReference, 'kind' | 'txHash'>): string {
  if (s.kind === 'bitcoin') return hex(Uint8Array.from(s.txHash).reverse());
  if (s.kind === 'symbol') return hex(s.txHash).toUpperCase();
  return `0x${hex(s.txHash)}`;
}

/** A block hash as explorers write it (Bitcoin: reversed; others: 0x-prefixed). */
function displayBlockHash(kind: SourceKind, hash: Uint8Array): string {
  return kind === 'bitcoin' ? hex(Uint8Array.from(hash).reverse()) : `0x${hex(hash)}`;
}

/** The reference as JSON for people and tools (`spark inspect`), hashes as explorers write them. */
export function sourceDisplay(s: SourceReference): {
  [key: string]: string | number | null | { [key: string]: string };
} {
  return {
    kind: s.kind,
    chain: s.chain,
    txHash: displayTxHash(s),
    ...(s.kind === 'jpyc' ? { logIndex: s.logIndex } : {}),
    block:
      s.block === undefined
        ? null
        : { number: s.block.number.toString(), hash: displayBlockHash(s.kind, s.block.hash) },
    summary: describeSource(s),
  };
}

/** One line for people: "jpyc transfer on polygon 0x… log 3, block 123 (0x…)". */
export function describeSource(s: SourceReference): string {
  const what =
    s.kind === 'jpyc'
      ? `JPYC transfer on ${s.chain} ${displayTxHash(s)} log ${s.logIndex}`
      : s.kind === 'ethereum'
        ? `${s.chain === 'polygon' ? 'Polygon' : 'Ethereum'} transaction ${displayTxHash(s)}`
        : `${s.kind === 'bitcoin' ? 'Bitcoin' : 'Symbol'} transaction ${displayTxHash(s)}`;
  const block =
    s.block === undefined
      ? 'not checked against the chain'
      : `in block ${s.block.number} (${displayBlockHash(s.kind, s.block.hash)})`;
  return `${what}, ${block}`;
}
