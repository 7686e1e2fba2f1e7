// SPARK_ARWEAVE_WALLET_FILE: a JWK in a secret file; every refusal names the file and what is wrong, never a key part.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Arweave from 'arweave';
import type { JWKInterface } from 'arweave/node/lib/wallet.js';
import { readArweaveWallet } from '../../src/arweave/wallet-file.ts';
import { ConfigError } from '../../src/config/config-error.ts';
import { tempDir } from '../support/spawn-server.ts';

const dir = tempDir('spark-arweave-wallet-');
let wallet: JWKInterface;
before(async () => {
  wallet = await Arweave.init({}).wallets.generate();
});
after(dir.cleanup);

const write = (name: string, text: string, mode = 0o600) => {
  const path = join(dir.path, name);
  writeFileSync(path, text, { mode });
  return path;
};

test('a JWK file of mode 0600 is read back as the wallet, its fields only', () => {
  const path = write('ok.json', JSON.stringify({ ...wallet, ext: true, extra: 'x' }));
  assert.deepEqual(readArweaveWallet(path), {
    kty: 'RSA',
    ...Object.fromEntries(
      ['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi'].map((k) => [k, wallet[k as keyof JWKInterface]]),
    ),
  });
});

test('refusals name the file and the problem, and carry no part of the key', () => {
  const cases: Array<[string, string, number, RegExp]> = [
    ['loose.json', JSON.stringify(wallet), 0o644, /mode 0644, which lets group and others access it/],
    ['text.json', 'not json', 0o600, /not a JSON object \(a JWK\)/],
    ['ec.json', JSON.stringify({ ...wallet, kty: 'EC' }), 0o600, /not an RSA JWK/],
    ['nod.json', JSON.stringify({ ...wallet, d: undefined }), 0o600, /field "d" is missing or not base64url/],
    [
      'small.json',
      JSON.stringify({ ...wallet, n: Buffer.alloc(128, 1).toString('base64url') }),
      0o600,
      /a 1024-bit modulus/,
    ],
  ];
  for (const [name, text, mode, why] of cases) {
    const path = write(name, text, mode);
    assert.throws(
      () => readArweaveWallet(path),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.match(err.message, /SPARK_ARWEAVE_WALLET_FILE/);
        assert.match(err.message, why);
        for (const part of [wallet.d, wallet.p, wallet.q])
          assert.ok(part !== undefined && !err.message.includes(part));
        return true;
      },
      name,
    );
  }
});
