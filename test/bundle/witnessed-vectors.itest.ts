// The cosigned-checkpoint vectors (test/vectors/witnessed.json, docs/proof-format.md §10) verify as the manifest
// says under their witness policy, with the native and the portable verifier; the generator reproduces them.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { createNativeVerifier } from '../../src/crypto/native-verifier.ts';
import { verifyBundle } from '../../src/proof/bundle/verify.ts';
import { createNobleVerifier } from '../../src/proof/crypto/noble-verifier.ts';
import { parseWitnessPolicy } from '../../src/proof/trust/witness-policy.ts';
import type { WitnessedVector } from '../vectors/generate-witnessed.ts';

const MANIFEST = new URL('../vectors/witnessed.json', import.meta.url);
const vectors = JSON.parse(readFileSync(MANIFEST, 'utf8')) as WitnessedVector[];

test('the manifest holds valid and failing cosigned-checkpoint vectors', () => {
  assert.ok(vectors.filter((v) => v.valid).length >= 2);
  assert.ok(vectors.filter((v) => !v.valid).length >= 6);
});

for (const [name, verifier] of [
  ['native', createNativeVerifier()],
  ['noble', createNobleVerifier()],
] as const) {
  for (const v of vectors) {
    test(`${name}: ${v.file}: ${v.description}`, () => {
      const policy =
        v.witnessPolicy === undefined ? undefined : parseWitnessPolicy(JSON.stringify(v.witnessPolicy));
      assert.ok(typeof policy !== 'string', String(policy));
      const report = verifyBundle(new Uint8Array(readFileSync(new URL(v.file, MANIFEST))), {
        verifier,
        ...(policy === undefined ? {} : { witnessPolicy: policy }),
      });
      const failed = report.checks.filter((c) => !c.ok);
      assert.equal(report.valid, v.valid, JSON.stringify(failed));
      if (!v.valid) assert.equal(failed[0]?.name, v.failedCheck, failed[0]?.detail);
    });
  }
}

test('the generator reproduces the vectors byte for byte', () => {
  const before = vectors.map((v) => readFileSync(new URL(v.file, MANIFEST)));
  execFileSync(process.execPath, [new URL('../vectors/generate-witnessed.ts', import.meta.url).pathname]);
  const after = (JSON.parse(readFileSync(MANIFEST, 'utf8')) as WitnessedVector[]).map((v) =>
    readFileSync(new URL(v.file, MANIFEST)),
  );
  assert.deepEqual(after, before);
});
