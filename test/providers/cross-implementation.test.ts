// Native (OpenSSL) and portable (@noble) ML-DSA keys agree: same key from the same seed, each verifies the other (SPEC §8).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CheckedSigningKey } from '../../providers/checked-signing-key.ts';
import { KeyError } from '../../providers/key-error.ts';
import { createNativeMlDsaKey } from '../../providers/ml-dsa/native-ml-dsa-key.ts';
import { createNobleMlDsaKey } from '../../providers/ml-dsa/noble-ml-dsa-key.ts';
import { algorithmById, ML_DSA_44, ML_DSA_65, ML_DSA_87 } from '../../src/crypto/algorithms.ts';
import { createNativeVerifier } from '../../src/crypto/native-verifier.ts';
import { createNobleVerifier } from '../../src/crypto/noble-verifier.ts';

const CONTEXT = new TextEncoder().encode('spark/test/cross');
const MESSAGE = new TextEncoder().encode('a batch header');

function seedFor(algorithmId: number): Uint8Array {
  return Uint8Array.from({ length: 32 }, (_, i) => (i * 7 + algorithmId) & 0xff);
}

describe('native and noble ML-DSA keys', () => {
  for (const algorithmId of [ML_DSA_44, ML_DSA_65, ML_DSA_87]) {
    const name = algorithmById(algorithmId)?.name ?? String(algorithmId);

    test(`${name}: the same seed gives the same public key, and each verifies the other`, async () => {
      const native = createNativeMlDsaKey(algorithmId, seedFor(algorithmId));
      const noble = createNobleMlDsaKey(algorithmId, seedFor(algorithmId));
      try {
        assert.deepEqual(native.publicKey, noble.publicKey);
        assert.deepEqual(native.keyId, noble.keyId);
        const byNative = await native.sign(MESSAGE, CONTEXT);
        const byNoble = await noble.sign(MESSAGE, CONTEXT);
        assert.ok(createNobleVerifier().verify(algorithmId, noble.publicKey, MESSAGE, byNative, CONTEXT));
        assert.ok(createNativeVerifier().verify(algorithmId, native.publicKey, MESSAGE, byNoble, CONTEXT));
      } finally {
        native.close();
        noble.close();
      }
    });
  }

  test('different seeds give different keys', () => {
    const a = createNobleMlDsaKey(ML_DSA_65, seedFor(1));
    const b = createNobleMlDsaKey(ML_DSA_65, seedFor(2));
    assert.notDeepEqual(a.publicKey, b.publicKey);
  });

  test('the factories do not alter the seed and refuse a seed of the wrong length', () => {
    for (const create of [createNativeMlDsaKey, createNobleMlDsaKey]) {
      const seed = seedFor(9);
      create(ML_DSA_65, seed).close();
      assert.deepEqual(seed, seedFor(9));
      for (const bad of [new Uint8Array(31), new Uint8Array(33)]) {
        assert.throws(
          () => create(ML_DSA_65, bad),
          (err) => err instanceof KeyError && err.code === 'INVALID_INPUT' && err.field === 'seed',
        );
      }
      assert.throws(
        () => create(0x7777, seedFor(9)),
        (err) => err instanceof KeyError && err.code === 'UNSUPPORTED_ALGORITHM',
      );
    }
  });
});

/** A key whose implementer misbehaves in a chosen way, around an honest inner key. */
class FaultyKey extends CheckedSigningKey {
  readonly #inner: CheckedSigningKey;
  readonly #fault: (signature: Uint8Array) => Promise<Uint8Array>;
  closedCalls = 0;

  constructor(inner: CheckedSigningKey, fault: (signature: Uint8Array) => Promise<Uint8Array>) {
    super(inner.algorithmId, inner.publicKey);
    this.#inner = inner;
    this.#fault = fault;
  }

  protected async _onSign(message: Uint8Array, context: Uint8Array): Promise<Uint8Array> {
    return this.#fault(await this.#inner.sign(message, context));
  }

  protected _onClose(): void {
    this.closedCalls++;
  }
}

describe('checked signing key', () => {
  const inner = createNobleMlDsaKey(ML_DSA_44, seedFor(3));

  async function expectCode(key: CheckedSigningKey, code: string): Promise<KeyError> {
    let caught: unknown;
    await assert.rejects(key.sign(MESSAGE, CONTEXT), (err) => {
      caught = err;
      return err instanceof KeyError && err.code === code;
    });
    return caught as KeyError;
  }

  test('a bit-flipped signature is caught by the self-check', async () => {
    const key = new FaultyKey(inner, async (s) => {
      const out = Uint8Array.from(s);
      out[100] = (out[100] ?? 0) ^ 0x01;
      return out;
    });
    const err = await expectCode(key, 'SELF_CHECK_FAILED');
    assert.equal(err.field, 'signature');
  });

  test('a valid signature over another message is caught by the self-check', async () => {
    const key = new FaultyKey(inner, () => inner.sign(new Uint8Array([1, 2, 3]), CONTEXT));
    await expectCode(key, 'SELF_CHECK_FAILED');
  });

  test('a signature of the wrong length is caught', async () => {
    const key = new FaultyKey(inner, async (s) => s.subarray(0, s.length - 1));
    await expectCode(key, 'SELF_CHECK_FAILED');
  });

  test('an implementer failure becomes SIGN_FAILED with its cause', async () => {
    const boom = new Error('device unplugged');
    const key = new FaultyKey(inner, async () => {
      throw boom;
    });
    const err = await expectCode(key, 'SIGN_FAILED');
    assert.equal(err.cause, boom);
  });

  test('an honest implementer passes, and close runs the hook once', async () => {
    const key = new FaultyKey(inner, async (s) => s);
    const signature = await key.sign(MESSAGE, CONTEXT);
    assert.ok(createNativeVerifier().verify(ML_DSA_44, key.publicKey, MESSAGE, signature, CONTEXT));
    key.close();
    key.close();
    assert.equal(key.closedCalls, 1);
    assert.equal(key.closed, true);
    await expectCode(key, 'CLOSED');
  });

  test('the message is snapshotted: mutating it during an asynchronous sign does not break the check', async () => {
    const message = Uint8Array.from(MESSAGE);
    const key = new FaultyKey(inner, async (s) => s);
    const pending = key.sign(message, CONTEXT);
    message.fill(0);
    const signature = await pending;
    assert.ok(createNobleVerifier().verify(ML_DSA_44, key.publicKey, MESSAGE, signature, CONTEXT));
  });

  test('an unknown algorithm or a public key of the wrong length is refused at construction', () => {
    assert.throws(
      () => new FaultyKey({ algorithmId: 0x7777, publicKey: inner.publicKey } as never, async (s) => s),
      (err) => err instanceof KeyError && err.code === 'UNSUPPORTED_ALGORITHM',
    );
    assert.throws(
      () => new FaultyKey({ algorithmId: ML_DSA_65, publicKey: inner.publicKey } as never, async (s) => s),
      (err) => err instanceof KeyError && err.code === 'SELF_CHECK_FAILED' && err.field === 'publicKey',
    );
  });
});
