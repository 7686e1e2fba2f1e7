// The anchor aggregate builder against symbol-sdk: same signature as the SDK's own, valid hash, limits as AnchorError.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PrivateKey, Signature } from 'symbol-sdk';
import { SymbolFacade, SymbolTransactionFactory } from 'symbol-sdk/symbol';
import { createMemoryEd25519Signer } from '../../src/anchor/memory-ed25519-signer.ts';
import {
  attachSignature,
  buildAnchorTransaction,
  signAnchorTransaction,
} from '../../src/anchor/transaction-builder.ts';
import { AnchorError } from '../../src/proof/anchor/anchor-error.ts';
import { ML_DSA_65 } from '../../src/proof/crypto/algorithms.ts';
import { toHex } from '../../src/proof/encoding/bytes.ts';
import { recordFor } from './fixture.ts';

const seed = new Uint8Array(32).fill(0x2a);
const signer = createMemoryEd25519Signer(seed);
const sdkKey = new SymbolFacade.KeyPair(new PrivateKey(seed));
const base = {
  network: 'testnet' as const,
  signerPublicKey: signer.publicKey,
  records: [recordFor(ML_DSA_65, 1), recordFor(ML_DSA_65, 2, 1n)],
  feeMultiplier: 100,
  deadline: 123_456_789_000n,
};

test('the memory signer derives the same public key as symbol-sdk', () => {
  assert.equal(toHex(signer.publicKey), toHex(sdkKey.publicKey.bytes));
  assert.equal(createMemoryEd25519Signer().publicKey.length, 32);
});

for (const aggregateVersion of [2, 3] as const) {
  test(`v${aggregateVersion}: external signature equals facade.signTransaction and verifies`, async () => {
    const built = buildAnchorTransaction({ ...base, aggregateVersion });
    assert.equal(built.embeddedCount, 8);
    assert.equal(built.fee, BigInt(built.size) * 100n);
    assert.equal(built.transaction.fee.value, built.fee);
    assert.equal(built.transaction.version, aggregateVersion);
    assert.equal(built.signingPayload.length, 32 + (aggregateVersion === 3 ? 56 : 52));
    const sdkSig = built.facade.signTransaction(sdkKey, built.transaction);
    const ours = await signer.sign(built.signingPayload);
    assert.equal(toHex(ours), toHex(sdkSig.bytes));
    const signed = await signAnchorTransaction(built, signer);
    assert.equal(signed.payload.length, built.size);
    const parsed = SymbolTransactionFactory.deserialize(signed.payload);
    assert.ok(built.facade.verifyTransaction(parsed, new Signature(ours)));
    assert.equal(toHex(signed.hash), toHex(built.facade.hashTransaction(parsed).bytes));
    assert.deepEqual(signed.merkleComponentHash, signed.hash);
    assert.equal(signed.payloadHex, toHex(signed.payload).toUpperCase());
  });
}

test('embedded transfers are self-transfers without mosaics; sizes follow 80 + message padded to 8', () => {
  const built = buildAnchorTransaction({ ...base, records: [recordFor(ML_DSA_65, 1)], aggregateVersion: 3 });
  const facade = built.facade;
  const self = toHex(facade.network.publicKeyToAddress(sdkKey.publicKey).bytes);
  const tx = built.transaction as unknown as {
    transactions: { recipientAddress: { bytes: Uint8Array }; mosaics: unknown[]; message: Uint8Array }[];
  };
  let expected = 168;
  for (const e of tx.transactions) {
    assert.equal(toHex(e.recipientAddress.bytes), self);
    assert.equal(e.mosaics.length, 0);
    expected += Math.ceil((80 + e.message.length) / 8) * 8;
  }
  assert.equal(built.size, expected);
  assert.equal(built.size, 168 + 3 * 1104 + 600);
});

test('limits: more than 100 embedded transactions, bad arguments and bad signatures are AnchorErrors', () => {
  const many = Array.from({ length: 26 }, (_, i) => recordFor(ML_DSA_65, i + 1, BigInt(i)));
  assert.throws(
    () => buildAnchorTransaction({ ...base, records: many, aggregateVersion: 3 }),
    (e: unknown) => e instanceof AnchorError && e.code === 'TOO_MANY_TRANSACTIONS',
  );
  assert.doesNotThrow(() =>
    buildAnchorTransaction({ ...base, records: many.slice(0, 25), aggregateVersion: 3 }),
  );
  const bad: [Partial<Parameters<typeof buildAnchorTransaction>[0]>, string][] = [
    [{ signerPublicKey: new Uint8Array(31) }, 'signerPublicKey'],
    [{ feeMultiplier: -1 }, 'feeMultiplier'],
    [{ feeMultiplier: 1.5 }, 'feeMultiplier'],
    [{ deadline: 0n }, 'deadline'],
    [{ records: [] }, 'records'],
  ];
  for (const [patch, field] of bad) {
    assert.throws(
      () => buildAnchorTransaction({ ...base, aggregateVersion: 3, ...patch }),
      (e: unknown) => e instanceof AnchorError && e.field === field,
      field,
    );
  }
  const built = buildAnchorTransaction({ ...base, aggregateVersion: 3 });
  assert.throws(
    () => attachSignature(built, new Uint8Array(64)),
    (e: unknown) => e instanceof AnchorError && e.code === 'SIGNER_FAILED',
  );
  assert.rejects(
    signAnchorTransaction(built, createMemoryEd25519Signer()),
    (e: unknown) => e instanceof AnchorError && e.code === 'SIGNER_FAILED',
  );
});

test('a custom network uses its own generation hash seed and identifier', async () => {
  const generationHashSeed = new Uint8Array(32).fill(0x33);
  const built = buildAnchorTransaction({
    ...base,
    network: { identifier: 0x98, generationHashSeed },
    aggregateVersion: 3,
  });
  assert.deepEqual(built.signingPayload.subarray(0, 32), generationHashSeed);
  const signed = await signAnchorTransaction(built, signer);
  assert.equal(signed.hash.length, 32);
});
