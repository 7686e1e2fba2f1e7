// Shared helpers for the anchoring tests: an in-process sidecar on a Symbol test node, status watching, and the
// end-state checks (every batch FINALIZED exactly once, every acknowledged leaf provable and verifiable).
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { toBinary } from '@bufbuild/protobuf';
import { type Client, createClient, type Interceptor } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { loadConfig } from '../../src/config/config.ts';
import { createNativeVerifier } from '../../src/crypto/native-verifier.ts';
import { SparkAdmin } from '../../src/gen/spark/v1/admin_pb.js';
import { ProofBundleSchema, Status } from '../../src/gen/spark/v1/bundle_pb.js';
import { SparkProcessor } from '../../src/gen/spark/v1/processor_pb.js';
import { createLogger } from '../../src/log/logger.ts';
import { type App, createApp } from '../../src/main.ts';
import { createNobleEd25519Verifier } from '../../src/proof/anchor/noble-ed25519-verifier.ts';
import { verifyAnchorTransaction } from '../../src/proof/anchor/verify-anchor.ts';
import { verifyBundle } from '../../src/proof/bundle/verify.ts';
import type { SymbolTestNode } from '../fakes/symbol-node/symbol-test-node.ts';

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

export type Processor = Client<typeof SparkProcessor>;
export type Admin = Client<typeof SparkAdmin>;

/** gRPC clients for a sidecar at 127.0.0.1:port; with `token`, every call carries it as a bearer token. */
export function clientsFor(port: number, token?: string): { client: Processor; admin: Admin } {
  const auth: Interceptor = (next) => (req) => {
    req.header.set('authorization', `Bearer ${token}`);
    return next(req);
  };
  const transport = createGrpcTransport({
    baseUrl: `http://127.0.0.1:${port}`,
    ...(token === undefined ? {} : { interceptors: [auth] }),
  });
  return { client: createClient(SparkProcessor, transport), admin: createClient(SparkAdmin, transport) };
}

/** An in-process sidecar whose JSON log lines are kept in `logs`. */
export interface TestApp {
  readonly app: App;
  readonly client: Processor;
  readonly admin: Admin;
  readonly logs: Array<Record<string, unknown>>;
}

/** Starts the sidecar in this process, anchoring on `node`. */
export async function startTestApp(
  node: SymbolTestNode,
  dataDir: string,
  env: Record<string, string> = {},
): Promise<TestApp> {
  const logs: Array<Record<string, unknown>> = [];
  let buf = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      buf += chunk.toString();
      let nl = buf.indexOf('\n');
      while (nl !== -1) {
        try {
          logs.push(JSON.parse(buf.slice(0, nl)) as Record<string, unknown>);
        } catch {
          // not JSON
        }
        buf = buf.slice(nl + 1);
        nl = buf.indexOf('\n');
      }
      cb();
    },
  });
  const app = await createApp(
    loadConfig({
      SPARK_LISTEN: '127.0.0.1:0',
      SPARK_DATA_DIR: dataDir,
      SYMBOL_NODE_URL: node.url,
      SYMBOL_POLL_INTERVAL_MS: '100',
      PQC_AGGREGATION_THRESHOLD: '1000',
      PQC_AGGREGATION_TIMEOUT: '3600',
      ...env,
    }),
    createLogger('info', sink),
  );
  return { app, ...clientsFor(app.address.port), logs };
}

/** Polls `check` every `intervalMs` until it returns a value other than undefined/false, at most `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs: number,
  intervalMs = 100,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (let i = 0; i < 100_000; i++) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() >= end) break;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** Every status a leaf goes through, with the wall-clock time it was seen. */
export interface StatusTrace {
  readonly statuses: Status[];
  readonly times: number[];
  /** Resolves when the stream ends (final status, timeout or error). */
  readonly done: Promise<void>;
}

/** Follows WatchProof for one leaf until its final status or `timeoutMs`. */
export function traceStatuses(client: Processor, leafHash: Uint8Array, timeoutMs: number): StatusTrace {
  const statuses: Status[] = [];
  const times: number[] = [];
  const done = (async () => {
    try {
      for await (const u of client.watchProof({ leafHash }, { signal: AbortSignal.timeout(timeoutMs) })) {
        statuses.push(u.status);
        times.push(Date.now());
      }
    } catch {
      // timed out or the server went away: the trace says how far it got
    }
  })();
  return { statuses, times, done };
}

export const names = (s: readonly Status[]): string => s.map((x) => Status[x]).join(' → ');

