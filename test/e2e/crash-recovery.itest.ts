// kill -9 during a burst of submissions: every acknowledged leaf is provable after restart, none sealed twice.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { toBinary } from '@bufbuild/protobuf';
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { createNativeVerifier } from '../../src/crypto/native-verifier.ts';
import { SparkAdmin } from '../../src/gen/spark/v1/admin_pb.js';
import { ProofBundleSchema, Status } from '../../src/gen/spark/v1/bundle_pb.js';
import { SparkProcessor } from '../../src/gen/spark/v1/processor_pb.js';
import { decodeHeader } from '../../src/proof/bundle/header.ts';
import { verifyBundle } from '../../src/proof/bundle/verify.ts';
import { startServerProcess, tempDir } from '../support/spawn-server.ts';

const CYCLES = 3;
const ACKS_BEFORE_KILL = 400;
const IN_FLIGHT = 32;
const BURST_LIMIT_MS = 20_000;

function clients(address: string) {
  const transport = createGrpcTransport({ baseUrl: `http://${address}` });
  return { proc: createClient(SparkProcessor, transport), admin: createClient(SparkAdmin, transport) };
}

test('acknowledged submissions survive kill -9 mid-burst, across several crashes', async (t) => {
  const dir = tempDir('spark-crash-');
  t.after(dir.cleanup);
  const env = { PQC_AGGREGATION_THRESHOLD: '50', PQC_AGGREGATION_TIMEOUT: '1' };
  const acked: Uint8Array[] = [];

  for (let cycle = 0; cycle < CYCLES; cycle++) {
    const server = await startServerProcess({ dataDir: dir.path, env });
    t.after(() => server.kill());
    const { proc } = clients(server.address);
    let ackedThisCycle = 0;
    let killed = false;
    const deadline = Date.now() + BURST_LIMIT_MS;
    const worker = async () => {
      while (!killed && Date.now() < deadline) {
        try {
          const r = await proc.submit({ payload: { case: 'digest', value: randomBytes(32) } });
          // Any response that arrived is an acknowledgement, even one racing the kill.
          acked.push(r.receipt?.leafHash as Uint8Array);
          if (++ackedThisCycle >= ACKS_BEFORE_KILL && !killed) {
            killed = true;
            await server.kill();
          }
        } catch (e) {
          if (!killed) throw e;
          return;
        }
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    await server.kill();
    assert.ok(
      ackedThisCycle >= ACKS_BEFORE_KILL,
      `cycle ${cycle}: only ${ackedThisCycle} acks before the deadline`,
    );
  }

  const server = await startServerProcess({ dataDir: dir.path, env });
  t.after(() => server.kill());
  const { proc, admin } = clients(server.address);
  await admin.sealNow({});
  const verifier = createNativeVerifier();
  const positions = new Set<string>();
  const headers = new Map<bigint, Uint8Array>();
  for (const leaf of acked) {
    let res: Awaited<ReturnType<typeof proc.prove>>;
    try {
      res = await proc.prove({ leafHash: leaf });
    } catch (e) {
      assert.fail(
        `acknowledged leaf ${Buffer.from(leaf).toString('hex')} lost: ${ConnectError.from(e).code === Code.NotFound}`,
      );
    }
    assert.equal(res.status, Status.SEALED);
    const bundle = res.bundle;
    assert.ok(bundle);
    const report = verifyBundle(toBinary(ProofBundleSchema, bundle), { verifier });
    assert.equal(report.valid, true, JSON.stringify(report.checks.filter((c) => !c.ok)));
    const seq = bundle.headerFields?.sequence as bigint;
    const key = `${seq}:${bundle.inclusion?.leafIndex}`;
    assert.ok(!positions.has(key), `two leaves at ${key}`);
    positions.add(key);
    headers.set(seq, bundle.header);
  }
  // The header chain is unbroken wherever consecutive batches were seen.
  const seqs = [...headers.keys()].sort((a, b) => (a < b ? -1 : 1));
  let links = 0;
  for (const s of seqs) {
    const prev = headers.get(s - 1n);
    const fields = decodeHeader(headers.get(s) as Uint8Array);
    assert.ok(typeof fields !== 'string');
    if (prev !== undefined) {
      assert.equal(
        Buffer.from(fields.previousHeaderHash).toString('hex'),
        createHash('sha256').update(prev).digest('hex'),
        `chain break at ${s}`,
      );
      links++;
    }
  }
  assert.ok(links > 0, 'at least one pair of consecutive batches was compared');
  const inventory = await proc.getInventory({});
  assert.ok((inventory.headSequence ?? -1n) >= (seqs[seqs.length - 1] as bigint));
  assert.equal(inventory.pendingLeaves, 0n);
  assert.equal(await server.stop(), 0);
  t.diagnostic(
    `${acked.length} acknowledged leaves over ${CYCLES} crashes, ${seqs.length} batches, all provable`,
  );
});
