// Secrets never reach logs or messages (SPEC §7, §11): a full run at trace level is scanned for every known secret.
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { type SymbolTestNode, startSymbolTestNode } from '../fakes/symbol-node/symbol-test-node.ts';
import { assertNoSecrets } from '../support/secret-scan.ts';
import { runCli, startServerProcess, tempDir } from '../support/spawn-server.ts';

const dir = tempDir('spark-hygiene-');
let node: SymbolTestNode | undefined;
after(async () => {
  await node?.close();
  dir.cleanup();
});

test('docker-secret: a full anchored run with a rotation at trace level prints no seed, derived seed or key', async (t) => {
  node = await startSymbolTestNode({ blockIntervalMs: 250, finalizationLagBlocks: 1 });
  const pqcRoot = randomBytes(32);
  const symbolSeed = randomBytes(32);
  const secrets = join(dir.path, 'secrets');
  mkdirSync(secrets, { mode: 0o700 });
  writeFileSync(join(secrets, 'spark_pqc_seed'), `${pqcRoot.toString('hex')}\n`, { mode: 0o400 });
  writeFileSync(join(secrets, 'spark_symbol_seed'), symbolSeed, { mode: 0o400 });
  const known = new Map<string, Uint8Array>([
    ['PQC root seed', pqcRoot],
    ['Symbol account private key', symbolSeed],
  ]);
  // The ML-DSA seeds the provider derives (docs/hsm.md §Derivation), for the generations this run uses.
  for (const generation of [0, 1, 2]) {
    const label = Buffer.from(`spark/v1/key-seed/batch-signing/0002/${generation}`);
    const xi = createHmac('sha256', pqcRoot)
      .update(Buffer.concat([label, Buffer.from([1])]))
      .digest();
    known.set(`derived ML-DSA-65 seed of generation ${generation}`, xi);
  }
  const env = {
    SPARK_KEY_PROVIDER: 'docker-secret',
    SPARK_SECRETS_DIR: secrets,
    SPARK_LOG_LEVEL: 'trace',
    SYMBOL_NODE_URL: node.url,
    SYMBOL_POLL_INTERVAL_MS: '100',
    PQC_AGGREGATION_THRESHOLD: '3',
    PQC_AGGREGATION_TIMEOUT: '1',
  };
  const server = await startServerProcess({ dataDir: join(dir.path, 'data'), env });
  t.after(() => server.stop());
  const outputs: string[] = [];
  const cli = async (args: string[]) => {
    const r = await runCli(args, 60_000, env);
    outputs.push(r.stdout, r.stderr);
    return r;
  };
  const leaves: string[] = [];
  for (let i = 0; i < 6; i++) {
    if (i === 3) assert.equal((await cli(['keys', 'rotate', '--server', server.address])).code, 0);
    const r = await cli(['submit', '--server', server.address, '--text', `hygiene ${i}`, '--json']);
    assert.equal(r.code, 0, r.stderr);
    leaves.push((JSON.parse(r.stdout) as { leafHash: string }).leafHash);
  }
  for (const leaf of [leaves[0], leaves[5]] as string[]) {
    const out = join(dir.path, `${leaf}.spark`);
    assert.equal(
      (await cli(['prove', '--server', server.address, '--leaf', leaf, '--wait', '30', '--out', out])).code,
      0,
    );
    assert.equal((await cli(['verify', out, '--symbol', node.url])).code, 0);
  }
  await cli(['keys', 'list', '--server', server.address]);
  assert.equal(await server.stop(), 0);
  const logText = server.logs.join('\n');
  assert.ok(server.logs.length > 10, `the run logged (${server.logs.length} lines)`);
  assert.match(logText, /signing key rotated/);
  assert.match(logText, /anchor confirmed/);
  assertNoSecrets(logText, known, 'the server log');
  assertNoSecrets(server.stderr(), known, 'the server stderr');
  assertNoSecrets(outputs.join('\n'), known, 'the CLI output');
});

test('refusals of a badly kept or malformed secret name the file, never its content', async () => {
  const seed = randomBytes(32);
  const cases: Array<{ name: string; content: string | Buffer; mode: number; expect: RegExp }> = [
    { name: 'open', content: seed.toString('hex'), mode: 0o644, expect: /lets group and others access it/ },
    { name: 'base64', content: seed.toString('base64'), mode: 0o400, expect: /spark_pqc_seed/ },
    { name: 'short', content: seed.subarray(0, 31), mode: 0o400, expect: /spark_pqc_seed/ },
  ];
  for (const c of cases) {
    const secrets = join(dir.path, `bad-${c.name}`);
    mkdirSync(secrets, { mode: 0o700 });
    writeFileSync(join(secrets, 'spark_pqc_seed'), c.content, { mode: c.mode });
    const r = await runCli(
      ['serve', '--listen', '127.0.0.1:0', '--data-dir', join(secrets, 'data')],
      30_000,
      {
        SPARK_KEY_PROVIDER: 'docker-secret',
        SPARK_SECRETS_DIR: secrets,
        SPARK_LOG_LEVEL: 'trace',
      },
    );
    assert.notEqual(r.code, 0, `${c.name}: the server refuses to start`);
    const text = r.stdout + r.stderr;
    assert.match(text, c.expect, `${c.name}: ${text}`);
    assertNoSecrets(text, new Map([['seed', seed]]), `${c.name}: the refusal`);
    if (typeof c.content === 'string')
      assert.ok(!text.includes(c.content), `${c.name}: the file content is not echoed`);
  }
});
