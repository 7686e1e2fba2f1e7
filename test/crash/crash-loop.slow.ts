// The crash loop (issue 5, part 4): the sidecar runs as a child process anchoring on the Symbol test double and is
// killed with SIGKILL again and again — aimed at ingest, at sealing and at announcement, at points a seeded PRNG
// picks (the seed is printed; SPARK_CRASH_SEED replays it) — and restarted on the same data dir each time.
// After every kill the data dir is opened here and checked: the data file passes the page check, every
// acknowledged leaf is stored and never moves once sealed, no batch sequence ever changes its header, and the
// header chain is unbroken. Every few restarts the running sidecar proves leaves and the bundles are verified
// offline. At the end every batch is FINALIZED and in exactly one confirmed anchor transaction on the double,
// usage counts every stored leaf once, and prepaid credit (on, with one top-up before the loop) shows the top-up
// credited exactly once and every stored leaf debited exactly once.
// Run by `npm run test:crash` (part of `npm test`): 3–5 minutes on 2 cores; figures in docs/operations.md.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { toBinary } from '@bufbuild/protobuf';
import { Code, ConnectError } from '@connectrpc/connect';
import { anchorStateStore, sequenceKey } from '../../src/anchor/anchor-state.ts';
import { createMemoryEd25519Signer } from '../../src/anchor/memory-ed25519-signer.ts';
import { createSymbolRestClient } from '../../src/anchor/symbol/rest-client.ts';
import { nativeSha256 } from '../../src/crypto/native-sha256.ts';
import { createNativeVerifier } from '../../src/crypto/native-verifier.ts';
import { ProofBundleSchema, Status } from '../../src/gen/spark/v1/bundle_pb.js';
import type { Ed25519Verifier } from '../../src/proof/anchor/ed25519-verifier.ts';
import { createNobleEd25519Verifier } from '../../src/proof/anchor/noble-ed25519-verifier.ts';
import { decodeHeader } from '../../src/proof/bundle/header.ts';
import { leafHashOfDigest } from '../../src/proof/bundle/leaf.ts';
import { verifyBundle } from '../../src/proof/bundle/verify.ts';
import type { SignatureVerifier } from '../../src/proof/crypto/signature-verifier.ts';
import { addressOf } from '../../src/proof/trust/trust-root.ts';
import { checkLmdbFile } from '../../src/store/lmdb-file-check.ts';
import { openLmdbStore } from '../../src/store/lmdb-store.ts';
import { decodeFeeSplit } from '../../src/usage/fee-split.ts';
import { clientsFor, confirmedAnchorsByHeader, type Processor, waitFor } from '../anchoring/support.ts';
import { buildTransfer, testKeyPair } from '../fakes/symbol-node/fixture.ts';
import { type SymbolTestNode, startSymbolTestNode } from '../fakes/symbol-node/symbol-test-node.ts';
import { type ServerProcess, startServerProcess, tempDir } from '../support/spawn-server.ts';
import { mulberry32 } from './prng.ts';

const env = process.env;
const SEED = Number(env['SPARK_CRASH_SEED'] ?? Math.floor(Math.random() * 2 ** 32));
/** Kills aimed at each phase (ingest, sealing, announcement). */
/** Prepaid credit: 1 µXYM a submission, and one top-up of 100 XYM (far more than the loop uses). */
const CREDIT_PRICE = 1n;
const CREDIT_PRICE_XYM = '0.000001';
const CREDIT_TOP_UP = 100_000_000n;
const KILLS_PER_PHASE = Number(env['SPARK_CRASH_KILLS_PER_PHASE'] ?? 18);
const THRESHOLD = 100;
const MAX_BATCH = 1000;
const SUBMITTERS = 12;
/** The running sidecar proves and the bundles are verified every this many restarts. */
const PROVE_EVERY = 6;
/** Older leaves re-proved at each of those checks, besides every leaf acknowledged since the last one. */
const PROVE_SAMPLE = 40;
/** Bound on any single wait for the sidecar (a log line, acknowledgements, finality). */
const STEP_LIMIT_MS = 30_000;
const TOTAL_LIMIT_MS = 9 * 60_000;

