// The offline anchor verifier against symbol-sdk: hashes, Merkle roots and paths, signatures, records, hostile bytes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sha3_256 } from '@noble/hashes/sha3.js';
import { Hash256, PrivateKey } from 'symbol-sdk';
import { models, proveMerkle, SymbolFacade, SymbolTransactionFactory } from 'symbol-sdk/symbol';
import { createMemoryEd25519Signer } from '../../src/anchor/memory-ed25519-signer.ts';
import { buildAnchorTransaction, signAnchorTransaction } from '../../src/anchor/transaction-builder.ts';
import { createNativeVerifier } from '../../src/crypto/native-verifier.ts';
import { parseAggregate } from '../../src/proof/anchor/aggregate-layout.ts';
import { encodeAnchorRecord } from '../../src/proof/anchor/anchor-record.ts';
import { encodeKeyMetadata, encodePublicKeyRecord } from '../../src/proof/anchor/key-history-record.ts';
import { createNobleEd25519Verifier } from '../../src/proof/anchor/noble-ed25519-verifier.ts';
import { RECORD_KIND_PUBLIC_KEY, recordId } from '../../src/proof/anchor/record-chunks.ts';
import { symbolMerkleRoot } from '../../src/proof/anchor/symbol-merkle.ts';
import { verifyAnchorTransaction, verifyBlockMerklePath } from '../../src/proof/anchor/verify-anchor.ts';
import { HEADER_SIGNATURE_CONTEXT } from '../../src/proof/crypto/contexts.ts';
import { concatBytes, fromHex, toHex } from '../../src/proof/encoding/bytes.ts';
import { createTestKey, digestsOf, sealBatch, seedOf } from '../bundle/fixture.ts';
import { createPrng } from '../merkle/prng.ts';
import { flip } from './fixture.ts';

const seed = new Uint8Array(32).fill(0x2a);
const signer = createMemoryEd25519Signer(seed);
const ed25519 = createNobleEd25519Verifier();
const pq = createTestKey(seedOf(4), { impl: 'native' });
const sealed = [0n, 1n, 2n].map((sequence) =>
  sealBatch({
    key: pq,
    digests: digestsOf(3, `b${sequence}`),
    timeMs: 1_760_000_000_000n + sequence,
    sequence,
  }),
);
const records = sealed.map((s) =>
  encodeAnchorRecord({ header: s.batch.header, signatures: s.batch.signatures }),
);
const pkRecord = encodePublicKeyRecord({
  algorithmId: pq.algorithmId,
  publicKey: pq.publicKey,
  selfSignature: new Uint8Array(0),
  endorsement: new Uint8Array(0),
});
const keyValue = encodeKeyMetadata({
  algorithmId: pq.algorithmId,
  keyId: pq.keyId,
  validFromMs: 1_700_000_000_000n,
  validUntilMs: 0n,
  previousKeyId: new Uint8Array(0),
  protection: 'memory',
  publicKeyRecordId: toHex(recordId(pkRecord)),
});

async function anchor(aggregateVersion: 2 | 3) {
  const built = buildAnchorTransaction({
    network: 'testnet',
    signerPublicKey: signer.publicKey,
    records,
    keyRecords: [{ metadataValue: keyValue, publicKeyRecord: pkRecord }],
    aggregateVersion,
    feeMultiplier: 100,
    deadline: 99_000_000n,
  });
  return { built, signed: await signAnchorTransaction(built, signer) };
}

const testnetSeed = fromHex('49D6E1CE276A85B70EAFE52349AACCA389302E7A9754BCF1221E79494FC665A4') as Uint8Array;

for (const v of [2, 3] as const) {
  test(`v${v}: hash, transactionsHash, signature and records agree with symbol-sdk`, async () => {
    const { built, signed } = await anchor(v);
    const r = verifyAnchorTransaction(signed.payload, {
      generationHashSeed: testnetSeed,
      ed25519,
      expectedSignerPublicKey: signer.publicKey,
      expectedNetwork: 0x98,
    });
    assert.ok(r.ok, JSON.stringify(r.checks));
    const sdkTx = SymbolTransactionFactory.deserialize(signed.payload);
    assert.equal(
      toHex(r.transactionHash ?? new Uint8Array()),
      toHex(built.facade.hashTransaction(sdkTx).bytes),
    );
    assert.equal(toHex(r.merkleComponentHash ?? new Uint8Array()), toHex(signed.merkleComponentHash));
    const sdkRoot = SymbolFacade.hashEmbeddedTransactions(
      (sdkTx as unknown as { transactions: Parameters<typeof SymbolFacade.hashEmbeddedTransactions>[0] })
        .transactions,
    );
    assert.equal(toHex(r.transaction?.transactionsHash ?? new Uint8Array()), toHex(sdkRoot.bytes));
    assert.equal(r.transaction?.embedded.length, 1 + 3 * 4 + 2);
    assert.equal(r.transaction?.embedded[0]?.metadata?.value.length, 97);
    assert.equal(r.batchRecords.length, 3);
    assert.equal(r.records.filter((x) => x.kind === RECORD_KIND_PUBLIC_KEY).length, 1);
    const verifier = createNativeVerifier();
    for (const b of r.batchRecords) {
      const s = b.fields.signatures[0];
      assert.ok(s);
      assert.ok(
        verifier.verify(s.algorithmId, pq.publicKey, b.fields.header, s.signature, HEADER_SIGNATURE_CONTEXT),
      );
    }
    assert.deepEqual(
      r.batchRecords.map((b) => toHex(b.fields.header)).sort(),
      sealed.map((s) => toHex(s.batch.header)).sort(),
    );
  });
}

