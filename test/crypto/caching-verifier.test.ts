// The verifier caches: remembered verifications and imported keys never let a different input pass, and stay bounded.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { nativeSha256 } from '../../src/crypto/native-sha256.ts';
import { createNativeVerifier } from '../../src/crypto/native-verifier.ts';
import { ML_DSA_44, ML_DSA_65 } from '../../src/proof/crypto/algorithms.ts';
import {
  createCachingVerifier,
  MAX_REMEMBERED_INPUT_BYTES,
} from '../../src/proof/crypto/caching-verifier.ts';
import { KEY_STATEMENT_CONTEXT } from '../../src/proof/crypto/contexts.ts';
import type { SignatureVerifier } from '../../src/proof/crypto/signature-verifier.ts';
import { createTestKey, seedOf } from '../bundle/fixture.ts';

const key = createTestKey(seedOf(0x31), { impl: 'native' });
const other = createTestKey(seedOf(0x32), { impl: 'native' });
const message = new TextEncoder().encode('key statement');
const signature = key.sign(message, KEY_STATEMENT_CONTEXT);

/** The native verifier, counting the calls that reach it. */
function counted(): SignatureVerifier & { calls: number } {
  const inner = createNativeVerifier();
  const v = {
    name: inner.name,
    calls: 0,
    verify: (...args: Parameters<SignatureVerifier['verify']>) => {
      v.calls++;
      return inner.verify(...args);
    },
  };
  return v;
}

function flipped(bytes: Uint8Array, at: number): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[at] = (out[at] as number) ^ 0x01;
  return out;
}

