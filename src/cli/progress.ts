// Progress of long CLI operations, on stderr only (stdout stays the command's output, e.g. JSON): one line
// rewritten in place on a terminal; on a pipe or file, a plain line at most every few seconds and at the end;
// nothing with --quiet.

/** A progress display. */
export interface Progress {
  /** Reports `done` of `total` (if known) with an optional note. */
  update(done: number, note?: string): void;
  /** A one-off line (e.g. a status change), kept on screen. */
  say(line: string): void;
  /** Prints the final state and leaves the line. */
  finish(note?: string): void;
  /** On a terminal, shows `text` as the line rewritten in place; elsewhere nothing (it changes too often). */
  show(text: string): void;
  /** Removes the in-place line, printing nothing more. */
  clear(): void;
}

/** Where progress is written: stderr by default. */
export interface ProgressSink {
  readonly isTTY?: boolean | undefined;
  write(text: string): unknown;
}

/** Lines on a non-terminal are at most this often. */
const PLAIN_INTERVAL_MS = 2_000;
/** The line on a terminal is rewritten at most this often (a million small files would otherwise mean a million writes). */
const TTY_INTERVAL_MS = 100;

/** Creates a progress display for `label`. */
export function createProgress(
  label: string,
  o: { total?: number; quiet?: boolean; sink?: ProgressSink; now?: () => number } = {},
): Progress {
  const sink = o.sink ?? process.stderr;
  const now = o.now ?? (() => performance.now());
  const started = now();
  const tty = sink.isTTY === true;
  let lastPlain = -Infinity;
  let lastTty = -Infinity;
  let last = { done: 0, note: '' };
  let dirty = false;
  const text = (done: number, note: string): string => {
    const seconds = (now() - started) / 1000;
    const rate = seconds > 0 ? ` ${(done / seconds).toFixed(0)}/s` : '';
    const of = o.total === undefined ? `${done}` : `${done}/${o.total}`;
    return `${label}: ${of}${rate}${note === '' ? '' : ` ${note}`}`;
  };
  const clear = () => {
    if (tty && dirty) sink.write('\r\x1b[2K');
    dirty = false;
  };
  return {
    update(done, note = '') {
      if (o.quiet) return;
      last = { done, note };
      if (tty) {
        if (now() - lastTty < TTY_INTERVAL_MS) return;
        lastTty = now();
        sink.write(`\r\x1b[2K${text(done, note)}`);
        dirty = true;
      } else if (now() - lastPlain >= PLAIN_INTERVAL_MS) {
        lastPlain = now();
        sink.write(`${text(done, note)}\n`);
      }
    },
    say(line) {
      if (o.quiet) return;
      clear();
      sink.write(`${line}\n`);
    },
    finish(note) {
      if (o.quiet) return;
      clear();
      sink.write(`${text(last.done, note ?? last.note)}\n`);
    },
    show(line) {
      if (o.quiet || !tty) return;
      sink.write(`\r\x1b[2K${line}`);
      dirty = true;
    },
    clear,
  };
}
