// Native (OpenSSL) and portable (@noble) keys agree for every algorithm: same key from the same seeds, each
// verifies the other (SPEC §8); hybrids need both components and resist stripping.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { ed25519 } from '@noble/curves/ed25519.js';
import { CheckedSigningKey } from '../../providers/checked-signing-key.ts';
import type { HybridKey } from '../../providers/hybrid/hybrid-key.ts';
import { createNativeHybridKey } from '../../providers/hybrid/native-hybrid-key.ts';
import { createNobleHybridKey } from '../../providers/hybrid/noble-hybrid-key.ts';
import { KeyError } from '../../providers/key-error.ts';
import { assertBuildable, createDerivedKey } from '../../providers/key-factory.ts';
import { createNativeMlDsaKey } from '../../providers/ml-dsa/native-ml-dsa-key.ts';
import { createNobleMlDsaKey } from '../../providers/ml-dsa/noble-ml-dsa-key.ts';
import { keySeedLabel, memorySeedSource } from '../../providers/seed-source.ts';
import { createNativeSlhDsaKey } from '../../providers/slh-dsa/native-slh-dsa-key.ts';
import { createNobleSlhDsaKey } from '../../providers/slh-dsa/noble-slh-dsa-key.ts';
import { SLH_DSA_SEED_LENGTH } from '../../providers/slh-dsa/slh-dsa-algorithm.ts';
import { createNativeVerifier } from '../../src/crypto/native-verifier.ts';
import {
  algorithmById,
  allAlgorithms,
  ML_DSA_44,
  ML_DSA_65,
  ML_DSA_65_ED25519,
  ML_DSA_65_SLH_DSA_SHA2_128S,
  ML_DSA_87,
  SLH_DSA_SHA2_128F,
  SLH_DSA_SHA2_128S,
} from '../../src/proof/crypto/algorithms.ts';
import { createNobleVerifier } from '../../src/proof/crypto/noble-verifier.ts';

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

/** `length` fixed bytes distinct per `tag`. */
function bytesFor(length: number, tag: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 13 + tag * 29 + 1) & 0xff);
}

/** Both verifiers' verdicts on one signature. */
function verdicts(
  algorithmId: number,
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
  context: Uint8Array,
): boolean[] {
  return [createNativeVerifier(), createNobleVerifier()].map((v) =>
    v.verify(algorithmId, publicKey, message, signature, context),
  );
}

/** A copy of `bytes` with the low bit of byte `i` flipped. */
function flipped(bytes: Uint8Array, i: number): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[i] = (out[i] ?? 0) ^ 1;
  return out;
}

function isKeyError(code: string, field?: string): (err: unknown) => boolean {
  return (err) =>
    err instanceof KeyError && err.code === code && (field === undefined || err.field === field);
}

describe('native and noble SLH-DSA keys', () => {
  for (const algorithmId of [SLH_DSA_SHA2_128S, SLH_DSA_SHA2_128F]) {
    const spec = algorithmById(algorithmId);
    assert.ok(spec !== undefined);

    test(`${spec.name}: the same 48-byte seed gives the same public key, and each verifies the other`, async () => {
      const seed = bytesFor(SLH_DSA_SEED_LENGTH, algorithmId);
      const native = createNativeSlhDsaKey(algorithmId, seed);
      const noble = createNobleSlhDsaKey(algorithmId, seed);
      try {
        assert.deepEqual(seed, bytesFor(SLH_DSA_SEED_LENGTH, algorithmId), 'the seed is left as it was');
        assert.equal(native.publicKey.length, 32);
        assert.deepEqual(native.publicKey, noble.publicKey);
        const byNative = await native.sign(MESSAGE, CONTEXT);
        const byNoble = await noble.sign(MESSAGE, CONTEXT);
        for (const signature of [byNative, byNoble]) {
          assert.equal(signature.length, spec.signatureLength);
          assert.deepEqual(verdicts(algorithmId, native.publicKey, MESSAGE, signature, CONTEXT), [
            true,
            true,
          ]);
          assert.deepEqual(verdicts(algorithmId, native.publicKey, MESSAGE, signature, new Uint8Array(0)), [
            false,
            false,
          ]);
        }
      } finally {
        native.close();
        noble.close();
      }
    });
  }

  test('the factories refuse seeds of the wrong length and ids that are not SLH-DSA', () => {
    for (const create of [createNativeSlhDsaKey, createNobleSlhDsaKey]) {
      for (const bad of [new Uint8Array(32), new Uint8Array(47), new Uint8Array(49)]) {
        assert.throws(() => create(SLH_DSA_SHA2_128F, bad), isKeyError('INVALID_INPUT', 'seed'));
      }
      for (const id of [ML_DSA_65, ML_DSA_65_SLH_DSA_SHA2_128S, 0x0012]) {
        assert.throws(() => create(id, bytesFor(48, 1)), isKeyError('UNSUPPORTED_ALGORITHM'));
      }
    }
  });
});

