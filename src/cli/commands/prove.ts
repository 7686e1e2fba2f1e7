// `spark prove`: fetches a leaf's proof bundle, optionally waiting until it is sealed, writes the .spark file, and
// with --publish has the server publish it on IPFS (docs/ipfs.md).
import { toBinary } from '@bufbuild/protobuf';
import { ProofBundleSchema, Status } from '../../gen/spark/v1/bundle_pb.js';
import type { ProveResponse } from '../../gen/spark/v1/processor_pb.js';
import { parseArgs, stringFlag } from '../args.ts';
import { CliError } from '../cli-error.ts';
import { processorClient, SERVER_FLAGS, serverTarget } from '../client.ts';
import { hash32Flag, writeFileFor } from '../io.ts';
import { createProgress } from '../progress.ts';

/** Default wait when --wait has no value, seconds. */
export const DEFAULT_WAIT_SECONDS = 3600;

/** Writes the bundle for --leaf to --out. */
export async function prove(argv: readonly string[], out: (line: string) => void): Promise<number> {
  const args = parseArgs(argv, {
    ...SERVER_FLAGS,
    leaf: 'string',
    wait: 'optional-number',
    out: 'string',
    publish: 'boolean',
    quiet: 'boolean',
  });
  const leafHex = stringFlag(args, 'leaf');
  const outPath = stringFlag(args, 'out');
  const target = serverTarget(args);
  if (leafHex === undefined) throw new CliError('USAGE', '--leaf HEX is required', { field: 'leaf' });
  if (outPath === undefined) throw new CliError('USAGE', '--out FILE.spark is required', { field: 'out' });
  const leafHash = hash32Flag('leaf', leafHex);
  const client = processorClient(target);
  const wait = args.flags.get('wait');
  let res: ProveResponse | undefined;
  if (wait === undefined) {
    res = await client.prove({ leafHash });
  } else {
    // Follow the leaf until the server ends the stream at its final status (SEALED without anchoring,
    // FINALIZED with it), or the wait runs out; then write the richest bundle seen.
    const seconds = wait === true ? DEFAULT_WAIT_SECONDS : Number(wait);
    const signal = AbortSignal.timeout(seconds * 1000);
    // Each status change is a line on stderr; on a terminal a line below it counts the seconds while waiting.
    const progress = createProgress('prove', { quiet: args.flags.has('quiet') });
    const started = Date.now();
    const elapsed = () => ((Date.now() - started) / 1000).toFixed(1).padStart(6);
    const ticker = setInterval(() => {
      progress.show(
        `${elapsed()} s  ${res === undefined ? 'asking' : Status[res.status]}, waiting (up to ${seconds} s)`,
      );
    }, 1_000);
    ticker.unref();
    try {
      for await (const update of client.watchProof({ leafHash }, { signal })) {
        if (res?.status !== update.status) progress.say(`${elapsed()} s  ${Status[update.status]}`);
        res = update;
      }
    } catch (e) {
      if (!signal.aborted) throw e;
    } finally {
      clearInterval(ticker);
      progress.clear();
    }
  }
  if (res?.bundle === undefined) {
    throw new CliError(
      'NEGATIVE',
      `leaf is ${res === undefined ? 'unknown' : Status[res.status]}: no bundle yet${wait === undefined ? ' (use --wait)' : ' within the wait'}`,
    );
  }
  writeFileFor('out', outPath, toBinary(ProofBundleSchema, res.bundle));
  out(`${Status[res.status]}: bundle written to ${outPath}`);
  if (args.flags.get('publish') === true) {
    // The server publishes its current bundle for the leaf: the same bytes as written above unless the leaf
    // advanced in between, which the CID (of what the gateway serves) then reflects.
    const p = await client.publish({ leafHash });
    out(
      `published: ${p.cid} (${p.size} bytes, ${Status[p.status]}), served at ${p.gatewayPath} on the HTTP port`,
    );
    for (const x of p.publishers) {
      out(`  ${x.publisher}: ${x.state}${x.lastError === '' ? '' : ` (${x.lastError})`}`);
    }
  }
  return 0;
}
