// Malformed SparkSigner requests from an authorised client: InvalidArgument naming the field, nothing signed.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Code, ConnectError } from '@connectrpc/connect';
import { remoteKeyError } from '../../providers/remote/remote-error.ts';
import { ErrorDetailSchema } from '../../src/gen/spark/v1/processor_pb.js';
import { ML_DSA_44, ML_DSA_65 } from '../../src/proof/crypto/algorithms.ts';
import { makeTestPki, type TestPki } from '../support/tls-certs.ts';
import { logLines, rawSignerClient, type SignerProcess, startSignerProcess } from './signer-process.ts';

let pki: TestPki | undefined;
let signer: SignerProcess | undefined;
let raw: ReturnType<typeof rawSignerClient> | undefined;

before(async () => {
  pki = makeTestPki();
  signer = await startSignerProcess({ pki });
  raw = rawSignerClient(signer.address, { ca: pki.caCert, client: pki.sidecar });
});

after(async () => {
  raw?.close();
  await signer?.stop();
  pki?.cleanup();
});

const MESSAGE = new TextEncoder().encode('header');
const CONTEXT = new TextEncoder().encode('spark/v1/batch-header');
const GOOD = {
  purpose: 'batch-signing',
  algorithmId: ML_DSA_44,
  generation: 0,
  message: MESSAGE,
  context: CONTEXT,
};

/** Awaits `call`, which must fail with `code`, an ErrorDetail naming `field` with `reason`, and `message`. */
async function refused(
  call: Promise<unknown>,
  expected: { code?: Code; field: string; reason?: string; message: RegExp },
): Promise<ConnectError> {
  const err = await call.then(
    () => assert.fail('the request was served'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ConnectError, String(err));
  assert.equal(err.code, expected.code ?? Code.InvalidArgument, err.rawMessage);
  assert.match(err.rawMessage, expected.message);
  const [detail] = err.findDetails(ErrorDetailSchema);
  assert.equal(detail?.field, expected.field);
  assert.equal(detail?.reason, expected.reason ?? 'INVALID_INPUT');
  return err;
}

describe('signer request checks', () => {
  test('each bad field is refused with InvalidArgument naming it', async () => {
    assert.ok(raw !== undefined && signer !== undefined);
    const { client } = raw;
    const signedBefore = logLines(signer.logs, 'signed').length;
    await refused(client.sign({ ...GOOD, purpose: 'tls' }), {
      field: 'purpose',
      message: /^purpose: unknown purpose "tls"$/,
    });
    await refused(client.sign({ ...GOOD, purpose: '' }), {
      field: 'purpose',
      message: /^purpose: is required$/,
    });
    await refused(client.sign({ ...GOOD, purpose: 'x'.repeat(5000) }), {
      field: 'purpose',
      message: /^purpose: unknown purpose "x{64}…"$/,
    });
    await refused(client.sign({ ...GOOD, purpose: 'symbol-account' }), {
      field: 'purpose',
      message: /SignSymbolTransaction/,
    });
    await refused(client.getPublicKey({ purpose: 'tls', algorithmId: ML_DSA_65 }), {
      field: 'purpose',
      message: /unknown purpose/,
    });
    await refused(client.sign({ ...GOOD, algorithmId: 0x7777 }), {
      field: 'algorithm_id',
      reason: 'UNSUPPORTED_ALGORITHM',
      message: /^algorithm_id: unknown algorithm 0x7777$/,
    });
    await refused(client.sign({ ...GOOD, message: new Uint8Array(0) }), {
      field: 'message',
      message: /^message: must not be empty$/,
    });
    await refused(client.sign({ ...GOOD, message: new Uint8Array(1024 * 1024 + 1) }), {
      field: 'message',
      message: /^message: must be at most 1048576 bytes$/,
    });
    await refused(client.sign({ ...GOOD, context: new Uint8Array(256) }), {
      field: 'context',
      message: /^context: must be at most 255 bytes$/,
    });
    const payload = await refused(client.signSymbolTransaction({ signingPayload: new Uint8Array(0) }), {
      field: 'signing_payload',
      message: /^signing_payload: must not be empty$/,
    });
    // The remote provider maps the signer's field back to its own name.
    const mapped = remoteKeyError(payload, signer.address, 1000);
    assert.equal(mapped.code, 'INVALID_INPUT');
    assert.equal(mapped.field, 'signingPayload');
    const algorithm = remoteKeyError(
      await client.getPublicKey({ purpose: 'batch-signing', algorithmId: 0x7777 }).catch((e: unknown) => e),
      signer.address,
      1000,
    );
    assert.equal(algorithm.code, 'UNSUPPORTED_ALGORITHM');
    // Still serving, and nothing bad was signed.
    const { signature } = await client.sign(GOOD);
    assert.equal(signature.length, 2420);
    const signed = logLines(signer.logs, 'signed');
    assert.equal(signed.length, signedBefore + 1);
    const bad = logLines(signer.logs, 'bad request');
    assert.ok(bad.length >= 10);
    assert.ok(bad.every((l) => l['client'] === 'sidecar' && l['level'] === 40));
    assert.ok(
      bad.every((l) => String(l['reason']).length < 200),
      'client input is not echoed at length',
    );
  });

  test('a message far beyond the limit is refused before it is read (ResourceExhausted)', async () => {
    assert.ok(raw !== undefined);
    const err = await raw.client.sign({ ...GOOD, message: new Uint8Array(2 * 1024 * 1024) }).then(
      () => assert.fail('served'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ConnectError);
    assert.equal(err.code, Code.ResourceExhausted);
  });
});
