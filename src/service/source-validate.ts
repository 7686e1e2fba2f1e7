// The form of a SubmitRequest's source reference (docs/operations.md §Other-chain references): each refusal names the field.

import { RequestError } from '../errors/request-error.ts';
import {
  SourceChain as ProtoChain,
  SourceKind as ProtoKind,
  type SourceReference as ProtoSource,
} from '../gen/spark/v1/processor_pb.js';
import {
  MAX_LOG_INDEX,
  type SourceChain,
  type SourceKind,
  type SourceReference,
} from '../proof/bundle/source-reference.ts';

const invalid = (field: string, message: string): RequestError =>
  new RequestError('FIELD_INVALID', `${field}: ${message}`, { field });

const KINDS: Partial<Record<ProtoKind, SourceKind>> = {
  [ProtoKind.BITCOIN_TX]: 'bitcoin',
  [ProtoKind.ETHEREUM_TX]: 'ethereum',
  [ProtoKind.JPYC_TRANSFER]: 'jpyc',
  [ProtoKind.SYMBOL_TX]: 'symbol',
};

function hex32(text: string, field: string, prefixed: boolean): Uint8Array {
  const re = prefixed ? /^0x[0-9a-fA-F]{64}$/ : /^[0-9a-fA-F]{64}$/;
  if (!re.test(text)) {
    throw invalid(field, prefixed ? 'must be "0x" followed by 64 hex digits' : 'must be 64 hex digits');
  }
  return Uint8Array.from(Buffer.from(prefixed ? text.slice(2) : text, 'hex'));
}

/** The validated reference (not yet checked against any chain), or undefined when the request has none. */
export function toSourceReference(s: ProtoSource | undefined): SourceReference | undefined {
  if (s === undefined) return undefined;
  const kind = KINDS[s.kind];
  if (kind === undefined)
    throw invalid('source.kind', 'must be BITCOIN_TX, ETHEREUM_TX, JPYC_TRANSFER or SYMBOL_TX');
  const evm = kind === 'ethereum' || kind === 'jpyc';
  let chain: SourceChain = 'none';
  if (evm) chain = s.chain === ProtoChain.POLYGON ? 'polygon' : 'ethereum';
  else if (s.chain !== ProtoChain.UNSPECIFIED)
    throw invalid('source.chain', `a ${kind} reference names no chain`);
  let txHash: Uint8Array;
  if (kind === 'bitcoin')
    txHash = hex32(s.txHash, 'source.tx_hash', false).reverse(); // displayed txids are reversed
  else txHash = hex32(s.txHash, 'source.tx_hash', evm);
  if (kind !== 'jpyc' && s.logIndex !== 0)
    throw invalid('source.log_index', `a ${kind} reference has no log index`);
  if (s.logIndex > MAX_LOG_INDEX) throw invalid('source.log_index', `must be at most ${MAX_LOG_INDEX}`);
  return { kind, chain, txHash, logIndex: s.logIndex };
}
