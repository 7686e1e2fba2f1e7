// `spark submit`: sends a file's digest, a digest or text, and prints the receipt; or every file of a directory
// (hashed here, sent with SubmitBatch), with progress on stderr.
import { toJson } from '@bufbuild/protobuf';
import { toHex } from '../../encoding/bytes.ts';
import { Status } from '../../gen/spark/v1/bundle_pb.js';
import { ReceiptSchema, type SubmitRequest } from '../../gen/spark/v1/processor_pb.js';
import { oneOf, parseArgs, stringFlag } from '../args.ts';
import { CliError } from '../cli-error.ts';
import { processorClient, SERVER_FLAGS, serverTarget } from '../client.ts';
import { hash32Flag, sha256File } from '../io.ts';
import { submitDir } from './submit-dir.ts';

/** Submits one item; prints the receipt (JSON with --json). */
export async function submit(argv: readonly string[], out: (line: string) => void): Promise<number> {
  const args = parseArgs(argv, {
    ...SERVER_FLAGS,
    file: 'string',
    digest: 'string',
    text: 'string',
    immediate: 'boolean',
    'request-id': 'string',
    json: 'boolean',
    dir: 'string',
    quiet: 'boolean',
  });
  const target = serverTarget(args);
  const which = oneOf(args, ['file', 'digest', 'text', 'dir'], true);
  if (which === 'dir') return submitDir(stringFlag(args, 'dir') as string, args, out);
  let payload: SubmitRequest['payload'];
  if (which === 'file') {
    // Files are hashed here, so any size works and the content never leaves this machine.
    payload = { case: 'digest', value: await sha256File('file', stringFlag(args, 'file') as string) };
  } else if (which === 'digest') {
    payload = { case: 'digest', value: hash32Flag('digest', stringFlag(args, 'digest') as string) };
  } else {
    payload = { case: 'data', value: new TextEncoder().encode(stringFlag(args, 'text') as string) };
  }
  const res = await processorClient(target).submit({
    payload,
    immediate: args.flags.has('immediate'),
    requestId: stringFlag(args, 'request-id') ?? '',
  });
  const r = res.receipt;
  if (r === undefined) throw new CliError('REMOTE', 'server returned no receipt');
  if (args.flags.has('json')) {
    const json = toJson(ReceiptSchema, r, { alwaysEmitImplicit: true }) as Record<string, unknown>;
    out(JSON.stringify({ ...json, leafHash: toHex(r.leafHash), digest: toHex(r.digest) }));
  } else {
    out(`leaf hash   ${toHex(r.leafHash)}`);
    out(`digest      ${toHex(r.digest)}`);
    out(
      `status      ${Status[r.status]}${r.duplicate ? ' (already submitted: first receipt returned)' : ''}`,
    );
    out(`accepted    ${new Date(Number(r.acceptedAtMs)).toISOString()}`);
    if (r.batchSequence !== undefined) out(`batch       ${r.batchSequence}`);
    else out(`sealed by   ${new Date(Number(r.expectedSealByMs)).toISOString()}`);
  }
  return 0;
}
