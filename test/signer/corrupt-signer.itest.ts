// A lying signer cannot slip anything past the remote provider: an in-test SparkSigner server (same TLS setup)
// corrupts its answers, and the provider refuses each with SELF_CHECK_FAILED instead of releasing it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { KeyError } from '../../providers/key-error.ts';
import type { KeyProvider } from '../../providers/key-provider.ts';
import { createMemoryProvider } from '../../providers/memory-provider.ts';
import { SparkSigner } from '../../src/gen/spark/v1/signer_pb.js';
import { createLogger } from '../../src/log/logger.ts';
import { ML_DSA_44, ML_DSA_65 } from '../../src/proof/crypto/algorithms.ts';
import { type RunningSignerServer, startSignerServer } from '../../src/signer/tls-server.ts';
import { makeTestPki, type TestPki } from '../support/tls-certs.ts';
import { remoteProvider } from './signer-process.ts';

/** How the fake signer lies. */
type Fault =
  | 'none'
  | 'flip-signature-bit'
  | 'short-signature'
  | 'wrong-key-id'
  | 'other-algorithm'
  | 'flip-account-signature';

let pki: TestPki | undefined;
let server: RunningSignerServer | undefined;
const honest: KeyProvider = createMemoryProvider();
let fault: Fault = 'none';
/** Signatures the fake made (so a refusal is known to follow a real signing, not a failed call). */
let made = 0;

const flip = (bytes: Uint8Array, index: number): Uint8Array => {
  const out = Uint8Array.from(bytes);
  out[index] = (out[index] ?? 0) ^ 0x01;
  return out;
};

before(async () => {
  pki = makeTestPki();
  server = await startSignerServer({
    host: '127.0.0.1',
    port: 0,
    tls: {
      cert: readFileSync(pki.server.cert),
      key: readFileSync(pki.server.key),
      clientCa: readFileSync(pki.caCert),
    },
    readMaxBytes: 2 * 1024 * 1024,
    log: createLogger('silent'),
    routes: (router) =>
      router.service(SparkSigner, {
        async getPublicKey(req) {
          const key = await honest.open('batch-signing', req.algorithmId, req.generation);
          return {
            algorithmId: fault === 'other-algorithm' ? ML_DSA_44 : key.algorithmId,
            publicKey: key.publicKey,
            keyId: fault === 'wrong-key-id' ? flip(key.keyId, 0) : key.keyId,
            protection: key.protection,
          };
        },
        async sign(req) {
          const key = await honest.open('batch-signing', req.algorithmId, req.generation);
          const signature = await key.sign(req.message, req.context);
          made++;
          if (fault === 'flip-signature-bit') return { signature: flip(signature, 100) };
          if (fault === 'short-signature') return { signature: signature.subarray(1) };
          return { signature };
        },
        async getSymbolAccount() {
          return { publicKey: (await honest.openSymbolAccount()).publicKey };
        },
        async signSymbolTransaction(req) {
          const signature = await (await honest.openSymbolAccount()).sign(req.signingPayload);
          made++;
          return { signature: fault === 'flip-account-signature' ? flip(signature, 40) : signature };
        },
      }),
  });
});

after(async () => {
  await server?.close(1000);
  await honest.close();
  pki?.cleanup();
});

/** A fresh provider (CN=sidecar) for the fake; closed by `fn`'s caller. */
async function withProvider(fn: (provider: KeyProvider) => Promise<void>): Promise<void> {
  assert.ok(pki !== undefined && server !== undefined);
  const provider = remoteProvider(pki, `127.0.0.1:${server.address.port}`, pki.sidecar);
  try {
    await fn(provider);
  } finally {
    fault = 'none';
    await provider.close();
  }
}

const MESSAGE = new TextEncoder().encode('batch header');
const CONTEXT = new TextEncoder().encode('spark/v1/batch-header');

/** `promise` must reject with SELF_CHECK_FAILED (optionally about `field`). */
async function selfCheckFails(promise: Promise<unknown>, field?: string): Promise<void> {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof KeyError, String(e));
    assert.equal(e.code, 'SELF_CHECK_FAILED', e.message);
    if (field !== undefined) assert.equal(e.field, field);
    return true;
  });
}

describe('remote provider against a lying signer', () => {
  test('a signature with one flipped bit is made by the signer but never released', async () => {
    await withProvider(async (provider) => {
      const key = await provider.open('batch-signing', ML_DSA_65);
      assert.equal((await key.sign(MESSAGE, CONTEXT)).length, 3309, 'honest at first');
      fault = 'flip-signature-bit';
      const before = made;
      let released: Uint8Array | undefined;
      await selfCheckFails(
        key.sign(MESSAGE, CONTEXT).then((s) => {
          released = s;
        }),
        'signature',
      );
      assert.equal(made, before + 1, 'the signer did answer');
      assert.equal(released, undefined);
      fault = 'short-signature';
      await selfCheckFails(key.sign(MESSAGE, CONTEXT), 'signature');
    });
  });

  test('a key id that is not the public key’s SHA-256, or a key of another algorithm, is refused at open', async () => {
    await withProvider(async (provider) => {
      fault = 'wrong-key-id';
      await selfCheckFails(provider.open('batch-signing', ML_DSA_65, 4), 'keyId');
      fault = 'other-algorithm';
      await selfCheckFails(provider.open('batch-signing', ML_DSA_65, 5), 'algorithmId');
      // Refusals are not remembered: an honest answer later opens the key.
      fault = 'none';
      assert.equal((await provider.open('batch-signing', ML_DSA_65, 4)).algorithmId, ML_DSA_65);
    });
  });

  test('a corrupted Symbol account signature is refused', async () => {
    await withProvider(async (provider) => {
      const account = await provider.openSymbolAccount();
      const payload = new TextEncoder().encode('generation hash seed || transaction');
      assert.equal((await account.sign(payload)).length, 64);
      fault = 'flip-account-signature';
      await selfCheckFails(account.sign(payload));
    });
  });
});
