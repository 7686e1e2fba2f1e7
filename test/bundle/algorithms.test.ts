// Every registry algorithm end to end through the bundle (docs/proof-format.md §7): a real key seals a batch, its bundle verifies
// with both verifiers, a corrupted signature fails the "signature" check, and unknown or disabled ids fail with
// their reasons.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { SigningKey } from '../../providers/key-provider.ts';
import { createMemoryProvider } from '../../providers/memory-provider.ts';
import { makeKeyEntry } from '../../src/batch/key-entry.ts';
import { loadConfig } from '../../src/config/config.ts';
import { ConfigError } from '../../src/config/config-error.ts';
import { nativeSha256 } from '../../src/crypto/native-sha256.ts';
import { createNativeVerifier } from '../../src/crypto/native-verifier.ts';
import { decodeBundle, encodeBundle } from '../../src/proof/bundle/codec.ts';
import { type VerifyReport, verifyBundle } from '../../src/proof/bundle/verify.ts';
import {
  algorithmByName,
  allAlgorithms,
  ML_DSA_65_ED25519,
  SLH_DSA_SHA2_128F,
} from '../../src/proof/crypto/algorithms.ts';
import { HEADER_SIGNATURE_CONTEXT } from '../../src/proof/crypto/contexts.ts';
import { createNobleVerifier } from '../../src/proof/crypto/noble-verifier.ts';
import { toHex } from '../../src/proof/encoding/bytes.ts';
import type { KeyHistoryEntry } from '../../src/store/store.ts';
import { bundleOf, digestsOf, type SealedBatch, sealBatch, type TestKey } from './fixture.ts';

const T0 = 1_760_000_000_000;
const VERIFIERS = [createNativeVerifier(), createNobleVerifier()];
const provider = createMemoryProvider({ implementation: 'native' });
after(() => provider.close());

function failedNames(r: VerifyReport): string[] {
  return r.checks.filter((c) => !c.ok).map((c) => c.name);
}

function detailOf(r: VerifyReport, name: string): string {
  return r.checks.find((c) => c.name === name)?.detail ?? '';
}

/**
 * Seals `digests` with the fixture's header layout, then signs the header with the real (asynchronous) key:
 * the fixture signs synchronously, so it gets a placeholder that the real signature replaces.
 */
async function seal(
  key: SigningKey,
  o: { digests: readonly Uint8Array[]; algorithmId?: number; guaranteeExpiryMs: bigint },
): Promise<SealedBatch> {
  const placeholder: TestKey = {
    algorithmId: key.algorithmId,
    publicKey: key.publicKey,
    keyId: key.keyId,
    sign: () => new Uint8Array(0),
  };
  const unsigned = sealBatch({ key: placeholder, timeMs: BigInt(T0), ...o });
  const signature = await key.sign(unsigned.batch.header, HEADER_SIGNATURE_CONTEXT);
  const [first] = unsigned.batch.signatures;
  assert.ok(first !== undefined);
  return { ...unsigned, batch: { ...unsigned.batch, signatures: [{ ...first, signature }] } };
}

/** A fresh entry for `key`, endorsed by `endorser` when given. */
function entryOf(key: SigningKey, endorser?: { key: SigningKey; entry: KeyHistoryEntry }) {
  return makeKeyEntry({
    key,
    generation: 0,
    validFromMs: T0 - 1000,
    previousKeyId: endorser?.entry.keyId ?? new Uint8Array(0),
    endorser: endorser?.key,
  });
}

/** Bundle bytes with signature byte `at` of the header signature flipped. */
function withFlippedSignature(bytes: Uint8Array, at: number): Uint8Array {
  const bundle = decodeBundle(bytes);
  const s = bundle.signatures[0];
  assert.ok(s !== undefined);
  s.signature = Uint8Array.from(s.signature);
  s.signature[at] = (s.signature[at] ?? 0) ^ 0x01;
  return encodeBundle(bundle);
}

test('the registry has the seven algorithms of docs/proof-format.md §7 with their stable ids', () => {
  assert.deepEqual(
    allAlgorithms().map((a) => [a.id, a.name, a.publicKeyLength, a.signatureLength]),
    [
      [0x0001, 'ML-DSA-44', 1312, 2420],
      [0x0002, 'ML-DSA-65', 1952, 3309],
      [0x0003, 'ML-DSA-87', 2592, 4627],
      [0x0010, 'SLH-DSA-SHA2-128s', 32, 7856],
      [0x0011, 'SLH-DSA-SHA2-128f', 32, 17088],
      [0x0101, 'ML-DSA-65+Ed25519', 1984, 3373],
      [0x0102, 'ML-DSA-65+SLH-DSA-SHA2-128s', 1984, 11165],
    ],
  );
});

test('PQC_ALGORITHM accepts every registry name (any case) and lists them all when it does not', () => {
  for (const spec of allAlgorithms()) {
    for (const name of [spec.name, spec.name.toLowerCase()]) {
      const c = loadConfig({ PQC_ALGORITHM: name });
      assert.equal(c.algorithmId, spec.id, name);
      assert.equal(c.guaranteeExpiryMs, Date.parse(spec.defaultGuaranteeExpiry));
    }
  }
  assert.throws(
    () => loadConfig({ PQC_ALGORITHM: 'SLH-DSA-SHA2-128x' }),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      for (const spec of allAlgorithms()) assert.ok(err.message.includes(spec.name), spec.name);
      return true;
    },
  );
});

