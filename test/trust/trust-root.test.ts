// Trust roots (docs/trust.md): a root round-trips through its JSON file, hostile files are refused naming the field,
// and the "issuer" check holds a bundle to the pinned log, keys (through endorsements) and Symbol account.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { nativeSha256 } from '../../src/crypto/native-sha256.ts';
import { createNativeVerifier } from '../../src/crypto/native-verifier.ts';
import { parseAggregateHeader } from '../../src/proof/anchor/anchor-share.ts';
import { decodeBundle, encodeBundle } from '../../src/proof/bundle/codec.ts';
import { verdictOf, verifyBundle } from '../../src/proof/bundle/verify.ts';
import { toHex } from '../../src/proof/encoding/bytes.ts';
import { trustRootFrom } from '../../src/proof/trust/root-from-history.ts';
import {
  encodeTrustRoot,
  parseTrustRoot,
  rootExtends,
  TRUST_ROOT_MEDIA_TYPE,
  type TrustRoot,
} from '../../src/proof/trust/trust-root.ts';
import type { KeyHistoryEntry } from '../../src/store/store.ts';
import { bundleOf, createTestKey, digestsOf, keyEntry, sealBatch, seedOf } from '../bundle/fixture.ts';

const verifier = createNativeVerifier();
const sha256 = nativeSha256;
const T = 1_760_000_000_000;
const a = createTestKey(seedOf(21), { impl: 'native' });
const b = createTestKey(seedOf(22), { impl: 'native' });
const c = createTestKey(seedOf(23), { impl: 'native' });
// A, current; later retired at T+100 for B, which A endorses; after a restart that lost B, C names B as its
// predecessor but B could not endorse it.
const entryA0 = keyEntry(a, { validFromMs: T });
const entryA = keyEntry(a, { validFromMs: T, validUntilMs: T + 100 });
const entryB0 = keyEntry(b, { validFromMs: T + 100, endorser: a });
const entryB = keyEntry(b, { validFromMs: T + 100, validUntilMs: T + 200, endorser: a });
const entryC = keyEntry(c, { validFromMs: T + 200, previousKeyId: b.keyId });

function root(history: readonly KeyHistoryEntry[], logId?: Uint8Array): TrustRoot {
  const logOf = logId ?? sealBatch({ key: a, digests: digestsOf(1), timeMs: BigInt(T) }).fields.logId;
  const r = trustRootFrom({ logId: logOf, history, createdAtMs: T + 1 }, verifier, sha256);
  assert.ok(r.ok, r.ok ? '' : r.reason);
  return r.value;
}

function bundleBy(key: typeof a, timeMs: number, keys: readonly KeyHistoryEntry[], logId?: Uint8Array) {
  const sealed = sealBatch({
    key,
    digests: digestsOf(3, 'issuer'),
    timeMs: BigInt(timeMs),
    ...(logId === undefined ? {} : { logId }),
  });
  return encodeBundle(bundleOf(sealed, 1, keys));
}

const issuerOf = (r: ReturnType<typeof verifyBundle>) => r.checks.find((x) => x.name === 'issuer');

test('a root round-trips through its JSON file, and a later root extends an earlier one', () => {
  const early = root([entryA0]);
  const late = root([entryA, entryB0]);
  const text = encodeTrustRoot(late);
  assert.match(
    text,
    new RegExp(`"mediaType": "${TRUST_ROOT_MEDIA_TYPE.replaceAll('.', '\\.').replaceAll('+', '\\+')}"`),
  );
  const parsed = parseTrustRoot(text, verifier, sha256);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.reason);
  assert.equal(encodeTrustRoot(parsed.value), text);
  assert.equal(rootExtends(late, early), undefined);
  assert.match(rootExtends(early, late) ?? '', /not at position 1/);
});

