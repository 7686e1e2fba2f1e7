// `spark signer` refuses to start without TLS, client verification, a policy, or usable keys: exit 2, naming why.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeTestPki, type TestPki } from '../support/tls-certs.ts';
import { runSignerCli, signerArgs, TEST_POLICY, writePolicy } from './signer-process.ts';

let pki: TestPki | undefined;
let goodPolicy = '';

before(() => {
  pki = makeTestPki();
  goodPolicy = writePolicy(pki, TEST_POLICY);
});

after(() => pki?.cleanup());

/** The signer's good arguments with `flag` removed, or its value replaced by `value`. */
function argsWith(flag: string, value?: string): string[] {
  assert.ok(pki !== undefined);
  const args = signerArgs(pki, goodPolicy);
  const i = args.indexOf(flag);
  assert.ok(i >= 0);
  if (value === undefined) args.splice(i, 2);
  else args[i + 1] = value;
  return args;
}

/** Runs the signer, which must exit 2 with stderr matching every pattern. */
async function refusesToStart(
  args: string[],
  patterns: RegExp[],
  env: Record<string, string> = {},
): Promise<string> {
  const { code, stdout, stderr } = await runSignerCli(args, env);
  assert.equal(code, 2, `exit code; stderr: ${stderr}`);
  for (const p of patterns) assert.match(stderr, p);
  assert.doesNotMatch(stdout, /"msg":"listening"/);
  assert.doesNotMatch(stderr, /BEGIN|PRIVATE KEY/);
  return stderr;
}

describe('spark signer start refusals', () => {
  test('without any of the required flags: each is named, with its variable', async () => {
    await refusesToStart(
      [],
      [
        /--tls-cert: is required \(or SPARK_SIGNER_TLS_CERT\): the signer does not start without TLS/,
        /--tls-key: is required \(or SPARK_SIGNER_TLS_KEY\)/,
        /--client-ca: is required \(or SPARK_SIGNER_CLIENT_CA\): the signer does not start without verifying client certificates/,
        /--policy: is required \(or SPARK_SIGNER_POLICY\)/,
      ],
    );
  });

  test('missing --tls-cert, --client-ca or --policy alone is named alone', async () => {
    await Promise.all(
      ['--tls-cert', '--client-ca', '--policy'].map(async (flag) => {
        const stderr = await refusesToStart(argsWith(flag), [new RegExp(`  - ${flag}: is required`)]);
        assert.equal(stderr.match(/is required/g)?.length, 1, stderr);
      }),
    );
  });

  test('the flags may come from SPARK_SIGNER_* instead (here: all but the policy)', async () => {
    assert.ok(pki !== undefined);
    await refusesToStart(['--listen', '127.0.0.1:0'], [/--policy: is required/], {
      SPARK_SIGNER_TLS_CERT: pki.server.cert,
      SPARK_SIGNER_TLS_KEY: pki.server.key,
      SPARK_SIGNER_CLIENT_CA: pki.caCert,
    }).then((stderr) => assert.doesNotMatch(stderr, /--tls-cert|--client-ca/));
  });

  test('a bad policy names the file problem or the field', async () => {
    assert.ok(pki !== undefined);
    const cases: [unknown, RegExp][] = [
      ['{"clients": {', /--policy: not valid JSON/],
      [
        { clients: { sidecar: { purposes: ['batch-signing'], algorithms: ['ML-DSA-66'] } } },
        /--policy: clients\.sidecar\.algorithms\[0\]: unknown algorithm "ML-DSA-66"/,
      ],
      [
        { clients: { sidecar: { purposes: ['batch-signing', 'everything'], algorithms: ['ML-DSA-65'] } } },
        /--policy: clients\.sidecar\.purposes\[1\]: "everything" is not one of batch-signing, witness-cosigning, symbol-account/,
      ],
      [{ clients: {} }, /--policy: clients: must be a non-empty object/],
    ];
    const runs = cases.map(([policy, pattern], i) =>
      refusesToStart(argsWith('--policy', writePolicy(pki as TestPki, policy, `bad-${i}.json`)), [pattern]),
    );
    runs.push(
      refusesToStart(argsWith('--policy', join(pki.dir, 'absent.json')), [
        /--policy: cannot read .*absent\.json \(ENOENT\)/,
      ]),
    );
    await Promise.all(runs);
  });

  test('unusable TLS files name their flag', async () => {
    assert.ok(pki !== undefined);
    // The private key, readable by others: refused like every secret file (the certificate's key, other mode).
    const looseKey = join(pki.dir, 'loose.key');
    writeFileSync(looseKey, readFileSync(pki.server.key));
    chmodSync(looseKey, 0o644);
    await Promise.all([
      refusesToStart(argsWith('--tls-cert', join(pki.dir, 'absent.crt')), [
        /--tls-cert: cannot read .*absent\.crt \(ENOENT\)/,
      ]),
      refusesToStart(argsWith('--tls-key', pki.intruder.key), [/--tls-key: not usable with --tls-cert/]),
      refusesToStart(argsWith('--tls-key', looseKey), [
        /--tls-key: .*loose\.key has mode 0644, which lets group and others access it; use 0400 or 0600/,
      ]),
      refusesToStart(argsWith('--client-ca', goodPolicy), [/--client-ca: .*holds no PEM block/]),
      refusesToStart(argsWith('--listen', 'nowhere'), [/--listen: "nowhere" is not HOST:PORT/]),
      refusesToStart([...argsWith('--listen'), '--insecure'], [/unknown option --insecure/]),
    ]);
  });

  test('its own key provider: remote and unknown kinds are refused, missing secrets stop the start', async () => {
    assert.ok(pki !== undefined);
    await refusesToStart(
      argsWith('--listen', '127.0.0.1:0'),
      [/SPARK_KEY_PROVIDER: the signer holds keys itself/],
      {
        SPARK_KEY_PROVIDER: 'remote',
      },
    );
    await refusesToStart(argsWith('--listen', '127.0.0.1:0'), [/SPARK_KEY_PROVIDER: "vault" is not one of/], {
      SPARK_KEY_PROVIDER: 'vault',
    });
    const dir = join(pki.dir, 'loose-secrets');
    mkdirSync(dir, { mode: 0o700 });
    writeFileSync(join(dir, 'spark_symbol_seed'), 'ab'.repeat(32), { mode: 0o400 });
    writeFileSync(join(dir, 'spark_pqc_seed'), 'cd'.repeat(32), { mode: 0o400 });
    chmodSync(join(dir, 'spark_symbol_seed'), 0o644);
    const stderr = await refusesToStart(
      argsWith('--listen', '127.0.0.1:0'),
      [/spark_symbol_seed has mode 0644/],
      {
        SPARK_KEY_PROVIDER: 'docker-secret',
        SPARK_SECRETS_DIR: dir,
      },
    );
    assert.ok(!stderr.includes('ab'.repeat(32)));
  });
});
