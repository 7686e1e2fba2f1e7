// Random bundles over the Verify RPC (SPEC §11): a fixed-seed, bounded fuzz loop against a `spark serve` child.
// Every answer is a report (never VALID for bytes that are not a known valid bundle, apart from the anchor's
// unbound claims) or INVALID_ARGUMENT naming `bundle`; the server keeps serving and no call runs long.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { SparkProcessor } from '../../src/gen/spark/v1/processor_pb.js';
import { type ServerProcess, startServerProcess, tempDir } from '../support/spawn-server.ts';
import { onlyClaimsDiffer } from './claims.ts';
import { fullBundle, vectorBundles } from './seeds.ts';
import { assertServing, createPrng, fuzzSeed, mutate, oneOf, Slowest } from './support.ts';

const SEED = fuzzSeed(0x7e51_f00d);
/** Calls per run, how many are in flight, and the wall-clock budget that ends the loop early on a loaded machine. */
const COUNT = Number(process.env['SPARK_FUZZ_RPC_COUNT'] ?? 3_000);
const IN_FLIGHT = 8;
const BUDGET_MS = 60_000;
const PER_CALL_LIMIT_MS = 10_000;

describe('Verify RPC under fuzzing', () => {
  const dir = tempDir('spark-fuzz-rpc-');
  let server: ServerProcess;
  before(async () => {
    server = await startServerProcess({ dataDir: dir.path, timeoutMs: 60_000 });
  });
  after(async () => {
    const code = await server?.stop();
    dir.cleanup();
    assert.equal(code, 0, `the server exits cleanly (stderr: ${server?.stderr()})`);
    assert.doesNotMatch(server?.stderr() ?? '', /\n\s+at /, 'no stack trace on stderr');
  });

  test(`${COUNT} mutated bundles (seed 0x${SEED.toString(16)}), ${IN_FLIGHT} in flight`, async () => {
    const vectors = vectorBundles();
    const valid = [...vectors.filter((v) => v.valid).map((v) => v.bytes), (await fullBundle()).bytes];
    const pool = vectors.map((v) => v.bytes);
    const client = createClient(
      SparkProcessor,
      createGrpcTransport({ baseUrl: `http://127.0.0.1:${server.port}` }),
    );
    const prng = createPrng(SEED);
    const inputs = Array.from({ length: COUNT }, (_, i) => {
      const seedIndex = prng.below(valid.length);
      const m = mutate(prng, valid[seedIndex] as Uint8Array, pool);
      return { bytes: m.bytes, how: `#${i} seed ${seedIndex}: ${m.how}` };
    });
    const slowest = new Slowest();
    const tally = { reports: 0, valid: 0, refused: 0 };
    const started = performance.now();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < inputs.length && performance.now() - started < BUDGET_MS) {
        const input = inputs[next++] as (typeof inputs)[number];
        const t = performance.now();
        try {
          const r = await client.verify(
            { bundle: input.bytes },
            { signal: AbortSignal.timeout(PER_CALL_LIMIT_MS) },
          );
          tally.reports++;
          assert.equal(r.valid, r.checks.length > 0 && r.checks.every((c) => c.ok), input.how);
          if (r.valid) {
            tally.valid++;
            // Same rule as the in-process fuzz: VALID only for a known valid bundle or one differing from it only
            // in what nothing signs offline (test/bad-input/claims.ts, docs/proof-format.md §6, §9.5).
            assert.ok(
              oneOf(input.bytes, valid) || onlyClaimsDiffer(input.bytes, valid),
              `${input.how}: VALID for unknown bytes`,
            );
          }
        } catch (e) {
          const err = ConnectError.from(e);
          assert.equal(
            Code[err.code],
            'InvalidArgument',
            `${input.how}: ${Code[err.code]} ${err.rawMessage}`,
          );
          assert.match(err.rawMessage, /^bundle: /, input.how);
          tally.refused++;
        }
        slowest.note(performance.now() - t, input.how);
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    const done = tally.reports + tally.refused;
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `bad input (Verify RPC fuzz, seed 0x${SEED.toString(16)}): ${done} calls in ${seconds.toFixed(1)} s (${(done / seconds).toFixed(0)}/s): ${tally.reports} reports (${tally.valid} VALID), ${tally.refused} INVALID_ARGUMENT naming bundle; slowest ${slowest}`,
    );
    assert.ok(done >= Math.min(COUNT, 200), `only ${done} calls within the budget`);
    assert.ok(tally.reports > 0 && tally.refused > 0, 'both outcomes occur');
    await assertServing(server.port);
  });
});
