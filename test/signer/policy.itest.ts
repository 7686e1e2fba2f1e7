// The signer's policy: parsing names every bad field; per call, a client gets exactly what its CN is granted.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { KeyError } from '../../providers/key-error.ts';
import { ConfigError } from '../../src/config/config-error.ts';
import { createNativeVerifier } from '../../src/crypto/native-verifier.ts';
import { ML_DSA_44, ML_DSA_65, ML_DSA_87, SLH_DSA_SHA2_128S } from '../../src/proof/crypto/algorithms.ts';
import { parsePolicy } from '../../src/signer/policy.ts';
import { makeTestPki, type TestPki } from '../support/tls-certs.ts';
import { logLines, remoteProvider, type SignerProcess, startSignerProcess } from './signer-process.ts';

/** The problems parsePolicy reports for `text`. */
function problems(text: string): string[] {
  try {
    parsePolicy(text);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    for (const issue of err.issues) assert.equal(issue.setting, '--policy');
    return err.issues.map((i) => i.problem);
  }
  assert.fail('the policy was accepted');
}

describe('policy parsing', () => {
  test('grants by CN: purposes, and algorithms by name (any case) or id', () => {
    const policy = parsePolicy(
      JSON.stringify({
        clients: {
          sidecar: { purposes: ['batch-signing', 'symbol-account'], algorithms: ['ml-dsa-65', 3] },
          anchorer: { purposes: ['symbol-account'] },
        },
      }),
    );
    assert.deepEqual(policy.clients, ['sidecar', 'anchorer']);
    assert.equal(policy.allows('sidecar', 'batch-signing', ML_DSA_65), true);
    assert.equal(policy.allows('sidecar', 'batch-signing', ML_DSA_87), true);
    assert.equal(policy.allows('sidecar', 'batch-signing', ML_DSA_44), false);
    assert.equal(policy.allows('sidecar', 'batch-signing'), false);
    assert.equal(policy.allows('sidecar', 'symbol-account'), true);
    assert.equal(policy.allows('anchorer', 'symbol-account'), true);
    assert.equal(policy.allows('anchorer', 'batch-signing', ML_DSA_65), false);
    assert.equal(policy.allows('stranger', 'symbol-account'), false, 'unknown clients get nothing');
    assert.equal(policy.allows('Sidecar', 'symbol-account'), false, 'CNs match exactly');
    assert.deepEqual([...policy.granted.algorithmIds].sort(), [ML_DSA_65, ML_DSA_87]);
  });

  test('every problem is reported, each naming its field', () => {
    assert.match(problems('{"clients": ')[0] ?? '', /^not valid JSON/);
    assert.deepEqual(problems('[]'), ['the policy must be a JSON object with "clients"']);
    assert.deepEqual(problems('{"clients": {}}'), [
      'clients: must be a non-empty object mapping certificate CNs to grants',
    ]);
    assert.deepEqual(
      problems(
        JSON.stringify({
          client: {},
          clients: {
            a: { purposes: ['batch-signing', 'tls'], algorithms: ['ML-DSA-65', 'RSA-2048', 0x7777] },
            b: { purposes: ['batch-signing'] },
            c: { purposes: ['symbol-account'], algorithms: ['ML-DSA-65'], extra: true },
            d: { purposes: [] },
            e: 'everything',
          },
        }),
      ),
      [
        'client: unknown field',
        'clients.a.purposes[1]: "tls" is not one of batch-signing, witness-cosigning, symbol-account',
        'clients.a.algorithms[1]: unknown algorithm "RSA-2048"',
        'clients.a.algorithms[2]: unknown algorithm 30583',
        'clients.b.algorithms: batch-signing needs a non-empty array of algorithm names or ids',
        'clients.c.extra: unknown field',
        'clients.c.algorithms: only applies to purposes batch-signing and witness-cosigning, neither of which is granted',
        'clients.d.purposes: must be a non-empty array of batch-signing, witness-cosigning, symbol-account',
        'clients.e: must be an object with "purposes" (and "algorithms")',
      ],
    );
  });
});

