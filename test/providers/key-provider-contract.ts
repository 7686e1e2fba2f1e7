// The KeyProvider contract suite (SPEC §7): every provider must pass it unchanged.
import assert from 'node:assert/strict';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { describe, test } from 'node:test';
import { KeyError, type KeyErrorCode } from '../../providers/key-error.ts';
import type { KeyProvider } from '../../providers/key-provider.ts';
import { createNativeVerifier } from '../../src/crypto/native-verifier.ts';
import { createNobleEd25519Verifier } from '../../src/proof/anchor/noble-ed25519-verifier.ts';
import { allAlgorithms, ML_DSA_44, ML_DSA_65, ML_DSA_87 } from '../../src/proof/crypto/algorithms.ts';
import { createNobleVerifier } from '../../src/proof/crypto/noble-verifier.ts';

/** Every algorithm of the registry: a provider serves them all. */
const ALGORITHMS = allAlgorithms();
const VERIFIERS = [createNativeVerifier(), createNobleVerifier()];
const CONTEXT = new TextEncoder().encode('spark/test/contract');
const OTHER_CONTEXT = new TextEncoder().encode('spark/test/other');
const MESSAGE = new TextEncoder().encode('batch header bytes');
/** A run of 64+ hex digits would be a 32-byte secret (or more) printed in hex. */
const SECRET_LIKE = /[0-9a-f]{64,}/i;

/** Runs `fn` and returns the KeyError it must throw with `code`; its message must look secret-free. */
async function expectKeyError(
  fn: () => Promise<unknown>,
  code: KeyErrorCode,
  field?: string,
): Promise<KeyError> {
  try {
    await fn();
  } catch (err) {
    assert.ok(err instanceof KeyError, `expected KeyError ${code}, got ${String(err)}`);
    assert.equal(err.code, code);
    if (field !== undefined) assert.equal(err.field, field);
    assert.doesNotMatch(err.message, SECRET_LIKE);
    assert.doesNotMatch(String(err.stack), SECRET_LIKE);
    if (err.cause instanceof Error) assert.doesNotMatch(err.cause.message, SECRET_LIKE);
    return err;
  }
  assert.fail(`expected KeyError ${code}, nothing was thrown`);
}

