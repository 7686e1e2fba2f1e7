// pino JSON logging with secret redaction; modules take child loggers with fixed bindings.
import { type Logger, pino } from 'pino';
import { prettyStream } from './pretty.ts';

export type { Logger };

/** Paths whose values are replaced by "[redacted]" wherever they appear (up to two levels deep). */
export const REDACTED_PATHS: readonly string[] = [
  'seed',
  'pin',
  'token',
  'password',
  'secret',
  'privateKey',
  'secretKey',
  'authorization',
  'basicAuth',
  '*.seed',
  '*.pin',
  '*.token',
  '*.password',
  '*.secret',
  '*.privateKey',
  '*.secretKey',
  '*.authorization',
  '*.basicAuth',
];

/** How log lines are written: JSON lines, or one short line each for a person (src/log/pretty.ts). */
export type LogFormat = 'json' | 'pretty';

/** Creates the root logger writing to `destination` (stdout by default), JSON lines or pretty ones. */
export function createLogger(
  level: string,
  destination?: NodeJS.WritableStream,
  format: LogFormat = 'json',
): Logger {
  if (format === 'pretty') return createLogger(level, prettyStream(destination ?? process.stdout));
  const options = {
    level,
    base: { service: 'spark' },
    redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination === undefined ? pino(options) : pino(options, destination as never);
}
