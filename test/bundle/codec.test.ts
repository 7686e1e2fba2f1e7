// The .spark codec: bounded decoding that throws only BundleError, canonical encoding, views for people.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { create } from '@bufbuild/protobuf';
import { AnchorSchema, PublicationSchema } from '../../src/gen/spark/v1/bundle_pb.js';
import { BundleError } from '../../src/proof/bundle/bundle-error.ts';
import {
  bundleToDisplay,
  bundleToJson,
  decodeBundle,
  encodeBundle,
  MAX_BUNDLE_BYTES,
} from '../../src/proof/bundle/codec.ts';
import { toHex } from '../../src/proof/encoding/bytes.ts';
import { createPrng } from '../merkle/prng.ts';
import { bundleOf, createTestKey, digestsOf, keyEntry, sealBatch, seedOf } from './fixture.ts';

const key = createTestKey(seedOf(3), { impl: 'native' });
const sealed = sealBatch({ key, digests: digestsOf(3), timeMs: 1_760_000_000_000n });
const bundle = bundleOf(sealed, 1, [keyEntry(key, { validFromMs: 1_700_000_000_000 })]);
const bytes = encodeBundle(bundle);

function bundleError(fn: () => unknown, code: BundleError['code']): BundleError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof BundleError, `expected BundleError, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.equal(e.field, 'bundle');
    return e;
  }
  assert.fail('did not throw');
}

test('decode(encode(b)) round-trips and re-encodes to the same bytes', () => {
  const d = decodeBundle(bytes);
  assert.equal(d.version, 1);
  assert.equal(toHex(d.header), toHex(sealed.batch.header));
  assert.deepEqual(encodeBundle(d), bytes);
});

test('empty and oversized inputs are refused before parsing', () => {
  assert.match(bundleError(() => decodeBundle(new Uint8Array(0)), 'MALFORMED').message, /empty/);
  assert.equal(MAX_BUNDLE_BYTES, 4 * 1024 * 1024);
  bundleError(() => decodeBundle(new Uint8Array(MAX_BUNDLE_BYTES + 1)), 'TOO_LARGE');
  bundleError(() => decodeBundle('x' as unknown as Uint8Array), 'MALFORMED');
});

test('protobuf failures become MALFORMED with the cause kept', () => {
  const e = bundleError(() => decodeBundle(bytes.subarray(0, bytes.length - 5)), 'MALFORMED');
  assert.ok(e.cause !== undefined);
  bundleError(() => decodeBundle(Uint8Array.of(0xff, 0xff, 0xff)), 'MALFORMED');
});

test('random garbage throws nothing but BundleError', () => {
  const prng = createPrng(99);
  for (let i = 0; i < 3000; i++) {
    const g = prng.bytes(1 + prng.below(200));
    try {
      decodeBundle(g);
    } catch (e) {
      assert.ok(e instanceof BundleError, `${toHex(g)}: ${String(e)}`);
    }
  }
});

test('unknown fields survive decoding (so the verifier can see them) and are dropped by encodeBundle', () => {
  const extended = new Uint8Array([...bytes, 0xf8, 0x06, 0x01]); // field 111, varint 1
  const d = decodeBundle(extended);
  assert.ok((d.$unknown?.length ?? 0) > 0);
  assert.deepEqual(encodeBundle(d), bytes);
});

test('bundleToDisplay shows bytes as hex and the header decoded from its bytes', () => {
  const view = bundleToDisplay(bundle) as Record<string, unknown>;
  const json = JSON.stringify(view);
  assert.equal(view['header'], toHex(sealed.batch.header));
  const header = view['headerDecoded'] as Record<string, unknown>;
  assert.equal(header['keyId'], toHex(key.keyId));
  assert.equal(header['treeSize'], '3');
  assert.equal(header['time'], new Date(1_760_000_000_000).toISOString());
  const leaf = view['leaf'] as Record<string, unknown>;
  assert.equal(leaf['digest'], toHex(digestsOf(3)[1] as Uint8Array));
  assert.equal(leaf['hashAlgorithm'], 'SHA2_256');
  assert.equal(view['anchor'], null);
  assert.ok(!json.includes('"$typeName"'));
  const keys = view['keys'] as Array<Record<string, unknown>>;
  assert.equal(keys[0]?.['publicKey'], toHex(key.publicKey));
});

test('bundleToDisplay survives a broken header and shows anchors', () => {
  const broken = decodeBundle(bytes);
  broken.header = new Uint8Array(3);
  broken.anchor = create(AnchorSchema, { transactionHash: new Uint8Array([1, 2]), height: 5n });
  broken.publication = create(PublicationSchema, { ipfsCid: 'bafy' });
  const view = bundleToDisplay(broken) as Record<string, Record<string, unknown>>;
  assert.match(String(view['headerDecoded']?.['error']), /too short/);
  assert.equal(view['anchor']?.['transactionHash'], '0102');
  assert.equal(view['anchor']?.['height'], '5');
  assert.equal(view['publication']?.['ipfsCid'], 'bafy');
});

test('bundleToJson is the protobuf JSON mapping', () => {
  const json = bundleToJson(bundle) as Record<string, unknown>;
  assert.equal(json['version'], 1);
  assert.equal(json['header'], Buffer.from(sealed.batch.header).toString('base64'));
  const inclusion = json['inclusion'] as Record<string, unknown>;
  assert.equal(inclusion['leafIndex'], '1');
});

test('bundleToDisplay decodes a version-2 anchor block header and names its block hash', async () => {
  const { readFileSync } = await import('node:fs');
  const { parseBlockHeader } = await import('../../src/proof/anchor/block-header.ts');
  const bytes = readFileSync(new URL('../vectors/bundles/valid-anchored-v2.spark', import.meta.url));
  const b = decodeBundle(new Uint8Array(bytes));
  const shown = bundleToDisplay(b) as { anchor: { blockHeaderDecoded: { hash: string; height: string } } };
  const parsed = parseBlockHeader(b.anchor?.blockHeader ?? new Uint8Array());
  assert.ok(parsed.ok);
  assert.equal(shown.anchor.blockHeaderDecoded.hash, toHex(parsed.value.hash));
  assert.equal(shown.anchor.blockHeaderDecoded.height, String(b.anchor?.height));
  const broken = bundleToDisplay({
    ...b,
    anchor: { ...b.anchor, blockHeader: new Uint8Array(10) },
  } as never) as {
    anchor: { blockHeaderDecoded: { problem: string } };
  };
  assert.match(broken.anchor.blockHeaderDecoded.problem, /block header/);
});