test('hostile root files are refused, naming what is wrong', () => {
  const good = JSON.parse(encodeTrustRoot(root([entryA, entryB]))) as Record<string, unknown>;
  const keys = good['keys'] as Array<Record<string, unknown>>;
  const flip = (hex: string) => `${hex.slice(0, -2)}${hex.slice(-2) === '00' ? '01' : '00'}`;
  const cases: Array<[unknown, RegExp]> = [
    ['not json', /not JSON/],
    [{ ...good, mediaType: 'application/json' }, /mediaType/],
    [{ ...good, extra: 1 }, /unknown field "extra"/],
    [{ ...good, logId: 'AB' }, /logId/],
    [{ ...good, keys: [] }, /at least one key/],
    [
      { ...good, keys: [{ ...keys[0], selfSignature: flip(String(keys[0]?.['selfSignature'])) }, keys[1]] },
      /keys\[0\].*selfSignature does not verify/,
    ],
    [{ ...good, keys: [keys[1], keys[0]] }, /keys\[0\].*not an earlier key/],
    [
      { ...good, keys: [keys[0], { ...keys[1], endorsement: flip(String(keys[1]?.['endorsement'])) }] },
      /keys\[1\].*endorsement/,
    ],
    [{ ...good, keys: [{ ...keys[0], keyId: '00'.repeat(32) }] }, /keyId is not SHA-256/],
    [{ ...good, keys: [{ ...keys[0], validFromMs: 12 }] }, /validFromMs/],
    [{ ...good, keys: [{ ...keys[0], algorithm: 'ML-DSA-44' }] }, /algorithm/],
    [{ ...good, witnesses: [{}] }, /witnesses/],
    [
      {
        ...good,
        symbol: {
          network: 'testnet',
          networkIdentifier: 0x68,
          generationHashSeed: '49d6e1ce276a85b70eafe52349aacca389302e7a9754bcf1221e79494fc665a4',
          accounts: [],
        },
      },
      /networkIdentifier.*testnet/,
    ],
    [
      {
        ...good,
        symbol: {
          network: 'testnet',
          networkIdentifier: 0x98,
          generationHashSeed: '49d6e1ce276a85b70eafe52349aacca389302e7a9754bcf1221e79494fc665a4',
          accounts: [{ publicKey: '11'.repeat(32), address: 'TAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }],
        },
      },
      /address.*is not T/,
    ],
  ];
  for (const [input, reason] of cases) {
    const r = parseTrustRoot(typeof input === 'string' ? input : JSON.stringify(input), verifier, sha256);
    assert.equal(r.ok, false, String(reason));
    if (!r.ok) assert.match(r.reason, reason);
  }
});

test('unpinned: the issuer check passes and says so; the verdict says VALID (issuer not pinned)', () => {
  const report = verifyBundle(bundleBy(a, T, [entryA0]), { verifier });
  assert.equal(report.valid, true);
  assert.equal(report.issuerPinned, false);
  assert.match(issuerOf(report)?.detail ?? '', /^issuer not pinned: log [0-9a-f]{64}, key [0-9a-f]{64}/);
  assert.equal(verdictOf(report), 'VALID (issuer not pinned)');
});

test('pinned by a root: another log fails naming both; the same log passes', () => {
  const pinnedRoot = root([entryA0]);
  const mine = verifyBundle(bundleBy(a, T, [entryA0]), { verifier, pin: { root: pinnedRoot } });
  assert.equal(mine.valid, true, JSON.stringify(mine.checks.filter((x) => !x.ok)));
  assert.equal(verdictOf(mine), 'VALID');
  const otherLog = new Uint8Array(32).fill(0xee);
  const theirs = verifyBundle(bundleBy(a, T, [entryA0], otherLog), { verifier, pin: { root: pinnedRoot } });
  assert.equal(theirs.valid, false);
  assert.match(
    issuerOf(theirs)?.detail ?? '',
    new RegExp(`log ${toHex(otherLog)}.*pins log ${toHex(pinnedRoot.logId)}`),
  );
  assert.equal(verdictOf(theirs), 'INVALID: failed issuer');
});

test('a root made before a rotation accepts the endorsed successor, and refuses a key nobody endorsed', () => {
  const before = root([entryA0]);
  const rotated = verifyBundle(bundleBy(b, T + 150, [entryB0, entryA]), { verifier, pin: { root: before } });
  assert.equal(rotated.valid, true, JSON.stringify(rotated.checks.filter((x) => !x.ok)));
  assert.match(issuerOf(rotated)?.detail ?? '', /endorsed down from a pinned key \(1 step\)/);
  const lost = verifyBundle(bundleBy(c, T + 250, [entryC]), {
    verifier,
    pin: { root: root([entryA, entryB]) },
  });
  assert.equal(lost.valid, false);
  assert.match(issuerOf(lost)?.detail ?? '', /not pinned and not endorsed/);
  // A root that pins C itself (exported after the restart) accepts it.
  const after = verifyBundle(bundleBy(c, T + 250, [entryC]), {
    verifier,
    pin: { root: root([entryA, entryB, entryC]) },
  });
  assert.equal(after.valid, true, JSON.stringify(after.checks.filter((x) => !x.ok)));
});

test('a key pinned directly is accepted only within the window the root gives it', () => {
  const retired = root([entryA, entryB0]);
  const inside = verifyBundle(bundleBy(a, T + 99, [entryA, entryB0]), { verifier, pin: { root: retired } });
  assert.equal(inside.valid, true, JSON.stringify(inside.checks.filter((x) => !x.ok)));
  // The bundle claims A was current (no window end) at T+150; the root knows A was retired at T+100.
  const claimed = verifyBundle(bundleBy(a, T + 150, [entryA0]), { verifier, pin: { root: retired } });
  assert.equal(claimed.valid, false);
  assert.match(issuerOf(claimed)?.detail ?? '', /outside the window the trust root pins it for/);
});

test('quick pins: --log-id alone, --key-id alone', () => {
  const bytes = bundleBy(b, T + 150, [entryB0, entryA]);
  const logId = decodeBundle(bytes).headerFields?.logId as Uint8Array;
  assert.equal(verifyBundle(bytes, { verifier, pin: { logId } }).valid, true);
  assert.match(
    issuerOf(verifyBundle(bytes, { verifier, pin: { logId } }))?.detail ?? '',
    /issuer pinned: log [0-9a-f]{64}; key not pinned/,
  );
  assert.equal(verifyBundle(bytes, { verifier, pin: { logId: new Uint8Array(32) } }).valid, false);
  assert.equal(verifyBundle(bytes, { verifier, pin: { keyId: a.keyId } }).valid, true, 'B is endorsed by A');
  assert.equal(verifyBundle(bytes, { verifier, pin: { keyId: c.keyId } }).valid, false);
});

test('an anchored bundle: the root must pin the Symbol network and the account that signed the anchor', () => {
  const bytes = new Uint8Array(
    readFileSync(new URL('../vectors/bundles/valid-anchored-v2.spark', import.meta.url)),
  );
  const bundle = decodeBundle(bytes);
  const header = parseAggregateHeader(bundle.anchor?.aggregateHeader ?? new Uint8Array());
  assert.ok(header.ok);
  const base = trustRootFrom(
    {
      logId: bundle.headerFields?.logId as Uint8Array,
      history: bundle.keys,
      symbol: {
        networkIdentifier: header.value.network,
        generationHashSeed: bundle.anchor?.networkGenerationHashSeed as Uint8Array,
        accounts: [header.value.signerPublicKey],
      },
      createdAtMs: T,
    },
    verifier,
    sha256,
  );
  assert.ok(base.ok, base.ok ? '' : base.reason);
  const pinned = verifyBundle(bytes, { verifier, pin: { root: base.value } });
  assert.equal(pinned.valid, true, JSON.stringify(pinned.checks.filter((x) => !x.ok)));
  assert.match(issuerOf(pinned)?.detail ?? '', /anchored by a pinned Symbol account/);
  const other = {
    ...base.value,
    symbol: { ...(base.value.symbol as NonNullable<TrustRoot['symbol']>), accounts: [] },
  };
  const refused = verifyBundle(bytes, { verifier, pin: { root: other } });
  assert.equal(refused.valid, false);
  assert.match(
    issuerOf(refused)?.detail ?? '',
    /signed by account [A-Z2-7]{39}, which the root does not pin/,
  );
});
