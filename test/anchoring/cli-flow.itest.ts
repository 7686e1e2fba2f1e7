// The first acceptance check as a user runs it: `spark serve` anchoring on a Symbol test node with 1 s blocks,
// 50 `spark submit --file`, `spark prove --wait` for each, `spark verify --data` on every bundle; the announced
// payloads decode with symbol-sdk and the records in them verify on their own with ML-DSA.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fromBinary } from '@bufbuild/protobuf';
import { models, SymbolTransactionFactory } from 'symbol-sdk/symbol';
import { createNativeVerifier } from '../../src/crypto/native-verifier.ts';
import { type ProofBundle, ProofBundleSchema, Status } from '../../src/gen/spark/v1/bundle_pb.js';
import { decodeAnchorRecord } from '../../src/proof/anchor/anchor-record.ts';
import { RECORD_KIND_BATCH, reassembleRecords } from '../../src/proof/anchor/record-chunks.ts';
import { HEADER_SIGNATURE_CONTEXT } from '../../src/proof/crypto/contexts.ts';
import { SYMBOL_TEST_NODE_DEFAULTS, startSymbolTestNode } from '../fakes/symbol-node/symbol-test-node.ts';
import { runCli, startServerProcess, tempDir } from '../support/spawn-server.ts';
import { clientsFor, confirmedAnchorsByHeader, hex, type StatusTrace, traceStatuses } from './support.ts';

const N = 50;
const PARALLEL = 4;

/** Runs `fn` over 0..n-1, `width` at a time. */
async function pool<T>(n: number, width: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out = new Array<T>(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await fn(i);
      }
    }),
  );
  return out;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};

