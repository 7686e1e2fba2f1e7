// Fuzzing the Symbol anchor parsers in-process (SPEC §11): the aggregate parser and offline verifier
// (src/proof/anchor/verify-anchor.ts), the record decoders (batch anchor, checkpoint, key metadata, public key,
// publication) and chunk reassembly. None throws; what decodes re-encodes byte for byte; a changed aggregate never passes
// with the original's hash and Merkle component hash.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseAggregate } from '../../src/proof/anchor/aggregate-layout.ts';
import {
  decodeAnchorRecord,
  decodeCheckpointRecord,
  encodeAnchorRecord,
  encodeCheckpointRecord,
} from '../../src/proof/anchor/anchor-record.ts';
import {
  decodeKeyMetadata,
  decodePublicKeyRecord,
  encodeKeyMetadata,
  encodePublicKeyRecord,
} from '../../src/proof/anchor/key-history-record.ts';
import { createNobleEd25519Verifier } from '../../src/proof/anchor/noble-ed25519-verifier.ts';
import {
  decodePublicationRecord,
  encodePublicationRecord,
} from '../../src/proof/anchor/publication-record.ts';
import { chunkRecord, reassembleRecords } from '../../src/proof/anchor/record-chunks.ts';
import { type AnchorVerification, verifyAnchorTransaction } from '../../src/proof/anchor/verify-anchor.ts';
import type { Decoded } from '../../src/proof/encoding/byte-reader.ts';
import { toHex } from '../../src/proof/encoding/bytes.ts';
import { recordFor } from '../anchor/fixture.ts';
import { createTestKey, seedOf } from '../bundle/fixture.ts';
import { fullBundle, SEED_NETWORK } from './seeds.ts';
import { createPrng, fuzzSeed, mutate, Slowest } from './support.ts';

const SEED = fuzzSeed(0xa9c4_0b5e);
const TX_COUNT = 10_000;
const RECORD_COUNT = 10_000;
const PER_INPUT_LIMIT_MS = 2_000;
const ed25519 = createNobleEd25519Verifier();
const counts: string[] = [];

