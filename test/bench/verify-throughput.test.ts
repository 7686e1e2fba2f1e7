// The verify throughput benchmark: its corpora verify, and it reports finite rates (never judged by speed).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { verifyCorpus, verifyThroughput } from '../../bench/verify-throughput.ts';
import { decodeBundle } from '../../src/proof/bundle/codec.ts';
import { toHex } from '../../src/proof/encoding/bytes.ts';

test('the corpora are valid bundles, the distinct ones under distinct headers, and every rate is reported', () => {
  const corpus = verifyCorpus(64, 300);
  assert.equal(corpus.sameBatch.length, 50);
  const headers = new Set(corpus.distinctHeaders.map((b) => toHex(decodeBundle(b).header)));
  assert.equal(headers.size, 300, 'more distinct headers than the bundle verifier remembers (256)');
  const t = verifyThroughput(20, 1, corpus);
  assert.equal(t.invalid, 0);
  for (const v of [t.sameBatch, t.distinctHeaders, t.uncached, t.mlDsaVerify]) {
    assert.equal(Number.isFinite(v) && v > 0, true);
  }
});