describe('native and noble hybrid keys', () => {
  const HYBRIDS = [ML_DSA_65_ED25519, ML_DSA_65_SLH_DSA_SHA2_128S];
  /** One seed per component; the ML-DSA seed is shared by both hybrids (to show ids bind the parts). */
  const seedsFor = (id: number): Uint8Array[] =>
    id === ML_DSA_65_ED25519 ? [bytesFor(32, 1), bytesFor(32, 2)] : [bytesFor(32, 1), bytesFor(48, 3)];
  const keys = new Map<number, { native: HybridKey; noble: HybridKey }>();
  const keysOf = (id: number) => {
    let pair = keys.get(id);
    if (pair === undefined) {
      pair = {
        native: createNativeHybridKey(id, seedsFor(id)),
        noble: createNobleHybridKey(id, seedsFor(id)),
      };
      keys.set(id, pair);
    }
    return pair;
  };
  after(() => {
    for (const { native, noble } of keys.values()) {
      native.close();
      noble.close();
    }
  });
  /** The hybrid message M', written out here byte by byte (docs/proof-format.md §7.1). */
  const hybridMessageFor = (id: number, context: Uint8Array, message: Uint8Array): Uint8Array =>
    Uint8Array.from([
      ...new TextEncoder().encode('spark/v1/hybrid'),
      id >> 8,
      id & 0xff,
      context.length,
      ...context,
      ...message,
    ]);

  for (const id of HYBRIDS) {
    const spec = algorithmById(id);
    assert.ok(spec !== undefined);
    const [first, second] = spec.components;
    assert.ok(first !== undefined && second !== undefined);

    test(`${spec.name}: the same seeds give the same public key (the components' keys concatenated), and each verifies the other`, async () => {
      const { native, noble } = keysOf(id);
      assert.deepEqual(native.publicKey, noble.publicKey);
      assert.equal(native.publicKey.length, spec.publicKeyLength);
      const [mlSeed, otherSeed] = seedsFor(id) as [Uint8Array, Uint8Array];
      const mlDsa = createNativeMlDsaKey(ML_DSA_65, mlSeed);
      const otherKey =
        second.family === 'ed25519'
          ? ed25519.getPublicKey(otherSeed)
          : createNativeSlhDsaKey(SLH_DSA_SHA2_128S, otherSeed).publicKey;
      assert.deepEqual(native.publicKey, Uint8Array.from([...mlDsa.publicKey, ...otherKey]));
      mlDsa.close();
      for (const signer of [native, noble]) {
        const signature = await signer.sign(MESSAGE, CONTEXT);
        assert.equal(signature.length, spec.signatureLength);
        assert.deepEqual(verdicts(id, native.publicKey, MESSAGE, signature, CONTEXT), [true, true]);
        assert.deepEqual(verdicts(id, native.publicKey, MESSAGE, signature, new Uint8Array(0)), [
          false,
          false,
        ]);
        assert.deepEqual(verdicts(id, native.publicKey, MESSAGE, flipped(signature, 0), CONTEXT), [
          false,
          false,
        ]);
      }
    });

    test(`${spec.name}: each component signs M' = "spark/v1/hybrid" ‖ u16be(id) ‖ u8(len ctx) ‖ ctx ‖ message, and neither verifies as a plain signature`, async () => {
      const { native } = keysOf(id);
      const signature = await native.sign(MESSAGE, CONTEXT);
      const mlPart = signature.subarray(0, first.signatureLength);
      const otherPart = signature.subarray(first.signatureLength);
      const mlKey = native.publicKey.subarray(0, first.publicKeyLength);
      const otherKey = native.publicKey.subarray(first.publicKeyLength);
      const signed = hybridMessageFor(id, CONTEXT, MESSAGE);
      // The ML-DSA part is ML-DSA-65 over M' with the FIPS 204 context.
      assert.deepEqual(verdicts(ML_DSA_65, mlKey, signed, mlPart, CONTEXT), [true, true]);
      assert.deepEqual(verdicts(ML_DSA_65, mlKey, MESSAGE, mlPart, CONTEXT), [false, false], 'not over M');
      if (second.family === 'ed25519') {
        // Pure RFC 8032 over M' (no context).
        assert.equal(ed25519.verify(otherPart, signed, otherKey, { zip215: false }), true);
        assert.equal(ed25519.verify(otherPart, MESSAGE, otherKey, { zip215: false }), false);
      } else {
        assert.deepEqual(verdicts(SLH_DSA_SHA2_128S, otherKey, signed, otherPart, CONTEXT), [true, true]);
        assert.deepEqual(verdicts(SLH_DSA_SHA2_128S, otherKey, MESSAGE, otherPart, CONTEXT), [false, false]);
      }
    });

    test(`${spec.name}: a signature with either component corrupted fails`, async () => {
      const { native } = keysOf(id);
      const signature = await native.sign(MESSAGE, CONTEXT);
      const inFirst = 7;
      const inSecond = first.signatureLength + 7;
      for (const at of [inFirst, inSecond, signature.length - 1]) {
        assert.deepEqual(
          verdicts(id, native.publicKey, MESSAGE, flipped(signature, at), CONTEXT),
          [false, false],
          `byte ${at}`,
        );
      }
      // A corrupted public key part fails too.
      for (const at of [3, first.publicKeyLength + 3]) {
        assert.deepEqual(verdicts(id, flipped(native.publicKey, at), MESSAGE, signature, CONTEXT), [
          false,
          false,
        ]);
      }
      for (const bad of [signature.subarray(1), new Uint8Array(signature.length + 1)]) {
        assert.deepEqual(verdicts(id, native.publicKey, MESSAGE, bad, CONTEXT), [false, false]);
      }
    });

    test(`${spec.name}: a plain ML-DSA-65 signature does not verify as the hybrid's ML-DSA part (stripping)`, async () => {
      const { native } = keysOf(id);
      const signature = await native.sign(MESSAGE, CONTEXT);
      const [mlSeed] = seedsFor(id) as [Uint8Array];
      const plain = createNativeMlDsaKey(ML_DSA_65, mlSeed);
      try {
        const plainSignature = await plain.sign(MESSAGE, CONTEXT);
        assert.deepEqual(verdicts(ML_DSA_65, plain.publicKey, MESSAGE, plainSignature, CONTEXT), [
          true,
          true,
        ]);
        const spliced = Uint8Array.from(signature);
        spliced.set(plainSignature, 0);
        assert.deepEqual(verdicts(id, native.publicKey, MESSAGE, spliced, CONTEXT), [false, false]);
      } finally {
        plain.close();
      }
    });
  }

  test("a component signature moved to another hybrid id fails: M' binds the id", async () => {
    const from = keysOf(ML_DSA_65_ED25519).native;
    const to = keysOf(ML_DSA_65_SLH_DSA_SHA2_128S).native;
    // Both hybrids' ML-DSA parts come from the same seed: same ML-DSA key, different hybrid ids.
    assert.deepEqual(from.publicKey.subarray(0, 1952), to.publicKey.subarray(0, 1952));
    const source = await from.sign(MESSAGE, CONTEXT);
    const target = await to.sign(MESSAGE, CONTEXT);
    assert.deepEqual(verdicts(ML_DSA_65_SLH_DSA_SHA2_128S, to.publicKey, MESSAGE, target, CONTEXT), [
      true,
      true,
    ]);
    const moved = Uint8Array.from(target);
    moved.set(source.subarray(0, 3309), 0);
    assert.deepEqual(verdicts(ML_DSA_65_SLH_DSA_SHA2_128S, to.publicKey, MESSAGE, moved, CONTEXT), [
      false,
      false,
    ]);
  });

  test('empty and 255-byte contexts sign and verify; a 256-byte context is refused', async () => {
    const { native, noble } = keysOf(ML_DSA_65_ED25519);
    for (const context of [new Uint8Array(0), new Uint8Array(255).fill(9)]) {
      for (const signer of [native, noble]) {
        const signature = await signer.sign(MESSAGE, context);
        assert.deepEqual(verdicts(ML_DSA_65_ED25519, native.publicKey, MESSAGE, signature, context), [
          true,
          true,
        ]);
      }
    }
    await assert.rejects(native.sign(MESSAGE, new Uint8Array(256)), isKeyError('INVALID_INPUT', 'context'));
    const signature = await native.sign(MESSAGE, new Uint8Array(255));
    assert.deepEqual(verdicts(ML_DSA_65_ED25519, native.publicKey, MESSAGE, signature, new Uint8Array(256)), [
      false,
      false,
    ]);
  });

  test('the factories refuse seeds of the wrong number or length, and ids that are not hybrids; close wipes', async () => {
    for (const create of [createNativeHybridKey, createNobleHybridKey]) {
      const seeds = seedsFor(ML_DSA_65_ED25519);
      create(ML_DSA_65_ED25519, seeds).close();
      assert.deepEqual(seeds, seedsFor(ML_DSA_65_ED25519), 'the seeds are left as they were');
      for (const bad of [
        [bytesFor(32, 1)],
        [bytesFor(32, 1), bytesFor(31, 2)],
        [bytesFor(32, 1), bytesFor(48, 2)],
      ]) {
        assert.throws(() => create(ML_DSA_65_ED25519, bad), isKeyError('INVALID_INPUT', 'seed'));
      }
      assert.throws(() => create(ML_DSA_65_SLH_DSA_SHA2_128S, seeds), isKeyError('INVALID_INPUT', 'seed'));
      for (const id of [ML_DSA_65, SLH_DSA_SHA2_128S, 0x0103]) {
        assert.throws(() => create(id, seeds), isKeyError('UNSUPPORTED_ALGORITHM'));
      }
      const key = create(ML_DSA_65_ED25519, seeds);
      key.close();
      await assert.rejects(key.sign(MESSAGE, CONTEXT), isKeyError('CLOSED'));
    }
  });
});