test('tampering is caught by the check it breaks', async () => {
  const { signed } = await anchor(3);
  const opts = { generationHashSeed: testnetSeed, ed25519 };
  const failed = (bytes: Uint8Array) =>
    verifyAnchorTransaction(bytes, opts)
      .checks.filter((c) => !c.ok)
      .map((c) => c.name);
  const message = signed.payload.slice();
  flip(message, 168 + 184 + 200); // inside the first transfer's message
  assert.deepEqual(failed(message), ['transactions-hash', 'records']);
  const sig = signed.payload.slice();
  flip(sig, 10);
  assert.deepEqual(failed(sig), ['signature']);
  const fee = signed.payload.slice();
  flip(fee, 112);
  assert.deepEqual(failed(fee), ['signature']);
  assert.deepEqual(
    verifyAnchorTransaction(signed.payload, { ...opts, generationHashSeed: new Uint8Array(32) })
      .checks.filter((c) => !c.ok)
      .map((c) => c.name),
    ['signature'],
  );
  const other = verifyAnchorTransaction(signed.payload, {
    ...opts,
    expectedSignerPublicKey: new Uint8Array(32),
    expectedNetwork: 0x68,
  });
  assert.deepEqual(
    other.checks.filter((c) => !c.ok).map((c) => c.name),
    ['network', 'signer'],
  );
});

test('cosignatures are parsed and fold into the merkle component hash, and an anchor aggregate with one is refused', async () => {
  const { built } = await anchor(3);
  const tx = built.transaction as unknown as { cosignatures: unknown[] };
  const cosigner = new SymbolFacade.KeyPair(new PrivateKey(new Uint8Array(32).fill(7)));
  const sig = built.facade.signTransaction(new SymbolFacade.KeyPair(new PrivateKey(seed)), built.transaction);
  built.transaction.signature = new models.Signature(sig.bytes);
  tx.cosignatures.push(built.facade.cosignTransaction(cosigner, built.transaction));
  const bytes = built.transaction.serialize();
  const r = verifyAnchorTransaction(bytes, { generationHashSeed: testnetSeed, ed25519 });
  // A valid cosignature by another account: parsed, hashed as catapult does, and refused (docs/anchoring.md §5.4).
  assert.deepEqual(
    r.checks.filter((c) => !c.ok).map((c) => [c.name, c.detail]),
    [['cosignatures', '1 cosignature(s): an anchor aggregate is signed by the anchoring account alone']],
  );
  assert.equal(r.transaction?.cosignatures.length, 1);
  const hash = built.facade.hashTransaction(built.transaction).bytes;
  assert.equal(toHex(r.transactionHash ?? new Uint8Array()), toHex(hash));
  assert.equal(
    toHex(r.merkleComponentHash ?? new Uint8Array()),
    toHex(sha3_256(concatBytes(hash, cosigner.publicKey.bytes))),
  );
});

test('catapult Merkle root matches the SDK vectors', () => {
  const v = [
    '36C8213162CDBC78767CF43D4E06DDBE0D3367B6CEAEAEB577A50E2052441BC8',
    '8A316E48F35CDADD3F827663F7535E840289A16A43E7134B053A86773E474C28',
    '6D80E71F00DFB73B358B772AD453AEB652AE347D3E098AE269005A88DA0B84A7',
    '2AE2CA59B5BB29721BFB79FE113929B6E52891CAA29CBF562EBEDC46903FF681',
    '421D6B68A6DF8BB1D5C9ACF7ED44515E77945D42A491BECE68DA009B551EE6CE',
    '7A1711AF5C402CFEFF87F6DA4B9C738100A7AC3EDAD38D698DF36CA3FE883480',
    '1E6516B2CC617E919FAE0CF8472BEB2BFF598F19C7A7A7DC260BC6715382822C',
    '410330530D04A277A7C96C1E4F34184FDEB0FFDA63563EFD796C404D7A6E5A20',
  ].map((h) => fromHex(h) as Uint8Array);
  assert.equal(
    toHex(symbolMerkleRoot(v)),
    '7d853079f5f9ee30bdae49c4956af20cdf989647afe971c069ac263da1ffdf7e',
  );
  assert.equal(
    toHex(symbolMerkleRoot(v.slice(0, 5))),
    'defb4bf7acf2145500087a02c88f8d1fcf27b8def4e0fdabe09413d87a3f0d09',
  );
  assert.deepEqual(symbolMerkleRoot(v.slice(0, 1)), v[0]);
});

