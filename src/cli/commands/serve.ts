// `spark serve`: runs the sidecar until SIGTERM or SIGINT, then drains.
import { loadConfig, type RawSettings } from '../../config/config.ts';
import { describeConfig } from '../../config/describe.ts';
import { createLogger } from '../../log/logger.ts';
import { createApp } from '../../main.ts';
import { parseArgs, stringFlag } from '../args.ts';

/** Runs the server; resolves with the exit status after shutdown. */
export async function serve(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, { listen: 'string', 'data-dir': 'string', insecure: 'boolean' });
  const overrides: RawSettings = {};
  const listen = stringFlag(args, 'listen');
  const dataDir = stringFlag(args, 'data-dir');
  if (listen !== undefined) overrides.SPARK_LISTEN = listen;
  if (dataDir !== undefined) overrides.SPARK_DATA_DIR = dataDir;
  // Plaintext on a non-loopback address only when asked for by name (SPARK_INSECURE=true does the same).
  if (args.flags.has('insecure')) overrides.SPARK_INSECURE = 'true';
  const config = loadConfig(process.env, overrides);
  const log = createLogger(config.logLevel);
  log.info({ config: describeConfig(config) }, 'configuration');
  const app = await createApp(config, log);
  return await new Promise<number>((resolve) => {
    const stop = (signal: string) => {
      log.info({ signal }, 'shutdown requested');
      app.close().then(
        () => resolve(0),
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
