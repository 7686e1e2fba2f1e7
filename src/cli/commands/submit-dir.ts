// `spark submit --dir DIR`: hashes every regular file under DIR here (contents never leave the machine) and sends
// the digests with SubmitBatch, SUBMIT_DIR_CHUNK per request; one output line per file, progress on stderr.
import { join } from 'node:path';
import { toHex } from '../../encoding/bytes.ts';
import { Status } from '../../gen/spark/v1/bundle_pb.js';
import type { ParsedArgs } from '../args.ts';
import { processorClient, serverTarget } from '../client.ts';
import { sha256File } from '../io.ts';
import { createProgress } from '../progress.ts';
import { regularFilesUnder } from '../walk.ts';

/** Digests per SubmitBatch request (the server's default SPARK_MAX_ITEMS_PER_REQUEST is 1000). */
export const SUBMIT_DIR_CHUNK = 500;

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
  let done = 0;
  let refused = 0;
  for (let at = 0; at < files.length; at += SUBMIT_DIR_CHUNK) {
    const chunk = files.slice(at, at + SUBMIT_DIR_CHUNK);
    const digests: Uint8Array[] = [];
    for (const f of chunk) {
      digests.push(await sha256File('dir', join(root, f)));
      progress.update(done + digests.length, 'hashed');
    }
    const res = await client.submitBatch({
      items: digests.map((value) => ({
        payload: { case: 'digest' as const, value },
        immediate: args.flags.has('immediate'),
      })),
    });
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
    done += chunk.length;
    progress.update(done, 'submitted');
  }
  progress.finish(
    `submitted${refused > 0 ? `, ${refused} refused` : ''}${skipped > 0 ? `, ${skipped} skipped (links, special files, too deep)` : ''}`,
  );
  return refused > 0 ? 1 : 0;
}