type Phase = 'ingest' | 'sealing' | 'announce';
const PHASES: readonly Phase[] = ['ingest', 'sealing', 'announce'];

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
const sha256Hex = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Everything the test knows, across restarts. */
interface World {
  /** Acknowledged leaves (a receipt came back), by hex. */
  readonly acked: Map<string, Uint8Array>;
  /** Every leaf ever sent, acknowledged or not. */
  readonly sent: Map<string, Uint8Array>;
  /** Position of each sealed leaf of ours, as first seen; it must never change. */
  readonly positions: Map<string, { sequence: bigint; index: number }>;
  /** Header bytes (hex) by sequence, as first seen; they must never change. */
  readonly headers: Map<bigint, string>;
  /** One stored leaf of ours per batch, to follow the batch's status. */
  readonly representative: Map<bigint, Uint8Array>;
}

/** What a kill left behind, as read from the data dir afterwards. */
interface Findings {
  readonly head: bigint | undefined;
  readonly pending: number;
  /** Sealed batches without anchoring state: killed between the commit and the tracker's enqueue. */
  readonly untracked: number;
  /** Live announcements the double never received: killed between storing and sending. */
  readonly storedNotSent: number;
  /** Live announcements the double holds: killed between sending and confirmation. */
  readonly sentNotConfirmed: number;
  /** Leaves sent but never acknowledged that are stored anyway (the kill took the receipt). */
  readonly storedUnacked: number;
  readonly livePages: number;
}

/** Lines of a child's stdout as parsed JSON, delivered as they arrive. */
function tapLogs(server: ServerProcess, onLine: (line: Record<string, unknown>) => void): () => void {
  let buf = '';
  const listener = (d: Buffer) => {
    buf += d.toString();
    let nl = buf.indexOf('\n');
    while (nl !== -1) {
      const text = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      try {
        onLine(JSON.parse(text) as Record<string, unknown>);
      } catch {
        // not JSON
      }
      nl = buf.indexOf('\n');
    }
  };
  server.child.stdout?.on('data', listener);
  return () => server.child.stdout?.off('data', listener);
}

/** Concurrent unary submitters; `onAck` sees the running count of acknowledgements of this run. */
function submitters(
  client: Processor,
  world: World,
  isKilled: () => boolean,
  onAck: (count: number) => void,
  stopAfter = Number.POSITIVE_INFINITY,
): { stop(): void; done: Promise<void>; count(): number } {
  let stopped = false;
  let count = 0;
  const deadline = Date.now() + STEP_LIMIT_MS;
  const failures: unknown[] = [];
  const loop = async () => {
    for (
      let i = 0;
      i < 100_000 && !stopped && !isKilled() && Date.now() < deadline && count < stopAfter;
      i++
    ) {
      const digest = randomBytes(32);
      const leaf = leafHashOfDigest(digest, nativeSha256);
      world.sent.set(hex(leaf), leaf);
      try {
        const r = await client.submit({ payload: { case: 'digest', value: digest } });
        // Any response that arrived is an acknowledgement, even one racing the kill.
        assert.equal(hex(r.receipt?.leafHash ?? new Uint8Array()), hex(leaf));
        world.acked.set(hex(leaf), leaf);
        onAck(++count);
      } catch (err) {
        if (!isKilled() && !stopped) failures.push(err);
        return;
      }
    }
  };
  const done = Promise.all(Array.from({ length: SUBMITTERS }, loop)).then(() => {
    if (failures.length > 0) throw failures[0];
  });
  return {
    stop: () => {
      stopped = true;
    },
    done,
    count: () => count,
  };
}

/** Resolves when `check` holds, polling; rejects after STEP_LIMIT_MS naming `what`. */
async function until(what: string, check: () => boolean, limitMs = STEP_LIMIT_MS): Promise<void> {
  const end = Date.now() + limitMs;
  for (let i = 0; i < 1_000_000; i++) {
    if (check()) return;
    if (Date.now() > end) throw new Error(`timed out after ${limitMs} ms waiting for ${what}`);
    await sleep(2);
  }
}

