// buildBundle: a version-1 bundle whose every part comes from the stored batch and key history.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nativeSha256 } from '../../src/crypto/native-sha256.ts';
import { createNativeVerifier } from '../../src/crypto/native-verifier.ts';
import { HashAlgorithm } from '../../src/gen/spark/v1/bundle_pb.js';
import { encodeBundle } from '../../src/proof/bundle/codec.ts';
import { decodeLeafEntry } from '../../src/proof/bundle/leaf.ts';
import { verifyBundle } from '../../src/proof/bundle/verify.ts';
import { toHex } from '../../src/proof/encoding/bytes.ts';
import { hashLeaf } from '../../src/proof/merkle/hash.ts';
import { bundleOf, createTestKey, digestsOf, keyEntry, sealBatch, seedOf } from './fixture.ts';

const T = 1_760_000_000_000;
const a = createTestKey(seedOf(1), { impl: 'native' });
const b = createTestKey(seedOf(2), { impl: 'native' });
const digests = digestsOf(5);

test('fills leaf, inclusion, header, fields, signatures and keys; leaves anchoring unset', () => {
  const sealed = sealBatch({
    key: a,
    digests,
    timeMs: BigInt(T),
    sequence: 2n,
    previousHeaderHash: seedOf(9),
  });
  const entry = keyEntry(a, { validFromMs: T - 5 });
  const bundle = bundleOf(sealed, 3, [entry]);
  assert.equal(bundle.version, 1);
  assert.equal(bundle.leaf?.hashAlgorithm, HashAlgorithm.SHA2_256);
  assert.equal(toHex(bundle.leaf?.digest ?? new Uint8Array()), toHex(digests[3] as Uint8Array));
  const entryBytes = bundle.leaf?.entry ?? new Uint8Array();
  const decoded = decodeLeafEntry(entryBytes);
  assert.ok(typeof decoded !== 'string');
  assert.equal(toHex(bundle.leaf?.leafHash ?? new Uint8Array()), toHex(hashLeaf(entryBytes)));
  assert.equal(bundle.inclusion?.leafIndex, 3n);
  assert.equal(bundle.inclusion?.treeSize, 5n);
  assert.equal(bundle.inclusion?.path.length, 3);
  assert.equal(toHex(bundle.header), toHex(sealed.batch.header));
  assert.equal(bundle.headerFields?.sequence, 2n);
  assert.equal(toHex(bundle.headerFields?.previousHeaderHash ?? new Uint8Array()), toHex(seedOf(9)));
  assert.equal(bundle.headerFields?.treeSize, 5n);
  assert.equal(bundle.headerFields?.timeMs, BigInt(T));
  assert.equal(bundle.signatures.length, 1);
  assert.equal(toHex(bundle.signatures[0]?.keyId ?? new Uint8Array()), toHex(a.keyId));
  assert.equal(bundle.keys.length, 1);
  assert.equal(bundle.keys[0]?.validFromMs, BigInt(T - 5));
  assert.equal(bundle.keys[0]?.validUntilMs, 0n);
  assert.equal(toHex(bundle.keys[0]?.selfSignature ?? new Uint8Array()), toHex(entry.selfSignature));
  assert.equal(bundle.anchor, undefined);
  assert.equal(bundle.checkpoint, undefined);
  assert.equal(bundle.publication, undefined);
  assert.equal(
    verifyBundle(encodeBundle(bundle), { verifier: createNativeVerifier(), sha256: nativeSha256 }).valid,
    true,
  );
});

test('a retired key travels with its successor and verifies', () => {
  const sealed = sealBatch({ key: a, digests, timeMs: BigInt(T) });
  const keys = [
    keyEntry(a, { validFromMs: T - 100, validUntilMs: T + 100 }),
    keyEntry(b, { validFromMs: T + 100, endorser: a }),
  ];
  const bundle = bundleOf(sealed, 0, keys);
  assert.equal(bundle.keys.length, 2);
  assert.equal(bundle.keys[0]?.validUntilMs, BigInt(T + 100));
  const r = verifyBundle(encodeBundle(bundle), { verifier: createNativeVerifier() });
  assert.equal(r.valid, true, JSON.stringify(r.checks));
  assert.match(r.checks.find((c) => c.name === 'key-validity')?.detail ?? '', /successor/);
});

test('does not alias the caller buffers', () => {
  const sealed = sealBatch({ key: a, digests, timeMs: BigInt(T) });
  const bundle = bundleOf(sealed, 1, [keyEntry(a, { validFromMs: T })]);
  const before = toHex(bundle.header);
  sealed.batch.header.fill(0);
  assert.equal(toHex(bundle.header), before);
});
