// The proof bundle vectors (test/vectors/bundles.json) verify as the manifest says, with both verifiers.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { createNativeVerifier } from '../../src/crypto/native-verifier.ts';
import { decodeBundle } from '../../src/proof/bundle/codec.ts';
import { verifyBundle } from '../../src/proof/bundle/verify.ts';
import { createNobleVerifier } from '../../src/proof/crypto/noble-verifier.ts';
import type { SignatureVerifier } from '../../src/proof/crypto/signature-verifier.ts';
import { fromHex } from '../../src/proof/encoding/bytes.ts';

interface VectorEntry {
  file: string;
  description: string;
  valid: boolean;
  failedCheck?: string;
  data?: string;
}

const MANIFEST = new URL('../vectors/bundles.json', import.meta.url);

function loadVectors(): Array<VectorEntry & { bytes: Uint8Array; dataBytes: Uint8Array | undefined }> {
  const entries = JSON.parse(readFileSync(MANIFEST, 'utf8')) as VectorEntry[];
  if (!Array.isArray(entries) || entries.length === 0) throw new Error(`no vectors in ${MANIFEST.pathname}`);
  return entries.map((e) => {
    assert.equal(typeof e.file, 'string');
    assert.equal(typeof e.valid, 'boolean');
    assert.ok(e.valid || typeof e.failedCheck === 'string', `${e.file}: invalid vectors name a failed check`);
    const dataBytes = e.data === undefined ? undefined : fromHex(e.data);
    if (e.data !== undefined && dataBytes === undefined) throw new Error(`${e.file}: data is not hex`);
    return { ...e, bytes: new Uint8Array(readFileSync(new URL(e.file, MANIFEST))), dataBytes };
  });
}

const vectors = loadVectors();

test('the manifest loads valid and invalid vectors', () => {
  assert.ok(vectors.filter((v) => v.valid).length >= 4);
  assert.ok(vectors.filter((v) => !v.valid).length >= 12);
});

test('valid vectors cover anchored bundles: version 1 and 2, with a checkpoint anchor, and an immediate batch', () => {
  const forms = vectors
    .filter((v) => v.valid)
    .map((v) => decodeBundle(v.bytes))
    .filter((b) => b.anchor !== undefined)
    .map((b) => ({
      version: b.version,
      checkpointAnchored: b.checkpoint?.anchor !== undefined,
      publication: b.publication !== undefined,
    }));
  for (const version of [1, 2]) {
    assert.ok(
      forms.some((f) => f.version === version && !f.checkpointAnchored),
      `anchored v${version}`,
    );
    assert.ok(
      forms.some((f) => f.version === version && f.checkpointAnchored),
      `checkpointed v${version}`,
    );
  }
  assert.ok(forms.some((f) => f.version === 2 && f.publication));
});

test('the Arweave vectors: a valid copy, and each altered one fails at anchor naming its publication.arweave field', () => {
  const arweave = vectors.filter((v) => v.file.includes('arweave'));
  const verifier = createNobleVerifier();
  const reasons = new Map(
    arweave.map((v) => {
      const r = verifyBundle(v.bytes, { verifier });
      const anchor = r.checks.find((c) => c.name === 'anchor');
      return [v.file.replace(/^bundles\/|\.spark$/g, ''), { valid: r.valid, detail: anchor?.detail ?? '' }];
    }),
  );
  assert.equal(reasons.get('valid-immediate-v2-arweave')?.valid, true);
  assert.match(
    reasons.get('valid-immediate-v2-arweave')?.detail ?? '',
    /its Arweave copy: transaction [\w-]{43} \(wallet [\w-]{43}, not pinned: any wallet may store the same bytes\)/,
  );
  const failing: Array<[string, RegExp]> = [
    ['anchor-arweave-other-bytes', /^publication\.arweave\.data_root: not the root of the 11 bytes/],
    ['anchor-arweave-reward-changed', /^publication\.arweave\.signature: does not verify/],
    ['anchor-arweave-signature-flipped', /^publication\.arweave\.signature: does not verify/],
    ['anchor-arweave-id-changed', /^publication\.arweave\.id: .* is not SHA-256 of the signature/],
  ];
  for (const [name, reason] of failing) {
    assert.equal(reasons.get(name)?.valid, false, name);
    assert.match(reasons.get(name)?.detail ?? '', reason, name);
  }
});

const verifiers: SignatureVerifier[] = [createNobleVerifier(), createNativeVerifier()];

for (const verifier of verifiers) {
  describe(`vectors with ${verifier.name}`, () => {
    for (const v of vectors) {
      const label = `${v.file}${v.dataBytes === undefined ? '' : ' (with data)'}: ${v.description}`;
      test(label, () => {
        const r = verifyBundle(v.bytes, {
          verifier,
          ...(v.dataBytes === undefined ? {} : { data: v.dataBytes }),
        });
        const firstFailed = r.checks.find((c) => !c.ok);
        assert.equal(r.valid, v.valid, JSON.stringify(r.checks, null, 1));
        if (v.valid) assert.equal(firstFailed, undefined);
        else assert.equal(firstFailed?.name, v.failedCheck, JSON.stringify(r.checks, null, 1));
      });
    }
  });
}