test('CLI: 50 files submitted, proven to FINALIZED, verified offline; anchors decode and verify on their own', async (t) => {
  const dir = tempDir('spark-cli-flow-');
  const node = await startSymbolTestNode({ blockIntervalMs: 1000 });
  let server: Awaited<ReturnType<typeof startServerProcess>> | undefined;
  t.after(async () => {
    await server?.kill();
    await node.close();
    dir.cleanup();
  });
  server = await startServerProcess({
    dataDir: join(dir.path, 'data'),
    env: {
      SYMBOL_NODE_URL: node.url,
      PQC_AGGREGATION_THRESHOLD: '10',
      PQC_AGGREGATION_TIMEOUT: '2',
    },
  });
  const { client } = clientsFor(server.port);
  const files = Array.from({ length: N }, (_, i) => {
    const f = join(dir.path, `file-${i}.bin`);
    writeFileSync(f, randomBytes(1000 + i));
    return f;
  });

  const phase: Record<string, number> = {};
  let mark = Date.now();
  const lap = (name: string) => {
    phase[name] = Date.now() - mark;
    mark = Date.now();
  };
  const accepted: number[] = [];
  const leaves: string[] = [];
  const traces: StatusTrace[] = [];
  await pool(N, PARALLEL, async (i) => {
    const r = await runCli([
      'submit',
      '--server',
      server?.address ?? '',
      '--file',
      files[i] as string,
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const receipt = JSON.parse(r.stdout) as { leafHash: string; acceptedAtMs: string; status: string };
    leaves[i] = receipt.leafHash;
    accepted[i] = Number(receipt.acceptedAtMs);
    // Watch alongside the user to time CONFIRMED and FINALIZED (the CLI only reports the final status).
    traces[i] = traceStatuses(client, Uint8Array.from(Buffer.from(receipt.leafHash, 'hex')), 180_000);
  });
  lap('submit');

  await pool(N, PARALLEL, async (i) => {
    const out = `${files[i]}.spark`;
    const r = await runCli(
      [
        'prove',
        '--server',
        server?.address ?? '',
        '--leaf',
        leaves[i] as string,
        '--wait',
        '120',
        '--out',
        out,
      ],
      150_000,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^FINALIZED: bundle written/);
  });
  lap('prove');

  // Every bundle is final: its anchor block is at or below the finalized height it carries.
  const bundles: ProofBundle[] = files.map((f) => fromBinary(ProofBundleSchema, readFileSync(`${f}.spark`)));
  for (const b of bundles) {
    assert.ok(b.anchor, 'anchored');
    assert.ok(b.anchor.height > 0n && b.anchor.finalizedHeight >= b.anchor.height);
  }
  const shown = await runCli(['inspect', `${files[0]}.spark`, '--json']);
  assert.equal(shown.code, 0, shown.stderr);
  const display = JSON.parse(shown.stdout) as { anchor: { height: string; finalizedHeight: string } };
  assert.ok(BigInt(display.anchor.finalizedHeight) >= BigInt(display.anchor.height));

  await pool(N, PARALLEL, async (i) => {
    const r = await runCli(['verify', `${files[i]}.spark`, '--data', files[i] as string]);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /^VALID \(issuer not pinned\)$/m);
    // And against the (test double) node: block, finality and key history on chain.
    const online = await runCli([
      'verify',
      `${files[i]}.spark`,
      '--data',
      files[i] as string,
      '--symbol',
      node.url,
    ]);
    assert.equal(online.code, 0, `${online.stdout}\n${online.stderr}`);
    assert.match(online.stdout, /chain-finality/);
  });
  lap('inspect+verify');

  // Each batch is in exactly one confirmed anchor, the one its bundles name.
  const byHeader = confirmedAnchorsByHeader(node);
  for (const b of bundles) {
    const carriers = byHeader.get(hex(b.header)) ?? [];
    assert.deepEqual(carriers, [hex(b.anchor?.transactionHash ?? new Uint8Array())]);
  }

  // The announced payloads decode with symbol-sdk; the records reassembled from their messages verify alone.
  const verifier = createNativeVerifier();
  const keys = new Map<string, { algorithmId: number; publicKey: Uint8Array }>();
  for (const b of bundles) for (const k of b.keys) keys.set(hex(k.keyId), k);
  const confirmed = node.confirmedTransactions();
  let records = 0;
  for (const c of confirmed) {
    const tx = SymbolTransactionFactory.deserialize(c.payload);
    assert.ok(
      tx instanceof models.AggregateCompleteTransactionV3 ||
        tx instanceof models.AggregateCompleteTransactionV2,
      'an aggregate complete',
    );
    const messages = tx.transactions
      .filter((e) => e instanceof models.EmbeddedTransferTransactionV1)
      .map((e) => Uint8Array.from((e as models.EmbeddedTransferTransactionV1).message));
    const { records: found, problems } = reassembleRecords(messages);
    assert.deepEqual(problems, []);
    for (const r of found.filter((x) => x.kind === RECORD_KIND_BATCH)) {
      const d = decodeAnchorRecord(r.bytes);
      assert.ok(d.ok, d.ok ? '' : d.reason);
      for (const s of d.value.signatures) {
        const key = keys.get(hex(s.keyId));
        assert.ok(key, 'the signing key is in the bundles');
        assert.equal(
          verifier.verify(
            s.algorithmId,
            key.publicKey,
            d.value.header,
            s.signature,
            HEADER_SIGNATURE_CONTEXT,
          ),
          true,
          'ML-DSA signature over the anchored header',
        );
      }
      records++;
    }
  }
  const batches = new Set(bundles.map((b) => hex(b.header))).size;
  assert.equal(records, batches, 'one record per batch, none doubled');

  // Figures (no assertions on time).
  await Promise.all(traces.map((tr) => tr.done));
  const at = (i: number, s: Status) => {
    const tr = traces[i] as StatusTrace;
    const k = tr.statuses.indexOf(s);
    return k < 0 ? undefined : (tr.times[k] as number) - (accepted[i] as number);
  };
  const toConfirmed = leaves.map((_, i) => at(i, Status.CONFIRMED)).filter((x) => x !== undefined);
  const toFinal = leaves.map((_, i) => at(i, Status.FINALIZED)).filter((x) => x !== undefined);
  const bytes = confirmed.reduce((n, c) => n + c.payload.length, 0);
  t.diagnostic(
    `setup: 1 s blocks, finalization lag ${SYMBOL_TEST_NODE_DEFAULTS.finalizationLagBlocks} blocks, threshold 10, timeout 2 s, poll interval default`,
  );
  t.diagnostic(
    `submit → CONFIRMED ms: p50 ${pct(toConfirmed, 50)}, max ${Math.max(...toConfirmed)} (${toConfirmed.length}/${N} saw CONFIRMED)`,
  );
  t.diagnostic(`CLI phases ms (${PARALLEL} at a time): ${JSON.stringify(phase)}`);
  t.diagnostic(
    `submit → FINALIZED ms: p50 ${pct(toFinal, 50)}, max ${Math.max(...toFinal)} (${toFinal.length}/${N})`,
  );
  t.diagnostic(
    `${batches} batches, ${confirmed.length} Symbol transactions, ${bytes} payload bytes for ${N} submissions → per 1,000: ${(confirmed.length * 1000) / N} transactions, ${(bytes * 1000) / N} bytes`,
  );
  await server.stop();
});
