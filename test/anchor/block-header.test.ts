// Symbol block headers against symbol-sdk's own block models: layout, hash, harvester signature, hostile bytes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sha3_256 } from '@noble/hashes/sha3.js';
import { PrivateKey } from 'symbol-sdk';
import { models, SymbolFacade } from 'symbol-sdk/symbol';
import {
  type BlockHeaderFields,
  encodeBlockHeader,
  IMPORTANCE_BLOCK_HEADER_SIZE,
  NORMAL_BLOCK_HEADER_SIZE,
  parseBlockHeader,
  verifyBlockSignature,
} from '../../src/proof/anchor/block-header.ts';
import { createNobleEd25519Verifier } from '../../src/proof/anchor/noble-ed25519-verifier.ts';
import { concatBytes } from '../../src/proof/encoding/bytes.ts';
import { createPrng } from '../merkle/prng.ts';

const ed25519 = createNobleEd25519Verifier();
const harvester = new SymbolFacade.KeyPair(new PrivateKey('7B'.repeat(32)));

/** A block built and signed with the SDK; the signed range is catapult's (the padding/footer rule). */
function sdkBlock(kind: 'normal' | 'importance', random: (n: number) => Uint8Array) {
  const rand = (n: number) => new Uint8Array(random(n));
  const block = kind === 'normal' ? new models.NormalBlockV1() : new models.ImportanceBlockV1();
  block.signerPublicKey = new models.PublicKey(harvester.publicKey.bytes);
  block.network = new models.NetworkType(0x98);
  block.height = new models.Height(123_456n);
  block.timestamp = new models.Timestamp(98_765_432_100n);
  block.difficulty = new models.Difficulty(100_000_000_000_000n);
  block.generationHashProof = new models.VrfProof();
  block.generationHashProof.gamma = new models.ProofGamma(rand(32));
  block.generationHashProof.verificationHash = new models.ProofVerificationHash(rand(16));
  block.generationHashProof.scalar = new models.ProofScalar(rand(32));
  block.previousBlockHash = new models.Hash256(rand(32));
  block.transactionsHash = new models.Hash256(rand(32));
  block.receiptsHash = new models.Hash256(rand(32));
  block.stateHash = new models.Hash256(rand(32));
  block.beneficiaryAddress = new models.Address(rand(24));
  block.feeMultiplier = new models.BlockFeeMultiplier(123);
  if (block instanceof models.ImportanceBlockV1) {
    block.votingEligibleAccountsCount = 17;
    block.harvestingEligibleAccountsCount = 1234n;
    block.totalVotingBalance = new models.Amount(9_000_000n);
    block.previousImportanceBlockHash = new models.Hash256(rand(32));
  }
  const end = kind === 'normal' ? 372 : IMPORTANCE_BLOCK_HEADER_SIZE;
  const signature = harvester.sign(block.serialize().subarray(108, end));
  block.signature = new models.Signature(signature.bytes);
  const bytes = block.serialize();
  const hash = sha3_256(concatBytes(signature.bytes, harvester.publicKey.bytes, bytes.subarray(108, end)));
  return { block, bytes, hash };
}

for (const kind of ['normal', 'importance'] as const) {
  test(`${kind} block: parse gives the SDK's fields, hash and a verifying signature; encode gives its bytes`, () => {
    const prng = createPrng(kind === 'normal' ? 1 : 2);
    const { block, bytes, hash } = sdkBlock(kind, (n) => prng.bytes(n));
    const size = kind === 'normal' ? NORMAL_BLOCK_HEADER_SIZE : IMPORTANCE_BLOCK_HEADER_SIZE;
    assert.equal(bytes.length, size);
    const parsed = parseBlockHeader(bytes);
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.reason);
    const h = parsed.value;
    assert.equal(h.height, 123_456n);
    assert.equal(h.timestamp, 98_765_432_100n);
    assert.equal(h.feeMultiplier, 123);
    assert.equal(h.network, 0x98);
    assert.deepEqual(h.transactionsHash, block.transactionsHash.bytes);
    assert.deepEqual(h.beneficiaryAddress, block.beneficiaryAddress.bytes);
    assert.deepEqual(h.hash, hash);
    assert.equal(verifyBlockSignature(h, ed25519), true);
    assert.equal(h.importance !== undefined, kind === 'importance');
    const { signedData: _s, hash: _h, ...fields } = h;
    assert.deepEqual(encodeBlockHeader(fields as BlockHeaderFields), bytes);
  });
}

