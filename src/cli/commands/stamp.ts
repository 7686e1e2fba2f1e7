// `spark stamp FILE…`: submits each file's digest, waits for its bundle and writes FILE.spark beside it, the way a
// timestamp proof sits beside its file (docs/trust.md, "Proofs beside files"); `spark upgrade` enriches it later.
import { existsSync } from 'node:fs';
import { toBinary } from '@bufbuild/protobuf';
import { ProofBundleSchema, Status } from '../../gen/spark/v1/bundle_pb.js';
import { toHex } from '../../proof/encoding/bytes.ts';
import { parseArgs } from '../args.ts';
import { CliError } from '../cli-error.ts';
import { processorClient, SERVER_FLAGS, serverTarget } from '../client.ts';
import { sha256File, writeFileFor } from '../io.ts';
import { waitForProof } from '../wait-proof.ts';
import { DEFAULT_WAIT_SECONDS } from './prove.ts';

/** Most files one call stamps. */
const MAX_FILES = 10_000;

/** Runs `spark stamp FILE… --server HOST:PORT [--wait [S]] [--immediate] [--force] [--quiet]`. */
export async function stamp(argv: readonly string[], out: (line: string) => void): Promise<number> {
  const args = parseArgs(argv, {
    ...SERVER_FLAGS,
    wait: 'optional-number',
    immediate: 'boolean',
    force: 'boolean',
    quiet: 'boolean',
  });
  const files = args.positionals;
  if (files.length === 0) throw new CliError('USAGE', 'give the files to stamp: spark stamp FILE…');
  if (files.length > MAX_FILES) throw new CliError('USAGE', `at most ${MAX_FILES} files per call`);
  const force = args.flags.has('force');
  for (const f of files) {
    if (!force && existsSync(`${f}.spark`)) {
      throw new CliError(
        'USAGE',
        `${f}.spark exists: spark upgrade ${f}.spark updates it (or --force replaces it)`,
        {
          field: 'force',
        },
      );
    }
  }
  const client = processorClient(serverTarget(args));
  const wait = args.flags.get('wait');
  // Without --wait: until the first bundle (SEALED); with it: until the final status, at most S seconds.
  const seconds = wait === undefined || wait === true ? DEFAULT_WAIT_SECONDS : Number(wait);
  // Submit every file first, so they can share batches; then collect each bundle.
  const receipts: Array<{ file: string; leafHash: Uint8Array }> = [];
  for (const file of files) {
    const digest = await sha256File('file', file);
    const r = await client.submit({
      payload: { case: 'digest', value: digest },
      immediate: args.flags.has('immediate'),
    });
    if (r.receipt === undefined) throw new CliError('REMOTE', `${file}: the server sent no receipt`);
    receipts.push({ file, leafHash: r.receipt.leafHash });
  }
  let missing = 0;
  for (const { file, leafHash } of receipts) {
    const res = await waitForProof(client, leafHash, {
      seconds,
      ...(wait === undefined ? { until: Status.SEALED } : {}),
      quiet: args.flags.has('quiet'),
      label: file,
    });
    if (res?.bundle === undefined) {
      missing += 1;
      out(
        `${file}: ${res === undefined ? 'no answer' : Status[res.status]} after ${seconds} s, no bundle yet (leaf ${toHex(leafHash)}; spark prove --file ${file} later)`,
      );
      continue;
    }
    writeFileFor('out', `${file}.spark`, toBinary(ProofBundleSchema, res.bundle));
    out(`${file}: ${Status[res.status]}, ${file}.spark written`);
  }
  return missing === 0 ? 0 : 1;
}
