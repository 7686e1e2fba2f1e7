// `spark status`: leaves and batches by status (pending, sealed, announced, confirmed, finalized, failed).
import { Status } from '../../gen/spark/v1/bundle_pb.js';
import { parseArgs } from '../args.ts';
import { processorClient, SERVER_FLAGS, serverTarget } from '../client.ts';

/** Prints the summary (JSON with --json). */
export async function status(argv: readonly string[], out: (line: string) => void): Promise<number> {
  const args = parseArgs(argv, { ...SERVER_FLAGS, json: 'boolean' });
  const res = await processorClient(serverTarget(args)).getStatus({});
  const rows = res.counts.map((c) => ({
    status: Status[c.status].toLowerCase(),
    batches: Number(c.batches),
    leaves: Number(c.leaves),
  }));
  if (args.flags.has('json')) {
    out(JSON.stringify({ anchoring: res.anchoringEnabled, atMs: Number(res.atMs), counts: rows }));
    return 0;
  }
  out(`${'status'.padEnd(10)} ${'batches'.padStart(10)} ${'leaves'.padStart(14)}`);
  for (const r of rows) {
    out(
      `${r.status.padEnd(10)} ${String(r.status === 'pending' ? '-' : r.batches).padStart(10)} ${String(r.leaves).padStart(14)}`,
    );
  }
  if (!res.anchoringEnabled) out('anchoring is off on this server: SEALED is final');
  return 0;
}
