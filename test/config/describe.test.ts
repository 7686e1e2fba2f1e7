// The configuration dump and the logger redact secrets by name, whatever their depth.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/config.ts';
import { describeConfig, redactSecrets } from '../../src/config/describe.ts';
import { createLogger } from '../../src/log/logger.ts';

test('the configuration dump keeps paths and names of secret files, and redacts secret-looking values', () => {
  const dump = describeConfig(
    loadConfig({ SPARK_KEY_PROVIDER: 'pkcs11', SPARK_PKCS11_PIN_SECRET: 'hsm_pin' }),
  );
  assert.equal(
    (dump['pkcs11'] as Record<string, unknown>)['pinSecret'],
    'hsm_pin',
    'a secret file name is not a secret',
  );
  assert.equal(dump['keyProvider'], 'pkcs11');
  assert.deepEqual(
    redactSecrets({
      a: { pin: '1234', token: 'spk_x', seed: 'ab', privateKey: 'k', pinFile: '/run/secrets/p' },
    }),
    {
      a: {
        pin: '[redacted]',
        token: '[redacted]',
        seed: '[redacted]',
        privateKey: '[redacted]',
        pinFile: '/run/secrets/p',
      },
    },
  );
});

test('the logger redacts known secret fields at the top and one level down', () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  const log = createLogger('info', sink);
  log.info(
    { pin: '4321', token: 'spk_secret', req: { authorization: 'Bearer spk_secret2', seed: 'deadbeef' } },
    'x',
  );
  const text = lines.join('');
  for (const secret of ['4321', 'spk_secret', 'spk_secret2', 'deadbeef'])
    assert.ok(!text.includes(secret), secret);
  assert.equal((text.match(/\[redacted\]/g) ?? []).length, 4);
});

test('chain endpoints are logged as scheme and host: an API key in the path never reaches the log', () => {
  const dump = describeConfig(
    loadConfig({
      SPARK_ETHEREUM_RPC_URL: 'https://mainnet.example/v3/0123456789abcdef',
      SPARK_BITCOIN_RPC_URL: 'http://10.0.0.7:8332/',
      SPARK_BITCOIN_RPC_AUTH_FILE: '/run/secrets/bitcoin-rpc',
    }),
  );
  const chains = dump['chains'] as Record<string, unknown>;
  assert.equal(chains['ethereumUrl'], 'https://mainnet.example/[path redacted]');
  assert.equal(chains['bitcoinUrl'], 'http://10.0.0.7:8332');
  assert.equal(chains['polygonUrl'], undefined);
  assert.equal(chains['bitcoinAuthFile'], '/run/secrets/bitcoin-rpc');
  assert.ok(!JSON.stringify(dump).includes('0123456789abcdef'));
});