// A deliberately simple audit-path builder (what REST /blocks/{h}/transactions/{hash}/merkle returns).
function referencePath(leaves: Uint8Array[], index: number): { left: boolean; hash: Uint8Array }[] {
  const path: { left: boolean; hash: Uint8Array }[] = [];
  let level = leaves.slice();
  let i = index;
  while (level.length > 1) {
    if (level.length % 2 === 1) level.push(level[level.length - 1] as Uint8Array);
    const left = i % 2 === 1;
    path.push({ left, hash: level[left ? i - 1 : i + 1] as Uint8Array });
    const next: Uint8Array[] = [];
    for (let k = 0; k < level.length; k += 2) {
      next.push(sha3_256(concatBytes(level[k] as Uint8Array, level[k + 1] as Uint8Array)));
    }
    level = next;
    i = Math.floor(i / 2);
  }
  return path;
}

test('block Merkle paths verify exactly when the SDK proveMerkle accepts them', () => {
  const prng = createPrng(77);
  for (let n = 1; n <= 17; n++) {
    const leaves = Array.from({ length: n }, () => prng.bytes(32));
    const root = symbolMerkleRoot(leaves);
    for (let i = 0; i < n; i++) {
      const path = referencePath(leaves, i);
      const leaf = leaves[i] as Uint8Array;
      const sdkPath = path.map((p) => ({ hash: new Hash256(p.hash), isLeft: p.left }));
      assert.equal(proveMerkle(new Hash256(leaf), sdkPath, new Hash256(root)), true);
      assert.equal(verifyBlockMerklePath(leaf, path, root), true, `n=${n} i=${i}`);
      if (path.length > 0) {
        const flipped = path.map((p, k) => (k === 0 ? { ...p, left: !p.left } : p));
        const sdkFlipped = flipped.map((p) => ({ hash: new Hash256(p.hash), isLeft: p.left }));
        const sdkSays = proveMerkle(new Hash256(leaf), sdkFlipped, new Hash256(root));
        assert.equal(verifyBlockMerklePath(leaf, flipped, root), sdkSays);
      }
      assert.equal(verifyBlockMerklePath(prng.bytes(32), path, root), false);
    }
  }
  assert.equal(verifyBlockMerklePath(new Uint8Array(31), [], new Uint8Array(31)), false);
  assert.equal(
    verifyBlockMerklePath(new Uint8Array(32), [{ left: true, hash: new Uint8Array(3) }], new Uint8Array(32)),
    false,
  );
  assert.equal(verifyBlockMerklePath(new Uint8Array(32), null as never, new Uint8Array(32)), false);
});

test('structural rejections name the field', async () => {
  const { signed } = await anchor(2);
  const reason = (b: Uint8Array) => {
    const p = parseAggregate(b);
    return p.ok ? 'ok' : p.reason;
  };
  assert.match(reason(signed.payload.subarray(0, 100)), /^size/);
  const type = signed.payload.slice();
  type[110] = 0x54;
  assert.match(reason(type), /^type/);
  const version = signed.payload.slice();
  version[108] = 1;
  assert.match(reason(version), /^version/);
  const padding = signed.payload.slice();
  // the metadata transaction is 84 + 97 = 181 bytes, padded to 184
  padding[168 + 182] = 1;
  assert.match(reason(padding), /transactions\[0\]\.padding/);
  const reserved = signed.payload.slice();
  reserved[165] = 1;
  assert.match(reason(reserved), /^reserved/);
  const cos = concatBytes(signed.payload, new Uint8Array(50));
  new DataView(cos.buffer).setUint32(0, cos.length, true);
  assert.match(reason(cos), /^cosignatures/);
});

test('fuzz: mutated and random transactions never throw', async () => {
  const { signed } = await anchor(3);
  const prng = createPrng(2024);
  const opts = { generationHashSeed: testnetSeed, ed25519 };
  let rejected = 0;
  for (let i = 0; i < 400; i++) {
    const b = signed.payload.slice(0, prng.below(4) === 0 ? prng.below(signed.payload.length) : undefined);
    for (let k = 1 + prng.below(4); k > 0; k--) b[prng.below(b.length)] = prng.u32() & 0xff;
    if (prng.below(2) === 0) new DataView(b.buffer).setUint32(0, b.length, true);
    if (!verifyAnchorTransaction(b, opts).ok) rejected++;
  }
  for (let i = 0; i < 200; i++) verifyAnchorTransaction(prng.bytes(prng.below(600)), opts);
  assert.ok(rejected >= 395);
  assert.equal(verifyAnchorTransaction(undefined as never, opts).ok, false);
});
