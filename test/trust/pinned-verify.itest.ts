// Pinned verification end to end (docs/trust.md): two unrelated servers; a trust root exported from each (over the
// GetTrustRoot RPC and from the data directory); a bundle from B fails with A's root, naming the log id, and
// passes with B's — in `spark verify` and in the Verify RPC. A root exported before a rotation accepts the endorsed
// successor; after a restart of the memory provider (a key nobody endorsed) it does not.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { clientsFor, hex } from '../anchoring/support.ts';
import { runCli, type ServerProcess, startServerProcess, tempDir } from '../support/spawn-server.ts';

async function sealedLeaf(server: ServerProcess): Promise<Uint8Array> {
  const { client, admin } = clientsFor(server.port);
  const r = await client.submit({ payload: { case: 'digest', value: randomBytes(32) } });
  assert.ok(r.receipt);
  await admin.sealNow({});
  return r.receipt.leafHash;
}

async function prove(server: ServerProcess, leaf: Uint8Array, out: string): Promise<void> {
  const r = await runCli([
    'prove',
    '--server',
    server.address,
    '--leaf',
    hex(leaf),
    '--wait',
    '10',
    '--out',
    out,
  ]);
  assert.equal(r.code, 0, r.stderr);
}

test('two servers: each bundle verifies only with its own issuer pinned, in the CLI and the Verify RPC', async (t) => {
  const dir = tempDir('spark-pinned-');
  const servers: ServerProcess[] = [];
  t.after(async () => {
    for (const s of servers) await s.kill();
    dir.cleanup();
  });
  const a = await startServerProcess({ dataDir: join(dir.path, 'a') });
  servers.push(a);
  const b = await startServerProcess({ dataDir: join(dir.path, 'b') });
  servers.push(b);
  const rootA = join(dir.path, 'rootA.json');
  const rootB = join(dir.path, 'rootB.json');
  const exportA = await runCli(['trust', 'export', '--server', a.address, '--out', rootA]);
  assert.equal(exportA.code, 0, exportA.stderr);
  assert.match(exportA.stdout, /trust root of log [0-9a-f]{64}: 1 key\(s\), no Symbol account/);
  assert.equal((await runCli(['trust', 'export', '--server', b.address, '--out', rootB])).code, 0);
  const fromB = join(dir.path, 'fromB.spark');
  await prove(b, await sealedLeaf(b), fromB);
  const logB = JSON.parse(readFileSync(rootB, 'utf8')).logId as string;
  const logA = JSON.parse(readFileSync(rootA, 'utf8')).logId as string;

  const wrong = await runCli(['verify', fromB, '--trust', rootA]);
  assert.equal(wrong.code, 1, wrong.stdout);
  assert.match(
    wrong.stdout,
    new RegExp(`FAIL issuer\\s+the bundle is of log ${logB}; the trust root pins log ${logA}`),
  );
  assert.match(wrong.stdout, /^INVALID: failed issuer/m);
  const right = await runCli(['verify', fromB, '--trust', rootB]);
  assert.equal(right.code, 0, right.stdout);
  assert.match(right.stdout, /^VALID, no data checked$/m);
  const unpinned = await runCli(['verify', fromB, '--json']);
  const json = JSON.parse(unpinned.stdout) as { verdict: string; issuerPinned: boolean };
  assert.deepEqual([json.issuerPinned, json.verdict], [false, 'VALID (issuer not pinned), no data checked']);
  assert.equal((await runCli(['verify', fromB, '--log-id', logB])).code, 0);
  assert.equal((await runCli(['verify', fromB, '--log-id', logA])).code, 1);

  // The same through the Verify RPC, of either server: the pin decides, not who answers.
  const { client } = clientsFor(a.port);
  const bundle = readFileSync(fromB);
  const rpcWrong = await client.verify({ bundle, trustRootJson: readFileSync(rootA, 'utf8') });
  assert.deepEqual([rpcWrong.valid, rpcWrong.verdict], [false, 'INVALID: failed issuer']);
  assert.match(rpcWrong.checks.find((c) => c.name === 'issuer')?.detail ?? '', new RegExp(`log ${logB}`));
  const rpcRight = await client.verify({ bundle, trustRootJson: readFileSync(rootB, 'utf8') });
  assert.deepEqual([rpcRight.valid, rpcRight.issuerPinned, rpcRight.verdict], [true, true, 'VALID']);
  const rpcUnpinned = await client.verify({ bundle });
  assert.deepEqual([rpcUnpinned.valid, rpcUnpinned.verdict], [true, 'VALID (issuer not pinned)']);
  await assert.rejects(client.verify({ bundle, trustRootJson: '{"mediaType":"x"}' }), (e: Error) =>
    /trust_root_json/.test(e.message),
  );

  // Offline from the data directory (server stopped): the same root as the server sent.
  assert.equal(await b.stop(), 0);
  const offline = join(dir.path, 'rootB-offline.json');
  const fromDisk = await runCli(['trust', 'export', '--data-dir', join(dir.path, 'b'), '--out', offline]);
  assert.equal(fromDisk.code, 0, fromDisk.stderr);
  const strip = (text: string) => ({ ...JSON.parse(text), createdAt: undefined });
  assert.deepEqual(strip(readFileSync(offline, 'utf8')), strip(readFileSync(rootB, 'utf8')));
});

test('a root exported before a rotation accepts the endorsed key; after a memory-provider restart it refuses the new key', async (t) => {
  const dir = tempDir('spark-pinned-rotation-');
  let server: ServerProcess | undefined;
  t.after(async () => {
    await server?.kill();
    dir.cleanup();
  });
  const data = join(dir.path, 'data');
  server = await startServerProcess({ dataDir: data });
  const root = join(dir.path, 'root.json');
  assert.equal((await runCli(['trust', 'export', '--server', server.address, '--out', root])).code, 0);
  const rotate = await runCli(['keys', 'rotate', '--server', server.address]);
  assert.equal(rotate.code, 0, rotate.stderr);
  const endorsed = join(dir.path, 'endorsed.spark');
  await prove(server, await sealedLeaf(server), endorsed);
  const ok = await runCli(['verify', endorsed, '--trust', root]);
  assert.equal(ok.code, 0, ok.stdout);
  assert.match(ok.stdout, /endorsed down from a pinned key \(1 step\)/);
  // A restart of the memory provider: a new key its predecessor could not endorse.
  assert.equal(await server.stop(), 0);
  server = await startServerProcess({ dataDir: data });
  const lost = join(dir.path, 'lost.spark');
  await prove(server, await sealedLeaf(server), lost);
  const refused = await runCli(['verify', lost, '--trust', root]);
  assert.equal(refused.code, 1, refused.stdout);
  assert.match(refused.stdout, /FAIL issuer\s+signing key: key [0-9a-f]{64} is not pinned and not endorsed/);
});
