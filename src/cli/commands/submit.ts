// `spark submit`: sends a file's digest, a digest or text, and prints the receipt; or every file of a directory
// (hashed here, sent with SubmitBatch), with progress on stderr.
import { create, toJson } from '@bufbuild/protobuf';
import { Status } from '../../gen/spark/v1/bundle_pb.js';
import {
  ReceiptSchema,
  SourceChain,
  SourceKind,
  SourceReferenceSchema,
  type SubmitRequest,
} from '../../gen/spark/v1/processor_pb.js';
import { toHex } from '../../proof/encoding/bytes.ts';
import { oneOf, type ParsedArgs, parseArgs, stringFlag } from '../args.ts';
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
    'bitcoin-tx': 'string',
    'ethereum-tx': 'string',
    'polygon-tx': 'string',
    'symbol-tx': 'string',
    jpyc: 'string',
  });
  const source = sourceFlag(args);
  const target = serverTarget(args);
  const which = oneOf(args, ['file', 'digest', 'text', 'dir'], true);
  if (which === 'dir') {
    if (source !== undefined)
      throw new CliError('USAGE', "a source reference names one submission's transaction: not with --dir", {
        field: 'dir',
      });
    return submitDir(stringFlag(args, 'dir') as string, args, out);
  }
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
    ...(source === undefined ? {} : { source }),
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

/** The source reference flags (at most one): --bitcoin-tx, --ethereum-tx, --polygon-tx, --symbol-tx, --jpyc. */
function sourceFlag(args: ParsedArgs): SubmitRequest['source'] {
  const which = oneOf(args, ['bitcoin-tx', 'ethereum-tx', 'polygon-tx', 'symbol-tx', 'jpyc'], false);
  if (which === undefined) return undefined;
  const value = stringFlag(args, which) as string;
  const ref = (kind: SourceKind, txHash: string, chain = SourceChain.UNSPECIFIED, logIndex = 0) =>
    create(SourceReferenceSchema, { kind, chain, txHash, logIndex });
  switch (which) {
    case 'bitcoin-tx':
      return ref(SourceKind.BITCOIN_TX, value);
    case 'symbol-tx':
      return ref(SourceKind.SYMBOL_TX, value);
    case 'ethereum-tx':
      return ref(SourceKind.ETHEREUM_TX, value, SourceChain.ETHEREUM);
    case 'polygon-tx':
      return ref(SourceKind.ETHEREUM_TX, value, SourceChain.POLYGON);
    default: {
      const m = /^(ethereum|polygon):(0x[0-9a-fA-F]+):(\d{1,7})$/.exec(value);
      if (m === null) {
        throw new CliError('USAGE', '--jpyc: must be CHAIN:0xTXHASH:LOGINDEX (chain ethereum or polygon)', {
          field: 'jpyc',
        });
      }
      const chain = m[1] === 'polygon' ? SourceChain.POLYGON : SourceChain.ETHEREUM;
      return ref(SourceKind.JPYC_TRANSFER, m[2] as string, chain, Number(m[3]));
    }
  }
}
