// `spark verify --disable-algorithm` on the hybrid vector (docs/proof-format.md §7.1): disabling a component of
// ML-DSA-65+Ed25519 fails it, naming both; disabling an algorithm the bundle does not use leaves it valid.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { verify } from '../../src/cli/commands/verify.ts';

const HYBRID = fileURLToPath(new URL('../vectors/bundles/valid-ml-dsa-65-ed25519.spark', import.meta.url));

async function run(...flags: string[]): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await verify([HYBRID, ...flags], (line) => lines.push(line));
  return { code, lines };
}

test('an ML-DSA-65+Ed25519 bundle is valid, and invalid once ML-DSA-65 (its component) or the hybrid is disabled', async () => {
  const plain = await run();
  assert.equal(plain.code, 0, plain.lines.join('\n'));
  for (const [flag, reason] of [
    [
      'ML-DSA-65',
      /algorithm 0x0101 \(ML-DSA-65\+Ed25519\) relies on 0x0002 \(ML-DSA-65\), which this verifier's policy disables/,
    ],
    ['0x0002', /relies on 0x0002 \(ML-DSA-65\)/],
    ['ML-DSA-65+Ed25519', /algorithm 0x0101 \(ML-DSA-65\+Ed25519\) is disabled by this verifier's policy/],
  ] as const) {
    const r = await run('--disable-algorithm', flag);
    assert.equal(r.code, 1, flag);
    const key = r.lines.find((l) => l.startsWith('FAIL key'));
    assert.match(key ?? '', reason, r.lines.join('\n'));
  }
  for (const other of ['ML-DSA-44', 'SLH-DSA-SHA2-128s', 'ML-DSA-65+SLH-DSA-SHA2-128s']) {
    const r = await run('--disable-algorithm', other);
    assert.equal(r.code, 0, `${other}: ${r.lines.join('\n')}`);
  }
});
