// A signed Arweave transaction in the bundle's form (ArweaveTransaction, docs/proof-format.md §9.6): what the
// publisher keeps of the copy it posted, so the prover can put it in bundles and anyone can check it offline.
import { create, fromBinary } from '@bufbuild/protobuf';
import type Arweave from 'arweave';
import {
  ArweaveTagSchema,
  type ArweaveTransaction,
  ArweaveTransactionSchema,
} from '../gen/spark/v1/bundle_pb.js';
import { cidDigest } from '../proof/anchor/publication-record.ts';
import { checkArweaveCopy } from '../proof/arweave/arweave-copy.ts';

/** A transaction as the `arweave` package builds it. */
export type ArweaveTx = Awaited<ReturnType<Arweave['createTransaction']>>;

const raw = { decode: true, string: false } as const;

/** The bundle's form of a signed format-2 data transaction; throws when `tx` is not one. */
export function arweaveEvidence(tx: ArweaveTx): ArweaveTransaction {
  if (tx.format !== 2 || tx.target !== '' || tx.quantity !== '0' || tx.signature === '') {
    throw new Error('arweave: not a signed format-2 data transaction');
  }
  return create(ArweaveTransactionSchema, {
    id: tx.id,
    owner: tx.get('owner', raw),
    lastTx: tx.get('last_tx', raw),
    reward: tx.reward,
    tags: tx.tags.map((t) =>
      create(ArweaveTagSchema, { name: t.get('name', raw), value: t.get('value', raw) }),
    ),
    dataSize: BigInt(tx.data_size),
    dataRoot: tx.get('data_root', raw),
    signature: tx.get('signature', raw),
  });
}

/**
 * The copy a publisher kept for `cid` (its evidence bytes), decoded and checked against the CID as a verifier will
 * check it; undefined when it does not decode or check (the prover then leaves it out of the bundle).
 */
export function checkedArweaveCopy(evidence: Uint8Array, cid: string): ArweaveTransaction | undefined {
  const digest = cidDigest(cid);
  if (digest === undefined) return undefined;
  let tx: ArweaveTransaction;
  try {
    tx = fromBinary(ArweaveTransactionSchema, evidence);
  } catch {
    return undefined;
  }
  return checkArweaveCopy(tx, digest, 'arweave').ok ? tx : undefined;
}
