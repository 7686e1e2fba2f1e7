// Anchor sizes of every registry algorithm, measured with the real encoders (the docs/anchoring.md §2 and §5
// tables), and the largest algorithm's batch records against Symbol's 100 embedded transactions per aggregate.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMemoryProvider } from '../../providers/memory-provider.ts';
import { createMemoryEd25519Signer } from '../../src/anchor/memory-ed25519-signer.ts';
import {
  buildAnchorTransaction,
  MAX_EMBEDDED_TRANSACTIONS,
  signAnchorTransaction,
} from '../../src/anchor/transaction-builder.ts';
import { createNativeVerifier } from '../../src/crypto/native-verifier.ts';
import { AnchorError } from '../../src/proof/anchor/anchor-error.ts';
import { encodeAnchorRecord } from '../../src/proof/anchor/anchor-record.ts';
import { encodeKeyMetadata, encodePublicKeyRecord } from '../../src/proof/anchor/key-history-record.ts';
import { createNobleEd25519Verifier } from '../../src/proof/anchor/noble-ed25519-verifier.ts';
import { chunkRecord, recordId } from '../../src/proof/anchor/record-chunks.ts';
import { verifyAnchorTransaction } from '../../src/proof/anchor/verify-anchor.ts';
import { encodeHeader, HEADER_FORMAT_VERSION, ZERO_HASH } from '../../src/proof/bundle/header.ts';
import { type AlgorithmSpec, allAlgorithms } from '../../src/proof/crypto/algorithms.ts';
import { HEADER_SIGNATURE_CONTEXT } from '../../src/proof/crypto/contexts.ts';
import { fromHex, toHex } from '../../src/proof/encoding/bytes.ts';
import { recordFor } from './fixture.ts';

const signer = createMemoryEd25519Signer(new Uint8Array(32).fill(0x2a));
const testnetSeed = fromHex('49D6E1CE276A85B70EAFE52349AACCA389302E7A9754BCF1221E79494FC665A4') as Uint8Array;
const options = {
  network: 'testnet' as const,
  signerPublicKey: signer.publicKey,
  aggregateVersion: 3 as const,
  feeMultiplier: 100,
  deadline: 99_000_000n,
};

/** An embedded transfer: 80 bytes + message, padded to a multiple of 8. */
const embeddedTransfer = (message: Uint8Array): number => Math.ceil((80 + message.length) / 8) * 8;

/**
 * docs/anchoring.md: one batch record (one signature) in bytes, its messages, their embedded bytes, the
 * aggregate of that batch alone, and the public-key record with self-signature and endorsement (bytes, messages).
 */
const DOCUMENTED: Record<string, readonly [number, number, number, number, number, number]> = {
  'ML-DSA-44': [2635, 3, 2928, 3096, 6172, 7],
  'ML-DSA-65': [3524, 4, 3912, 4080, 8590, 9],
  'ML-DSA-87': [4842, 5, 5328, 5496, 11866, 12],
  'SLH-DSA-SHA2-128s': [8071, 9, 8936, 9104, 15764, 16],
  'SLH-DSA-SHA2-128f': [17303, 18, 19032, 19200, 34228, 34],
  'ML-DSA-65+Ed25519': [3588, 4, 3976, 4144, 8750, 9],
  'ML-DSA-65+SLH-DSA-SHA2-128s': [11380, 12, 12536, 12704, 24334, 25],
};

test('every algorithm: record, messages, embedded bytes, lone aggregate and public-key record are as documented', () => {
  assert.deepEqual(
    Object.keys(DOCUMENTED),
    allAlgorithms().map((a) => a.name),
    'one row per algorithm',
  );
  for (const spec of allAlgorithms()) {
    const record = recordFor(spec.id, 1);
    const messages = chunkRecord(record);
    const alone = buildAnchorTransaction({ ...options, records: [record] });
    const publicKeyRecord = encodePublicKeyRecord({
      algorithmId: spec.id,
      publicKey: new Uint8Array(spec.publicKeyLength),
      selfSignature: new Uint8Array(spec.signatureLength),
      endorsement: new Uint8Array(spec.signatureLength),
    });
    assert.equal(record.length, 177 + 38 + spec.signatureLength, `${spec.name}: 177 + Σ(38 + signature)`);
    assert.deepEqual(
      [
        record.length,
        messages.length,
        messages.reduce((sum, m) => sum + embeddedTransfer(m), 0),
        alone.size,
        publicKeyRecord.length,
        chunkRecord(publicKeyRecord).length,
      ],
      DOCUMENTED[spec.name],
      spec.name,
    );
    assert.equal(alone.embeddedCount, messages.length);
  }
});