describe('derived keys (key factory)', () => {
  const root = bytesFor(32, 77);

  test('for every algorithm, native and noble derive the same public key from the same root', () => {
    for (const spec of allAlgorithms()) {
      const native = memorySeedSource(root);
      const noble = memorySeedSource(root);
      const request = { purpose: 'batch-signing' as const, algorithmId: spec.id, generation: 3 };
      const a = createDerivedKey(native.source, { ...request, implementation: 'native' }, {});
      const b = createDerivedKey(noble.source, { ...request, implementation: 'noble' }, {});
      assert.equal(a.algorithmId, spec.id);
      assert.equal(a.publicKey.length, spec.publicKeyLength);
      assert.deepEqual(a.publicKey, b.publicKey, spec.name);
      a.close();
      b.close();
      native.wipe();
      noble.wipe();
    }
  });

  test("a hybrid's component seeds are labelled with the hybrid id, generation and component name", () => {
    const seeds = memorySeedSource(root);
    const label = (component: string) => keySeedLabel('batch-signing', ML_DSA_65_ED25519, 0, component);
    assert.equal(
      new TextDecoder().decode(label('ed25519')),
      'spark/v1/key-seed/batch-signing/0101/0/ed25519',
    );
    const hybridKey = createDerivedKey(
      seeds.source,
      { purpose: 'batch-signing', algorithmId: ML_DSA_65_ED25519, generation: 0, implementation: 'native' },
      {},
    );
    const mlDsa = createNativeMlDsaKey(ML_DSA_65, seeds.source(label('ml-dsa'), 32));
    const edKey = ed25519.getPublicKey(seeds.source(label('ed25519'), 32));
    assert.deepEqual(hybridKey.publicKey, Uint8Array.from([...mlDsa.publicKey, ...edKey]));
    const plain = createDerivedKey(
      seeds.source,
      { purpose: 'batch-signing', algorithmId: ML_DSA_65, generation: 0, implementation: 'native' },
      {},
    );
    assert.notDeepEqual(plain.publicKey, mlDsa.publicKey, 'the plain ML-DSA-65 key is another key');
    for (const k of [hybridKey, mlDsa, plain]) k.close();
    seeds.wipe();
  });

  test('assertBuildable names unknown ids and returns the spec of known ones', () => {
    for (const spec of allAlgorithms()) assert.equal(assertBuildable(spec.id), spec);
    for (const id of [0x7777, 0x0004, 0x0012, 0x0100, 0x0103, 0, -1, 1.5]) {
      assert.throws(() => assertBuildable(id), isKeyError('UNSUPPORTED_ALGORITHM', 'algorithmId'));
    }
  });
});