test('the padding of a normal block is not signed: the hash covers header[108..372) only', () => {
  const prng = createPrng(3);
  const { bytes } = sdkBlock('normal', (n) => prng.bytes(n));
  const parsed = parseBlockHeader(bytes);
  assert.ok(parsed.ok);
  assert.equal(parsed.value.signedData.length, 372 - 108);
});

test('every signed byte matters: a flip changes the hash or fails the signature, and never throws', () => {
  const prng = createPrng(4);
  const { bytes, hash } = sdkBlock('importance', (n) => prng.bytes(n));
  for (let i = 0; i < bytes.length; i++) {
    const copy = bytes.slice();
    copy[i] = (copy[i] as number) ^ 0x01;
    const parsed = parseBlockHeader(copy);
    if (!parsed.ok) continue; // a structural field (reserved, type, version) no longer parses
    const sameHash = Buffer.from(parsed.value.hash).equals(Buffer.from(hash));
    const signs = verifyBlockSignature(parsed.value, ed25519);
    if (i < 4) {
      // The size field is outside the signed range; it only has to stay at least the header's size.
      assert.equal(sameHash && signs, true, `byte ${i}`);
    } else {
      assert.equal(sameHash && signs, false, `byte ${i} flipped and still the same signed block`);
    }
  }
});

test('hostile bytes: wrong lengths, types, versions and reserved fields are refused with the field named', () => {
  const prng = createPrng(5);
  const { bytes } = sdkBlock('normal', (n) => prng.bytes(n));
  const cases: Array<[Uint8Array, RegExp]> = [
    [bytes.subarray(0, 200), /needs|bytes/],
    [concatBytes(bytes, new Uint8Array(8)), /376/],
    [
      (() => {
        const b = bytes.slice();
        b[111] = 0x80; // type 0x8043: nemesis
        return b;
      })(),
      /type/,
    ],
    [
      (() => {
        const b = bytes.slice();
        b[108] = 2;
        return b;
      })(),
      /version/,
    ],
    [
      (() => {
        const b = bytes.slice();
        b[5] = 1;
        return b;
      })(),
      /reserved/,
    ],
    [
      (() => {
        const b = bytes.slice();
        b[373] = 1;
        return b;
      })(),
      /padding/,
    ],
    [
      (() => {
        const b = bytes.slice();
        new DataView(b.buffer).setUint32(0, 10, true);
        return b;
      })(),
      /size/,
    ],
  ];
  for (const [input, reason] of cases) {
    const parsed = parseBlockHeader(input);
    assert.equal(parsed.ok, false);
    if (!parsed.ok) assert.match(parsed.reason, reason);
  }
  assert.equal(parseBlockHeader('x' as unknown as Uint8Array).ok, false);
  for (let i = 0; i < 2000; i++) parseBlockHeader(prng.bytes(prng.below(500)));
});

test('encode names the field that does not fit', () => {
  const prng = createPrng(6);
  const { bytes } = sdkBlock('normal', (n) => prng.bytes(n));
  const parsed = parseBlockHeader(bytes);
  assert.ok(parsed.ok);
  const { signedData: _s, hash: _h, ...fields } = parsed.value;
  assert.throws(
    () => encodeBlockHeader({ ...fields, transactionsHash: new Uint8Array(31) }),
    /transactionsHash/,
  );
  assert.throws(() => encodeBlockHeader({ ...fields, height: -1n }), /height/);
  assert.throws(
    () =>
      encodeBlockHeader({
        ...fields,
        importance: {
          votingEligibleAccountsCount: 1,
          harvestingEligibleAccountsCount: 1n,
          totalVotingBalance: 1n,
          previousImportanceBlockHash: new Uint8Array(32),
        },
      }),
    /importance/,
  );
});
