// A logger whose JSON lines are kept, parsed, for assertions on what was logged.
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/log/logger.ts';

/** A logger at `level` (info by default) and the lines it wrote, each parsed. */
export function capturedLog(level: Parameters<typeof createLogger>[0] = 'info'): {
  readonly log: Logger;
  readonly lines: Array<Record<string, unknown>>;
} {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line !== '') lines.push(JSON.parse(line));
      done();
    },
  });
  return { log: createLogger(level, sink), lines };
}
