// Offline verification throughput on this thread, against the ML-DSA-65 verify ceiling measured in the same run.
// Bundles are made here (one ML-DSA-65 key, a 50,000-leaf tree, so paths are as long as a large batch's):
// - same batch: 50 bundles of one batch; a bundle verifier checks the header signature and key statement once;
// - distinct headers: 1,000 batches' headers (more than the verifier remembers), so each bundle costs one
//   ML-DSA-65 verification of its header; the key statement is remembered (the log's key did not change);
// - uncached: verifyBundle with a verifier that keeps nothing: two verifications and two key imports per bundle.
// Run alone: `node bench/verify-throughput.ts [calls] [repeats]` prints the medians; `npm run bench` may call
// verifyThroughput().

import { nativeSha256 } from '../src/crypto/native-sha256.ts';
import { createNativeVerifier } from '../src/crypto/native-verifier.ts';
import { encodeBundle } from '../src/proof/bundle/codec.ts';
import { encodeHeader } from '../src/proof/bundle/header.ts';
import { createBundleVerifier, type VerifyReport, verifyBundle } from '../src/proof/bundle/verify.ts';
import { HEADER_SIGNATURE_CONTEXT } from '../src/proof/crypto/contexts.ts';
import { bundleOf, createTestKey, digestsOf, keyEntry, sealBatch, seedOf } from '../test/bundle/fixture.ts';
import { mlDsaRates } from './crypto-ceiling.ts';
import { median, perSecond } from './stats.ts';

/** Bundles to verify, by case. */
export interface VerifyCorpus {
  readonly sameBatch: readonly Uint8Array[];
  readonly distinctHeaders: readonly Uint8Array[];
}

/** Builds the corpus: `headers` differently signed headers over one `leaves`-leaf tree. */
export function verifyCorpus(leaves = 50_000, headers = 1_000): VerifyCorpus {
  const key = createTestKey(seedOf(0x5b), { impl: 'native' });
  const keys = [keyEntry(key, { validFromMs: 1_000 })];
  const sealed = sealBatch({ key, digests: digestsOf(leaves, 'verify-bench'), timeMs: 2_000n });
  const leafOf = (i: number): number => (i * 997) % leaves;
  const sameBatch = Array.from({ length: 50 }, (_, i) => encodeBundle(bundleOf(sealed, leafOf(i), keys)));
  const distinctHeaders = Array.from({ length: headers }, (_, i) => {
    const fields = { ...sealed.fields, timeMs: 2_000n + BigInt(i) };
    const header = encodeHeader(fields);
    const signature = key.sign(header, HEADER_SIGNATURE_CONTEXT);
    const batch = {
      ...sealed.batch,
      header,
      fields,
      headerHash: nativeSha256(header),
      signatures: [{ algorithmId: fields.algorithmId, keyId: fields.keyId, signature }],
    };
    return encodeBundle(bundleOf({ ...sealed, fields, batch }, leafOf(i), keys));
  });
  return { sameBatch, distinctHeaders };
}

/** One rate and how many bundles came out invalid (none expected). */
export interface Rate {
  readonly perSecond: number;
  readonly invalid: number;
}

function rate(bundles: readonly Uint8Array[], calls: number, check: (b: Uint8Array) => VerifyReport): Rate {
  let invalid = 0;
  const started = performance.now();
  for (let i = 0; i < calls; i++) if (!check(bundles[i % bundles.length] as Uint8Array).valid) invalid++;
  return { perSecond: perSecond(calls, performance.now() - started), invalid };
}

/** The medians over `repeats` runs of `calls` verifications each. */
export interface VerifyThroughput {
  /** createBundleVerifier, bundles of one batch. */
  readonly sameBatch: number;
  /** createBundleVerifier, every bundle under another header: one ML-DSA-65 verification each. */
  readonly distinctHeaders: number;
  /** verifyBundle with nothing remembered (keys imported, both signatures verified every time). */
  readonly uncached: number;
  /** ML-DSA-65 verify through node:crypto, pre-imported KeyObject: the ceiling. */
  readonly mlDsaVerify: number;
  /** Bundles reported invalid over all runs (must be 0). */
  readonly invalid: number;
}

/** Measures every case `repeats` times, interleaved (a shared machine's noise hits all alike). */
export function verifyThroughput(calls = 3_000, repeats = 5, corpus = verifyCorpus()): VerifyThroughput {
  const runs: { same: Rate; distinct: Rate; uncached: Rate; mlDsa: number }[] = [];
  for (let r = 0; r < repeats; r++) {
    const options = { verifier: createNativeVerifier(), sha256: nativeSha256 };
    const same = createBundleVerifier(options);
    const distinct = createBundleVerifier(options);
    const bare = { verifier: createNativeVerifier({ keyCacheSize: 0 }), sha256: nativeSha256 };
    runs.push({
      same: rate(corpus.sameBatch, calls, (b) => same.verify(b)),
      distinct: rate(corpus.distinctHeaders, calls, (b) => distinct.verify(b)),
      uncached: rate(corpus.distinctHeaders, calls, (b) => verifyBundle(b, bare)),
      mlDsa: mlDsaRates(0, calls).verifyPerSecond,
    });
  }
  let invalid = 0;
  for (const r of runs) invalid += r.same.invalid + r.distinct.invalid + r.uncached.invalid;
  return {
    sameBatch: median(runs.map((r) => r.same.perSecond)),
    distinctHeaders: median(runs.map((r) => r.distinct.perSecond)),
    uncached: median(runs.map((r) => r.uncached.perSecond)),
    mlDsaVerify: median(runs.map((r) => r.mlDsa)),
    invalid,
  };
}

if (import.meta.main) {
  const calls = Number(process.argv[2] ?? 3_000);
  const repeats = Number(process.argv[3] ?? 5);
  const t = verifyThroughput(calls, repeats);
  const line = (what: string, v: number) =>
    console.log(
      `${what.padEnd(44)} ${Math.round(v).toString().padStart(6)}/s  ${(v / t.mlDsaVerify).toFixed(2)} × ceiling`,
    );
  console.log(
    `medians of ${repeats} runs of ${calls} bundles each; ML-DSA-65 verify ceiling ${Math.round(t.mlDsaVerify)}/s`,
  );
  line('bundle verifier, bundles of one batch', t.sameBatch);
  line('bundle verifier, every bundle another header', t.distinctHeaders);
  line('verifyBundle, nothing remembered', t.uncached);
  if (t.invalid > 0) throw new Error(`${t.invalid} bundles reported invalid`);
}