/** Waits (bounded) until the leaves a kill left pending have been sealed by age after a restart. */
async function recovered(client: Processor): Promise<void> {
  const end = Date.now() + 3_000;
  while (Date.now() < end && (await client.getInventory({})).pendingLeaves > 0n) await sleep(50);
}

/**
 * Opens the data dir of a stopped sidecar and checks it against everything seen before; records what is new.
 */
async function inspect(dataDir: string, world: World, node: SymbolTestNode): Promise<Findings> {
  const file = checkLmdbFile(dataDir);
  assert.ok(file !== undefined, 'the data file exists');
  const store = await openLmdbStore({ path: dataDir, pendingCapacity: 100_000_000 });
  try {
    const head = store.head();
    let previousHead = -1n;
    for (const s of world.headers.keys()) if (s > previousHead) previousHead = s;
    assert.ok((head?.sequence ?? -1n) >= previousHead, `the head went back from ${previousHead}`);
    // Every batch: the header it was first seen with, its hash, and the link to its predecessor.
    let previousHash: string | undefined;
    for (let s = 0n; head !== undefined && s <= head.sequence; s++) {
      const batch = store.getBatch(s);
      assert.ok(batch, `batch ${s} is missing below the head ${head.sequence}`);
      const header = hex(batch.header);
      const seen = world.headers.get(s);
      if (seen === undefined) world.headers.set(s, header);
      else assert.equal(header, seen, `batch ${s} was sealed again with different contents`);
      assert.equal(hex(batch.headerHash), sha256Hex(batch.header), `batch ${s}: stored header hash`);
      const fields = decodeHeader(batch.header);
      assert.ok(typeof fields !== 'string', `batch ${s}: ${fields}`);
      assert.equal(fields.sequence, s);
      assert.equal(Number(fields.treeSize), batch.treeSize);
      assert.deepEqual(fields.logId, store.logId);
      const expectedPrevious = previousHash ?? '00'.repeat(32);
      assert.equal(hex(fields.previousHeaderHash), expectedPrevious, `chain broken at batch ${s}`);
      previousHash = sha256Hex(batch.header);
    }
    // Every acknowledged leaf is stored; a sealed one never moves, nor goes back to pending.
    let storedUnacked = 0;
    for (const [id, leaf] of world.sent) {
      const record = store.getLeaf(leaf);
      const isAcked = world.acked.has(id);
      if (record === undefined) {
        assert.ok(!isAcked, `acknowledged leaf ${id} is lost`);
        continue;
      }
      if (!isAcked) storedUnacked++;
      const was = world.positions.get(id);
      if (record.position === undefined) {
        assert.equal(
          was,
          undefined,
          `leaf ${id} was sealed at ${was?.sequence}/${was?.index} and is pending again`,
        );
        continue;
      }
      if (was === undefined) world.positions.set(id, record.position);
      else assert.deepEqual(record.position, was, `leaf ${id} moved`);
      world.representative.set(record.position.sequence, leaf);
    }
    const states = anchorStateStore(store);
    let untracked = 0;
    for (let s = 0n; head !== undefined && s <= head.sequence; s++)
      if (states.batch(s) === undefined) untracked++;
    let storedNotSent = 0;
    let sentNotConfirmed = 0;
    for (const entry of states.liveOutbox()) {
      if (node.payloadOf(hex(entry.txHash)) === undefined) storedNotSent++;
      else sentNotConfirmed++;
    }
    return {
      head: head?.sequence,
      pending: store.pendingCount(),
      untracked,
      storedNotSent,
      sentNotConfirmed,
      storedUnacked,
      livePages: file.livePages,
    };
  } finally {
    await store.close();
  }
}

/**
 * Signature verifiers that remember their answers: the leaves of one batch share its header signature, key
 * statements and anchor transaction, so each distinct signature is verified once, not once per leaf.
 */