/** The algorithm with the longest signatures: the one that fills aggregates fastest. */
const largest = allAlgorithms().reduce((a: AlgorithmSpec, b) =>
  b.signatureLength > a.signatureLength ? b : a,
);

test(`the largest algorithm (${largest.name}): ⌊100 / messages⌋ real batches fill one aggregate; one more is refused; every record reassembles and verifies`, async () => {
  const provider = createMemoryProvider();
  try {
    const key = await provider.open('batch-signing', largest.id);
    const records: Uint8Array[] = [];
    const headers: string[] = [];
    const perRecord = Math.ceil(recordFor(largest.id, 1).length / 1008);
    const fit = Math.floor(MAX_EMBEDDED_TRANSACTIONS / perRecord);
    assert.equal(fit, 5);
    for (let i = 0; i <= fit; i++) {
      const header = encodeHeader({
        formatVersion: HEADER_FORMAT_VERSION,
        logId: new Uint8Array(32).fill(0x5a),
        sequence: BigInt(i),
        previousHeaderHash: i === 0 ? ZERO_HASH : new Uint8Array(32).fill(i),
        root: new Uint8Array(32).fill(0x11),
        treeSize: 1n,
        timeMs: 1_760_000_000_000n + BigInt(i),
        algorithmId: largest.id,
        keyId: key.keyId,
        guaranteeExpiryMs: 2_000_000_000_000n,
      });
      const signature = await key.sign(header, HEADER_SIGNATURE_CONTEXT);
      records.push(
        encodeAnchorRecord({
          header,
          signatures: [{ algorithmId: largest.id, keyId: key.keyId, signature }],
        }),
      );
      headers.push(toHex(header));
    }
    // One record more than fits: the builder refuses it, which is what makes the tracker split the group.
    assert.throws(
      () => buildAnchorTransaction({ ...options, records }),
      (e: unknown) => e instanceof AnchorError && e.code === 'TOO_MANY_TRANSACTIONS',
    );
    const built = buildAnchorTransaction({ ...options, records: records.slice(0, fit) });
    assert.equal(built.embeddedCount, fit * perRecord);
    assert.ok(built.embeddedCount <= MAX_EMBEDDED_TRANSACTIONS);
    const signed = await signAnchorTransaction(built, signer);
    const v = verifyAnchorTransaction(signed.payload, {
      generationHashSeed: testnetSeed,
      ed25519: createNobleEd25519Verifier(),
    });
    assert.ok(v.ok, JSON.stringify(v.checks.filter((c) => !c.ok)));
    assert.equal(v.transaction?.embedded.length, fit * perRecord);
    assert.deepEqual(v.batchRecords.map((r) => toHex(r.fields.header)).sort(), headers.slice(0, fit).sort());
    const verifier = createNativeVerifier();
    for (const r of v.batchRecords) {
      const s = r.fields.signatures[0];
      assert.ok(s !== undefined);
      assert.ok(
        verifier.verify(s.algorithmId, key.publicKey, r.fields.header, s.signature, HEADER_SIGNATURE_CONTEXT),
      );
    }
  } finally {
    await provider.close();
  }
});

test(`the largest algorithm (${largest.name}): a lone batch with its full key history (self-signed, endorsed) fits one aggregate`, () => {
  const publicKeyRecord = encodePublicKeyRecord({
    algorithmId: largest.id,
    publicKey: new Uint8Array(largest.publicKeyLength).fill(3),
    selfSignature: new Uint8Array(largest.signatureLength).fill(4),
    endorsement: new Uint8Array(largest.signatureLength).fill(5),
  });
  const metadataValue = encodeKeyMetadata({
    algorithmId: largest.id,
    keyId: new Uint8Array(32).fill(6),
    validFromMs: 1_700_000_000_000n,
    validUntilMs: 0n,
    previousKeyId: new Uint8Array(32).fill(7),
    protection: 'memory',
    publicKeyRecordId: toHex(recordId(publicKeyRecord)),
  });
  const built = buildAnchorTransaction({
    ...options,
    records: [recordFor(largest.id, 1)],
    keyRecords: [{ metadataValue, publicKeyRecord }],
  });
  // The group of one the tracker's halving ends at: 18 record messages + 34 key messages + 1 metadata.
  assert.equal(built.embeddedCount, 18 + 34 + 1);
  assert.ok(built.embeddedCount <= MAX_EMBEDDED_TRANSACTIONS);
});
