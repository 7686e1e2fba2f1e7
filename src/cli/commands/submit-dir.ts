// `spark submit --dir DIR`: hashes every regular file under DIR here (contents never leave the machine) and sends
// the digests with SubmitBatch, SUBMIT_DIR_CHUNK per request (fewer when the server allows fewer); one output line
// per file, progress on stderr.
import { join } from 'node:path';
import { ConnectError } from '@connectrpc/connect';
import { Status } from '../../gen/spark/v1/bundle_pb.js';
import { ErrorDetailSchema, type SubmitBatchResponse } from '../../gen/spark/v1/processor_pb.js';
import { toHex } from '../../proof/encoding/bytes.ts';
import type { ParsedArgs } from '../args.ts';
import { processorClient, serverTarget } from '../client.ts';
import { sha256File } from '../io.ts';
import { createProgress } from '../progress.ts';
import { regularFilesUnder } from '../walk.ts';

/** Digests per SubmitBatch request (the server's default SPARK_MAX_ITEMS_PER_REQUEST is 1000). */
export const SUBMIT_DIR_CHUNK = 500;

const tooManyItems = (e: unknown): boolean =>
  e instanceof ConnectError && e.findDetails(ErrorDetailSchema).some((d) => d.reason === 'TOO_MANY_ITEMS');

/** Submits every regular file under `root`; exit 0 only when every file was accepted (or already was). */
export async function submitDir(
  root: string,
  args: ParsedArgs,
  out: (line: string) => void,
): Promise<number> {
  const { files, skipped } = regularFilesUnder(root);
  const json = args.flags.has('json');
  const progress = createProgress('submit', { total: files.length, quiet: args.flags.has('quiet') });
  const client = processorClient(serverTarget(args));
  let refused = 0;
  let size = SUBMIT_DIR_CHUNK;
  let at = 0; // files before this one are submitted
  const hashed: Uint8Array[] = []; // digests of the files from `at` on, not yet submitted
  while (at < files.length) {
    while (hashed.length < size && at + hashed.length < files.length) {
      hashed.push(await sha256File('dir', join(root, files[at + hashed.length] as string)));
      progress.update(at + hashed.length, 'hashed');
    }
    const n = Math.min(size, hashed.length);
    let res: SubmitBatchResponse;
    try {
      res = await client.submitBatch({
        items: hashed.slice(0, n).map((value) => ({
          payload: { case: 'digest' as const, value },
          immediate: args.flags.has('immediate'),
        })),
      });
    } catch (e) {
      // A server with a lower SPARK_MAX_ITEMS_PER_REQUEST: smaller requests, the digests kept.
      if (n > 1 && tooManyItems(e)) {
        size = Math.max(1, Math.floor(n / 2));
        continue;
      }
      throw e;
    }
    const chunk = files.slice(at, at + n);
    res.results.forEach((r, i) => {
      const path = chunk[i] as string;
      if (r.result.case === 'receipt') {
        const rec = r.result.value;
        if (json) {
          out(
            JSON.stringify({
              path,
              leafHash: toHex(rec.leafHash),
              digest: toHex(rec.digest),
              status: Status[rec.status],
              duplicate: rec.duplicate,
            }),
          );
        } else {
          out(`${toHex(rec.leafHash)}  ${Status[rec.status]}${rec.duplicate ? ' (duplicate)' : ''}  ${path}`);
        }
      } else {
        refused++;
        const e = r.result.value;
        if (json)
          out(JSON.stringify({ path, error: { code: e?.code, reason: e?.reason, message: e?.message } }));
        else out(`refused ${e?.code}: ${e?.message}  ${path}`);
      }
    });
    hashed.splice(0, n);
    at += n;
    progress.update(at, 'submitted');
  }
  progress.finish(
    `submitted${refused > 0 ? `, ${refused} refused` : ''}${skipped > 0 ? `, ${skipped} skipped (links, special files, too deep)` : ''}`,
  );
  return refused > 0 ? 1 : 0;
}