describe('anchor parsers under fuzzing', () => {
  let transaction: Uint8Array = new Uint8Array(0);
  let original: AnchorVerification;

  before(async () => {
    transaction = (await fullBundle()).transaction;
    original = verifyAnchorTransaction(transaction, {
      generationHashSeed: SEED_NETWORK.generationHashSeed,
      ed25519,
    });
  });

  after(() => {
    console.log(`bad input (anchor fuzz, seed 0x${SEED.toString(16)}): ${counts.join('; ')}`);
  });

  test(`${TX_COUNT} mutated aggregates: no throw, no pass with the original hash`, () => {
    assert.ok(original.ok, JSON.stringify(original.checks));
    assert.equal(original.batchRecords.length, 1);
    assert.equal(original.checkpointRecords.length, 1);
    const prng = createPrng(SEED);
    const slowest = new Slowest();
    let parsed = 0;
    let passed = 0;
    for (let i = 0; i < TX_COUNT; i++) {
      const m = mutate(prng, transaction, [transaction]);
      const how = `#${i}: ${m.how}`;
      const t = performance.now();
      let v: AnchorVerification | undefined;
      assert.doesNotThrow(() => {
        parseAggregate(m.bytes);
        v = verifyAnchorTransaction(m.bytes, {
          generationHashSeed: SEED_NETWORK.generationHashSeed,
          ed25519,
          expectedNetwork: 0x98,
        });
      }, `${how}: threw`);
      const ms = performance.now() - t;
      slowest.note(ms, how);
      assert.ok(ms < PER_INPUT_LIMIT_MS, `${how}: took ${ms.toFixed(0)} ms`);
      const r = v as AnchorVerification;
      assert.equal(
        r.ok,
        r.checks.every((c) => c.ok),
      );
      if (r.checks[0]?.ok) parsed++;
      if (!r.ok || Buffer.from(m.bytes).equals(Buffer.from(transaction))) continue;
      // Bytes nothing signs are only the cosignatures (Symbol checks those, and they change the Merkle
      // component hash, so the block path of a bundle no longer leads to its transactions hash).
      passed++;
      assert.equal(
        toHex(r.transactionHash ?? new Uint8Array()),
        toHex(original.transactionHash ?? new Uint8Array()),
      );
      assert.notEqual(
        toHex(r.merkleComponentHash ?? new Uint8Array()),
        toHex(original.merkleComponentHash ?? new Uint8Array()),
        `${how}: changed bytes with the original Merkle component hash`,
      );
    }
    // The same by hand: a forged cosignature keeps the hash and changes the Merkle component hash.
    const forged = new Uint8Array(transaction.length + 104);
    forged.set(transaction);
    forged.set(new Uint8Array(104).fill(0x77), transaction.length);
    new DataView(forged.buffer).setUint32(0, forged.length, true);
    const f = verifyAnchorTransaction(forged, {
      generationHashSeed: SEED_NETWORK.generationHashSeed,
      ed25519,
    });
    assert.equal(f.transaction?.cosignatures.length, 1);
    assert.equal(
      toHex(f.transactionHash ?? new Uint8Array()),
      toHex(original.transactionHash ?? new Uint8Array()),
    );
    assert.notEqual(
      toHex(f.merkleComponentHash ?? new Uint8Array()),
      toHex(original.merkleComponentHash ?? new Uint8Array()),
    );
    counts.push(
      `${TX_COUNT} fuzzed aggregates (${parsed} parsed, ${passed} passed with extra cosignatures only; slowest ${slowest})`,
    );
  });

  test('record decoders: no throw, and what decodes re-encodes identically', () => {
    const prng = createPrng(SEED ^ 0x7ec0);
    const key = createTestKey(seedOf(0x62), { impl: 'native' });
    const checkpointRecord = decodeCheckpointRecord(
      original.records.find((r) => r.kind === 0x43)?.bytes ?? new Uint8Array(),
    );
    assert.ok(checkpointRecord.ok);
    const publicKeyRecord = encodePublicKeyRecord({
      algorithmId: key.algorithmId,
      publicKey: key.publicKey,
      selfSignature: new Uint8Array(3309).fill(5),
      endorsement: new Uint8Array(0),
    });
    const seeds: [string, Uint8Array, (b: Uint8Array) => Decoded<unknown>, (v: never) => Uint8Array][] = [
      ['anchor record', recordFor(), decodeAnchorRecord, encodeAnchorRecord],
      [
        'checkpoint record',
        encodeCheckpointRecord(checkpointRecord.value),
        decodeCheckpointRecord,
        encodeCheckpointRecord,
      ],
      [
        'key metadata',
        encodeKeyMetadata({
          algorithmId: key.algorithmId,
          keyId: key.keyId,
          validFromMs: 1_700_000_000_000n,
          validUntilMs: 0n,
          previousKeyId: new Uint8Array(32).fill(8),
          protection: 'hsm',
          publicKeyRecordId: '0123456789abcdef',
        }),
        decodeKeyMetadata,
        encodeKeyMetadata,
      ],
      ['public-key record', publicKeyRecord, decodePublicKeyRecord, encodePublicKeyRecord],
      [
        'publication record',
        encodePublicationRecord({
          sequence: 9n,
          root: new Uint8Array(32).fill(3),
          entries: [
            { leafIndex: 0, cid: 'bafkreibayislsxqpt26dpbgeh2x57vbxj2m3nq2uirckc7tubdndngu2r4' },
            { leafIndex: 5, cid: 'bafkreidccha7hcj2bj3ecxycq7wnbgajfbgnrswkwqsuy4ucbuirmaugly' },
          ],
        }),
        decodePublicationRecord,
        encodePublicationRecord,
      ],
    ];
    const parts: string[] = [];
    for (const [name, seed, decode, encode] of seeds) {
      const first = decode(seed);
      assert.ok(first.ok, `${name} seed decodes: ${first.ok ? '' : first.reason}`);
      let accepted = 0;
      const slowest = new Slowest();
      for (let i = 0; i < RECORD_COUNT; i++) {
        const m = mutate(prng, seed, [seed]);
        const t = performance.now();
        let d: Decoded<unknown> | undefined;
        assert.doesNotThrow(() => {
          d = decode(m.bytes);
        }, `${name} #${i} (${m.how}) threw`);
        slowest.note(performance.now() - t, m.how);
        const out = d as Decoded<unknown>;
        if (!out.ok) {
          assert.ok(out.reason.length > 0);
          continue;
        }
        accepted++;
        assert.ok(
          Buffer.from(encode(out.value as never)).equals(Buffer.from(m.bytes)),
          `${name} #${i} (${m.how}): decoded but re-encodes differently`,
        );
      }
      parts.push(`${name} ${RECORD_COUNT} (${accepted} decoded, slowest ${slowest})`);
    }
    counts.push(parts.join(', '));
  });

  test('chunk reassembly of mutated, dropped, duplicated and reordered messages never throws', () => {
    const prng = createPrng(SEED ^ 0xc4);
    const record = recordFor();
    const messages = [...chunkRecord(record), ...chunkRecord(recordFor(undefined, 2), 300)];
    let complete = 0;
    const runs = 5_000;
    for (let i = 0; i < runs; i++) {
      const set = messages.map((m) => (prng.below(4) === 0 ? mutate(prng, m, messages).bytes : m));
      if (prng.below(3) === 0) set.splice(prng.below(set.length), 1);
      if (prng.below(3) === 0) set.push(set[prng.below(set.length)] as Uint8Array);
      for (let k = set.length - 1; k > 0; k--) {
        const j = prng.below(k + 1);
        [set[k], set[j]] = [set[j] as Uint8Array, set[k] as Uint8Array];
      }
      let out: ReturnType<typeof reassembleRecords> | undefined;
      assert.doesNotThrow(() => {
        out = reassembleRecords(set);
      }, `run ${i} threw`);
      // A record comes back only whole and under its own id: the two originals or nothing.
      for (const r of out?.records ?? []) {
        assert.ok(
          [toHex(record), toHex(recordFor(undefined, 2))].includes(toHex(r.bytes)),
          `run ${i}: reassembled a record that was never chunked`,
        );
        complete++;
      }
    }
    counts.push(`${runs} mutated chunk sets (${complete} records came back whole)`);
  });
});