describe('policy enforced by the signer', () => {
  let pki: TestPki | undefined;
  let signer: SignerProcess | undefined;

  before(async () => {
    pki = makeTestPki();
    // The default test policy: the sidecar may use everything; the intruder only ML-DSA-44 batch signing.
    signer = await startSignerProcess({ pki });
  });

  after(async () => {
    await signer?.stop();
    pki?.cleanup();
  });

  test('CN=intruder is refused ML-DSA-65 and the Symbol account (REMOTE_REFUSED), and allowed ML-DSA-44', async () => {
    assert.ok(pki !== undefined && signer !== undefined);
    const intruder = remoteProvider(pki, signer.address, pki.intruder);
    try {
      for (const [attempt, what] of [
        [() => intruder.open('batch-signing', ML_DSA_65), 'ML-DSA-65 for batch-signing'],
        [() => intruder.open('batch-signing', SLH_DSA_SHA2_128S, 2), 'SLH-DSA-SHA2-128s for batch-signing'],
        [() => intruder.openSymbolAccount(), 'symbol-account'],
        // Batch signing with ML-DSA-44 granted does not grant a witness key of the same algorithm.
        [() => intruder.open('witness-cosigning', ML_DSA_44), 'ML-DSA-44 for witness-cosigning'],
      ] as const) {
        await assert.rejects(attempt(), (e: unknown) => {
          assert.ok(e instanceof KeyError, String(e));
          assert.equal(e.code, 'REMOTE_REFUSED');
          assert.equal(
            e.message,
            `remote signer ${signer?.address} refused: client "intruder" may not use ${what}`,
          );
          if (!what.startsWith('ML-DSA-44')) {
            assert.doesNotMatch(e.message, /ML-DSA-44/, 'the allowed set is not revealed');
          }
          return true;
        });
      }
      const key = await intruder.open('batch-signing', ML_DSA_44, 1);
      const message = new TextEncoder().encode('allowed');
      const context = new TextEncoder().encode('spark/v1/batch-header');
      const signature = await key.sign(message, context);
      assert.ok(createNativeVerifier().verify(ML_DSA_44, key.publicKey, message, signature, context));
    } finally {
      await intruder.close();
    }
    const refusals = logLines(signer.logs, 'refused by policy');
    assert.deepEqual(
      refusals.map((l) => [l['client'], l['purpose'], l['algorithm']]),
      [
        ['intruder', 'batch-signing', 'ML-DSA-65'],
        ['intruder', 'batch-signing', 'SLH-DSA-SHA2-128s'],
        ['intruder', 'symbol-account', undefined],
        ['intruder', 'witness-cosigning', 'ML-DSA-44'],
      ],
    );
    assert.equal(refusals[0]?.['level'], 40, 'refusals are warnings');
    // The signer logs before it answers, but its stdout reaches this process on its own schedule: wait for it.
    const started = Date.now();
    const signedBy = () => logLines(signer?.logs ?? [], 'signed').filter((l) => l['client'] === 'intruder');
    while (signedBy().length === 0 && Date.now() - started < 5_000)
      await new Promise((r) => setTimeout(r, 20));
    const signed = signedBy();
    assert.deepEqual(
      signed.map((l) => [l['algorithm'], l['generation']]),
      [['ML-DSA-44', 1]],
    );
  });

  test('a client the policy does not name gets nothing', async () => {
    assert.ok(pki !== undefined);
    const only = await startSignerProcess({
      pki,
      policy: { clients: { sidecar: { purposes: ['batch-signing'], algorithms: ['ML-DSA-44'] } } },
    });
    const stranger = remoteProvider(pki, only.address, pki.intruder);
    try {
      await assert.rejects(stranger.open('batch-signing', ML_DSA_44), { code: 'REMOTE_REFUSED' });
      await assert.rejects(stranger.openSymbolAccount(), { code: 'REMOTE_REFUSED' });
    } finally {
      await stranger.close();
      await only.stop();
    }
  });
});
