// `spark upgrade F.spark`: replaces a bundle with the richer one the server has now for the same leaf (anchored,
// finalized, checkpointed, published) and says what changed (docs/trust.md, "Proofs beside files").
import { toBinary } from '@bufbuild/protobuf';
import { type ProofBundle, ProofBundleSchema, Status } from '../../gen/spark/v1/bundle_pb.js';
import { decodeBundle, MAX_BUNDLE_BYTES } from '../../proof/bundle/codec.ts';
import { bytesEqual } from '../../proof/encoding/bytes.ts';
import { parseArgs } from '../args.ts';
import { CliError } from '../cli-error.ts';
import { processorClient, SERVER_FLAGS, serverTarget } from '../client.ts';
import { readFileFor, writeFileFor } from '../io.ts';

/** What `next` has that `old` had not, in words. */
function changes(old: ProofBundle, next: ProofBundle): string[] {
  const out: string[] = [];
  const a = old.anchor;
  const b = next.anchor;
  if (a === undefined && b !== undefined) out.push(`anchored at height ${b.height}`);
  if (
    a !== undefined &&
    b !== undefined &&
    (a.height !== b.height || !bytesEqual(a.transactionsHash, b.transactionsHash))
  ) {
    out.push(`anchor moved from height ${a.height} to ${b.height}`);
  }
  if (
    b !== undefined &&
    b.finalizedHeight >= b.height &&
    !(a !== undefined && a.finalizedHeight >= a.height)
  ) {
    out.push(`final (finalized height ${b.finalizedHeight})`);
  }
  if (old.checkpoint === undefined && next.checkpoint !== undefined) {
    out.push(`checkpoint of ${next.checkpoint.batchCount} batches added`);
  } else if (
    old.checkpoint !== undefined &&
    next.checkpoint !== undefined &&
    next.checkpoint.batchCount !== old.checkpoint.batchCount
  ) {
    out.push(`checkpoint now covers ${next.checkpoint.batchCount} batches`);
  }
  if (old.publication === undefined && next.publication !== undefined)
    out.push(`publication ${next.publication.ipfsCid}`);
  if (old.publication?.arweave === undefined && next.publication?.arweave !== undefined)
    out.push(`Arweave copy ${next.publication.arweave.id}`);
  if (old.version !== next.version) out.push(`bundle version ${old.version} → ${next.version}`);
  return out;
}

/** Runs `spark upgrade F.spark --server HOST:PORT`. */
export async function upgrade(argv: readonly string[], out: (line: string) => void): Promise<number> {
  const args = parseArgs(argv, { ...SERVER_FLAGS });
  if (args.positionals.length !== 1)
    throw new CliError('USAGE', 'give exactly one bundle: spark upgrade F.spark');
  const path = args.positionals[0] as string;
  const bytes = readFileFor('bundle', path, MAX_BUNDLE_BYTES);
  let old: ProofBundle;
  try {
    old = decodeBundle(bytes);
  } catch (e) {
    throw new CliError(
      'NEGATIVE',
      `${path} is not a proof bundle: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  const leafHash = old.leaf?.leafHash;
  if (leafHash === undefined || leafHash.length !== 32)
    throw new CliError('NEGATIVE', `${path} names no leaf`);
  const res = await processorClient(serverTarget(args)).prove({ leafHash });
  const next = res.bundle;
  if (next === undefined)
    throw new CliError('NEGATIVE', `the server has no bundle for this leaf (${Status[res.status]})`);
  // Only a bundle of the same leaf in the same signed batch replaces the file.
  if (
    !bytesEqual(next.header, old.header) ||
    !bytesEqual(next.leaf?.entry ?? new Uint8Array(), old.leaf?.entry ?? new Uint8Array())
  ) {
    throw new CliError(
      'NEGATIVE',
      `the server's bundle for this leaf is of another batch: ${path} left as it was`,
    );
  }
  const encoded = toBinary(ProofBundleSchema, next);
  const what = changes(old, next);
  if (bytesEqual(encoded, bytes) || what.length === 0) {
    out(`${path}: no change (${Status[res.status]})`);
    return 0;
  }
  writeFileFor('bundle', path, encoded);
  out(`${path}: ${Status[res.status]}; ${what.join('; ')}`);
  return 0;
}
