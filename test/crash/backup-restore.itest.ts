// The hot backup documented in docs/operations.md (lmdb's backup(), a consistent snapshot taken while the sidecar
// runs) restores: what was durable at the backup is there and proves, what came later is not, and a sidecar
// restored from it seals the next sequence anew — the rollback the operations guide warns about.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { toBinary } from '@bufbuild/protobuf';
import { Code, ConnectError } from '@connectrpc/connect';
import { createNativeVerifier } from '../../src/crypto/native-verifier.ts';
import { ProofBundleSchema, Status } from '../../src/gen/spark/v1/bundle_pb.js';
import { verifyBundle } from '../../src/proof/bundle/verify.ts';
import { checkLmdbFile } from '../../src/store/lmdb-file-check.ts';
import { clientsFor, type Processor } from '../anchoring/support.ts';
import { NODE, ROOT, startServerProcess, tempDir } from '../support/spawn-server.ts';

/** The hot-backup command of docs/operations.md, word for word (run from the sidecar's install directory). */
const BACKUP_SCRIPT = `import { open } from 'lmdb';
const env = open({ path: process.argv[1], readOnly: true });
await env.backup(process.argv[2], false);
await env.close();`;

async function runNode(args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(NODE, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, stderr };
}

async function submit(client: Processor, n: number): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const r = await client.submit({ payload: { case: 'digest', value: randomBytes(32) } });
    assert.ok(r.receipt);
    out.push(r.receipt.leafHash);
  }
  return out;
}

test('a hot backup taken while the sidecar writes restores to exactly what was durable then', async (t) => {
  const dir = tempDir('spark-backup-');
  t.after(dir.cleanup);
  const live = join(dir.path, 'data');
  const backup = join(dir.path, 'backup');
  mkdirSync(backup, { mode: 0o700 });
  const first = await startServerProcess({ dataDir: live });
  t.after(() => first.kill());
  const a = clientsFor(first.port);
  const sealedBefore = await submit(a.client, 40);
  const batch0 = await a.admin.sealNow({});
  const pendingBefore = await submit(a.client, 15);

  // While the sidecar runs and keeps taking submissions (the copy runs in another process, as an operator's would).
  const writes = submit(a.client, 200);
  const copy = await runNode(['--input-type=module', '-e', BACKUP_SCRIPT, live, backup]);
  assert.equal(copy.code, 0, copy.stderr);
  const during = await writes;
  const after = await submit(a.client, 10);
  const batch1 = await a.admin.sealNow({});
  assert.equal(await first.stop(), 0);

  assert.ok(checkLmdbFile(backup), 'the backup passes the data file check');
  const restored = await startServerProcess({ dataDir: backup });
  t.after(() => restored.kill());
  const b = clientsFor(restored.port);
  const inventory = await b.client.getInventory({});
  assert.equal(
    inventory.headSequence,
    batch0.sequence,
    'the backup holds batch 0, not what was sealed after it',
  );
  const verifier = createNativeVerifier();
  for (const leaf of sealedBefore) {
    const p = await b.client.prove({ leafHash: leaf });
    assert.equal(p.status, Status.SEALED);
    const report = verifyBundle(toBinary(ProofBundleSchema, p.bundle as never), { verifier });
    assert.equal(report.valid, true);
  }
  for (const leaf of pendingBefore)
    assert.equal((await b.client.prove({ leafHash: leaf })).status, Status.PENDING);
  for (const leaf of after) {
    await assert.rejects(
      b.client.prove({ leafHash: leaf }),
      (e) => ConnectError.from(e).code === Code.NotFound,
    );
  }
  // Submissions racing the backup are in it or not, never half: each is either found or not found.
  let inBackup = 0;
  for (const leaf of during) {
    try {
      await b.client.prove({ leafHash: leaf });
      inBackup++;
    } catch (e) {
      assert.equal(ConnectError.from(e).code, Code.NotFound);
    }
  }
  // The rollback: sequence 1 is sealed again, over other leaves than the lost batch 1.
  const again = await b.admin.sealNow({});
  assert.equal(again.sequence, batch1.sequence);
  assert.notDeepEqual(
    again.headerHash,
    batch1.headerHash,
    'a restored sidecar reuses the lost sequence numbers',
  );
  assert.equal(await restored.stop(), 0);
  t.diagnostic(`${inBackup} of ${during.length} submissions made during the backup are in it`);
});
