// SPARK_LOG_FORMAT=pretty: the JSON log lines as one short line each for a person at a terminal —
// "12:03:04.567 INFO  signing key ready  keyId=e7f2bd…aadd algorithm=ML-DSA-65". Values that would flood a line
// (the configuration object, long hex) are cut; the JSON form keeps everything.
import { Writable } from 'node:stream';

const LEVELS: Readonly<Record<number, string>> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO ',
  40: 'WARN ',
  50: 'ERROR',
  60: 'FATAL',
};

/** Fields every line has, shown in the prefix or not at all. */
const SKIPPED = new Set(['level', 'time', 'msg', 'service', 'pid', 'hostname']);
const MAX_VALUE = 80;

function short(value: unknown): string {
  let text: string;
  if (typeof value === 'string')
    text = /^[0-9a-f]{40,}$/i.test(value) ? `${value.slice(0, 6)}…${value.slice(-4)}` : value;
  else if (value !== null && typeof value === 'object') {
    const err = value as { message?: unknown; type?: unknown };
    text =
      typeof err.message === 'string'
        ? `${String(err.type ?? 'Error')}: ${err.message}`
        : JSON.stringify(value);
  } else text = String(value);
  text = text.replace(/\s+/g, ' ');
  const quoted = /[\s="]/.test(text) && typeof value === 'string' ? JSON.stringify(text) : text;
  return quoted.length > MAX_VALUE ? `${quoted.slice(0, MAX_VALUE - 1)}…` : quoted;
}

/** One pretty line for one JSON log record; the line itself when it is not a JSON object. */
export function prettyLine(line: string): string {
  let record: Record<string, unknown>;
  try {
    const parsed = JSON.parse(line) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return line;
    record = parsed as Record<string, unknown>;
  } catch {
    return line;
  }
  const time = typeof record['time'] === 'string' ? record['time'].slice(11, 23) : '';
  const level = LEVELS[Number(record['level'])] ?? String(record['level'] ?? '');
  const msg = typeof record['msg'] === 'string' ? record['msg'] : '';
  const fields = Object.entries(record)
    .filter(([k]) => !SKIPPED.has(k))
    .map(([k, v]) => `${k}=${short(v)}`);
  return [time, level, msg, ...(fields.length > 0 ? [` ${fields.join(' ')}`] : [])].join(' ').trimEnd();
}

/** A stream that takes pino's JSON lines and writes pretty ones to `out`. */
export function prettyStream(out: NodeJS.WritableStream = process.stdout): Writable {
  let buffered = '';
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      buffered += chunk.toString();
      let nl = buffered.indexOf('\n');
      let text = '';
      while (nl !== -1) {
        text += `${prettyLine(buffered.slice(0, nl))}\n`;
        buffered = buffered.slice(nl + 1);
        nl = buffered.indexOf('\n');
      }
      // Handed on at once, without waiting for `out` to drain: stdout writes to files, pipes and terminals are
      // synchronous on Linux, so the last lines before an exit are not lost in this stream's own queue.
      if (text !== '') out.write(text);
      done();
    },
  });
}