/** Registers the contract tests for a provider made fresh by `makeProvider` for each test. */
export function keyProviderContract(name: string, makeProvider: () => Promise<KeyProvider>): void {
  async function withProvider(fn: (provider: KeyProvider) => Promise<void>): Promise<void> {
    const provider = await makeProvider();
    try {
      await fn(provider);
    } finally {
      await provider.close();
    }
  }

  describe(`KeyProvider contract: ${name}`, () => {
    test('the Symbol account signer makes Ed25519 signatures that verify, the same account each time', async () => {
      await withProvider(async (provider) => {
        const account = await provider.openSymbolAccount();
        assert.equal(account.publicKey.length, 32);
        const payload = new TextEncoder().encode('generation hash seed || aggregate header');
        const signature = await account.sign(payload);
        assert.equal(signature.length, 64);
        assert.equal(
          createNobleEd25519Verifier().verify(signature, payload, account.publicKey),
          true,
          'verifies under pure Ed25519 (RFC 8032), as Symbol checks it',
        );
        assert.deepEqual((await provider.openSymbolAccount()).publicKey, account.publicKey);
        await expectKeyError(() => account.sign(new Uint8Array(0)), 'INVALID_INPUT', 'signingPayload');
        await provider.close();
        await expectKeyError(() => account.sign(payload), 'CLOSED');
        await expectKeyError(() => provider.openSymbolAccount(), 'CLOSED');
      });
    });

    test('has a non-empty kind', async () => {
      await withProvider(async (provider) => {
        assert.equal(typeof provider.kind, 'string');
        assert.ok(provider.kind.length > 0);
      });
    });

    // One key and one signature per algorithm keeps slow schemes (SLH-DSA-128s signs in ~0.4 s natively,
    // ~3 s in noble) affordable across every provider.
    for (const spec of ALGORITHMS) {
      const algorithmId = spec.id;

      test(`${spec.name}: key length and keyId = SHA-256; a signature both implementations verify only under its context and message`, async () => {
        await withProvider(async (provider) => {
          const key = await provider.open('batch-signing', algorithmId);
          assert.equal(key.algorithmId, algorithmId);
          assert.equal(key.publicKey.length, spec.publicKeyLength);
          const expected = new Uint8Array(createHash('sha256').update(key.publicKey).digest());
          assert.deepEqual(new Uint8Array(key.keyId), expected);
          assert.ok(['memory', 'file', 'hsm', 'remote'].includes(key.protection));
          const signature = await key.sign(MESSAGE, CONTEXT);
          assert.equal(signature.length, spec.signatureLength);
          const otherMessage = Uint8Array.from(MESSAGE);
          otherMessage[0] = (otherMessage[0] ?? 0) ^ 1;
          const flipped = Uint8Array.from(signature);
          flipped[signature.length - 1] = (flipped[signature.length - 1] ?? 0) ^ 1;
          for (const verifier of VERIFIERS) {
            assert.ok(
              verifier.verify(algorithmId, key.publicKey, MESSAGE, signature, CONTEXT),
              verifier.name,
            );
            assert.equal(
              verifier.verify(algorithmId, key.publicKey, MESSAGE, signature, OTHER_CONTEXT),
              false,
            );
            assert.equal(
              verifier.verify(algorithmId, key.publicKey, MESSAGE, signature, new Uint8Array(0)),
              false,
            );
            assert.equal(
              verifier.verify(algorithmId, key.publicKey, otherMessage, signature, CONTEXT),
              false,
            );
            assert.equal(verifier.verify(algorithmId, key.publicKey, MESSAGE, flipped, CONTEXT), false);
          }
        });
      });
    }

    test('an empty context and a 255-byte context are accepted', async () => {
      await withProvider(async (provider) => {
        const key = await provider.open('batch-signing', ML_DSA_65);
        for (const context of [new Uint8Array(0), new Uint8Array(255).fill(7)]) {
          const signature = await key.sign(MESSAGE, context);
          assert.ok(createNobleVerifier().verify(ML_DSA_65, key.publicKey, MESSAGE, signature, context));
        }
      });
    });

    test('opening the same purpose and algorithm twice gives the same key', async () => {
      await withProvider(async (provider) => {
        const first = await provider.open('batch-signing', ML_DSA_65);
        const second = await provider.open('batch-signing', ML_DSA_65);
        assert.deepEqual(second.keyId, first.keyId);
        assert.deepEqual(second.publicKey, first.publicKey);
        const other = await provider.open('batch-signing', ML_DSA_44);
        assert.notDeepEqual(other.keyId, first.keyId);
      });
    });

    test('each generation is another key; reopening a generation gives the same key', async () => {
      await withProvider(async (provider) => {
        const g0 = await provider.open('batch-signing', ML_DSA_65, 0);
        const g1 = await provider.open('batch-signing', ML_DSA_65, 1);
        const g7 = await provider.open('batch-signing', ML_DSA_65, 7);
        assert.deepEqual((await provider.open('batch-signing', ML_DSA_65)).keyId, g0.keyId, 'default is 0');
        assert.notDeepEqual(g1.keyId, g0.keyId);
        assert.notDeepEqual(g7.keyId, g1.keyId);
        assert.deepEqual((await provider.open('batch-signing', ML_DSA_65, 1)).keyId, g1.keyId);
        const signature = await g1.sign(MESSAGE, CONTEXT);
        assert.ok(createNativeVerifier().verify(ML_DSA_65, g1.publicKey, MESSAGE, signature, CONTEXT));
        for (const bad of [-1, 1.5, 2 ** 32, Number.NaN]) {
          await expectKeyError(
            () => provider.open('batch-signing', ML_DSA_65, bad),
            'INVALID_INPUT',
            'generation',
          );
        }
      });
    });

    test('a witness-cosigning key is not the batch-signing key of the same algorithm and generation', async () => {
      await withProvider(async (provider) => {
        const batch = await provider.open('batch-signing', ML_DSA_44, 0);
        const witness = await provider.open('witness-cosigning', ML_DSA_44, 0);
        assert.notDeepEqual(witness.publicKey, batch.publicKey);
        const again = await provider.open('witness-cosigning', ML_DSA_44, 0);
        assert.deepEqual(again.publicKey, witness.publicKey);
        const message = new Uint8Array([1, 2, 3]);
        const signature = await witness.sign(message, new Uint8Array(0));
        assert.equal(signature.length, 2420);
      });
    });

    test('a plain Ed25519 witness key: stable per generation, not the Symbol account, signatures verify', async () => {
      await withProvider(async (provider) => {
        if (provider.openEd25519 === undefined) {
          // Only the remote signer lacks one: its protocol serves Ed25519 for the Symbol account alone.
          assert.equal(provider.kind, 'remote');
          return;
        }
        const a = await provider.openEd25519('witness-cosigning', 0);
        const again = await provider.openEd25519('witness-cosigning', 0);
        const next = await provider.openEd25519('witness-cosigning', 1);
        assert.deepEqual(again.publicKey, a.publicKey);
        assert.notDeepEqual(next.publicKey, a.publicKey);
        assert.notDeepEqual((await provider.openSymbolAccount()).publicKey, a.publicKey);
        const message = new TextEncoder().encode('cosignature/v1\ntime 1\n');
        const signature = await a.sign(message);
        const jwk = { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(a.publicKey).toString('base64url') };
        assert.ok(verify(null, message, createPublicKey({ key: jwk, format: 'jwk' }), signature));
        await expectKeyError(
          () => provider.openEd25519?.('tls' as never, 0) ?? Promise.resolve(),
          'UNSUPPORTED_PURPOSE',
          'purpose',
        );
      });
    });

    test('an unknown purpose is refused with UNSUPPORTED_PURPOSE', async () => {
      await withProvider(async (provider) => {
        await expectKeyError(
          () => provider.open('tls' as never, ML_DSA_65),
          'UNSUPPORTED_PURPOSE',
          'purpose',
        );
      });
    });

    test('an unsupported algorithm id is refused with UNSUPPORTED_ALGORITHM', async () => {
      await withProvider(async (provider) => {
        for (const id of [0x7777, 0, -1, 1.5]) {
          await expectKeyError(() => provider.open('batch-signing', id), 'UNSUPPORTED_ALGORITHM');
        }
      });
    });

    test('bad messages and contexts are refused with INVALID_INPUT naming the argument', async () => {
      await withProvider(async (provider) => {
        const key = await provider.open('batch-signing', ML_DSA_65);
        await expectKeyError(() => key.sign(new Uint8Array(0), CONTEXT), 'INVALID_INPUT', 'message');
        await expectKeyError(
          () => key.sign(new Uint8Array(1024 * 1024 + 1), CONTEXT),
          'INVALID_INPUT',
          'message',
        );
        await expectKeyError(() => key.sign('text' as never, CONTEXT), 'INVALID_INPUT', 'message');
        await expectKeyError(() => key.sign(MESSAGE, new Uint8Array(256)), 'INVALID_INPUT', 'context');
        await expectKeyError(() => key.sign(MESSAGE, 'ctx' as never), 'INVALID_INPUT', 'context');
        // Still usable after refusals.
        assert.ok((await key.sign(MESSAGE, CONTEXT)).length > 0);
      });
    });

    test('a 1 MiB message is signed', async () => {
      await withProvider(async (provider) => {
        const key = await provider.open('batch-signing', ML_DSA_44);
        const big = new Uint8Array(1024 * 1024).fill(0xab);
        const signature = await key.sign(big, CONTEXT);
        assert.ok(createNativeVerifier().verify(ML_DSA_44, key.publicKey, big, signature, CONTEXT));
      });
    });

    test('after close, sign and open fail with CLOSED; close is idempotent', async () => {
      const provider = await makeProvider();
      const key = await provider.open('batch-signing', ML_DSA_65);
      await provider.close();
      await expectKeyError(() => key.sign(MESSAGE, CONTEXT), 'CLOSED');
      await expectKeyError(() => provider.open('batch-signing', ML_DSA_65), 'CLOSED');
      await expectKeyError(() => provider.open('batch-signing', ML_DSA_87), 'CLOSED');
      await provider.close();
    });
  });
}
