// The sidecar with SPARK_KEY_PROVIDER=pkcs11 on a real SoftHSM2 token: the Symbol account key signs anchor
// transactions inside the token, header keys derive from a non-extractable token key, a rotation is endorsed,
// bundles verify on chain, the same keys come back after a restart, and the PIN appears in no output.
import assert from 'node:assert/strict';
import { basename, dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { type SymbolTestNode, startSymbolTestNode } from '../fakes/symbol-node/symbol-test-node.ts';
import { assertNoSecrets } from '../support/secret-scan.ts';
import { createSoftHsm } from '../support/softhsm-token.ts';
import { runCli, startServerProcess, tempDir } from '../support/spawn-server.ts';

const dir = tempDir('spark-pkcs11-e2e-');
const hsm = createSoftHsm();
let node: SymbolTestNode | undefined;
after(async () => {
  await node?.close();
  hsm.remove();
  dir.cleanup();
});

test('pkcs11 keys: submit, rotate, anchor and verify; a restart reopens the same keys', async (t) => {
  const token = hsm.addToken('spark-e2e');
  node = await startSymbolTestNode({ blockIntervalMs: 250, finalizationLagBlocks: 1 });
  const env = {
    SOFTHSM2_CONF: hsm.conf,
    SPARK_KEY_PROVIDER: 'pkcs11',
    SPARK_PKCS11_MODULE: hsm.module,
    SPARK_PKCS11_TOKEN_LABEL: token.label,
    SPARK_SECRETS_DIR: dirname(token.pinFile),
    SPARK_PKCS11_PIN_SECRET: basename(token.pinFile),
    SYMBOL_NODE_URL: node.url,
    SYMBOL_POLL_INTERVAL_MS: '100',
    PQC_AGGREGATION_THRESHOLD: '2',
    PQC_AGGREGATION_TIMEOUT: '1',
    SPARK_LOG_LEVEL: 'debug',
  };
  const outputs: string[] = [];
  const cli = async (args: string[]) => {
    const r = await runCli(args, 60_000, env);
    outputs.push(r.stdout, r.stderr);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return r;
  };
  const logs: string[] = [];
  let server = await startServerProcess({ dataDir: join(dir.path, 'data'), env });
  t.after(() => server.stop());
  const leaves: string[] = [];
  for (let i = 0; i < 4; i++) {
    if (i === 2) await cli(['keys', 'rotate', '--server', server.address]);
    const r = await cli(['submit', '--server', server.address, '--text', `hsm ${i}`, '--json']);
    leaves.push((JSON.parse(r.stdout) as { leafHash: string }).leafHash);
  }
  for (const [i, leaf] of [leaves[0], leaves[3]].entries()) {
    const out = join(dir.path, `hsm-${i}.spark`);
    await cli(['prove', '--server', server.address, '--leaf', leaf as string, '--wait', '30', '--out', out]);
    const verified = await cli(['verify', out, '--symbol', node.url]);
    assert.match(verified.stdout, /VALID/);
    assert.match(verified.stdout, /hsm/, 'the key record says the key is protected by an HSM');
  }
  const before = JSON.parse(
    (await cli(['keys', 'list', '--server', server.address, '--json'])).stdout,
  ) as Array<{
    keyId: string;
    protection: string;
    endorsed: boolean;
  }>;
  assert.equal(before.length, 2);
  assert.ok(before.every((k) => k.protection === 'hsm'));
  assert.equal(before[1]?.endorsed, true);
  assert.equal(await server.stop(), 0);
  logs.push(...server.logs, server.stderr());

  // A restart on the same token and data dir reopens the current (generation 1) key: no new entry.
  server = await startServerProcess({ dataDir: join(dir.path, 'data'), env });
  const after = JSON.parse(
    (await cli(['keys', 'list', '--server', server.address, '--json'])).stdout,
  ) as Array<{
    keyId: string;
  }>;
  assert.deepEqual(
    after.map((k) => k.keyId),
    before.map((k) => k.keyId),
  );
  assert.equal(await server.stop(), 0);
  logs.push(...server.logs, server.stderr());

  const pins = new Map([
    ['user PIN', new TextEncoder().encode(token.pin)],
    ['SO PIN', new TextEncoder().encode(token.soPin)],
  ]);
  const everything = [...logs, ...outputs].join('\n');
  for (const pin of [token.pin, token.soPin])
    assert.ok(!everything.includes(pin), 'a PIN appears in the output');
  assertNoSecrets(everything, pins, 'the sidecar and CLI output');
});
