// Symbol addresses and our embedded self-transfers, rebuilt without the SDK, against symbol-sdk: the address of
// any key on mainnet, testnet and a custom network, and every transfer the builder puts in an aggregate.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PublicKey } from 'symbol-sdk';
import { SymbolFacade } from 'symbol-sdk/symbol';
import { createMemoryEd25519Signer } from '../../src/anchor/memory-ed25519-signer.ts';
import { buildAnchorTransaction, signAnchorTransaction } from '../../src/anchor/transaction-builder.ts';
import { parseAggregate } from '../../src/proof/anchor/aggregate-layout.ts';
import { encodeAnchorRecord } from '../../src/proof/anchor/anchor-record.ts';
import {
  EMBEDDED_TRANSFER_FIXED_SIZE,
  encodeEmbeddedTransfer,
  encodeSelfTransfer,
  isSelfTransfer,
  parseEmbeddedTransfer,
} from '../../src/proof/anchor/embedded-transfer.ts';
import { chunkRecord } from '../../src/proof/anchor/record-chunks.ts';
import { ADDRESS_LENGTH, symbolAddress } from '../../src/proof/anchor/symbol-address.ts';
import { toHex } from '../../src/proof/encoding/bytes.ts';
import { createTestKey, digestsOf, sealBatch, seedOf } from '../bundle/fixture.ts';
import { createPrng } from '../merkle/prng.ts';

test('symbolAddress matches symbol-sdk on mainnet and testnet for 200 random keys', () => {
  const prng = createPrng(11);
  for (const name of ['mainnet', 'testnet'] as const) {
    const network = new SymbolFacade(name).network;
    for (let i = 0; i < 100; i++) {
      const key = prng.bytes(32);
      const sdk = network.publicKeyToAddress(new PublicKey(key)).bytes;
      const ours = symbolAddress(key, network.identifier);
      assert.equal(ours.length, ADDRESS_LENGTH);
      assert.deepEqual(ours, new Uint8Array(sdk), `${name} key ${i}`);
    }
  }
});

test('symbolAddress: the all-zero key on testnet (TAXQUTQQ…) and mainnet (NAXQUTQQ…); bad inputs throw RangeError', () => {
  const zero = new Uint8Array(32);
  // symbol-sdk 3.3.2: TAXQUTQQNS6JEJG7PLC6FRVJ2USS44GLMVULPGQ and NAXQUTQQNS6JEJG7PLC6FRVJ2USS44GLMUL5QKI, decoded.
  assert.equal(toHex(symbolAddress(zero, 0x98)), '982f0a4e106cbc9224df7ac5e2c6a9d5252e70cb6568b79a');
  assert.equal(toHex(symbolAddress(zero, 0x68)), '682f0a4e106cbc9224df7ac5e2c6a9d5252e70cb6517d829');
  assert.throws(() => symbolAddress(new Uint8Array(31), 0x98), RangeError);
  assert.throws(() => symbolAddress(zero, 256), RangeError);
  assert.throws(() => symbolAddress(zero, -1), RangeError);
});

test('encodeSelfTransfer rebuilds every transfer the builder puts in an aggregate, byte for byte', async () => {
  const signer = createMemoryEd25519Signer(new Uint8Array(32).fill(0x21));
  const key = createTestKey(seedOf(0x22), { impl: 'native' });
  const records = [0n, 1n].map((sequence) => {
    const s = sealBatch({ key, digests: digestsOf(2, `t${sequence}`), timeMs: 1_760_000_000_000n, sequence });
    return encodeAnchorRecord({ header: s.batch.header, signatures: s.batch.signatures });
  });
  for (const network of [
    'mainnet',
    'testnet',
    { identifier: 0x7b, generationHashSeed: seedOf(0x47) },
  ] as const) {
    const signed = await signAnchorTransaction(
      buildAnchorTransaction({
        network,
        signerPublicKey: signer.publicKey,
        records,
        aggregateVersion: 3,
        feeMultiplier: 100,
        deadline: 1_000n,
      }),
      signer,
    );
    const parsed = parseAggregate(signed.payload);
    if (!parsed.ok) throw new Error(parsed.reason);
    const tx = parsed.value;
    const messages = records.flatMap((r) => chunkRecord(r));
    assert.equal(tx.embedded.length, messages.length);
    for (const [i, m] of messages.entries()) {
      const rebuilt = encodeSelfTransfer(signer.publicKey, tx.network, m);
      assert.deepEqual(rebuilt, tx.embedded[i]?.bytes, `transfer ${i}`);
      assert.equal(rebuilt.length, EMBEDDED_TRANSFER_FIXED_SIZE + m.length);
      const back = parseEmbeddedTransfer(rebuilt);
      assert.ok(back.ok, back.ok ? '' : back.reason);
      assert.deepEqual(back.value.message, m);
      assert.ok(isSelfTransfer(back.value, signer.publicKey, tx.network));
      assert.ok(!isSelfTransfer(back.value, signer.publicKey, tx.network ^ 1));
    }
  }
});

test('parseEmbeddedTransfer refuses every malformed field, naming it, and never throws', () => {
  const prng = createPrng(12);
  const good = encodeEmbeddedTransfer({
    signerPublicKey: prng.bytes(32),
    network: 0x98,
    recipientAddress: prng.bytes(24),
    message: prng.bytes(40),
  });
  const change = (at: number, value: number): Uint8Array => {
    const b = good.slice();
    b[at] = value;
    return b;
  };
  const cases: Array<[Uint8Array, RegExp]> = [
    [good.subarray(0, 60), /size|needs/],
    [change(0, good.length + 1), /transfer size/],
    [change(5, 1), /transfer reserved/],
    [change(41, 1), /transfer reserved/],
    [change(44, 2), /transfer type/],
    [change(46, 0x55), /transfer type/],
    [change(74, 1), /mosaicsCount/],
    [change(77, 1), /transfer reserved/],
    [change(72, 41), /needs|trailing/],
  ];
  for (const [bytes, reason] of cases) {
    const r = parseEmbeddedTransfer(bytes);
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.reason, reason);
  }
  for (let i = 0; i < 2000; i++) {
    const bytes = good.slice(0, prng.below(good.length + 1));
    if (bytes.length > 0) bytes[prng.below(bytes.length)] = prng.below(256);
    assert.doesNotThrow(() => parseEmbeddedTransfer(bytes));
  }
  assert.equal(parseEmbeddedTransfer('not bytes' as unknown as Uint8Array).ok, false);
  assert.throws(
    () =>
      encodeEmbeddedTransfer({
        signerPublicKey: new Uint8Array(32),
        network: 1,
        recipientAddress: new Uint8Array(23),
        message: new Uint8Array(0),
      }),
    /recipientAddress/,
  );
});