/** Confirmed anchors on the test chain by batch header (hex): the hashes of the transactions carrying it. */
export function confirmedAnchorsByHeader(node: SymbolTestNode, signer?: Uint8Array): Map<string, string[]> {
  const seed = Uint8Array.from(Buffer.from(node.networkGenerationHashSeed, 'hex'));
  const ed25519 = createNobleEd25519Verifier();
  const byHeader = new Map<string, string[]>();
  for (const tx of node.confirmedTransactions()) {
    // With `signer`, only that account's transactions are anchors (others, e.g. top-ups, share the chain).
    if (signer !== undefined && !Buffer.from(tx.payload.subarray(72, 104)).equals(Buffer.from(signer)))
      continue;
    const v = verifyAnchorTransaction(tx.payload, { generationHashSeed: seed, ed25519 });
    assert.equal(v.ok, true, `confirmed tx ${tx.hash}: ${JSON.stringify(v.checks.filter((c) => !c.ok))}`);
    for (const r of v.batchRecords) {
      const h = hex(r.fields.header);
      byHeader.set(h, [...(byHeader.get(h) ?? []), tx.hash.toLowerCase()]);
    }
  }
  return byHeader;
}

/**
 * The end state after any fault: every leaf proves FINALIZED, its bundle verifies offline (anchor included),
 * and each batch's header is in exactly one confirmed anchor — the one the bundle names.
 * Returns the distinct anchor transaction hashes used.
 */
export async function assertAllFinalizedOnce(
  client: Processor,
  node: SymbolTestNode,
  leaves: readonly Uint8Array[],
): Promise<Set<string>> {
  const verifier = createNativeVerifier();
  const anchors = confirmedAnchorsByHeader(node);
  const txs = new Set<string>();
  const headers = new Set<string>();
  for (const leaf of leaves) {
    const p = await client.prove({ leafHash: leaf });
    assert.equal(p.status, Status.FINALIZED, `leaf ${hex(leaf)} is ${Status[p.status]}`);
    const bundle = p.bundle;
    assert.ok(bundle?.anchor, 'the bundle carries its anchor');
    const report = verifyBundle(toBinary(ProofBundleSchema, bundle), { verifier });
    assert.equal(report.valid, true, JSON.stringify(report.checks.filter((c) => !c.ok)));
    assert.match(report.checks.find((c) => c.name === 'anchor')?.detail ?? '', /final/);
    const header = hex(bundle.header);
    headers.add(header);
    const carriers = anchors.get(header) ?? [];
    assert.equal(carriers.length, 1, `batch header in ${carriers.length} confirmed anchors: ${carriers}`);
    assert.equal(carriers[0], hex(bundle.anchor.transactionHash), 'the bundle names the confirmed anchor');
    txs.add(hex(bundle.anchor.transactionHash));
  }
  // No confirmed anchor carries a batch twice, for any batch (also ones without a leaf here).
  for (const [h, carriers] of anchors)
    assert.equal(carriers.length, 1, `header ${h.slice(0, 16)}… anchored twice`);
  return txs;
}

/**
 * The whole anchor transaction of `anchor`: carried in version-1 bundles; a version-2 bundle carries only its own
 * share of it, so the rest is read from the test chain.
 */
export function anchorTransactionOf(
  node: SymbolTestNode,
  anchor: { transaction: Uint8Array; transactionHash: Uint8Array },
): Uint8Array {
  if (anchor.transaction.length > 0) return anchor.transaction;
  const payload = node.payloadOf(hex(anchor.transactionHash));
  assert.ok(payload, `transaction ${hex(anchor.transactionHash)} is on the test chain`);
  return payload;
}

/** Log lines with this message. */
export const logsWith = (logs: ReadonlyArray<Record<string, unknown>>, msg: string | RegExp) =>
  logs.filter((l) => (typeof msg === 'string' ? l['msg'] === msg : msg.test(String(l['msg']))));

/**
 * Waits (at most 20 s) until the tracker has gone `rounds` more rounds on one of `nodes`: it reads /chain/info once
 * per usable node per round, which the Symbol test double counts. "A while later", counted, not timed.
 */
export async function moreTrackerRounds(
  nodes: readonly Pick<SymbolTestNode, 'answered'>[],
  rounds: number,
): Promise<void> {
  const from = nodes.map((n) => n.answered('/chain/info'));
  await waitFor(
    `${rounds} more tracker rounds`,
    () => nodes.some((n, i) => n.answered('/chain/info') >= (from[i] ?? 0) + rounds) || undefined,
    20_000,
    20,
  );
}
