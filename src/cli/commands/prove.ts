// `spark prove`: fetches a leaf's proof bundle, optionally waiting until it is sealed, writes the .spark file, and
// with --publish has the server publish it on IPFS (docs/ipfs.md).
import { toBinary } from '@bufbuild/protobuf';
import { nativeSha256 } from '../../crypto/native-sha256.ts';
import { ProofBundleSchema, Status } from '../../gen/spark/v1/bundle_pb.js';
import { leafHashOfDigest } from '../../proof/bundle/leaf.ts';
import { oneOf, type ParsedArgs, parseArgs, stringFlag } from '../args.ts';
import { CliError } from '../cli-error.ts';
import { processorClient, SERVER_FLAGS, serverTarget } from '../client.ts';
import { hash32Flag, refuseExisting, sha256File, writeFileFor } from '../io.ts';
import { waitForProof } from '../wait-proof.ts';

/** Default wait when --wait has no value, seconds. */
export const DEFAULT_WAIT_SECONDS = 3600;

/** The leaf hash named by --leaf, or computed from --file or --digest (a leaf without a source reference). */
export async function leafFlag(args: ParsedArgs): Promise<Uint8Array> {
  const which = oneOf(args, ['leaf', 'file', 'digest'], true);
  if (which === 'leaf') return hash32Flag('leaf', stringFlag(args, 'leaf') as string);
  const digest =
    which === 'file'
      ? await sha256File('file', stringFlag(args, 'file') as string)
      : hash32Flag('digest', stringFlag(args, 'digest') as string);
  return leafHashOfDigest(digest, nativeSha256);
}

/** Writes the bundle for --leaf (or --file, --digest) to --out. */
export async function prove(argv: readonly string[], out: (line: string) => void): Promise<number> {
  const args = parseArgs(argv, {
    ...SERVER_FLAGS,
    leaf: 'string',
    file: 'string',
    digest: 'string',
    wait: 'optional-number',
    out: 'string',
    publish: 'boolean',
    quiet: 'boolean',
    force: 'boolean',
  });
  const outPath = stringFlag(args, 'out');
  const target = serverTarget(args);
  if (outPath === undefined) throw new CliError('USAGE', '--out FILE.spark is required', { field: 'out' });
  const force = args.flags.has('force');
  refuseExisting('out', outPath, force);
  const leafHash = await leafFlag(args);
  const client = processorClient(target);
  const wait = args.flags.get('wait');
  // Follow the leaf until the server ends the stream at its final status (SEALED without anchoring, FINALIZED with
  // it), or the wait runs out; then write the richest bundle seen.
  const res =
    wait === undefined
      ? await client.prove({ leafHash })
      : await waitForProof(client, leafHash, {
          seconds: wait === true ? DEFAULT_WAIT_SECONDS : Number(wait),
          quiet: args.flags.has('quiet'),
          label: 'prove',
        });
  if (res?.bundle === undefined) {
    throw new CliError(
      'NEGATIVE',
      `leaf is ${res === undefined ? 'unknown' : Status[res.status]}: no bundle yet${wait === undefined ? ' (use --wait)' : ' within the wait'}`,
    );
  }
  writeFileFor('out', outPath, toBinary(ProofBundleSchema, res.bundle), 0o644, force);
  out(`${Status[res.status]}: bundle written to ${outPath}`);
  if (args.flags.get('publish') === true) {
    // The server publishes its current bundle for the leaf: the same bytes as written above unless the leaf
    // advanced in between, which the CID (of what the gateway serves) then reflects.
    const p = await client.publish({ leafHash });
    out(
      `published: ${p.cid} (${p.size} bytes, ${Status[p.status]}), served at ${p.gatewayPath} on the HTTP port`,
    );
    for (const x of p.publishers) {
      out(
        `  ${x.publisher}: ${x.state}${x.reference === '' ? '' : ` ${x.reference}`}${x.lastError === '' ? '' : ` (${x.lastError})`}`,
      );
    }
  }
  return 0;
}
