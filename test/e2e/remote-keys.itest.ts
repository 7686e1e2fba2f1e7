// The sidecar with SPARK_KEY_PROVIDER=remote: headers and Symbol transactions signed by a spark signer over mTLS,
// rotated, anchored and verified; no seed or TLS private key in any log of either process.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { type SymbolTestNode, startSymbolTestNode } from '../fakes/symbol-node/symbol-test-node.ts';
import { startSignerProcess } from '../signer/signer-process.ts';
import { assertNoSecrets } from '../support/secret-scan.ts';
import { runCli, startServerProcess, tempDir } from '../support/spawn-server.ts';
import { makeTestPki } from '../support/tls-certs.ts';

const dir = tempDir('spark-remote-e2e-');
const pki = makeTestPki();
let node: SymbolTestNode | undefined;
after(async () => {
  await node?.close();
  pki.cleanup();
  dir.cleanup();
});

/** The DER bytes inside a PEM file (so its base64 body is one of the forms scanned for). */
function pemBody(path: string): Uint8Array {
  const text = readFileSync(path, 'utf8');
  return Buffer.from(text.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
}

test('remote keys: submit, rotate, anchor and verify through a signer on another process', async (t) => {
  node = await startSymbolTestNode({ blockIntervalMs: 250, finalizationLagBlocks: 1 });
  const pqcRoot = randomBytes(32);
  const symbolSeed = randomBytes(32);
  const secrets = join(dir.path, 'signer-secrets');
  mkdirSync(secrets, { mode: 0o700 });
  writeFileSync(join(secrets, 'spark_pqc_seed'), pqcRoot, { mode: 0o400 });
  writeFileSync(join(secrets, 'spark_symbol_seed'), symbolSeed, { mode: 0o400 });
  const signer = await startSignerProcess({
    pki,
    env: { SPARK_KEY_PROVIDER: 'docker-secret', SPARK_SECRETS_DIR: secrets },
  });
  t.after(() => signer.stop());
  const env = {
    SPARK_KEY_PROVIDER: 'remote',
    SPARK_REMOTE_SIGNER: signer.address,
    SPARK_REMOTE_CA: pki.caCert,
    SPARK_REMOTE_CERT: pki.sidecar.cert,
    SPARK_REMOTE_KEY: pki.sidecar.key,
    SYMBOL_NODE_URL: node.url,
    SYMBOL_POLL_INTERVAL_MS: '100',
    PQC_AGGREGATION_THRESHOLD: '2',
    PQC_AGGREGATION_TIMEOUT: '1',
    SPARK_LOG_LEVEL: 'debug',
  };
  const server = await startServerProcess({ dataDir: join(dir.path, 'data'), env });
  t.after(() => server.stop());
  const outputs: string[] = [];
  const cli = async (args: string[]) => {
    const r = await runCli(args, 60_000, env);
    outputs.push(r.stdout, r.stderr);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return r;
  };
  const leaves: string[] = [];
  for (let i = 0; i < 4; i++) {
    if (i === 2) await cli(['keys', 'rotate', '--server', server.address]);
    const r = await cli(['submit', '--server', server.address, '--text', `remote ${i}`, '--json']);
    leaves.push((JSON.parse(r.stdout) as { leafHash: string }).leafHash);
  }
  for (const [i, leaf] of [leaves[0], leaves[3]].entries()) {
    const out = join(dir.path, `remote-${i}.spark`);
    await cli(['prove', '--server', server.address, '--leaf', leaf as string, '--wait', '30', '--out', out]);
    const verified = await cli(['verify', out, '--symbol', node.url]);
    assert.match(verified.stdout, /VALID/);
    assert.match(verified.stdout, /remote/, 'the key record says the key is held remotely');
  }
  const listed = await cli(['keys', 'list', '--server', server.address, '--json']);
  const keys = JSON.parse(listed.stdout) as Array<{ protection: string; endorsed: boolean }>;
  assert.equal(keys.length, 2);
  assert.ok(keys.every((k) => k.protection === 'remote'));
  assert.equal(keys[1]?.endorsed, true);
  // The signer logged each signature it made (headers, key statements, endorsements, Symbol transactions).
  const signed = signer.logs.filter((l) => l.includes('"purpose"'));
  assert.ok(
    signed.some((l) => l.includes('symbol-account')),
    'Symbol transactions were signed remotely',
  );
  assert.ok(
    signed.some((l) => l.includes('batch-signing')),
    'batch headers were signed remotely',
  );
  assert.equal(await server.stop(), 0);
  assert.equal(await signer.stop(), 0);

  const known = new Map<string, Uint8Array>([
    ['signer PQC root seed', pqcRoot],
    ['signer Symbol private key', symbolSeed],
    ['sidecar TLS client private key', pemBody(pki.sidecar.key)],
    ['signer TLS server private key', pemBody(pki.server.key)],
  ]);
  assertNoSecrets(server.logs.join('\n') + server.stderr(), known, 'the sidecar output');
  assertNoSecrets(signer.logs.join('\n') + signer.stderr(), known, 'the signer output');
  assertNoSecrets(outputs.join('\n'), known, 'the CLI output');
});
