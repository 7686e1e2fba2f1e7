// Every byte of a version-2 bundle's anchor evidence matters (docs/proof-format.md §9.5): flipping any one bit of
// any byte of either anchor's encoding (the batch's and the checkpoint's, publication transfers included) makes the
// bundle invalid at that anchor's check, except the documented unsigned fields: the block header's size and
// finalized_height. Hostile anchors never make the verifier throw.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { toBinary } from '@bufbuild/protobuf';
import { nativeSha256 } from '../../src/crypto/native-sha256.ts';
import { createNativeVerifier } from '../../src/crypto/native-verifier.ts';
import { type Anchor, AnchorSchema, MerklePathItemSchema } from '../../src/gen/spark/v1/bundle_pb.js';
import type { Ed25519Verifier } from '../../src/proof/anchor/ed25519-verifier.ts';
import { createNobleEd25519Verifier } from '../../src/proof/anchor/noble-ed25519-verifier.ts';
import { decodeBundle, encodeBundle } from '../../src/proof/bundle/codec.ts';
import { CHECK_NAMES, createBundleVerifier } from '../../src/proof/bundle/verify.ts';
import { toHex } from '../../src/proof/encoding/bytes.ts';
import { createPrng } from '../merkle/prng.ts';

const VECTORS = new URL('../vectors/bundles/', import.meta.url);
const load = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`${name}.spark`, VECTORS)));

/** Noble's Ed25519 with a memory of every answer (a pure function): each flip costs one new verification. */
function memoEd25519(): Ed25519Verifier {
  const inner = createNobleEd25519Verifier();
  const seen = new Map<string, boolean>();
  return {
    name: inner.name,
    verify(signature, message, publicKey) {
      const k = `${toHex(signature)}:${toHex(publicKey)}:${toHex(message)}`;
      let v = seen.get(k);
      if (v === undefined) {
        v = inner.verify(signature, message, publicKey);
        seen.set(k, v);
      }
      return v;
    },
  };
}

const verifier = createBundleVerifier({
  verifier: createNativeVerifier(),
  sha256: nativeSha256,
  ed25519: memoEd25519(),
});

/** Where an anchor's encoding sits in the bundle, and its unsigned spans (absolute offsets, end exclusive). */
interface Region {
  readonly check: 'anchor' | 'checkpoint';
  readonly from: number;
  readonly to: number;
  readonly unsigned: ReadonlyArray<readonly [number, number, string]>;
}

/** The offset of `part` in `bytes`, required to be its only occurrence. */
function uniqueOffset(bytes: Uint8Array, part: Uint8Array, what: string): number {
  const hay = Buffer.from(bytes);
  const at = hay.indexOf(Buffer.from(part));
  assert.ok(at >= 0, `${what} not found`);
  assert.equal(hay.indexOf(Buffer.from(part), at + 1), -1, `${what} occurs twice`);
  return at;
}

/** The varint value of field 8 (finalized_height) inside the encoded anchor: its bytes after the tag 0x40. */
function finalizedSpan(encoded: Uint8Array, a: Anchor): [number, number] {
  const copy = { ...a, finalizedHeight: 0n };
  const without = toBinary(AnchorSchema, copy as Anchor);
  // The field sits after transactions_hash (field 7) and before transaction/block_header: find where they differ.
  let i = 0;
  while (i < without.length && without[i] === encoded[i]) i++;
  assert.equal(encoded[i], 0x40, 'finalized_height tag');
  const length = encoded.length - without.length - 1;
  return [i + 1, i + 1 + length];
}

