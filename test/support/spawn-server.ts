// Starts `spark serve` as a child process on a free loopback port and stops it by PID (test helper).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** Repository root. */
export const ROOT = resolve(import.meta.dirname, '../..');
/** The Node 24 binary the project runs on. */
export const NODE = process.execPath;
/** The CLI entry point. */
export const SPARK = join(ROOT, 'src/cli/spark.ts');

/** A running server child. */
export interface ServerProcess {
  readonly child: ChildProcess;
  readonly port: number;
  readonly address: string;
  /** The HTTP port (metrics, health, gateway); undefined when SPARK_HTTP_LISTEN=off. */
  readonly httpPort: number | undefined;
  readonly dataDir: string;
  /** Every stdout line so far (JSON log lines). */
  readonly logs: string[];
  /** Everything written to stderr so far. */
  stderr(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code or signal. */
  stop(graceMs?: number): Promise<number | string | null>;
  /** SIGKILL at once. */
  kill(): Promise<void>;
}

/** A fresh temporary directory, removed by `cleanup`. */
export function tempDir(prefix: string): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** Spawns the server and waits (at most `timeoutMs`) for its "listening" log line. */
export async function startServerProcess(options: {
  dataDir: string;
  env?: Record<string, string>;
  timeoutMs?: number;
  /** Extra arguments after `serve` (default: listen on an ephemeral loopback port, in `dataDir`). */
  args?: readonly string[];
  /** The command that serves (default `serve`; e.g. `witness serve`). */
  command?: readonly string[];
}): Promise<ServerProcess> {
  const args = options.args ?? ['--listen', '127.0.0.1:0', '--data-dir', options.dataDir];
  // As `npm start` and the image run it (package.json, Dockerfile).
  const child = spawn(NODE, ['--max-semi-space-size=4', SPARK, ...(options.command ?? ['serve']), ...args], {
    cwd: ROOT,
    env: { ...process.env, SPARK_LOG_LEVEL: 'info', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<number | string | null>((res) =>
    child.once('exit', (code, signal) => res(code ?? signal)),
  );
  let httpPort: number | undefined;
  const port = await new Promise<number>((res, rej) => {
    const timer = setTimeout(
      () => rej(new Error(`server did not start in time; stderr: ${stderr}`)),
      options.timeoutMs ?? 20_000,
    );
    let buf = '';
    child.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl = buf.indexOf('\n');
      while (nl !== -1) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        logs.push(line);
        try {
          const j = JSON.parse(line) as { msg?: string; port?: number };
          // The HTTP port starts before gRPC, so its line comes first.
          if (j.msg === 'http listening' && typeof j.port === 'number') httpPort = j.port;
          if (j.msg === 'listening' && typeof j.port === 'number') {
            clearTimeout(timer);
            res(j.port);
          }
        } catch {
          // not JSON: kept in logs
        }
        nl = buf.indexOf('\n');
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      rej(new Error(`server exited (${code}) before listening; stderr: ${stderr}`));
    });
  });
  return {
    child,
    port,
    httpPort,
    address: `127.0.0.1:${port}`,
    dataDir: options.dataDir,
    logs,
    stderr: () => stderr,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode ?? child.signalCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** A CLI run under way: its output so far, and its end. */
export interface CliRun {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Exit code and the whole output, once the child closed its pipes. */
  readonly done: Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** Kills the child by PID when it still runs, and waits for its end. */
  kill(): Promise<void>;
}

/** Starts the CLI; SIGKILLed after `timeoutMs`. */
export function startCli(
  args: readonly string[],
  timeoutMs = 60_000,
  env: Record<string, string> = {},
): CliRun {
  const child = spawn(NODE, [SPARK, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  // 'close', not 'exit': only then has all of the child's output been read.
  const done = new Promise<number | null>((res) => child.once('close', (c) => res(c))).then((code) => {
    clearTimeout(timer);
    return { code, stdout, stderr };
  });
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    done,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await done;
    },
  };
}

/** Runs the CLI to completion; returns exit code, stdout and stderr. */
export async function runCli(
  args: readonly string[],
  timeoutMs = 60_000,
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return startCli(args, timeoutMs, env).done;
}
