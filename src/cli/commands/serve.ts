// `spark serve`: runs the sidecar until SIGTERM or SIGINT, then drains. A start that fails ends the process with exit 2
// and one line saying why (docs/operations.md, "Start-up failures"), whatever it had already opened.
import { loadConfig, type RawSettings } from '../../config/config.ts';
import { ConfigError } from '../../config/config-error.ts';
import { describeConfig } from '../../config/describe.ts';
import { leanMallocRestart } from '../../config/memory-profile.ts';
import { createLogger, type Logger } from '../../log/logger.ts';
import { type App, createApp } from '../../main.ts';
import { StoreError } from '../../store/store-error.ts';
import { parseArgs, stringFlag } from '../args.ts';
import { CliError } from '../cli-error.ts';
import { untilSignal } from '../signals.ts';

/** A failed start exits at the latest this long after it failed, even if a handle it opened is still alive. */
export const STARTUP_EXIT_DEADLINE_MS = 1500;
/** Exit status after a broken invariant (sysexits EX_SOFTWARE). */
const EXIT_INVARIANT = 70;

/** True for failures that mean the process must not go on: data on disk that contradicts itself. */
function isInvariantViolation(reason: unknown): boolean {
  return reason instanceof StoreError && (reason.code === 'CORRUPT' || reason.code === 'CONFLICT');
}

/**
 * A rejected promise nobody awaited is logged with its cause and the server keeps running (the work it belonged to
 * failed, not the process), unless it broke an invariant. An exception nobody caught leaves the process in an
 * unknown state: logged, then exit.
 */
function guardProcess(log: Logger): void {
  process.on('unhandledRejection', (reason) => {
    if (isInvariantViolation(reason)) {
      log.fatal({ err: reason }, 'invariant violated; exiting');
      process.exit(EXIT_INVARIANT);
    }
    log.error({ err: reason }, 'unhandled rejection; the server keeps running');
  });
  process.on('uncaughtException', (err) => {
    log.fatal({ err }, 'uncaught exception; exiting');
    process.exit(EXIT_INVARIANT);
  });
}

/** The reason a start failed, on one printable line, with the likely cause of a port that cannot be had. */
function oneLine(err: unknown): string {
  const e = err as (NodeJS.ErrnoException & { address?: unknown; port?: unknown }) | undefined;
  if (e?.code === 'EADDRINUSE' || e?.code === 'EACCES') {
    const where = typeof e.address === 'string' ? `${e.address}:${String(e.port)}` : 'the address';
    return e.code === 'EADDRINUSE'
      ? `listen EADDRINUSE: ${where} is already in use — is another spark serve (or another program) listening there? Choose another with --listen / SPARK_LISTEN, or SPARK_HTTP_LISTEN for the HTTP port`
      : `listen EACCES: not allowed to listen on ${where} (a port below 1024 needs privileges): choose another with --listen / SPARK_LISTEN`;
  }
  const text = err instanceof Error ? err.message : String(err);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, 400);
}

/** Runs the server; resolves with the exit status after shutdown. */
export async function serve(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, {
    listen: 'string',
    'data-dir': 'string',
    insecure: 'boolean',
    'ephemeral-keys': 'boolean',
    'log-format': 'string',
  });
  const overrides: RawSettings = {};
  const listen = stringFlag(args, 'listen');
  const dataDir = stringFlag(args, 'data-dir');
  if (listen !== undefined) overrides.SPARK_LISTEN = listen;
  if (dataDir !== undefined) overrides.SPARK_DATA_DIR = dataDir;
  // Plaintext on a non-loopback address only when asked for by name (SPARK_INSECURE=true does the same).
  if (args.flags.has('insecure')) overrides.SPARK_INSECURE = 'true';
  // Keys that vanish at restart, facing the network, only when asked for by name (SPARK_EPHEMERAL_KEYS=true too).
  if (args.flags.has('ephemeral-keys')) overrides.SPARK_EPHEMERAL_KEYS = 'true';
  const logFormat = stringFlag(args, 'log-format');
  if (logFormat !== undefined) overrides.SPARK_LOG_FORMAT = logFormat;
  const config = loadConfig(process.env, overrides);
  leanMallocRestart(config.memoryProfile); // under `lean`: starts over with malloc tuned, same PID
  const log = createLogger(config.logLevel, undefined, config.logFormat);
  guardProcess(log);
  log.info({ config: describeConfig(config) }, 'configuration');
  if (config.memoryProfile === 'lean')
    log.info(
      { glibcTunables: process.env['GLIBC_TUNABLES'] ?? null },
      'memory profile lean: malloc settings',
    );
  // Before start-up: a signal as soon as the port is open still drains (src/cli/signals.ts).
  const signalled = untilSignal(log);
  let app: App;
  try {
    app = await createApp(config, log);
  } catch (err) {
    log.fatal({ err }, 'start-up failed');
    // createApp closes what it opened; should anything still hold the event loop, it must not hold the process.
    setTimeout(() => process.exit(2), STARTUP_EXIT_DEADLINE_MS).unref();
    // A setting found wrong only now (a TLS or secret file) reads like any other configuration problem.
    if (err instanceof ConfigError) throw err;
    throw new CliError('IO', `cannot start: ${oneLine(err)}`, { cause: err });
  }
  const signal = await signalled;
  log.info({ signal }, 'shutdown requested');
  try {
    await app.close();
    return 0;
  } catch (err) {
    log.error({ err }, 'shutdown failed');
    return 1;
  }
}
