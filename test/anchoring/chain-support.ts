// Shared by the chain-fault tests: `spark serve` as a child process anchoring on a Symbol test network (one or more
// REST fronts over one chain whose blocks the test harvests), and the outcome every fault must end in: a FINALIZED
// bundle that `spark verify` passes offline and with --symbol against an honest node, or no FINALIZED at all.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import { type ProofBundle, ProofBundleSchema, Status } from '../../src/gen/spark/v1/bundle_pb.js';
import type { SymbolTestNetwork } from '../fakes/symbol-node/symbol-test-network.ts';
import { startSymbolTestNetwork } from '../fakes/symbol-node/symbol-test-network.ts';
import { runCli, type ServerProcess, startServerProcess, tempDir } from '../support/spawn-server.ts';
import { type Admin, clientsFor, hex, moreTrackerRounds, type Processor, waitFor } from './support.ts';

/** A sidecar process on a test network, and a block pump the test can pause (for forks). */
export interface ChainScenario {
  readonly net: SymbolTestNetwork;
  readonly server: ServerProcess;
  readonly client: Processor;
  readonly admin: Admin;
  readonly dir: string;
  /** Harvests a block every `everyMs` until paused. */
  readonly pump: { resume(everyMs?: number): void; pause(): void };
  /** The network clock runs this many ms ahead of the wall clock from now on. */
  shiftClock(ms: number): void;
  /** The server's JSON log lines so far. */
  logs(): Array<Record<string, unknown>>;
}

/** Starts the network and `spark serve` on it; everything stops (by PID for the server) when the test ends. */
export async function startChainScenario(
  t: { after: (fn: () => Promise<void> | void) => void },
  o: { nodes?: number; lagBlocks?: number; env?: Record<string, string>; pumpMs?: number } = {},
): Promise<ChainScenario> {
  const dir = tempDir('spark-chain-');
  let offset = 0;
  const net = await startSymbolTestNetwork({
    nodes: o.nodes ?? 1,
    blockIntervalMs: 0,
    finalizationLagBlocks: o.lagBlocks ?? 3,
    clock: () => Date.now() + offset,
  });
  let timer: NodeJS.Timeout | undefined;
  const pump = {
    resume(everyMs = o.pumpMs ?? 150) {
      if (timer !== undefined) clearInterval(timer);
      timer = setInterval(() => net.produceBlock(), everyMs);
    },
    pause() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
    },
  };
  let server: ServerProcess | undefined;
  t.after(async () => {
    pump.pause();
    await server?.kill();
    await net.close();
    dir.cleanup();
  });
  server = await startServerProcess({
    dataDir: join(dir.path, 'data'),
    env: {
      SYMBOL_NODE_URLS: net.nodes.map((n) => n.url).join(','),
      SYMBOL_POLL_INTERVAL_MS: '100',
      SYMBOL_RESEND_AFTER_MS: '500',
      PQC_AGGREGATION_THRESHOLD: '1000',
      PQC_AGGREGATION_TIMEOUT: '3600',
      PQC_IMMEDIATE_MODE: 'true',
      ...o.env,
    },
  });
  const running = server;
  return {
    net,
    server: running,
    ...clientsFor(running.port),
    dir: dir.path,
    pump,
    shiftClock(ms) {
      offset += ms;
    },
    logs: () =>
      running.logs.flatMap((l) => {
        try {
          return [JSON.parse(l) as Record<string, unknown>];
        } catch {
          return [];
        }
      }),
  };
}

/**
 * Waits until the sidecar has read the chain `rounds` more times from a front (the tracker reads /chain/info once per
 * usable node per round) and `blocks` more blocks were harvested: what "a while later" means, counted, not timed.
 */
export async function moreRounds(s: ChainScenario, rounds = 10, blocks = 5n): Promise<void> {
  const height = s.net.height();
  await moreTrackerRounds(s.net.nodes, rounds);
  await waitFor(`${blocks} more blocks`, () => s.net.height() >= height + blocks || undefined, 20_000, 20);
}

