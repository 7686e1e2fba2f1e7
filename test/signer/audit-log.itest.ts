// The signer's log: one audit line per signature with who, what and which key, and never a seed or a message.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createDockerSecretProvider } from '../../providers/docker-secret-provider.ts';
import { ML_DSA_44, ML_DSA_65 } from '../../src/proof/crypto/algorithms.ts';
import { makeTestPki, type TestPki } from '../support/tls-certs.ts';
import { logLines, remoteProvider, type SignerProcess, startSignerProcess } from './signer-process.ts';

const PQC_SEED = randomBytes(32);
const SYMBOL_SEED = randomBytes(32);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

let pki: TestPki | undefined;
let signer: SignerProcess | undefined;
let secretsDir = '';
let exitCode: number | string | null = null;

before(async () => {
  pki = makeTestPki();
  secretsDir = join(pki.dir, 'secrets');
  mkdirSync(secretsDir, { mode: 0o700 });
  writeFileSync(join(secretsDir, 'pqc'), `${hex(PQC_SEED)}\n`, { mode: 0o400 });
  writeFileSync(join(secretsDir, 'symbol'), `${hex(SYMBOL_SEED)}\n`, { mode: 0o400 });
  signer = await startSignerProcess({
    pki,
    env: {
      SPARK_KEY_PROVIDER: 'docker-secret',
      SPARK_SECRETS_DIR: secretsDir,
      SPARK_PQC_SEED_SECRET: 'pqc',
      SPARK_SYMBOL_SEED_SECRET: 'symbol',
      // The most talkative level: nothing secret may appear even there.
      SPARK_LOG_LEVEL: 'trace',
    },
  });
});

after(async () => {
  await signer?.stop();
  pki?.cleanup();
});

describe('signer audit log', () => {
  test('one line per signature with client, purpose, algorithm, generation, key id, message SHA-256 and length; no seed, no message', async () => {
    assert.ok(pki !== undefined && signer !== undefined);
    const provider = remoteProvider(pki, signer.address, pki.sidecar);
    const intruder = remoteProvider(pki, signer.address, pki.intruder);
    const secretText = 'confidential batch header 7f3a';
    const message = new TextEncoder().encode(secretText);
    const context = new TextEncoder().encode('spark/v1/batch-header');
    const expected: Record<string, unknown>[] = [];
    try {
      for (const [client, p, algorithmId, generation] of [
        ['sidecar', provider, ML_DSA_65, 0],
        ['sidecar', provider, ML_DSA_65, 2],
        ['intruder', intruder, ML_DSA_44, 0],
      ] as const) {
        const key = await p.open('batch-signing', algorithmId, generation);
        assert.equal(key.protection, 'remote');
        await key.sign(message, context);
        expected.push({
          client,
          purpose: 'batch-signing',
          algorithm: algorithmId === ML_DSA_65 ? 'ML-DSA-65' : 'ML-DSA-44',
          algorithmId,
          generation,
          keyId: hex(key.keyId),
          messageSha256: sha256(message),
          messageLength: message.length,
          context: 'spark/v1/batch-header',
          contextLength: context.length,
        });
      }
      const account = await provider.openSymbolAccount();
      const payload = new TextEncoder().encode(`${secretText} as a Symbol transaction`);
      await account.sign(payload);
      expected.push({
        client: 'sidecar',
        purpose: 'symbol-account',
        algorithm: 'Ed25519',
        keyId: sha256(account.publicKey),
        messageSha256: sha256(payload),
        messageLength: payload.length,
      });
      // The keys are the docker-secret provider's, derived from the seeds in the signer's secrets dir.
      const local = createDockerSecretProvider({
        dir: secretsDir,
        pqcSeedSecret: 'pqc',
        symbolSeedSecret: 'symbol',
      });
      assert.equal(expected[0]?.['keyId'], hex((await local.open('batch-signing', ML_DSA_65, 0)).keyId));
      assert.deepEqual((await local.openSymbolAccount()).publicKey, account.publicKey);
      await local.close();
    } finally {
      await provider.close();
      await intruder.close();
    }
    exitCode = await signer.stop();

    const signed = logLines(signer.logs, 'signed');
    assert.equal(signed.length, expected.length, 'exactly one line per signature');
    signed.forEach((line, i) => {
      assert.equal(line['level'], 30, 'info');
      assert.match(String(line['clientCertSha256']), /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
      for (const [field, value] of Object.entries(expected[i] ?? {})) {
        assert.deepEqual(line[field], value, `line ${i} ${field}`);
      }
    });
    assert.equal(signed[3]?.['generation'], undefined, 'the account has no generations');

    const everything = `${signer.logs.join('\n')}\n${signer.stderr()}`;
    for (const [what, needle] of [
      ['PQC seed (hex)', hex(PQC_SEED)],
      ['Symbol seed (hex)', hex(SYMBOL_SEED)],
      ['PQC seed (base64)', PQC_SEED.toString('base64')],
      ['Symbol seed (base64)', SYMBOL_SEED.toString('base64')],
      ['message text', secretText],
      ['message hex', hex(message)],
    ] as const) {
      assert.ok(!everything.toLowerCase().includes(needle.toLowerCase()), `${what} appears in the log`);
    }
  });

  test('SIGTERM drains and exits 0, saying so', () => {
    assert.ok(signer !== undefined);
    assert.equal(exitCode, 0);
    const messages = signer.logs.map((l) => (JSON.parse(l) as { msg?: string }).msg);
    assert.deepEqual(messages.slice(-2), ['shutdown requested', 'stopped']);
  });
});
