// The docker-secret provider: the KeyProvider contract over real secret files, and its refusals.
import assert from 'node:assert/strict';
import { createHmac, createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createDockerSecretProvider } from '../../providers/docker-secret-provider.ts';
import { KeyError, type KeyErrorCode } from '../../providers/key-error.ts';
import { ML_DSA_65 } from '../../src/proof/crypto/algorithms.ts';
import { keyProviderContract } from './key-provider-contract.ts';

const root = mkdtempSync(join(tmpdir(), 'spark-secrets-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

/** A fresh secrets dir holding both seeds (hex with a line end, and raw), mode 0400. */
function secretsDir(pqc: Uint8Array = randomBytes(32), symbol: Uint8Array = randomBytes(32)): string {
  const dir = join(root, `s${n++}`);
  mkdirSync(dir, { mode: 0o700 });
  writeFileSync(join(dir, 'spark_pqc_seed'), `${Buffer.from(pqc).toString('hex')}\n`, { mode: 0o400 });
  writeFileSync(join(dir, 'spark_symbol_seed'), symbol, { mode: 0o400 });
  return dir;
}

keyProviderContract('docker-secret', async () => createDockerSecretProvider({ dir: secretsDir() }));

async function refused(
  dir: string,
  code: KeyErrorCode,
  message: RegExp,
  secret = 'spark_pqc_seed',
): Promise<void> {
  const provider = createDockerSecretProvider({ dir });
  try {
    const attempt =
      secret === 'spark_pqc_seed' ? provider.open('batch-signing', ML_DSA_65) : provider.openSymbolAccount();
    await assert.rejects(attempt, (e: unknown) => {
      assert.ok(e instanceof KeyError, String(e));
      assert.equal(e.code, code);
      assert.match(e.message, message);
      return true;
    });
  } finally {
    await provider.close();
  }
}

describe('docker-secret provider', () => {
  test('derives the ML-DSA key from the root seed by HKDF-Expand (docs/hsm.md) and the Symbol account from its seed', async () => {
    const pqc = randomBytes(32);
    const symbol = randomBytes(32);
    const provider = createDockerSecretProvider({ dir: secretsDir(pqc, symbol) });
    for (const generation of [0, 1]) {
      const key = await provider.open('batch-signing', ML_DSA_65, generation);
      // Independently: ξ = HKDF-Expand(PRK = root, info = label, 32) = HMAC(root, label ‖ 0x01).
      const label = `spark/v1/key-seed/batch-signing/0002/${generation}`;
      const xi = createHmac('sha256', pqc)
        .update(Buffer.concat([Buffer.from(label), Buffer.from([1])]))
        .digest();
      const expected = createPublicKey(
        createPrivateKey({ key: xi, format: 'raw-seed', asymmetricKeyType: 'ml-dsa-65' } as never),
      ).export({ format: 'raw-public' } as never) as Buffer;
      assert.deepEqual(Buffer.from(key.publicKey), expected);
    }
    const key = await provider.open('batch-signing', ML_DSA_65);
    assert.equal(key.protection, 'file');
    assert.equal(provider.kind, 'docker-secret');
    const account = await provider.openSymbolAccount();
    const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), symbol]);
    const jwk = createPublicKey(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })).export({
      format: 'jwk',
    });
    assert.equal(Buffer.from(account.publicKey).toString('base64url'), jwk.x);
    await provider.close();
  });

  test('refuses a group- or world-readable secret, naming who may read it', async () => {
    const dir = secretsDir();
    chmodSync(join(dir, 'spark_pqc_seed'), 0o644);
    await refused(dir, 'SECRET_UNUSABLE', /mode 0644, which lets group and others access it/);
    chmodSync(join(dir, 'spark_pqc_seed'), 0o640);
    await refused(dir, 'SECRET_UNUSABLE', /mode 0640, which lets group access it/);
  });

  test('refuses a missing secret, a wrong length and non-hex content', async () => {
    await refused(join(root, 'nowhere'), 'SECRET_UNUSABLE', /cannot read .*spark_pqc_seed \(ENOENT\)/);
    const dir = secretsDir();
    writeFileSync(join(dir, 'spark_symbol_seed'), randomBytes(31), { mode: 0o600 });
    await refused(dir, 'SECRET_UNUSABLE', /holds 31 bytes/, 'spark_symbol_seed');
    rmSync(join(dir, 'spark_pqc_seed'));
    writeFileSync(join(dir, 'spark_pqc_seed'), 'z'.repeat(64), { mode: 0o600 });
    await refused(dir, 'SECRET_UNUSABLE', /not hex/);
  });

  test('secret names are plain file names: no traversal', () => {
    for (const name of ['../etc/passwd', 'a/b', '..', '']) {
      assert.throws(
        () => createDockerSecretProvider({ dir: root, pqcSeedSecret: name }),
        (e: unknown) => e instanceof KeyError && e.code === 'SECRET_UNUSABLE' && e.field === 'pqcSeedSecret',
      );
    }
  });

  test('no error message contains the seed', async () => {
    const seed = randomBytes(32);
    const dir = secretsDir(seed);
    chmodSync(join(dir, 'spark_pqc_seed'), 0o666);
    const provider = createDockerSecretProvider({ dir });
    const err = await provider.open('batch-signing', ML_DSA_65).catch((e: unknown) => e as Error);
    await provider.close();
    assert.ok(err instanceof Error);
    assert.ok(!`${err.message} ${err.stack}`.includes(seed.toString('hex')));
  });
});
