// One-off measurement of the Merkle tree build (not part of `npm run bench`): the one-call-per-node build with
// node:crypto, the WebAssembly SIMD node hasher inline, and the tree builder (worker thread past 16,384 leaves),
// medians of 5, for 10^4, 10^5 and 10^6 leaves; and the raw node hash rate of both hashers.
// Run: node bench/merkle-hash.ts
import { hash, randomBytes } from 'node:crypto';
import { createTreeBuilder } from '../src/batch/tree-builder.ts';
import { nativeSha256 } from '../src/crypto/native-sha256.ts';
import { buildLevels, buildLevelsWith } from '../src/proof/merkle/tree.ts';
import { createNodeHasher } from '../src/proof/merkle/wasm/node-hasher.ts';
import { median, perSecond } from './stats.ts';

const RUNS = 5;
const hasher = createNodeHasher();

async function timed(run: () => unknown): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

async function medianMs(run: () => unknown): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) samples.push(await timed(run));
  return median(samples);
}

/** Time to await `run`, and the longest gap between event-loop turns meanwhile. */
async function timedWithBlock(run: () => Promise<unknown>): Promise<{ ms: number; block: number }> {
  let last = performance.now();
  let longest = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 1);
  const started = performance.now();
  try {
    await run();
  } finally {
    clearInterval(tick);
  }
  const ms = performance.now() - started;
  return { ms, block: Math.max(longest, performance.now() - last) };
}

const fmt = (ms: number): string => `${ms.toFixed(1)} ms`;
const rate = (r: number): string => `${(r / 1e6).toFixed(2)} M/s`;

// Warm both paths (tier-up of the WebAssembly code, worker start) before timing.
buildLevelsWith(randomBytes(200_000 * 32), hasher.hashPairs);
const trees = createTreeBuilder();
await trees.warm();
await trees.build(new Uint8Array(randomBytes(100_000 * 32)));

for (const n of [10_000, 100_000, 1_000_000]) {
  const leaves = new Uint8Array(randomBytes(n * 32));
  const native = await medianMs(() => buildLevels(leaves, nativeSha256));
  const wasm = await medianMs(() => buildLevelsWith(leaves, hasher.hashPairs));
  const runs: Array<{ ms: number; block: number }> = [];
  for (let i = 0; i < RUNS; i++) {
    const input = leaves.slice(); // build() takes the buffer over
    runs.push(await timedWithBlock(() => trees.build(input)));
  }
  const worker = median(runs.map((r) => r.ms));
  const block = median(runs.map((r) => r.block));
  console.log(
    `${n} leaves: buildLevels native ${fmt(native)}, WebAssembly inline ${fmt(wasm)} (${(native / wasm).toFixed(1)} ×), ` +
      `tree builder ${fmt(worker)} (longest event-loop block, median ${fmt(block)})`,
  );
}
await trees.close();

const PAIRS = 1_000_000;
const input = randomBytes(PAIRS * 64);
const wasmPairs = perSecond(PAIRS, await medianMs(() => hasher.hashPairs(input, PAIRS)));
// The same by this thread's CPU time: steadier than wall time on a shared machine.
const cpu: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const before = process.threadCpuUsage();
  hasher.hashPairs(input, PAIRS);
  const used = process.threadCpuUsage(before);
  cpu.push((used.user + used.system) / 1000);
}
const wasmPairsCpu = perSecond(PAIRS, median(cpu));
const message = new Uint8Array(65);
message[0] = 1;
const CALLS = 300_000;
const nativeCalls = perSecond(
  CALLS,
  await medianMs(() => {
    for (let i = 0; i < CALLS; i++) hash('sha256', message, 'buffer');
  }),
);
console.log(
  `node hashes: WebAssembly hashPairs ${rate(wasmPairs)} (${rate(wasmPairsCpu)} by thread CPU time), ` +
    `node:crypto one call each ${rate(nativeCalls)}`,
);
