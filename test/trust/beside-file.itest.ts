// Proofs beside files (docs/trust.md): `spark stamp a.txt b.txt` writes a.txt.spark and b.txt.spark; `spark verify
// a.txt.spark` checks a.txt without being told; `spark upgrade` adds the anchor once there is one; `spark prove
// --file` finds a leaf from its file.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fromBinary } from '@bufbuild/protobuf';
import { ProofBundleSchema } from '../../src/gen/spark/v1/bundle_pb.js';
import { waitFor } from '../anchoring/support.ts';
import { startSymbolTestNode } from '../fakes/symbol-node/symbol-test-node.ts';
import { runCli, type ServerProcess, startServerProcess, tempDir } from '../support/spawn-server.ts';

test('stamp, verify beside the file, upgrade to the anchored bundle, prove --file', async (t) => {
  const dir = tempDir('spark-beside-');
  const node = await startSymbolTestNode({ blockIntervalMs: 200, finalizationLagBlocks: 2 });
  let server: ServerProcess | undefined;
  t.after(async () => {
    await server?.kill();
    await node.close();
    dir.cleanup();
  });
  server = await startServerProcess({
    dataDir: join(dir.path, 'data'),
    env: { SYMBOL_NODE_URL: node.url, SYMBOL_POLL_INTERVAL_MS: '100', PQC_AGGREGATION_TIMEOUT: '1' },
  });
  const a = join(dir.path, 'a.txt');
  const b = join(dir.path, 'b.txt');
  writeFileSync(a, 'the first document\n');
  writeFileSync(b, 'the second document\n');
  const stamped = await runCli(['stamp', a, b, '--server', server.address, '--quiet']);
  assert.equal(stamped.code, 0, stamped.stderr);
  assert.match(
    stamped.stdout,
    new RegExp(
      `${a.replaceAll('.', '\\.')}: (SEALED|ANNOUNCED|CONFIRMED|FINALIZED), ${a.replaceAll('.', '\\.')}\\.spark written`,
    ),
  );
  assert.match(stamped.stdout, /b\.txt\.spark written/);
  // Stamping again does not overwrite.
  const again = await runCli(['stamp', a, '--server', server.address]);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /a\.txt\.spark exists: spark upgrade/);

  const verified = await runCli(['verify', `${a}.spark`]);
  assert.equal(verified.code, 0, verified.stdout);
  assert.match(
    verified.stdout,
    new RegExp(`^data: ${a.replaceAll('.', '\\.')} \\(beside the bundle\\)$`, 'm'),
  );
  assert.match(verified.stdout, /ok {3}subject\s+the given digest is [0-9a-f]{64}/);
  assert.match(verified.stdout, /^VALID \(issuer not pinned\)$/m);
  // The file changed: the bundle no longer proves it.
  writeFileSync(b, 'the second document, edited\n');
  const changed = await runCli(['verify', `${b}.spark`]);
  assert.equal(changed.code, 1);
  assert.match(changed.stdout, /INVALID: failed subject/);

  // Once anchored and final, upgrade writes the richer bundle and says what changed.
  const leafA = fromBinary(ProofBundleSchema, readFileSync(`${a}.spark`)).leaf?.leafHash as Uint8Array;
  await waitFor(
    'a.txt FINALIZED',
    async () => {
      const r = await runCli([
        'prove',
        '--server',
        server?.address ?? '',
        '--file',
        a,
        '--out',
        join(dir.path, 'probe.spark'),
      ]);
      return /^FINALIZED/.test(r.stdout);
    },
    30_000,
    300,
  );
  const upgraded = await runCli(['upgrade', `${a}.spark`, '--server', server.address]);
  assert.equal(upgraded.code, 0, upgraded.stderr);
  assert.match(upgraded.stdout, /FINALIZED; anchored at height \d+; final \(finalized height \d+\)/);
  const now = fromBinary(ProofBundleSchema, readFileSync(`${a}.spark`));
  assert.ok(now.anchor, 'the file now carries the anchor');
  assert.deepEqual(now.leaf?.leafHash, leafA);
  const same = await runCli(['upgrade', `${a}.spark`, '--server', server.address]);
  assert.match(same.stdout, /no change/);
  const online = await runCli(['verify', `${a}.spark`, '--symbol', node.url]);
  assert.equal(online.code, 0, online.stdout);
  // Pinned and online: the root exported now names the anchoring account; the anchor must be signed by it and the
  // key must be in its key history on chain.
  const root = join(dir.path, 'root.json');
  assert.equal((await runCli(['trust', 'export', '--server', server.address, '--out', root])).code, 0);
  const pinned = await runCli(['verify', `${a}.spark`, '--symbol', node.url, '--trust', root]);
  assert.equal(pinned.code, 0, pinned.stdout);
  assert.match(pinned.stdout, /ok {3}issuer\s+issuer pinned: .*anchored by a pinned Symbol account/);
  assert.match(pinned.stdout, /ok {3}chain-key-history/);
  assert.match(pinned.stdout, /^VALID$/m);
  const other = JSON.parse(readFileSync(root, 'utf8'));
  other.symbol.accounts = [];
  const unpinnedAccount = join(dir.path, 'root-no-account.json');
  writeFileSync(unpinnedAccount, JSON.stringify(other));
  const refused = await runCli(['verify', `${a}.spark`, '--symbol', node.url, '--trust', unpinnedAccount]);
  assert.equal(refused.code, 1);
  assert.match(
    refused.stdout,
    /FAIL issuer\s+the anchor is signed by account T[A-Z2-7]{38}, which the root does not pin/,
  );
  // prove --file gives the same leaf's bundle as the stamped one.
  const byFile = join(dir.path, 'by-file.spark');
  assert.equal((await runCli(['prove', '--server', server.address, '--file', a, '--out', byFile])).code, 0);
  assert.deepEqual(readFileSync(byFile), readFileSync(`${a}.spark`));
});