describe('every algorithm seals a batch whose bundle verifies', () => {
  for (const spec of allAlgorithms()) {
    const hex = `0x${spec.id.toString(16).padStart(4, '0')}`;

    test(`${spec.name} (${hex}): valid with both verifiers; a corrupted signature, an unknown or a disabled id fail`, async () => {
      const key = await provider.open('batch-signing', spec.id);
      const entry = await entryOf(key);
      const digests = digestsOf(5, spec.name);
      const guaranteeExpiryMs = BigInt(Date.parse(spec.defaultGuaranteeExpiry));
      const sealed = await seal(key, { digests, guaranteeExpiryMs });
      const bytes = encodeBundle(bundleOf(sealed, 3, [entry]));

      for (const verifier of VERIFIERS) {
        const r = verifyBundle(bytes, { verifier, sha256: nativeSha256 });
        assert.deepEqual(failedNames(r), [], `${verifier.name}: ${JSON.stringify(r.checks)}`);
        assert.ok(detailOf(r, 'signature').endsWith(`; ${spec.name} by ${toHex(key.keyId)}`));
        assert.ok(detailOf(r, 'key').includes(`(${spec.name}, memory)`));
      }

      // Corrupted at the start and at the end (for a hybrid: in its first and in its last component).
      for (const at of [0, spec.signatureLength - 1]) {
        const corrupted = withFlippedSignature(bytes, at);
        for (const verifier of VERIFIERS) {
          const r = verifyBundle(corrupted, { verifier, sha256: nativeSha256 });
          assert.deepEqual(failedNames(r), ['signature'], `${verifier.name}, byte ${at}`);
          assert.match(detailOf(r, 'signature'), /does not verify over the header bytes/);
        }
      }

      // The same key signing under an unknown id: the header, its signature and its record say 0x7777.
      const unknown = await seal(key, { digests, guaranteeExpiryMs, algorithmId: 0x7777 });
      assert.equal(unknown.batch.signatures[0]?.algorithmId, 0x7777);
      const unknownBytes = encodeBundle(bundleOf(unknown, 3, [{ ...entry, algorithmId: 0x7777 }]));
      for (const verifier of VERIFIERS) {
        const r = verifyBundle(unknownBytes, { verifier, sha256: nativeSha256 });
        assert.equal(r.valid, false);
        assert.equal(failedNames(r)[0], 'key');
        assert.match(detailOf(r, 'key'), /unknown algorithm id 0x7777/);
        assert.equal(detailOf(r, 'signature'), 'skipped: key failed');
      }

      // Disabled by policy: fails naming the id and the algorithm; so does disabling a component of a hybrid
      // (docs/proof-format.md §7.1: a hybrid relies on every component); disabling any other id changes nothing.
      const components = spec.components.flatMap((c) => algorithmByName(c.name) ?? []);
      for (const verifier of VERIFIERS) {
        const r = verifyBundle(bytes, { verifier, sha256: nativeSha256, disabledAlgorithms: [spec.id] });
        assert.equal(r.valid, false);
        assert.deepEqual(failedNames(r), [
          'key',
          'key-validity',
          'signature',
          'checkpoint',
          'issuer',
          'witnesses',
        ]);
        assert.equal(
          detailOf(r, 'key'),
          `key ${toHex(key.keyId)}: algorithm ${hex} (${spec.name}) is disabled by this verifier's policy`,
        );
        for (const c of spec.family === 'hybrid' ? components : []) {
          const byComponent = verifyBundle(bytes, { verifier, disabledAlgorithms: [c.id] });
          assert.deepEqual(failedNames(byComponent), [
            'key',
            'key-validity',
            'signature',
            'checkpoint',
            'issuer',
            'witnesses',
          ]);
          assert.equal(
            detailOf(byComponent, 'key'),
            `key ${toHex(key.keyId)}: algorithm ${hex} (${spec.name}) relies on 0x${c.id.toString(16).padStart(4, '0')} (${c.name}), which this verifier's policy disables`,
          );
        }
        const others = allAlgorithms()
          .map((a) => a.id)
          .filter((id) => id !== spec.id && !components.some((c) => c.id === id));
        assert.equal(verifyBundle(bytes, { verifier, disabledAlgorithms: others }).valid, true);
      }
    });
  }
});

test('a key endorsed across algorithms verifies; disabling the endorser algorithm fails the key check naming it', async () => {
  // SLH-DSA-SHA2-128f retired at T0 - 500, succeeded by ML-DSA-65+Ed25519, which it endorses.
  const old = await provider.open('batch-signing', SLH_DSA_SHA2_128F);
  const oldEntry = { ...(await entryOf(old)), validUntilMs: T0 - 500 };
  const current = await provider.open('batch-signing', ML_DSA_65_ED25519);
  const currentEntry = await makeKeyEntry({
    key: current,
    generation: 0,
    validFromMs: T0 - 500,
    previousKeyId: old.keyId,
    endorser: old,
  });
  const sealed = await seal(current, {
    digests: digestsOf(3, 'endorsed'),
    guaranteeExpiryMs: BigInt(Date.parse('2045-01-01T00:00:00Z')),
  });
  const bytes = encodeBundle(bundleOf(sealed, 1, [oldEntry, currentEntry]));
  for (const verifier of VERIFIERS) {
    const ok = verifyBundle(bytes, { verifier, sha256: nativeSha256 });
    assert.deepEqual(failedNames(ok), [], JSON.stringify(ok.checks));
    const r = verifyBundle(bytes, { verifier, disabledAlgorithms: [SLH_DSA_SHA2_128F] });
    assert.deepEqual(failedNames(r), [
      'key',
      'key-validity',
      'signature',
      'checkpoint',
      'issuer',
      'witnesses',
    ]);
    assert.equal(
      detailOf(r, 'key'),
      `key ${toHex(old.keyId)}: algorithm 0x0011 (SLH-DSA-SHA2-128f) is disabled by this verifier's policy`,
    );
  }
});