function regionsOf(bytes: Uint8Array): Region[] {
  const b = decodeBundle(bytes);
  const out: Region[] = [];
  for (const [check, a] of [
    ['anchor', b.anchor],
    ['checkpoint', b.checkpoint?.anchor],
  ] as const) {
    if (a === undefined) continue;
    const encoded = toBinary(AnchorSchema, a);
    const from = uniqueOffset(bytes, encoded, `${check} anchor`);
    const header = from + uniqueOffset(encoded, a.blockHeader, `${check} block header`);
    const [f0, f1] = finalizedSpan(encoded, a);
    out.push({
      check,
      from,
      to: from + encoded.length,
      unsigned: [
        [header, header + 4, 'block header size'],
        [from + f0, from + f1, 'finalized_height'],
      ],
    });
  }
  return out;
}

for (const name of ['valid-anchored-checkpoint-v2', 'valid-immediate-v2']) {
  test(`${name}: every one-bit flip of its anchor evidence fails at that anchor's check, but the unsigned fields`, () => {
    const bytes = load(name);
    assert.ok(verifier.verify(bytes).valid);
    const regions = regionsOf(bytes);
    assert.equal(regions.length, name.includes('checkpoint') ? 2 : 1);
    const stillValid = new Map<string, number>();
    let flips = 0;
    for (const r of regions) {
      for (let i = r.from; i < r.to; i++) {
        for (const bit of [0x01, 0x80]) {
          const copy = bytes.slice();
          copy[i] = (copy[i] as number) ^ bit;
          const report = verifier.verify(copy);
          flips++;
          const unsigned = r.unsigned.find(([a, z]) => i >= a && i < z);
          if (report.valid) {
            assert.ok(
              unsigned !== undefined,
              `byte ${i} (${r.check} anchor +${i - r.from}) ^ ${bit}: still VALID`,
            );
            stillValid.set(unsigned[2], (stillValid.get(unsigned[2]) ?? 0) + 1);
            continue;
          }
          // The bundle's other parts still pass: the failure is this anchor's (or decoding the changed bytes).
          const first = report.checks.find((c) => !c.ok)?.name;
          assert.ok(
            first === r.check || first === 'decode' || first === 'canonical',
            `byte ${i} ^ ${bit}: first failure ${first}`,
          );
        }
      }
    }
    console.log(
      `${name}: ${flips} flips of ${regions.map((r) => r.to - r.from).join(' + ')} anchor bytes; still valid: ${[...stillValid].map(([k, n]) => `${k} ×${n}`).join(', ') || 'none'}`,
    );
    assert.ok(stillValid.size > 0, 'the unsigned fields are indeed unsigned');
  });
}