describe('a caching verifier', () => {
  test('checks an input that verified once without asking the inner verifier again', () => {
    const inner = counted();
    const v = createCachingVerifier(inner, { sha256: nativeSha256 });
    assert.equal(v.name, inner.name);
    for (let i = 0; i < 5; i++) {
      assert.equal(v.verify(ML_DSA_65, key.publicKey, message, signature, KEY_STATEMENT_CONTEXT), true);
    }
    assert.equal(inner.calls, 1);
    assert.equal(v.cachedVerifications(), 1);
  });

  test('never lets another input pass after a valid one was remembered', () => {
    const inner = counted();
    const v = createCachingVerifier(inner, { sha256: nativeSha256 });
    assert.equal(v.verify(ML_DSA_65, key.publicKey, message, signature, KEY_STATEMENT_CONTEXT), true);
    const cases: [string, Parameters<SignatureVerifier['verify']>][] = [
      [
        'flipped signature',
        [ML_DSA_65, key.publicKey, message, flipped(signature, 100), KEY_STATEMENT_CONTEXT],
      ],
      [
        'last signature byte',
        [ML_DSA_65, key.publicKey, message, flipped(signature, 3308), KEY_STATEMENT_CONTEXT],
      ],
      ['other public key', [ML_DSA_65, other.publicKey, message, signature, KEY_STATEMENT_CONTEXT]],
      ['flipped message', [ML_DSA_65, key.publicKey, flipped(message, 0), signature, KEY_STATEMENT_CONTEXT]],
      ['other context', [ML_DSA_65, key.publicKey, message, signature, new TextEncoder().encode('x')]],
      ['other algorithm', [ML_DSA_44, key.publicKey, message, signature, KEY_STATEMENT_CONTEXT]],
      // The same bytes split differently between message and context must not share an entry.
      ['moved boundary', [ML_DSA_65, key.publicKey, message.subarray(1), signature, KEY_STATEMENT_CONTEXT]],
    ];
    for (const [what, args] of cases) {
      assert.equal(v.verify(...args), false, what);
      assert.equal(v.verify(...args), false, `${what}, again (failures are not remembered)`);
    }
    assert.equal(inner.calls, 1 + 2 * cases.length, 'every different input reached the inner verifier');
    assert.equal(v.cachedVerifications(), 1);
  });

  test('compares the complete input on a hit: even a SHA-256 collision cannot make a different input pass', () => {
    const inner = counted();
    const colliding = () => new Uint8Array(32); // every input gets the same name
    const v = createCachingVerifier(inner, { sha256: colliding });
    assert.equal(v.verify(ML_DSA_65, key.publicKey, message, signature, KEY_STATEMENT_CONTEXT), true);
    assert.equal(
      v.verify(ML_DSA_65, key.publicKey, message, flipped(signature, 7), KEY_STATEMENT_CONTEXT),
      false,
    );
    assert.equal(v.verify(ML_DSA_65, other.publicKey, message, signature, KEY_STATEMENT_CONTEXT), false);
    assert.equal(inner.calls, 3);
  });

  test('keeps its own copy: changing the caller bytes after a success does not make them pass', () => {
    const inner = counted();
    const v = createCachingVerifier(inner, { sha256: nativeSha256 });
    const sig = Uint8Array.from(signature);
    assert.equal(v.verify(ML_DSA_65, key.publicKey, message, sig, KEY_STATEMENT_CONTEXT), true);
    sig[0] = (sig[0] as number) ^ 0xff;
    assert.equal(v.verify(ML_DSA_65, key.publicKey, message, sig, KEY_STATEMENT_CONTEXT), false);
  });

  test('holds at most its capacity, dropping the least recently used', () => {
    const inner = counted();
    const v = createCachingVerifier(inner, { sha256: nativeSha256, capacity: 2 });
    const messages = Array.from({ length: 5 }, (_, i) => new TextEncoder().encode(`statement ${i}`));
    const signatures = messages.map((m) => key.sign(m, KEY_STATEMENT_CONTEXT));
    const check = (i: number) =>
      v.verify(
        ML_DSA_65,
        key.publicKey,
        messages[i] as Uint8Array,
        signatures[i] as Uint8Array,
        KEY_STATEMENT_CONTEXT,
      );
    for (let i = 0; i < 5; i++) assert.equal(check(i), true);
    assert.equal(v.cachedVerifications(), 2);
    assert.equal(inner.calls, 5);
    assert.equal(check(4), true); // remembered
    assert.equal(check(0), true); // dropped: verified again
    assert.equal(inner.calls, 6);
    assert.equal(v.cachedVerifications(), 2);
  });

  test('does not remember inputs larger than MAX_REMEMBERED_INPUT_BYTES', () => {
    const inner = counted();
    const v = createCachingVerifier(inner, { sha256: nativeSha256 });
    const big = new Uint8Array(MAX_REMEMBERED_INPUT_BYTES).fill(7);
    const sig = key.sign(big, KEY_STATEMENT_CONTEXT);
    for (let i = 0; i < 2; i++)
      assert.equal(v.verify(ML_DSA_65, key.publicKey, big, sig, KEY_STATEMENT_CONTEXT), true);
    assert.equal(inner.calls, 2);
    assert.equal(v.cachedVerifications(), 0);
  });

  test('passes input no verifier accepts to the inner verifier, which refuses it', () => {
    const v = createCachingVerifier(createNativeVerifier(), { sha256: nativeSha256 });
    assert.equal(v.verify(-1, key.publicKey, message, signature, KEY_STATEMENT_CONTEXT), false);
    assert.equal(v.verify(ML_DSA_65, 'x' as never, message, signature, KEY_STATEMENT_CONTEXT), false);
    assert.equal(v.cachedVerifications(), 0);
  });
});

describe('the native verifier key cache', () => {
  test('keeps at most keyCacheSize imported keys and still verifies evicted ones', () => {
    const v = createNativeVerifier({ keyCacheSize: 2 });
    const keys = [0x41, 0x42, 0x43].map((b) => createTestKey(seedOf(b), { impl: 'native' }));
    for (let round = 0; round < 2; round++) {
      for (const k of keys) {
        const sig = k.sign(message, KEY_STATEMENT_CONTEXT);
        assert.equal(v.verify(ML_DSA_65, k.publicKey, message, sig, KEY_STATEMENT_CONTEXT), true);
        // The cached key of another public key never verifies this key's signature.
        assert.equal(v.verify(ML_DSA_65, key.publicKey, message, sig, KEY_STATEMENT_CONTEXT), false);
      }
      assert.equal(v.cachedKeys(), 2);
    }
  });

  test('imports nothing for a key of the wrong length', () => {
    const v = createNativeVerifier();
    const short = key.publicKey.subarray(1);
    assert.equal(v.verify(ML_DSA_65, short, message, signature, KEY_STATEMENT_CONTEXT), false);
    assert.equal(v.cachedKeys(), 0);
    assert.equal(v.verify(ML_DSA_65, key.publicKey, message, signature, KEY_STATEMENT_CONTEXT), true);
    assert.equal(v.cachedKeys(), 1);
  });
});
