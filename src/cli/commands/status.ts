// `spark status`: leaves and batches by status (pending, sealed, announced, confirmed, finalized, failed).
import { Status } from '../../gen/spark/v1/bundle_pb.js';
import { parseArgs } from '../args.ts';
import { processorClient, SERVER_FLAGS, serverTarget } from '../client.ts';
import { accountLines } from './account.ts';
import { describeKey } from './keys.ts';

/** Prints the summary (JSON with --json). */
export async function status(argv: readonly string[], out: (line: string) => void): Promise<number> {
  const args = parseArgs(argv, { ...SERVER_FLAGS, json: 'boolean' });
  const res = await processorClient(serverTarget(args)).getStatus({});
  const rows = res.counts.map((c) => ({
    status: Status[c.status].toLowerCase(),
    batches: Number(c.batches),
    leaves: Number(c.leaves),
  }));
  // Every key change shows, endorsed or not: a start of the memory provider is a key nobody vouches for.
  const history = (await processorClient(serverTarget(args)).getKeyHistory({})).keys;
  const unendorsed = history.filter((k) => k.previousKeyId.length > 0 && k.endorsement.length === 0).length;
  const nodes = res.symbolNodes.map((n) => ({
    url: n.url,
    state: n.state,
    lastProblem: n.lastProblem,
    answersRejected: Number(n.answersRejected),
    disagreements: Number(n.disagreements),
    finalizedHeight: Number(n.finalizedHeight),
  }));
  const moves = res.reorganizations.map((r) => ({
    [r.checkpoint ? 'checkpoint' : 'batch']: Number(r.sequence),
    transactionHash: Buffer.from(r.transactionHash).toString('hex'),
    fromHeight: Number(r.fromHeight),
    toHeight: r.toHeight === 0n ? null : Number(r.toHeight),
    atMs: Number(r.atMs),
  }));
  const w = res.witnesses;
  const witnesses =
    w === undefined
      ? undefined
      : {
          quorum: w.quorum,
          checkpointSize: Number(w.checkpointSize),
          cosignatures: w.cosignatures,
          met: w.cosignatures >= w.quorum,
          witnesses: w.witnesses.map((x) => ({
            name: x.name,
            url: x.url,
            cosignedSize: Number(x.cosignedSize),
            lastError: x.lastError === '' ? null : x.lastError,
            lastSuccessAtMs: x.lastSuccessAtMs === 0n ? null : Number(x.lastSuccessAtMs),
          })),
        };
  if (args.flags.has('json')) {
    out(
      JSON.stringify({
        ...(witnesses === undefined ? {} : { witnesses }),
        anchoring: res.anchoringEnabled,
        atMs: Number(res.atMs),
        counts: rows,
        keys: { count: history.length, unendorsed },
        ...(res.anchoringEnabled
          ? {
              finalizedHeight: Number(res.finalizedHeight),
              quorum: res.symbolQuorum,
              nodes,
              reorganizations: moves,
            }
          : {}),
      }),
    );
    return 0;
  }
  out(`${'status'.padEnd(10)} ${'batches'.padStart(10)} ${'leaves'.padStart(14)}`);
  for (const r of rows) {
    out(
      `${r.status.padEnd(10)} ${String(r.status === 'pending' ? '-' : r.batches).padStart(10)} ${String(r.leaves).padStart(14)}`,
    );
  }
  out('');
  out(
    `Signing keys: ${history.length}${unendorsed > 0 ? `, ${unendorsed} not endorsed by the key before (a restart with keys that did not persist)` : ''}:`,
  );
  for (const k of history.slice(-5)) out(`  ${describeKey(k)}`);
  if (witnesses !== undefined) {
    out('');
    out(
      `Witnesses: checkpoint of ${witnesses.checkpointSize} batches holds ${witnesses.cosignatures} of ${witnesses.witnesses.length} cosignatures, quorum ${witnesses.quorum}${witnesses.met ? '' : ' — NOT MET'}`,
    );
    for (const x of witnesses.witnesses) {
      out(
        `  ${x.lastError === null ? 'ok' : 'failing'.padEnd(7)} ${x.name} ${x.url} (cosigned size ${x.cosignedSize})`,
      );
      if (x.lastError !== null) out(`          ${x.lastError.slice(0, 300)}`);
    }
  }
  if (!res.anchoringEnabled) {
    out('anchoring is off on this server: SEALED is final');
    return 0;
  }
  out('');
  out(
    `Symbol nodes (evidence needs ${res.symbolQuorum} of ${nodes.length} to agree; finalized height ${res.finalizedHeight}):`,
  );
  for (const n of nodes) {
    const counts =
      n.answersRejected + n.disagreements > 0
        ? `, ${n.answersRejected} answers refused, ${n.disagreements} disagreements`
        : '';
    out(`  ${n.state.padEnd(8)} ${n.url} (finalized ${n.finalizedHeight}${counts})`);
    if (n.state !== 'ok' && n.lastProblem !== '') out(`           ${n.lastProblem.slice(0, 300)}`);
  }
  // The account section: what an operator funds and how long it lasts.
  const account = await processorClient(serverTarget(args)).getAccount({});
  out('');
  out('Symbol account:');
  for (const line of accountLines(account)) out(`  ${line}`);
  if (res.reorganizations.length > 0) {
    out('');
    out('reorganizations (newest first):');
    for (const r of res.reorganizations) {
      out(
        `  ${r.checkpoint ? 'checkpoint' : 'batch'} ${r.sequence}: reorganized: height ${r.fromHeight} → ${r.toHeight === 0n ? 'gone' : r.toHeight} (${new Date(Number(r.atMs)).toISOString()}, transaction ${Buffer.from(r.transactionHash).toString('hex').slice(0, 16)}…)`,
      );
    }
  }
  return 0;
}
