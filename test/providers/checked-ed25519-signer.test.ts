// The Symbol-account signer wrapper never releases a signature that does not verify.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkedEd25519Signer } from '../../providers/checked-ed25519-signer.ts';
import { KeyError } from '../../providers/key-error.ts';
import { createMemoryEd25519Signer } from '../../src/anchor/memory-ed25519-signer.ts';

const payload = new TextEncoder().encode('payload');

test('a corrupted, short or foreign signature is refused with SELF_CHECK_FAILED; a throw is SIGN_FAILED', async () => {
  const real = createMemoryEd25519Signer();
  const other = createMemoryEd25519Signer();
  const corrupt = async (m: Uint8Array) => {
    const s = await real.sign(m);
    s[10] = (s[10] as number) ^ 1;
    return s;
  };
  const cases: Array<[string, (m: Uint8Array) => Promise<Uint8Array>, string]> = [
    ['a flipped bit', corrupt, 'SELF_CHECK_FAILED'],
    ['63 bytes', async (m) => (await real.sign(m)).slice(0, 63), 'SELF_CHECK_FAILED'],
    ['another key', (m) => other.sign(m), 'SELF_CHECK_FAILED'],
    [
      'a throw',
      async () => {
        throw new Error('device unplugged');
      },
      'SIGN_FAILED',
    ],
  ];
  for (const [name, sign, code] of cases) {
    const signer = checkedEd25519Signer({ publicKey: real.publicKey, sign }, () => false);
    await assert.rejects(
      signer.sign(payload),
      (e: unknown) => e instanceof KeyError && e.code === code,
      name,
    );
  }
  const ok = checkedEd25519Signer(real, () => false);
  assert.equal((await ok.sign(payload)).length, 64);
});
