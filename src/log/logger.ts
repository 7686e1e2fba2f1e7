// pino JSON logging with secret redaction; modules take child loggers with fixed bindings.
import { type Logger, pino } from 'pino';

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

/** Creates the root logger writing JSON lines to `destination` (stdout by default). */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const options = {
    level,
    base: { service: 'spark' },
    redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination === undefined ? pino(options) : pino(options, destination as never);
}
