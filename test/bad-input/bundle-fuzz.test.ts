// Fuzzing the .spark decoder and the offline verifier in-process (SPEC §11): from real valid bundles, seeded
// mutations (bit flips, insertions, deletions, truncations, splices, random lengths, huge varints, repeated
// records, nested groups). verifyBundle never throws, never says valid for bytes that are not a known valid
// bundle, and takes bounded time per input; the fixed-layout decoders (header, checkpoint, leaf entry) never
// throw and decode only what they re-encode byte for byte.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { create } from '@bufbuild/protobuf';
import { nativeSha256 } from '../../src/crypto/native-sha256.ts';
import { createNativeVerifier } from '../../src/crypto/native-verifier.ts';
import { KeyRecordSchema } from '../../src/gen/spark/v1/bundle_pb.js';
import { BundleError } from '../../src/proof/bundle/bundle-error.ts';
import { decodeCheckpoint, encodeCheckpoint } from '../../src/proof/bundle/checkpoint.ts';
import {
  bundleToDisplay,
  decodeBundle,
  encodeBundle,
  MAX_BUNDLE_BYTES,
} from '../../src/proof/bundle/codec.ts';
import { decodeHeader, encodeHeader } from '../../src/proof/bundle/header.ts';
import { decodeLeafEntry, encodeLeafEntry, type LeafEntry } from '../../src/proof/bundle/leaf.ts';
import { encodeSource } from '../../src/proof/bundle/source-reference.ts';
import { CHECK_NAMES, type VerifyReport, verifyBundle } from '../../src/proof/bundle/verify.ts';
import { onlyClaimsDiffer } from './claims.ts';
import { fullBundle, vectorBundles } from './seeds.ts';
import { cat, createPrng, fuzzSeed, lenField, mutate, oneOf, Slowest, varint } from './support.ts';

const SEED = fuzzSeed(0x5eed_b0d1);
/** Mutated bundles per run, and the wall-clock budget that stops the loop early on a very loaded machine. */
const BUNDLE_COUNT = Number(process.env['SPARK_FUZZ_COUNT'] ?? 20_000);
const BUDGET_MS = 60_000;
/** No single input may take longer than this (generous: the test machine may be heavily loaded). */
const PER_INPUT_LIMIT_MS = 2_000;

const verifier = createNativeVerifier();
const options = { verifier, sha256: nativeSha256 };
const counts: string[] = [];
/** Inputs found VALID that differ from a seed only in what nothing signs (test/bad-input/claims.ts). */
let claimsOnly = 0;

/** Runs every invariant on one input; returns the report (or throws an AssertionError naming the input). */
function checkOne(bytes: Uint8Array, how: string, validSet: readonly Uint8Array[]): VerifyReport {
  let decoded: ReturnType<typeof decodeBundle> | undefined;
  try {
    decoded = decodeBundle(bytes);
  } catch (e) {
    assert.ok(e instanceof BundleError, `${how}: decodeBundle threw ${String(e)}, not a BundleError`);
    assert.equal(e.field, 'bundle');
  }
  if (decoded !== undefined) {
    // What `spark inspect` does with anything that decodes.
    assert.doesNotThrow(() => JSON.stringify(bundleToDisplay(decoded)), `${how}: bundleToDisplay threw`);
    assert.doesNotThrow(() => encodeBundle(decoded), `${how}: encodeBundle threw`);
  }
  let report: VerifyReport | undefined;
  assert.doesNotThrow(() => {
    report = verifyBundle(bytes, options);
  }, `${how}: verifyBundle threw`);
  const r = report as VerifyReport;
  assert.deepEqual(
    r.checks.map((c) => c.name),
    [...CHECK_NAMES],
    `${how}: every check reported, in order`,
  );
  assert.equal(
    r.valid,
    r.checks.every((c) => c.ok),
  );
  for (const c of r.checks) {
    assert.equal(typeof c.detail, 'string');
    assert.doesNotMatch(c.detail, /^internal error/, `${how}: check ${c.name} threw: ${c.detail}`);
  }
  if (r.valid && !oneOf(bytes, validSet)) {
    // Only what nothing signs may differ (see withoutClaims); anything else is a false VALID.
    assert.ok(onlyClaimsDiffer(bytes, validSet), `${how}: VALID for bytes that are not a known valid bundle`);
    claimsOnly++;
  }
  assert.equal(r.checks[0]?.ok, decoded !== undefined, `${how}: the decode check agrees with decodeBundle`);
  return r;
}

/** `size` bytes of empty unknown fields 100 (tag 0xa2 0x06, length 0): about 1.4 million fields. */
function emptyUnknownFields(size: number): Uint8Array {
  const out = new Uint8Array(size - (size % 3));
  for (let i = 0; i < out.length; i += 3) out.set([0xa2, 0x06, 0x00], i);
  return out;
}

