// `npm run demo`: Spark end to end in one terminal against the Symbol TEST DOUBLE — submit, prove, verify offline and on chain, tamper.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { type SymbolTestNode, startSymbolTestNode } from '../fakes/symbol-node/symbol-test-node.ts';
import {
  NODE,
  ROOT,
  type ServerProcess,
  SPARK,
  startServerProcess,
  tempDir,
} from '../support/spawn-server.ts';

/** The whole demo must finish within this bound, or it stops everything and exits 1. */
const DEMO_DEADLINE_MS = 180_000;
/** Bound on one CLI command (prove waits up to 120 s for finality). */
const COMMAND_TIMEOUT_MS = 150_000;

const started = Date.now();
const say = (line = '') => process.stdout.write(`${line}\n`);
const banner = (title: string) => say(`\n=== ${title} ${'='.repeat(Math.max(0, 70 - title.length))}`);

const work = tempDir('spark-demo-');
let node: SymbolTestNode | undefined;
let server: ServerProcess | undefined;
let running: ChildProcess | undefined;
let stopping: Promise<void> | undefined;

/** Stops everything this demo started, each by its handle or PID, once. */
function stopAll(): Promise<void> {
  stopping ??= (async () => {
    if (running !== undefined && running.exitCode === null && running.signalCode === null) {
      say(`stopping command (pid ${running.pid})`);
      running.kill('SIGKILL');
    }
    if (server !== undefined) {
      say(`stopping spark serve (pid ${server.child.pid})`);
      await server.stop(5_000);
    }
    if (node !== undefined) {
      say('stopping the Symbol test double');
      await node.close();
    }
    work.cleanup();
  })();
  return stopping;
}

let ending = false;

/** Stops everything and exits with `code`; later calls (e.g. a command killed by the first) wait for it. */
async function finish(code: number, why?: string): Promise<never> {
  if (ending) return new Promise<never>(() => {});
  ending = true;
  if (why !== undefined) say(`\n${why}`);
  await stopAll();
  say(
    `demo ${code === 0 ? 'finished' : code >= 128 ? 'stopped' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  process.exit(code);
}

const deadline = setTimeout(() => {
  void finish(1, `the demo did not finish within ${DEMO_DEADLINE_MS / 1000} s: stopping everything`);
}, DEMO_DEADLINE_MS);
deadline.unref();
process.once('SIGINT', () => void finish(130, 'interrupted (Ctrl-C): stopping everything'));
process.once('SIGTERM', () => void finish(143, 'terminated: stopping everything'));

/** Runs `spark ARGS`, printing the command and its output; resolves with its exit code and stdout. */
async function spark(args: readonly string[]): Promise<{ code: number | null; stdout: string }> {
  const shown = args.map((a) => (a.startsWith(work.path) ? `$DEMO/${relative(work.path, a)}` : a));
  say(`\n$ spark ${shown.join(' ')}`);
  const child = spawn(NODE, [SPARK, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  running = child;
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    process.stdout.write(d.toString().replace(/^(?=.)/gm, '  '));
  });
  child.stderr.on('data', (d: Buffer) => process.stdout.write(d.toString().replace(/^(?=.)/gm, '  ! ')));
  const timer = setTimeout(() => child.kill('SIGKILL'), COMMAND_TIMEOUT_MS);
  // 'close', not 'exit': only then has all of the child's output been read.
  const code = await new Promise<number | null>((res) => child.once('close', (c) => res(c)));
  clearTimeout(timer);
  running = undefined;
  say(`  (exit ${code})`);
  return { code, stdout };
}

async function expectExit(args: readonly string[], want: number): Promise<string> {
  const r = await spark(args);
  if (r.code !== want) await finish(1, `expected exit ${want} from "spark ${args[0]}", got ${r.code}`);
  return r.stdout;
}

/** Prints the server's JSON log lines in short form: "[spark serve] message". */
function echoServerLogs(s: ServerProcess): void {
  const show = (line: string) => {
    try {
      const j = JSON.parse(line) as { msg?: string; level?: number };
      if (typeof j.msg === 'string' && (j.level ?? 30) >= 30) say(`  [spark serve] ${j.msg}`);
    } catch {
      // not a log line
    }
  };
  for (const line of s.logs) show(line);
  let buf = '';
  s.child.stdout?.on('data', (d: Buffer) => {
    buf += d.toString();
    for (let nl = buf.indexOf('\n'); nl !== -1; nl = buf.indexOf('\n')) {
      show(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
    }
  });
}

banner('1. Symbol node: a TEST DOUBLE');
node = await startSymbolTestNode({ blockIntervalMs: 1000, finalizationLagBlocks: 3 });
say('This is a TEST DOUBLE of a Symbol node (an in-memory chain on loopback), NOT a real Symbol node.');
say(`It makes a block every second and finalizes blocks 3 behind the head. URL: ${node.url}`);

banner('2. Start the sidecar: spark serve');
const dataDir = join(work.path, 'data');
const env = {
  SYMBOL_NODE_URL: node.url,
  SYMBOL_POLL_INTERVAL_MS: '500',
  PQC_AGGREGATION_THRESHOLD: '10',
  PQC_AGGREGATION_TIMEOUT: '2',
  PQC_IMMEDIATE_MODE: 'true',
};
say(
  `$ ${Object.entries(env)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ')} spark serve --listen 127.0.0.1:0 --data-dir $DEMO/data`,
);
server = await startServerProcess({ dataDir, env, timeoutMs: 30_000 });
echoServerLogs(server);
say(`spark serve is running (pid ${server.child.pid}) on ${server.address}`);

banner('3. Submit a file (only its SHA-256 leaves this machine)');
const file = join(work.path, 'hello.txt');
writeFileSync(file, 'Hello, Spark! This file is anchored on (a test double of) Symbol.\n');
say(`wrote $DEMO/hello.txt: ${JSON.stringify(readFileSync(file, 'utf8'))}`);
const receipt = await expectExit(['submit', '--server', server.address, '--file', file, '--immediate'], 0);
const leaf = /^leaf hash\s+([0-9a-f]{64})$/m.exec(receipt)?.[1];
if (leaf === undefined) await finish(1, 'no leaf hash in the receipt');

banner('4. Wait until the batch is FINALIZED on the chain, and save the proof');
const bundle = join(work.path, 'hello.spark');
await expectExit(
  ['prove', '--server', server.address, '--leaf', leaf as string, '--wait', '120', '--out', bundle],
  0,
);

banner('5. Verify offline (no server, no node needed)');
await expectExit(['verify', bundle, '--data', file], 0);

banner('6. Verify against the Symbol node too (--symbol)');
await expectExit(['verify', bundle, '--data', file, '--symbol', node.url], 0);

banner('7. Change one byte of the file: verification fails');
const tampered = join(work.path, 'hello-tampered.txt');
const bytes = readFileSync(file);
bytes[7] = (bytes[7] as number) ^ 0x01;
writeFileSync(tampered, bytes);
say(`wrote $DEMO/hello-tampered.txt with byte 7 flipped: ${JSON.stringify(bytes.toString('utf8'))}`);
await expectExit(['verify', bundle, '--data', tampered], 1);

banner('Done');
say('Every step behaved as expected: the proof verifies for the original file and fails for a changed one.');
await finish(0);