test('every field of a version-2 anchor, changed on its own, is refused; finalized_height alone is a claim', () => {
  const bytes = load('valid-immediate-v2');
  const prng = createPrng(0x5a11);
  const base = decodeBundle(bytes);
  const first = (a: Anchor) => a.merklePath[0] as NonNullable<Anchor['merklePath'][number]>;
  const chunk = (list: Anchor['recordChunks']) => list[0] as NonNullable<Anchor['recordChunks'][number]>;
  const mutations: Array<[string, (a: Anchor) => void]> = [
    ['network_generation_hash_seed', (a) => void a.networkGenerationHashSeed.fill(0)],
    ['transaction_hash', (a) => void a.transactionHash.reverse()],
    [
      'height',
      (a) => {
        a.height -= 1n;
      },
    ],
    [
      'block_timestamp',
      (a) => {
        a.blockTimestamp = 0n;
      },
    ],
    ['merkle_component_hash', (a) => a.merkleComponentHash.set(prng.bytes(32))],
    ['merkle_path (a step dropped)', (a) => void a.merklePath.pop()],
    ['merkle_path (a step added)', (a) => void a.merklePath.push(first(a))],
    [
      'merkle_path (a side swapped)',
      (a) => {
        first(a).left = !first(a).left;
      },
    ],
    ['transactions_hash', (a) => a.transactionsHash.set(prng.bytes(32))],
    [
      'block_header (truncated)',
      (a) => {
        a.blockHeader = a.blockHeader.subarray(0, 372);
      },
    ],
    [
      'block_header (an importance block length)',
      (a) => {
        a.blockHeader = new Uint8Array(424);
      },
    ],
    [
      'block_header (emptied)',
      (a) => {
        a.blockHeader = new Uint8Array(0);
      },
    ],
    [
      'aggregate_header (another one)',
      (a) => {
        a.aggregateHeader = prng.bytes(168);
      },
    ],
    [
      'aggregate_header (emptied)',
      (a) => {
        a.aggregateHeader = new Uint8Array(0);
      },
    ],
    ['record_chunks (reversed)', (a) => void a.recordChunks.reverse()],
    ['record_chunks (one repeated)', (a) => void a.recordChunks.push(chunk(a.recordChunks))],
    [
      'record_chunks (a transaction given)',
      (a) => {
        chunk(a.recordChunks).transaction = new Uint8Array(80);
      },
    ],
    [
      'publication_chunks (dropped)',
      (a) => {
        a.publicationChunks = [];
      },
    ],
    [
      'publication_chunks (path emptied)',
      (a) => {
        chunk(a.publicationChunks).path = [];
      },
    ],
  ];
  for (const [what, mutate] of mutations) {
    const b = structuredClone(base);
    mutate(b.anchor as Anchor);
    const report = verifier.verify(encodeBundle(b));
    assert.equal(report.valid, false, what);
    assert.equal(
      report.checks.find((c) => !c.ok)?.name,
      'anchor',
      `${what}: ${JSON.stringify(report.checks.find((c) => !c.ok))}`,
    );
  }
  const claim = structuredClone(base);
  (claim.anchor as Anchor).finalizedHeight = 1n;
  const report = verifier.verify(encodeBundle(claim));
  assert.equal(report.valid, true);
  assert.match(
    report.checks.find((c) => c.name === 'anchor')?.detail ?? '',
    /claimed confirmed, not yet final/,
  );
});

test('hostile version-2 anchors never throw: random fields, random path items, huge repeated chunks', () => {
  const base = decodeBundle(load('valid-anchored-checkpoint-v2'));
  const prng = createPrng(0xa11c);
  const randomBytes = () => prng.bytes([0, 1, 31, 32, 33, 167, 168, 169, 376, 424][prng.below(10)] as number);
  let invalid = 0;
  for (let i = 0; i < 400; i++) {
    const b = structuredClone(base);
    const a = (prng.below(2) === 0 ? b.anchor : b.checkpoint?.anchor) as Anchor;
    switch (prng.below(6)) {
      case 0:
        a.blockHeader = randomBytes();
        break;
      case 1:
        a.aggregateHeader = randomBytes();
        break;
      case 2:
        a.recordChunks = Array.from({ length: prng.below(300) }, () => ({
          ...(a.recordChunks[0] as NonNullable<Anchor['recordChunks'][number]>),
          path: Array.from({ length: prng.below(70) }, () => ({
            $typeName: MerklePathItemSchema.typeName,
            left: prng.below(2) === 0,
            hash: randomBytes(),
          })),
        }));
        break;
      case 3:
        a.publicationChunks = Array.from({ length: 1 + prng.below(4) }, () => ({
          $typeName: 'spark.v1.EmbeddedProof',
          transaction: randomBytes(),
          path: [],
        }));
        break;
      case 4:
        a.height = prng.below(2) === 0 ? 0n : (1n << 64n) - 1n;
        a.blockTimestamp = BigInt(prng.u32());
        break;
      default:
        a.transaction = randomBytes();
        a.networkGenerationHashSeed = randomBytes();
    }
    let report: ReturnType<typeof verifier.verify> | undefined;
    assert.doesNotThrow(() => {
      report = verifier.verify(encodeBundle(b));
    });
    assert.deepEqual(
      report?.checks.map((c) => c.name),
      [...CHECK_NAMES],
    );
    for (const c of report?.checks ?? []) assert.doesNotMatch(c.detail, /^internal error/);
    if (report?.valid === false) invalid++;
  }
  assert.equal(invalid, 400);
});
