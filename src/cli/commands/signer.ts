// `spark signer`: runs the remote signer daemon until SIGTERM or SIGINT, then drains and wipes its keys.
import { loadSignerConfig, SIGNER_FLAGS, type SignerFlag } from '../../config/signer-config.ts';
import { createLogger } from '../../log/logger.ts';
import { parseArgs, stringFlag } from '../args.ts';
import { CliError } from '../cli-error.ts';

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
  const running = await startSigner(config, log);
  return await new Promise<number>((resolve) => {
    const stop = (signal: string) => {
      log.info({ signal }, 'shutdown requested');
      running.close().then(
        () => {
          log.info('stopped');
          resolve(0);
        },
        (err: unknown) => {
          log.error({ err }, 'shutdown failed');
          resolve(1);
        },
      );
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}