function remembering(): { verifier: SignatureVerifier; ed25519: Ed25519Verifier } {
  const native = createNativeVerifier();
  const noble = createNobleEd25519Verifier();
  const seen = new Map<string, boolean>();
  const key = (...parts: Array<Uint8Array | string>) => {
    const h = createHash('sha256');
    for (const p of parts) h.update(p).update('|');
    return h.digest('hex');
  };
  const memo = (id: string, run: () => boolean): boolean => {
    let ok = seen.get(id);
    if (ok === undefined) {
      ok = run();
      seen.set(id, ok);
    }
    return ok;
  };
  return {
    verifier: {
      name: `${native.name} (remembered)`,
      verify: (alg, pk, msg, sig, ctx) =>
        memo(key(`ml:${alg}`, pk, msg, sig, ctx), () => native.verify(alg, pk, msg, sig, ctx)),
    },
    ed25519: {
      name: `${noble.name} (remembered)`,
      verify: (sig, msg, pk) => memo(key('ed', sig, msg, pk), () => noble.verify(sig, msg, pk)),
    },
  };
}

const verifiers = remembering();

/** Proves `leaves` through the running sidecar; every bundle must verify offline and match what was stored. */
async function proveAll(
  client: Processor,
  world: World,
  leaves: readonly Uint8Array[],
  expectFinal: boolean,
  anchors?: Map<string, string[]>,
): Promise<{ bundles: number; transactions: Set<string> }> {
  const transactions = new Set<string>();
  let bundles = 0;
  let next = 0;
  const worker = async () => {
    while (next < leaves.length) {
      const leaf = leaves[next++] as Uint8Array;
      const id = hex(leaf);
      let res: Awaited<ReturnType<Processor['prove']>>;
      try {
        res = await client.prove({ leafHash: leaf });
      } catch (err) {
        const code = ConnectError.from(err).code;
        assert.fail(
          `acknowledged leaf ${id} cannot be proved: ${Code[code]} ${ConnectError.from(err).rawMessage}`,
        );
      }
      if (expectFinal) assert.equal(res.status, Status.FINALIZED, `leaf ${id} is ${Status[res.status]}`);
      const bundle = res.bundle;
      if (bundle === undefined) {
        assert.equal(res.status, Status.PENDING, `leaf ${id} is ${Status[res.status]} without a bundle`);
        continue;
      }
      const report = verifyBundle(toBinary(ProofBundleSchema, bundle), {
        ...verifiers,
        sha256: nativeSha256,
      });
      assert.equal(report.valid, true, `leaf ${id}: ${JSON.stringify(report.checks.filter((c) => !c.ok))}`);
      const sequence = bundle.headerFields?.sequence as bigint;
      const stored = world.headers.get(sequence);
      if (stored !== undefined)
        assert.equal(hex(bundle.header), stored, `leaf ${id}: header of batch ${sequence}`);
      const position = world.positions.get(id);
      if (position !== undefined) {
        assert.equal(position.sequence, sequence, `leaf ${id}: batch`);
        assert.equal(position.index, Number(bundle.inclusion?.leafIndex), `leaf ${id}: index`);
      }
      if (expectFinal) {
        assert.ok(bundle.anchor, `leaf ${id}: the bundle carries its anchor`);
        assert.match(report.checks.find((c) => c.name === 'anchor')?.detail ?? '', /final/);
        const tx = hex(bundle.anchor.transactionHash);
        const carriers = anchors?.get(hex(bundle.header)) ?? [];
        assert.deepEqual(
          carriers,
          [tx],
          `leaf ${id}: batch ${sequence} is in exactly the confirmed anchor named`,
        );
        transactions.add(tx);
      }
      bundles++;
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return { bundles, transactions };
}

test('crash loop: kill -9 during ingest, sealing and announcement, restart on the same data dir', {
  timeout: TOTAL_LIMIT_MS + 60_000,
}, async (t) => {
  const started = Date.now();
  // Printed first, so that a failing or hanging run can be replayed.
  process.stdout.write(`# crash loop seed ${SEED} (replay: SPARK_CRASH_SEED=${SEED} npm run test:crash)\n`);
  t.diagnostic(`seed ${SEED}`);
  const random = mulberry32(SEED);
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));

  const dir = tempDir('spark-crash-loop-');
  let node: SymbolTestNode | undefined;
  let current: ServerProcess | undefined;
  t.after(async () => {
    await current?.kill();
    await node?.close();
    dir.cleanup();
  });
  // Keys from Docker-secret files, as in production: the same batch key and Symbol account after every restart.
  const secrets = join(dir.path, 'secrets');
  mkdirSync(secrets, { mode: 0o700 });
  writeFileSync(join(secrets, 'spark_pqc_seed'), randomBytes(32).toString('hex'), { mode: 0o400 });
  const symbolSeed = Uint8Array.from(randomBytes(32));
  writeFileSync(join(secrets, 'spark_symbol_seed'), symbolSeed, { mode: 0o400 });
  const dataDir = join(dir.path, 'data');
  // Prepaid credit is on: the sidecar's account (which pays the anchors) and a client's wallet are funded.
  const operatorKey = createMemoryEd25519Signer(symbolSeed).publicKey;
  const operator = addressOf(operatorKey, 0x98);
  const wallet = testKeyPair('C1');
  node = await startSymbolTestNode({
    blockIntervalMs: 250,
    finalizationLagBlocks: 2,
    balances: { [operator]: 10_000_000_000n, [addressOf(wallet.publicKey.bytes, 0x98)]: 1_000_000_000n },
  });
  const chain = node;
  const serverEnv = {
    SPARK_KEY_PROVIDER: 'docker-secret',
    SPARK_SECRETS_DIR: secrets,
    SYMBOL_NODE_URL: chain.url,
    SYMBOL_POLL_INTERVAL_MS: '50',
    SYMBOL_RESEND_AFTER_MS: '500',
    PQC_AGGREGATION_THRESHOLD: String(THRESHOLD),
    PQC_AGGREGATION_TIMEOUT: '1',
    SPARK_MAX_BATCH_SIZE: String(MAX_BATCH),
    SPARK_LOG_LEVEL: 'info',
    SPARK_CREDIT_PRICE: CREDIT_PRICE_XYM,
  };

  {
    // The anonymous client tops up once, before the kill loop; every submission after debits it.
    const first = await startServerProcess({ dataDir, env: serverEnv, timeoutMs: STEP_LIMIT_MS });
    current = first;
    const rest = createSymbolRestClient({ url: chain.url });
    const topUp = buildTransfer({
      nowMs: await rest.nodeTime(),
      signer: wallet,
      recipient: operator,
      amount: CREDIT_TOP_UP,
      text: 'spark-credit:anonymous',
    });
    await rest.announce(topUp.bytes);
    const { client } = clientsFor(first.port);
    await waitFor(
      'the top-up credited',
      async () => ((await client.getCredit({})).credit?.creditedMicroXym ?? 0n) > 0n || undefined,
      60_000,
    );
    assert.equal(await first.stop(), 0);
    current = undefined;
  }

  const world: World = {
    acked: new Map(),
    sent: new Map(),
    positions: new Map(),
    headers: new Map(),
    representative: new Map(),
  };
  const kills: Record<Phase, number> = { ingest: 0, sealing: 0, announce: 0 };
  const variants = new Map<string, number>();
  const evidence = {
    untracked: 0,
    storedNotSent: 0,
    sentNotConfirmed: 0,
    storedUnacked: 0,
    pendingAtKill: 0,
  };
  const ackKills: number[] = [];
  let sealMs = 30; // running estimate of how long a seal takes, from the 'batch sealed' lines
  let provedUpTo = 0; // world.acked entries proved so far (insertion order)
  let bundlesChecked = 0;
  let livePages = 0;

  // The phases in a shuffled order, each KILLS_PER_PHASE times.
  const schedule: Phase[] = PHASES.flatMap((p) => Array.from({ length: KILLS_PER_PHASE }, () => p));
  for (let i = schedule.length - 1; i > 0; i--) {
    const j = int(0, i);
    [schedule[i], schedule[j]] = [schedule[j] as Phase, schedule[i] as Phase];
  }

  for (const [round, phase] of schedule.entries()) {
    assert.ok(Date.now() - started < TOTAL_LIMIT_MS, `over the time budget at round ${round}`);
    const roundStart = Date.now();
    const server = await startServerProcess({ dataDir, env: serverEnv, timeoutMs: STEP_LIMIT_MS });
    const startMs = Date.now() - roundStart;
    current = server;
    const { client } = clientsFor(server.port);
    if (round % PROVE_EVERY === PROVE_EVERY - 1) {
      // Every leaf acknowledged since the last check, and a sample of older ones, proved by the restarted sidecar.
      const all = [...world.acked.values()];
      const fresh = all.slice(provedUpTo);
      const older = Array.from(
        { length: Math.min(PROVE_SAMPLE, provedUpTo) },
        () => all[int(0, provedUpTo - 1)],
      );
      const r = await proveAll(client, world, [...fresh, ...(older as Uint8Array[])], false);
      bundlesChecked += r.bundles;
      provedUpTo = all.length;
    }

    let killed = false;
    let variant = '';
    const kill = (why: string) => {
      if (killed) return;
      killed = true;
      variant = why;
      server.child.kill('SIGKILL');
    };
    const sealed: number[] = [];
    let announced = 0;
    let onSealed: ((line: Record<string, unknown>) => void) | undefined;
    let onAnnounced: (() => void) | undefined;
    const untap = tapLogs(server, (line) => {
      if (line['msg'] === 'batch sealed') {
        sealed.push(Number(line['sequence']));
        const ms = Number(line['ms']);
        if (Number.isFinite(ms)) sealMs = 0.8 * sealMs + 0.2 * Math.max(1, ms);
        onSealed?.(line);
      } else if (line['msg'] === 'anchor announced') {
        announced++;
        onAnnounced?.();
      }
    });
    let subs: ReturnType<typeof submitters> | undefined;
    try {
      if (phase === 'ingest') {
        // Mid-burst: right after the k-th acknowledgement, requests still in flight.
        const k = int(10, 200);
        ackKills.push(k);
        subs = submitters(
          client,
          world,
          () => killed,
          (n) => n >= k && kill('after-k-acks'),
        );
        await until(`${k} acknowledgements`, () => killed);
      } else if (phase === 'sealing') {
        const mode = int(0, 2);
        if (mode === 0) {
          // A random moment inside a threshold seal: the k-th leaf past the threshold starts it; a seal takes
          // about sealMs (measured from the log), so the kill lands before, inside or just after the commit.
          // Leaves left pending by the last kill are sealed by age within 1.25 s of the start: wait for that,
          // so that the count of acknowledgements says when the threshold seal starts.
          await recovered(client);
          const crossing = THRESHOLD;
          const delay = random() * 1.5 * sealMs;
          subs = submitters(
            client,
            world,
            () => killed,
            (n) => {
              if (n === crossing) setTimeout(() => kill('random-delay-in-seal'), delay);
            },
          );
        } else if (mode === 1) {
          // The instant the k-th seal is logged: committed, not yet queued for anchoring.
          const k = int(1, 3);
          onSealed = () => sealed.length >= k && kill('at-batch-sealed-line');
          subs = submitters(
            client,
            world,
            () => killed,
            () => undefined,
          );
        } else {
          // A batch sealed by age: fewer leaves than the threshold, then killed at a random point around the
          // timeout seal, which starts 1–1.25 s after the oldest leaf (the scheduler looks every 250 ms).
          await recovered(client);
          const n = int(10, THRESHOLD - 1);
          let firstAck = 0;
          subs = submitters(
            client,
            world,
            () => killed,
            (c) => {
              if (c === 1) firstAck = Date.now();
            },
            n,
          );
          await subs.done;
          const delay = firstAck + 950 + random() * 400 - Date.now();
          setTimeout(() => kill('random-delay-in-timeout-seal'), Math.max(0, delay));
        }
        await until('the sealing kill', () => killed);
      } else {
        const mode = int(0, 1);
        const k = int(10, 120);
        if (mode === 0) {
          // Right after an announcement left: sent, not yet confirmed.
          onAnnounced = () => kill('at-anchor-announced-line');
        } else {
          // A random moment after a seal: the enqueue, the outbox write, the send, or the poll in between.
          onSealed = () => {
            const delay = random() * 150;
            setTimeout(() => kill('random-delay-after-seal'), delay);
            onSealed = undefined;
          };
        }
        subs = submitters(
          client,
          world,
          () => killed,
          () => undefined,
          k,
        );
        await until('the announcement kill', () => killed);
      }
    } finally {
      subs?.stop();
      await server.kill();
      untap();
      await subs?.done.catch((err: unknown) => {
        throw new Error(`round ${round}: a submission failed before the kill: ${String(err)}`);
      });
    }
    assert.equal(server.child.signalCode, 'SIGKILL', `round ${round}: killed by SIGKILL`);
    kills[phase]++;
    variants.set(`${phase}/${variant}`, (variants.get(`${phase}/${variant}`) ?? 0) + 1);
    const killMs = Date.now() - roundStart;
    const f = await inspect(dataDir, world, chain);
    if (env['SPARK_CRASH_VERBOSE'])
      process.stdout.write(
        `# round ${round} ${phase}/${variant}: start ${startMs} ms, killed at ${killMs} ms, checked at ${Date.now() - roundStart} ms; ${JSON.stringify(f, (_k, v) => (typeof v === 'bigint' ? Number(v) : v))}\n`,
      );
    evidence.untracked += f.untracked > 0 ? 1 : 0;
    evidence.storedNotSent += f.storedNotSent > 0 ? 1 : 0;
    evidence.sentNotConfirmed += f.sentNotConfirmed > 0 ? 1 : 0;
    evidence.pendingAtKill += f.pending > 0 ? 1 : 0;
    evidence.storedUnacked = f.storedUnacked;
    livePages = f.livePages;
    if (announced + sealed.length === 0 && phase !== 'ingest')
      t.diagnostic(`round ${round}: ${phase} kill before any seal`);
  }

  // The last restart: everything pending is sealed, and every batch is anchored to finality.
  const loopSeconds = Math.round((Date.now() - started) / 1000);
  const server = await startServerProcess({ dataDir, env: serverEnv, timeoutMs: STEP_LIMIT_MS });
  current = server;
  const { client, admin } = clientsFor(server.port);
  await admin.sealNow({});
  // Batches sealed since the last look (at this start, and by SealNow): find them through their leaves.
  for (const [id, leaf] of world.sent) {
    if (world.positions.has(id)) continue;
    let p: Awaited<ReturnType<Processor['prove']>>;
    try {
      p = await client.prove({ leafHash: leaf });
    } catch (err) {
      assert.ok(!world.acked.has(id), `acknowledged leaf ${id}: ${String(err)}`);
      continue; // sent, never acknowledged, never stored
    }
    const sequence = p.bundle?.headerFields?.sequence;
    assert.ok(sequence !== undefined, `leaf ${id} is sealed after SealNow`);
    if (!world.representative.has(sequence)) world.representative.set(sequence, leaf);
  }
  const batches = [...world.representative.keys()].sort((a, b) => (a < b ? -1 : 1));
  const head = batches[batches.length - 1] ?? -1n;
  for (let s = 0n; s <= head; s++) assert.ok(world.representative.has(s), `batch ${s} holds a leaf of ours`);
  const finalDeadline = Date.now() + 4 * STEP_LIMIT_MS;
  for (let i = 0; i < 10_000; i++) {
    let open = 0;
    for (const s of batches) {
      const p = await client.prove({ leafHash: world.representative.get(s) as Uint8Array });
      if (p.status !== Status.FINALIZED) open++;
    }
    if (open === 0) break;
    assert.ok(Date.now() < finalDeadline, `${open} of ${batches.length} batches not FINALIZED in time`);
    await sleep(500);
  }
  const anchors = confirmedAnchorsByHeader(chain, operatorKey);
  const acked = [...world.acked.values()];
  const proved = await proveAll(client, world, acked, true, anchors);
  bundlesChecked += proved.bundles;
  // Each batch is in exactly one confirmed anchor, whether or not it holds an acknowledged leaf.
  assert.equal(anchors.size, batches.length, 'confirmed anchors carry exactly the sealed batches');
  for (const [header, carriers] of anchors)
    assert.equal(carriers.length, 1, `header ${header.slice(0, 16)}… anchored ${carriers.length} times`);
  assert.equal(await server.stop(), 0, 'a clean shutdown after all the crashes');
  current = undefined;
  const finalState = await inspect(dataDir, world, chain);
  const store = await openLmdbStore({ path: dataDir, pendingCapacity: 100_000_000 });
  let usageLine = '';
  try {
    const states = anchorStateStore(store);
    for (let s = 0n; s <= head; s++) assert.equal(states.batch(s)?.status, 'FINALIZED', `batch ${s}`);
    assert.equal(states.openOutbox().length, 0, 'no announcement left in flight or unfinalized');
    assert.equal(store.pendingCount(), 0);
    // Usage was counted in the writes that stored the leaves: exactly the leaves stored, none lost or doubled by a
    // kill; each batch's fee split once, its shares adding up to the fee recorded for it.
    let leaves = 0;
    for (let s = 0n; s <= head; s++) leaves += store.getBatch(s)?.treeSize ?? 0;
    const counted = store.usage().reduce((a, r) => a + r.submissions, 0);
    assert.equal(counted, leaves, 'usage counts every stored leaf once');
    assert.ok(counted >= world.acked.size);
    for (let s = 0n; s <= head; s++) {
      const raw = store.getDoc('usage-fees', sequenceKey(s));
      assert.ok(raw, `batch ${s}: its fee split`);
      const split = decodeFeeSplit(raw);
      assert.equal(
        split.shares.reduce((a, x) => a + x.anchorFee, 0n),
        states.batch(s)?.confirmed?.feePaid,
        `batch ${s}: shares add up to its fee`,
      );
    }
    // Credit: the one top-up credited once across every restart; each stored leaf debited once, none of the others.
    const [credit] = store.creditBalances('anonymous');
    assert.equal(credit?.credited, CREDIT_TOP_UP, 'the top-up credited exactly once');
    assert.equal(credit?.spent, BigInt(leaves) * CREDIT_PRICE, 'each stored leaf debited once');
    usageLine = `usage: ${counted} submissions counted for ${leaves} stored leaves (${world.acked.size} acknowledged), ${head + 1n} fee splits; credit: ${CREDIT_TOP_UP} µXYM credited once, ${credit?.spent} µXYM debited`;
  } finally {
    await store.close();
  }
  assert.equal(finalState.head, head);

  const seconds = Math.round((Date.now() - started) / 1000);
  const totalKills = kills.ingest + kills.sealing + kills.announce;
  const summary = [
    `seed ${SEED}: ${totalKills} kill -9 (ingest ${kills.ingest}, sealing ${kills.sealing}, announce ${kills.announce}), each followed by a restart on the same data dir`,
    `kill points: ${[...variants]
      .sort()
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')} (ingest: k from ${Math.min(...ackKills)} to ${Math.max(...ackKills)})`,
    `what the kills left: pending leaves ${evidence.pendingAtKill}×, sealed batches not yet queued for anchoring ${evidence.untracked}×, announcements stored but not sent ${evidence.storedNotSent}×, sent but not confirmed ${evidence.sentNotConfirmed}×; ${evidence.storedUnacked} leaves stored whose receipt the kill took`,
    usageLine,
    `${world.acked.size} acknowledged leaves (${world.sent.size} sent), ${batches.length} batches, ${proved.transactions.size} anchor transactions (${chain.confirmedTransactions().length - 1} confirmed on the double, besides the top-up), ${bundlesChecked} bundles verified offline, ${livePages} live pages; ${seconds} s in all (kill loop ${loopSeconds} s, then the final restart, finality and checks)`,
  ];
  for (const line of summary) {
    t.diagnostic(line);
    process.stdout.write(`# ${line}\n`);
  }
  assert.equal(totalKills, 3 * KILLS_PER_PHASE);
});
