// `spark signer`: runs the remote signer daemon until SIGTERM or SIGINT, then drains and wipes its keys.
import { loadSignerConfig, SIGNER_FLAGS, type SignerFlag } from '../../config/signer-config.ts';
import { createLogger } from '../../log/logger.ts';
import { parseArgs, stringFlag } from '../args.ts';
import { CliError } from '../cli-error.ts';
import { untilSignal } from '../signals.ts';

/** Runs the signer; resolves with the exit status after shutdown. */
export async function signer(argv: readonly string[]): Promise<number> {
  const names = Object.keys(SIGNER_FLAGS) as SignerFlag[];
  const args = parseArgs(argv, Object.fromEntries(names.map((n) => [n, 'string' as const])));
  if (args.positionals.length > 0) {
    throw new CliError('USAGE', `unexpected argument "${args.positionals[0]}"`);
  }
  const flags: Partial<Record<SignerFlag, string>> = {};
  for (const name of names) {
    const value = stringFlag(args, name);
    if (value !== undefined) flags[name] = value;
  }
  const config = loadSignerConfig(flags, process.env);
  const log = createLogger(config.logLevel).child({ component: 'signer' });
  // Loaded only once the flags are right: a refused start answers at once.
  const { startSigner } = await import('../../signer/signer-app.ts');
  const signalled = untilSignal(log);
  const running = await startSigner(config, log);
  const signal = await signalled;
  log.info({ signal }, 'shutdown requested');
  try {
    await running.close();
    log.info('stopped');
    return 0;
  } catch (err) {
    log.error({ err }, 'shutdown failed');
    return 1;
  }
}