/** Submits one digest as an immediate request (sealed and anchored alone); returns the leaf hash. */
export async function submitImmediate(client: Processor): Promise<Uint8Array> {
  const digest = new Uint8Array(32);
  globalThis.crypto.getRandomValues(digest);
  const r = await client.submit({ payload: { case: 'digest', value: digest }, immediate: true });
  assert.ok(r.receipt);
  return r.receipt.leafHash;
}

/** The leaf's status and bundle now. */
export async function proof(
  client: Processor,
  leaf: Uint8Array,
): Promise<{ status: Status; bundle?: ProofBundle }> {
  const p = await client.prove({ leafHash: leaf });
  return { status: p.status, ...(p.bundle === undefined ? {} : { bundle: p.bundle }) };
}

/** Waits until the leaf is at least `status` (by the lifecycle order); returns its bundle then. */
export async function waitStatus(
  client: Processor,
  leaf: Uint8Array,
  status: Status,
  timeoutMs = 20_000,
): Promise<ProofBundle> {
  return waitFor(
    `leaf ${hex(leaf).slice(0, 12)} ${Status[status]}`,
    async () => {
      const p = await proof(client, leaf);
      return p.status === status && p.bundle !== undefined ? p.bundle : undefined;
    },
    timeoutMs,
    50,
  );
}

/** The announcement of the batch that holds `leaf`, from the server's log ('anchor announced'). */
export async function announcedTx(s: ChainScenario, leaf: Uint8Array, timeoutMs = 10_000): Promise<string> {
  const sealed = await waitFor(
    'sealed',
    async () => (await proof(s.client, leaf)).bundle?.headerFields?.sequence,
    timeoutMs,
    50,
  );
  return waitFor(
    `batch ${sealed} announced`,
    () =>
      s
        .logs()
        .find(
          (l) =>
            l['msg'] === 'anchor announced' &&
            (l['batches'] as string[] | undefined)?.includes(String(sealed)),
        )?.['txHash'] as string | undefined,
    timeoutMs,
    50,
  );
}

/** Log lines whose fields match all of `fields` (and whose message matches `msg`, when given). */
export function logged(
  s: ChainScenario,
  fields: Record<string, unknown>,
  msg?: RegExp,
): Array<Record<string, unknown>> {
  return s
    .logs()
    .filter(
      (l) =>
        Object.entries(fields).every(([k, v]) => l[k] === v) &&
        (msg === undefined || msg.test(String(l['msg']))),
    );
}

/**
 * The outcome a FINALIZED leaf must have: `spark prove --wait` writes its bundle, `spark verify` passes it offline
 * and with `--symbol` against `honestUrl` (every online check). Returns the bundle the CLI wrote.
 */
export async function assertProvenAndVerified(
  s: ChainScenario,
  leaf: Uint8Array,
  honestUrl: string,
): Promise<ProofBundle> {
  const out = join(s.dir, `${hex(leaf).slice(0, 16)}.spark`);
  const prove = await runCli(
    ['prove', '--server', s.server.address, '--leaf', hex(leaf), '--wait', '60', '--out', out],
    90_000,
  );
  assert.equal(prove.code, 0, `spark prove --wait: ${prove.stderr}`);
  const offline = await runCli(['verify', out]);
  assert.equal(offline.code, 0, `spark verify offline:\n${offline.stdout}${offline.stderr}`);
  assert.match(offline.stdout, /VALID/);
  const online = await runCli(['verify', out, '--symbol', honestUrl]);
  assert.equal(online.code, 0, `spark verify --symbol ${honestUrl}:\n${online.stdout}${online.stderr}`);
  return fromBinary(ProofBundleSchema, readFileSync(out));
}

/** `spark status --json` of the server. */
export async function statusJson(s: ChainScenario): Promise<{
  finalizedHeight: number;
  quorum: number;
  nodes: Array<{
    url: string;
    state: string;
    lastProblem: string;
    answersRejected: number;
    disagreements: number;
  }>;
  reorganizations: Array<{
    batch?: number;
    fromHeight: number;
    toHeight: number | null;
    transactionHash: string;
  }>;
}> {
  const r = await runCli(['status', '--server', s.server.address, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}
