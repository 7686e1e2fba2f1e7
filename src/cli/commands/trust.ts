// `spark trust export`: writes this log's trust root (docs/trust.md) from a running server or from its data directory.
import { anchorStateStore } from '../../anchor/anchor-state.ts';
import { nativeSha256 } from '../../crypto/native-sha256.ts';
import { createNativeVerifier } from '../../crypto/native-verifier.ts';
import { toHex } from '../../proof/encoding/bytes.ts';
import { encodeTrustRoot, parseTrustRoot, type TrustRoot } from '../../proof/trust/trust-root.ts';
import { openLmdbStore } from '../../store/lmdb-store.ts';
import { exportTrustRoot } from '../../trust/export-root.ts';
import { parseArgs, stringFlag } from '../args.ts';
import { CliError } from '../cli-error.ts';
import { processorClient, SERVER_FLAGS, serverTarget } from '../client.ts';
import { refuseExisting, writeFileFor } from '../io.ts';

/** The root read from a data directory (the store opened for reading; stop the server first to be sure of it). */
async function fromDataDir(dir: string): Promise<TrustRoot> {
  const store = await openLmdbStore({ path: dir, pendingCapacity: 0 });
  try {
    const root = exportTrustRoot({
      store,
      states: anchorStateStore(store),
      nowMs: Date.now(),
      verifier: createNativeVerifier(),
      sha256: nativeSha256,
    });
    if (!root.ok)
      throw new CliError('NEGATIVE', `the key history of ${dir} does not check out: ${root.reason}`);
    return root.value;
  } finally {
    await store.close();
  }
}

/** Runs `spark trust export (--server HOST:PORT | --data-dir D) --out F`. */
export async function trust(argv: readonly string[], out: (line: string) => void): Promise<number> {
  const [action, ...rest] = argv;
  if (action !== 'export') throw new CliError('USAGE', `trust: unknown action "${action ?? ''}" (export)`);
  const args = parseArgs(rest, { ...SERVER_FLAGS, 'data-dir': 'string', out: 'string', force: 'boolean' });
  const outPath = stringFlag(args, 'out');
  if (outPath === undefined) throw new CliError('USAGE', '--out F is required', { field: 'out' });
  const force = args.flags.has('force');
  refuseExisting('out', outPath, force);
  const dataDir = stringFlag(args, 'data-dir');
  const hasServer = stringFlag(args, 'server') !== undefined;
  if ((dataDir === undefined) === !hasServer) {
    throw new CliError('USAGE', 'give exactly one of --server HOST:PORT or --data-dir D', {
      field: 'server',
    });
  }
  let root: TrustRoot;
  if (dataDir !== undefined) {
    root = await fromDataDir(dataDir);
  } else {
    const res = await processorClient(serverTarget(args)).getTrustRoot({});
    // What the server sends is checked like any trust root before it is written.
    const parsed = parseTrustRoot(res.trustRootJson, createNativeVerifier(), nativeSha256);
    if (!parsed.ok)
      throw new CliError(
        'NEGATIVE',
        `the server sent a trust root that does not check out: ${parsed.reason}`,
      );
    root = parsed.value;
  }
  writeFileFor('out', outPath, new TextEncoder().encode(encodeTrustRoot(root)), 0o644, force);
  const accounts = root.symbol?.accounts.map((a) => a.address).join(', ');
  out(
    `trust root of log ${toHex(root.logId)}: ${root.keys.length} key(s)${accounts === undefined ? ', no Symbol account' : `, Symbol account(s) ${accounts}`} → ${outPath}`,
  );
  return 0;
}