describe('bundle decoder and verifier under fuzzing', () => {
  let valid: Uint8Array[] = [];
  let pool: Uint8Array[] = [];

  before(async () => {
    const vectors = vectorBundles();
    const full = await fullBundle();
    valid = [...vectors.filter((v) => v.valid).map((v) => v.bytes), full.bytes];
    pool = [...vectors.map((v) => v.bytes), full.bytes];
  });

  after(() => {
    console.log(`bad input (bundle fuzz, seed 0x${SEED.toString(16)}): ${counts.join('; ')}`);
  });

  test('the seeds: every valid vector and the fully anchored bundle verify', () => {
    for (const bytes of valid) {
      const r = checkOne(bytes, 'seed', valid);
      assert.ok(r.valid, JSON.stringify(r.checks.filter((c) => !c.ok)));
    }
    const full = valid[valid.length - 1] as Uint8Array;
    const report = verifyBundle(full, options);
    assert.match(report.checks.find((c) => c.name === 'anchor')?.detail ?? '', /^header anchored/);
    assert.match(report.checks.find((c) => c.name === 'checkpoint')?.detail ?? '', /checkpoint anchored/);
  });

  test(`${BUNDLE_COUNT} mutated bundles: no throw, no false VALID, bounded time`, () => {
    console.log(`bundle fuzz seed: 0x${SEED.toString(16)} (SPARK_FUZZ_SEED replays it)`);
    const prng = createPrng(SEED);
    const slowest = new Slowest();
    const started = performance.now();
    const kinds = new Map<string, number>();
    let done = 0;
    let decoded = 0;
    let reachedSignature = 0;
    for (; done < BUNDLE_COUNT && performance.now() - started < BUDGET_MS; done++) {
      const seedIndex = prng.below(valid.length);
      const m = mutate(prng, valid[seedIndex] as Uint8Array, pool);
      const how = `#${done} seed ${seedIndex}: ${m.how}`;
      const t = performance.now();
      const r = checkOne(m.bytes, how, valid);
      const ms = performance.now() - t;
      slowest.note(ms, how);
      assert.ok(ms < PER_INPUT_LIMIT_MS, `${how}: took ${ms.toFixed(0)} ms`);
      const kind = m.how.replace(/[0-9]+/g, 'N');
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
      if (r.checks[0]?.ok) decoded++;
      if (r.checks.find((c) => c.name === 'signature')?.detail.startsWith('skipped') === false)
        reachedSignature++;
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    counts.push(
      `${done} fuzzed bundles in ${seconds} s (${decoded} decoded, ${reachedSignature} reached the signature check, ${claimsOnly} VALID with only unsigned claims changed (anchor height, time, finality; unbound valid_until_ms); slowest ${slowest})`,
    );
    console.log(`mutation kinds: ${[...kinds].map(([k, n]) => `${k} ×${n}`).join(', ')}`);
    if (done < BUNDLE_COUNT) console.log(`budget of ${BUDGET_MS} ms reached after ${done} inputs`);
    // Enough inputs to mean something even on a loaded machine, and a real share of them decoding.
    assert.ok(done >= Math.min(BUNDLE_COUNT, 2_000), `only ${done} inputs in the budget`);
    assert.ok(decoded > done / 10, `only ${decoded} of ${done} decoded: the mutator is too destructive`);
  });

  test('many distinct key records cost linear time, not quadratic (one Verify must not stall the server)', () => {
    // A real bundle plus 150 000 tiny key records with distinct 3-byte ids (about 1 MiB, far below the
    // 4 MiB limit). Comparing every record with every other took minutes: now a map finds duplicates.
    const base = decodeBundle(valid[0] as Uint8Array);
    for (let i = 0; i < 150_000; i++) {
      base.keys.push(create(KeyRecordSchema, { keyId: Uint8Array.of(i >> 16, (i >> 8) & 0xff, i & 0xff) }));
    }
    const bytes = encodeBundle(base);
    const t = performance.now();
    const r = checkOne(bytes, '150000 key records', valid);
    const ms = performance.now() - t;
    assert.equal(r.valid, false);
    assert.equal(r.checks.find((c) => c.name === 'key')?.ok, false);
    assert.ok(ms < 10_000, `150000 key records took ${ms.toFixed(0)} ms`);
    // A duplicate at the very end is still found.
    base.keys.push(create(KeyRecordSchema, { keyId: Uint8Array.of(0, 0, 7) }));
    const dup = verifyBundle(encodeBundle(base), options);
    assert.match(dup.checks.find((c) => c.name === 'key')?.detail ?? '', /^duplicate key record 000007/);
    counts.push(`150000 key records in ${ms.toFixed(0)} ms`);
  });

  test('hand-made hostile bundles fail cleanly', () => {
    const good = valid[0] as Uint8Array;
    const cases: [string, Uint8Array][] = [
      ['empty', new Uint8Array(0)],
      ['one byte over the limit', new Uint8Array(MAX_BUNDLE_BYTES + 1)],
      ['a length of 2^64-1', cat(varint((1 << 3) | 2), varint((1n << 64n) - 1n))],
      ['a length of 2^31 on the header', cat(good, varint((5 << 3) | 2), varint(2 ** 31))],
      [
        'an overlong varint value',
        cat(
          varint(1 << 3),
          Uint8Array.from({ length: 11 }, () => 0x80),
        ),
      ],
      ['field number 0', Uint8Array.of(0x02, 0x00)],
      ['wire type 6', Uint8Array.of(0x0e, 0x00)],
      ['wire type 7', Uint8Array.of(0x0f, 0x00)],
      ['end group without start', Uint8Array.of(0x0c)],
      ['100 000 nested groups', cat(...Array.from({ length: 100_000 }, () => varint((100 << 3) | 3)))],
      ['version as length-delimited', cat(lenField(1, Uint8Array.of(1)), good)],
      ['header sent as a varint', cat(good, varint(5 << 3), varint(168))],
      ['leaf message with a wrong-typed inner field', cat(good, lenField(2, varint(3 << 3)))],
      ['a valid bundle twice', cat(good, good)],
      ['a valid bundle and a trailing zero', cat(good, Uint8Array.of(0))],
      ['4 MiB of empty unknown fields', emptyUnknownFields(MAX_BUNDLE_BYTES)],
    ];
    const slowest = new Slowest();
    for (const [name, bytes] of cases) {
      const t = performance.now();
      const r = checkOne(bytes, name, valid);
      slowest.note(performance.now() - t, name);
      assert.equal(r.valid, false, name);
    }
    counts.push(`${cases.length} hand-made hostile bundles (slowest ${slowest})`);
  });
});

describe('fixed-layout decoders under fuzzing', () => {
  const prng = createPrng(SEED ^ 0x0dec0de);
  const COUNT = 20_000;

  after(() => {
    console.log(
      `bad input (layout fuzz, seed 0x${(SEED ^ 0x0dec0de).toString(16)}): ${COUNT} each of header, checkpoint body, leaf entry`,
    );
  });

  /** Decodes every mutation; anything that decodes must re-encode to the same bytes. */
  function fuzzLayout<T>(
    name: string,
    seed: Uint8Array,
    decode: (b: Uint8Array) => T | string,
    encode: (v: T) => Uint8Array,
  ): void {
    let accepted = 0;
    const slowest = new Slowest();
    for (let i = 0; i < COUNT; i++) {
      const m = mutate(prng, seed, [seed]);
      const t = performance.now();
      let out: T | string | undefined;
      assert.doesNotThrow(() => {
        out = decode(m.bytes);
      }, `${name} #${i} (${m.how}) threw`);
      slowest.note(performance.now() - t, m.how);
      if (typeof out === 'string') {
        assert.ok(out.length > 0, `${name}: an empty reason`);
        continue;
      }
      accepted++;
      assert.ok(
        Buffer.from(encode(out as T)).equals(Buffer.from(m.bytes)),
        `${name} #${i} (${m.how}): decoded but does not re-encode to the same bytes`,
      );
    }
    console.log(
      `${name}: ${COUNT} mutations, ${accepted} still decoded (all re-encode identically), slowest ${slowest}`,
    );
  }

  test('header', () => {
    const header = encodeHeader({
      formatVersion: 1,
      logId: new Uint8Array(32).fill(1),
      sequence: 5n,
      previousHeaderHash: new Uint8Array(32).fill(2),
      root: new Uint8Array(32).fill(3),
      treeSize: 9n,
      timeMs: 1_760_000_000_000n,
      algorithmId: 0x0002,
      keyId: new Uint8Array(32).fill(4),
      guaranteeExpiryMs: 2_000_000_000_000n,
    });
    fuzzLayout('header', header, decodeHeader, encodeHeader);
  });

  test('checkpoint body', () => {
    const body = encodeCheckpoint({
      version: 1,
      logId: new Uint8Array(32).fill(1),
      batchCount: 3n,
      headerLogRoot: new Uint8Array(32).fill(2),
      headHeaderHash: new Uint8Array(32).fill(3),
      timeMs: 1_760_000_000_000n,
      algorithmId: 0x0002,
      keyId: new Uint8Array(32).fill(4),
    });
    fuzzLayout('checkpoint body', body, decodeCheckpoint, encodeCheckpoint);
  });

  test('leaf entry', () => {
    const reencode = (e: LeafEntry) =>
      encodeLeafEntry(e.digest, e.source === undefined ? undefined : encodeSource(e.source));
    const entry = encodeLeafEntry(new Uint8Array(32).fill(9));
    fuzzLayout('leaf entry', entry, decodeLeafEntry, reencode);
    const withSource = encodeLeafEntry(
      new Uint8Array(32).fill(9),
      encodeSource({
        kind: 'jpyc',
        chain: 'polygon',
        txHash: new Uint8Array(32).fill(0xab),
        logIndex: 7,
        block: { number: 50_000_000n, hash: new Uint8Array(32).fill(0xcd) },
      }),
    );
    fuzzLayout('leaf entry v2', withSource, decodeLeafEntry, reencode);
  });
});
