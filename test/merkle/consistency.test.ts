// Tests RFC 9162 §2.1.4 consistency proofs against the RFC 6962 §2.1.2 reference, CT vectors, hostile input.
// Covers node positions, proofs read from the level buffers, and the verifier.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { nativeSha256 } from '../../src/crypto/native-sha256.ts';
import { portableSha256 } from '../../src/proof/crypto/sha256.ts';
import { concatBytes, fromHex, toHex } from '../../src/proof/encoding/bytes.ts';
import {
  consistencyProof,
  consistencyProofNodes,
  verifyConsistency,
} from '../../src/proof/merkle/consistency.ts';
import { emptyRoot, hashChildren, hashLeaf } from '../../src/proof/merkle/hash.ts';
import { buildLevels, levelReader, levelSizes, rootOf } from '../../src/proof/merkle/tree.ts';
import { createPrng } from './prng.ts';
import {
  largestPowerOfTwoBelowBigint,
  referenceConsistencyRanges,
  referenceLeafHash,
  referenceLog,
} from './reference.ts';
import { loadMerkleVectors } from './vectors.ts';

const sha = nativeSha256;
const MAX_LEAVES = 400;

// Varied entry lengths, including empty entries, as in reference.test.ts.
const entries = (() => {
  const prng = createPrng(0xc0515);
  return Array.from({ length: MAX_LEAVES }, () => prng.bytes(prng.below(40)));
})();
const ref = referenceLog(entries);
const leafHashes = entries.map(referenceLeafHash);

const levelsBySize = new Map<number, Uint8Array[]>();
function levelsOf(n: number): Uint8Array[] {
  let levels = levelsBySize.get(n);
  if (levels === undefined) {
    levels = buildLevels(concatBytes(...leafHashes.slice(0, n)), sha);
    levelsBySize.set(n, levels);
  }
  return levels;
}

const proofOf = (m: number, n: number): Uint8Array[] => consistencyProof(m, n, levelReader(levelsOf(n)));

function verify(
  m: number,
  n: number,
  oldRoot: Uint8Array,
  newRoot: Uint8Array,
  proof: readonly Uint8Array[],
) {
  return verifyConsistency(BigInt(m), BigInt(n), oldRoot, newRoot, proof, sha);
}

const reasonOf = (r: { ok: true } | { ok: false; reason: string }): string =>
  r.ok ? '(accepted)' : r.reason;

function flipped(proof: readonly Uint8Array[], element: number, bit: number): Uint8Array[] {
  return proof.map((p, i) => {
    if (i !== element) return p;
    const q = p.slice();
    q[bit >> 3] = (q[bit >> 3] as number) ^ (1 << (bit & 7));
    return q;
  });
}

/**
 * The two heads a verifier must rebuild from the elements of PROOF(m, D[n]), derived from the reference ranges
 * alone: the new head is the RFC tree over [0, n) cut at the proof's subtrees (and at D[0:m] when m is a power
 * of two: the verifier's old head stands in for it there), the old head the same over [0, m). `element(i)`
 * stands for proof element i, `oldHead` for the old head the verifier is given, `join` for hashing two children.
 */
function rebuild<T>(
  m: bigint,
  n: bigint,
  element: (i: number) => T,
  oldHead: T,
  join: (left: T, right: T) => T,
): { old: T; new: T; length: number } {
  const ranges = referenceConsistencyRanges(m, n);
  const oldIsPowerOfTwo = (m & (m - 1n)) === 0n;
  const cuts: Array<[bigint, bigint]> = oldIsPowerOfTwo ? [[0n, m], ...ranges] : [...ranges];
  // The cuts must partition [0, n): otherwise the walk below could descend into a huge uncovered range.
  const sorted = [...cuts].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  let end = 0n;
  for (const [lo, hi] of sorted) {
    if (lo !== end || hi <= lo) throw new Error(`PROOF(${m}, D[${n}]) does not partition the tree at ${lo}`);
    end = hi;
  }
  if (end !== n) throw new Error(`PROOF(${m}, D[${n}]) ends at ${end}`);
  const index = new Map(ranges.map(([lo, hi], i) => [`${lo}:${hi}`, i]));
  const head = (lo: bigint, hi: bigint): T => {
    if (oldIsPowerOfTwo && lo === 0n && hi === m) return oldHead;
    const i = index.get(`${lo}:${hi}`);
    if (i !== undefined) return element(i);
    if (cuts.some(([a, b]) => a <= lo && hi <= b))
      throw new Error(`D[${lo}:${hi}] lies inside one proof subtree of PROOF(${m}, D[${n}])`);
    const k = largestPowerOfTwoBelowBigint(hi - lo);
    return join(head(lo, lo + k), head(lo + k, hi));
  };
  return { old: oldIsPowerOfTwo ? oldHead : head(0n, m), new: head(0n, n), length: ranges.length };
}

const symbol = (i: number): string => `p${i}`;
const joinSymbols = (l: string, r: string): string => `(${l},${r})`;

/**
 * Whether the genuine PROOF(m, D[n]), its old head and its new head also pass as a proof from m2 to n2 leaves.
 * Barring SHA-256 collisions, that happens exactly when m2 to n2 needs as many elements and rebuilds both heads
 * from them with the same hash expressions.
 */
function passesAs(m: number, n: number, m2: number, n2: number): boolean {
  if (m2 < 1 || m2 >= n2) return false; // size 0 and equal sizes need an empty proof; m2 > n2 is out of order
  const truth = rebuild(BigInt(m), BigInt(n), symbol, 'OLD', joinSymbols);
  const claim = rebuild(BigInt(m2), BigInt(n2), symbol, truth.old, joinSymbols);
  return claim.length === truth.length && claim.old === truth.old && claim.new === truth.new;
}

test('every pair 1 <= m <= n <= 128: the proof from the level buffers is PROOF(m, D[n]) and verifies', () => {
  let pairs = 0;
  for (let n = 1; n <= 128; n++) {
    const levels = buildLevels(concatBytes(...leafHashes.slice(0, n)), sha);
    const read = levelReader(levels);
    const newRoot = ref.root(n);
    assert.equal(toHex(rootOf(levels)), toHex(newRoot), `root of size ${n}`);
    for (let m = 1; m <= n; m++) {
      const got = consistencyProof(m, n, read);
      assert.deepEqual(got.map(toHex), ref.consistency(m, n).map(toHex), `proof ${m} → ${n}`);
      assert.deepEqual(verify(m, n, ref.root(m), newRoot, got), { ok: true }, `verify ${m} → ${n}`);
      pairs++;
    }
  }
  assert.equal(pairs, (128 * 129) / 2);
});

test('sampled pairs up to 400 leaves (seeded): the same, with the portable SHA-256', () => {
  const prng = createPrng(0x9162);
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i < 150; i++) {
    const n = 129 + prng.below(MAX_LEAVES - 128);
    pairs.push([1 + prng.below(n), n]);
  }
  for (const n of [255, 256, 257, 383, 384, MAX_LEAVES]) pairs.push([1, n], [n - 1, n], [128, n], [n, n]);
  for (const [m, n] of pairs) {
    const got = proofOf(m, n);
    assert.deepEqual(got.map(toHex), ref.consistency(m, n).map(toHex), `proof ${m} → ${n}`);
    const r = verifyConsistency(BigInt(m), BigInt(n), ref.root(m), ref.root(n), got, portableSha256);
    assert.deepEqual(r, { ok: true }, `verify ${m} → ${n}`);
  }
});

describe('consistencyProofNodes', () => {
  test('the RFC 6962 §2.1.3 example tree of 7 leaves', () => {
    // PROOF(3, D[7]) = [c, d, g, l]; PROOF(4, D[7]) = [l]; PROOF(6, D[7]) = [i, j, k]. In the level layout c, d
    // are leaves 2, 3; g, i are on level 1; k, l on level 2. j is leaf 6 itself, promoted unchanged to level 1
    // as node [1, 3]: positions name the lowest level holding a node, so j is [0, 6].
    const c: [number, number] = [0, 2];
    const d: [number, number] = [0, 3];
    const g: [number, number] = [1, 0];
    const i: [number, number] = [1, 2];
    const j: [number, number] = [0, 6];
    const k: [number, number] = [2, 0];
    const l: [number, number] = [2, 1];
    assert.deepEqual(consistencyProofNodes(3, 7), [c, d, g, l]);
    assert.deepEqual(consistencyProofNodes(4, 7), [l]);
    assert.deepEqual(consistencyProofNodes(6, 7), [i, j, k]);
  });

  test('empty for an old size of 0 or equal sizes', () => {
    for (const n of [1, 2, 7, 8, 1000, 2 ** 53 - 1]) {
      assert.deepEqual(consistencyProofNodes(0, n), []);
      assert.deepEqual(consistencyProofNodes(n, n), []);
    }
    assert.deepEqual(
      consistencyProof(0, 5, () => assert.fail('nothing to read')),
      [],
    );
  });

  test('sizes up to 2^53 - 1: every node is the aligned subtree the reference names, inside the new tree', () => {
    const prng = createPrng(0x53);
    const big = (): number => (prng.below(2 ** 21) * 2 ** 32 + prng.u32()) % (2 ** 53 - 1);
    const pairs: Array<[number, number]> = [
      [1, 2 ** 53 - 1],
      [2 ** 52, 2 ** 53 - 1],
      [2 ** 52 - 1, 2 ** 52 + 1],
      [2 ** 53 - 2, 2 ** 53 - 1],
      [3, 2 ** 40],
    ];
    for (let r = 0; r < 200; r++) {
      const a = 1 + big();
      const b = 1 + big();
      pairs.push([Math.min(a, b), Math.max(a, b)]);
    }
    for (const [m, n] of pairs) {
      const sizes = levelSizes(n);
      const want = referenceConsistencyRanges(BigInt(m), BigInt(n)).map(([lo, hi]): [number, number] => {
        // The level whose nodes span the fewest leaves >= hi - lo: the bit length of hi - lo - 1.
        const level = hi - lo === 1n ? 0 : (hi - lo - 1n).toString(2).length;
        const span = 2 ** level;
        assert.equal(Number(lo) % span, 0, `D[${lo}:${hi}] is not aligned`);
        assert.equal(Number(hi), Math.min(Number(lo) + span, n), `D[${lo}:${hi}] is not one node`);
        return [level, Number(lo) / span];
      });
      const got = consistencyProofNodes(m, n);
      assert.deepEqual(got, want, `${m} → ${n}`);
      for (const [level, index] of got)
        assert.ok(index < (sizes[level] ?? 0), `[${level}, ${index}] of ${n}`);
    }
  });

  test('rejects sizes outside 0 <= oldSize <= newSize, newSize >= 1, safe integers, naming the argument', () => {
    const oldSize = { name: 'RangeError', message: /^old size/ };
    const newSize = { name: 'RangeError', message: /^new size/ };
    assert.throws(() => consistencyProofNodes(-1, 5), oldSize);
    assert.throws(() => consistencyProofNodes(1.5, 5), oldSize);
    assert.throws(() => consistencyProofNodes(Number.NaN, 5), oldSize);
    assert.throws(() => consistencyProofNodes(6, 5), { name: 'RangeError', message: /old size 6 is larger/ });
    assert.throws(() => consistencyProofNodes(0, 0), newSize);
    assert.throws(() => consistencyProofNodes(1, 2.5), newSize);
    assert.throws(() => consistencyProofNodes(1, 2 ** 53), newSize);
    assert.throws(() => consistencyProofNodes(1, Number.POSITIVE_INFINITY), newSize);
    assert.throws(() => consistencyProof(3, 2, levelReader(levelsOf(3))), RangeError);
  });
});

describe('verifyConsistency: trivial sizes', () => {
  test('old size 0: an empty proof is accepted whatever the heads, a non-empty one is not', () => {
    for (const n of [0, 1, 2, 5, 64, 400]) {
      const newRoot = ref.root(n);
      assert.deepEqual(verify(0, n, emptyRoot(), newRoot, []), { ok: true }, `0 → ${n}`);
      assert.deepEqual(verify(0, n, newRoot, newRoot, []), { ok: true }, `0 → ${n}, any old head`);
      const r = verify(0, n, emptyRoot(), newRoot, [newRoot]);
      assert.equal(r.ok, false, `0 → ${n} with one element`);
      if (n > 0) assert.equal(reasonOf(r), 'proof from the empty tree must be empty but has 1 element');
    }
  });

  test('equal sizes: an empty proof with equal heads is accepted; unequal heads or any element are not', () => {
    for (const n of [0, 1, 2, 3, 8, 100, 400]) {
      const root = ref.root(n);
      assert.deepEqual(consistencyProofNodes(Math.max(n, 1), Math.max(n, 1)), []);
      assert.deepEqual(verify(n, n, root, root, []), { ok: true }, `${n} → ${n}`);
      const other = ref.root(n === 0 ? 1 : n - 1);
      assert.equal(
        reasonOf(verify(n, n, root, other, [])),
        'old and new roots differ although the sizes are equal',
      );
      assert.equal(
        reasonOf(verify(n, n, root, root, [root])),
        'proof between equal sizes must be empty but has 1 element',
      );
    }
  });

  test('sizes out of order, negative or beyond 64 bits are rejected with their reason', () => {
    const r = ref.root(3);
    const p = [ref.root(1)];
    assert.equal(reasonOf(verifyConsistency(5n, 4n, r, r, p)), 'old size 5 is larger than new size 4');
    assert.equal(reasonOf(verifyConsistency(1n, 0n, r, r, [])), 'old size 1 is larger than new size 0');
    assert.equal(reasonOf(verifyConsistency(-1n, 4n, r, r, [])), 'old size -1 is negative');
    assert.equal(
      reasonOf(verifyConsistency(1n, 2n ** 64n, r, r, p)),
      `new size ${2n ** 64n} does not fit in 64 bits`,
    );
  });

  test('an empty proof between different positive sizes is rejected', () => {
    assert.equal(
      reasonOf(verify(1, 2, ref.root(1), ref.root(2), [])),
      'proof is empty although the sizes differ',
    );
  });
});

describe('verifyConsistency: malformed input', () => {
  const [m, n] = [5, 13];
  const proof = proofOf(m, n);
  const [oldRoot, newRoot] = [ref.root(m), ref.root(n)];

  test('the untouched proof passes (the cases below differ from it in one way)', () => {
    assert.equal(proof.length, 5);
    assert.deepEqual(verify(m, n, oldRoot, newRoot, proof), { ok: true });
  });

  test('an element of 31, 33 or 0 bytes is rejected, naming it', () => {
    for (const [at, length] of [
      [0, 31],
      [2, 33],
      [3, 0],
      [1, 64],
    ] as const) {
      const bad = proof.map((p, i) => (i === at ? new Uint8Array(length) : p));
      assert.equal(
        reasonOf(verify(m, n, oldRoot, newRoot, bad)),
        `proof element ${at} is ${length} bytes, not 32`,
      );
    }
    // Also when the old size is 0 or the sizes are equal, where the elements are otherwise not looked at.
    assert.equal(
      reasonOf(verify(0, n, oldRoot, newRoot, [new Uint8Array(31)])),
      'proof element 0 is 31 bytes, not 32',
    );
    assert.equal(
      reasonOf(verify(n, n, newRoot, newRoot, [new Uint8Array(33)])),
      'proof element 0 is 33 bytes, not 32',
    );
  });

  test('heads that are not 32 bytes are rejected', () => {
    assert.equal(reasonOf(verify(m, n, oldRoot.subarray(1), newRoot, proof)), 'old root is 31 bytes, not 32');
    assert.equal(
      reasonOf(verify(m, n, oldRoot, concatBytes(newRoot, Uint8Array.of(0)), proof)),
      'new root is 33 bytes, not 32',
    );
    assert.equal(reasonOf(verify(0, n, new Uint8Array(0), newRoot, [])), 'old root is 0 bytes, not 32');
  });

  test('more than 65 elements are rejected before any hashing; 65 of the wrong shape fail on length', () => {
    let calls = 0;
    const counting = (data: Uint8Array): Uint8Array => {
      calls++;
      return sha(data);
    };
    const filler = (k: number): Uint8Array[] =>
      Array.from({ length: k }, (_, i) => proof[i % proof.length] as Uint8Array);
    const r66 = verifyConsistency(BigInt(m), BigInt(n), oldRoot, newRoot, filler(66), counting);
    assert.equal(reasonOf(r66), 'proof has 66 elements, more than 65');
    assert.equal(calls, 0);
    const r65 = verifyConsistency(BigInt(m), BigInt(n), oldRoot, newRoot, filler(65), counting);
    assert.equal(reasonOf(r65), `proof is longer than the trees need (element ${proof.length})`);
    assert.equal(
      reasonOf(verify(m, n, oldRoot, newRoot, filler(1000))),
      'proof has 1000 elements, more than 65',
    );
  });
});

describe('verifyConsistency: tampered proofs', () => {
  // Every pair up to 24 leaves, pairs around powers of two, and a seeded sample up to 400.
  const pairs: Array<[number, number]> = [];
  for (let n = 2; n <= 24; n++) for (let m = 1; m < n; m++) pairs.push([m, n]);
  pairs.push(
    [31, 32],
    [32, 33],
    [63, 64],
    [64, 65],
    [127, 128],
    [128, 129],
    [255, 256],
    [256, 257],
    [1, 400],
  );
  const prng = createPrng(0xbad);
  for (let i = 0; i < 40; i++) {
    const n = 25 + prng.below(MAX_LEAVES - 24);
    pairs.push([1 + prng.below(n - 1), n]);
  }

  test('any single flipped bit in any element is rejected', () => {
    let cases = 0;
    for (const [m, n] of pairs) {
      const proof = proofOf(m, n);
      for (let e = 0; e < proof.length; e++) {
        for (const bit of [0, 7, 128 + e, 255, (37 * e + m + n) % 256]) {
          const r = verify(m, n, ref.root(m), ref.root(n), flipped(proof, e, bit));
          assert.match(
            reasonOf(r),
            /^computed (old|new) root differs/,
            `${m} → ${n}, element ${e} bit ${bit}`,
          );
          cases++;
        }
      }
    }
    assert.ok(cases > 5000, `${cases} cases`);
  });

  test('a dropped, appended or prepended element, or an empty proof, is rejected', () => {
    const junk = createPrng(7).bytes(32);
    for (const [m, n] of pairs) {
      const proof = proofOf(m, n);
      const [oldRoot, newRoot] = [ref.root(m), ref.root(n)];
      const rejects = (p: Uint8Array[], what: string): void =>
        assert.equal(verify(m, n, oldRoot, newRoot, p).ok, false, `${m} → ${n}: ${what}`);
      for (let e = 0; e < proof.length; e++) {
        const r = verify(m, n, oldRoot, newRoot, proof.toSpliced(e, 1));
        const want =
          proof.length === 1
            ? 'proof is empty although the sizes differ'
            : 'proof is shorter than the trees need';
        assert.equal(reasonOf(r), want, `${m} → ${n}: element ${e} dropped`);
      }
      for (const extra of [junk, oldRoot, newRoot, proof[0] as Uint8Array, proof.at(-1) as Uint8Array]) {
        assert.match(
          reasonOf(verify(m, n, oldRoot, newRoot, [...proof, extra])),
          /^proof is longer than the trees need/,
          `${m} → ${n}: appended`,
        );
        rejects([extra, ...proof], 'prepended');
      }
      rejects([], 'empty');
    }
  });

  test('swapped, foreign or equal heads are rejected', () => {
    for (const [m, n] of pairs) {
      const proof = proofOf(m, n);
      const [oldRoot, newRoot] = [ref.root(m), ref.root(n)];
      assert.equal(verify(m, n, newRoot, oldRoot, proof).ok, false, `${m} → ${n} swapped`);
      assert.equal(verify(m, n, oldRoot, oldRoot, proof).ok, false, `${m} → ${n} old twice`);
      assert.equal(verify(m, n, newRoot, newRoot, proof).ok, false, `${m} → ${n} new twice`);
      assert.equal(
        verify(m, n, ref.root(m === 1 ? 2 : m - 1), newRoot, proof).ok,
        false,
        `${m} → ${n} other old head`,
      );
      assert.equal(verify(m, n, oldRoot, ref.root(n - 1), proof).ok, false, `${m} → ${n} other new head`);
    }
  });

  test('an old or new size off by one passes exactly when it rebuilds both heads the same way', () => {
    const passed: string[] = [];
    let rejectedNewSize = 0;
    for (const [m, n] of pairs) {
      const proof = proofOf(m, n);
      const [oldRoot, newRoot] = [ref.root(m), ref.root(n)];
      for (const [m2, n2] of [
        [m - 1, n],
        [m + 1, n],
        [m, n - 1],
        [m, n + 1],
      ] as const) {
        const expected = passesAs(m, n, m2, n2);
        const r = verify(m2, n2, oldRoot, newRoot, proof);
        assert.equal(r.ok, expected, `PROOF(${m}, D[${n}]) as ${m2} → ${n2}: ${reasonOf(r)}`);
        if (r.ok) passed.push(`${m}→${n} as ${m2}→${n2}`);
        else if (m2 === m) rejectedNewSize++;
      }
    }
    // A wrong old size never passes here. A wrong new size passes whenever the change stays inside the proof's
    // last, opaque subtree: PROOF(4, D[8]) = [MTH(D[4:8])] reads just as well as a proof from 4 to 7 leaves
    // whose last subtree is D[4:7]. So the proof binds the new size only loosely (as an inclusion path binds the
    // tree size): the sizes must come from the signed tree heads, never from whoever supplies the proof.
    const oldSizeChanged = passed.filter((p) => !/^(\d+)→\d+ as \1→/.test(p));
    assert.deepEqual(oldSizeChanged, []);
    assert.ok(passed.includes('4→8 as 4→7') && passed.includes('5→7 as 5→8'), passed.join(', '));
    assert.ok(
      passed.length > 200 && rejectedNewSize > 100,
      `${passed.length} passed, ${rejectedNewSize} rejected`,
    );
  });
});

describe('verifyConsistency: trees too large to build', () => {
  // Genuine proofs over random subtree heads: the heads come from the reference ranges alone (see rebuild).
  const pairs: Array<[bigint, bigint]> = [
    [2n ** 63n - 1n, 2n ** 64n - 1n], // 65 elements, the most any tree below 2^64 leaves needs
    [1n, 2n ** 64n - 1n],
    [2n ** 63n, 2n ** 64n - 1n],
    [2n ** 64n - 2n, 2n ** 64n - 1n],
    [12345678901234567n, 98765432109876543n],
    [2n ** 53n + 1n, 2n ** 54n + 3n],
  ];

  test('their proofs verify, and fail once any element is flipped', () => {
    const prng = createPrng(0x64);
    const lengths: number[] = [];
    for (const [m, n] of pairs) {
      const length = referenceConsistencyRanges(m, n).length;
      lengths.push(length);
      const proof = Array.from({ length }, () => prng.bytes(32));
      const heads = rebuild(
        m,
        n,
        (i) => proof[i] as Uint8Array,
        prng.bytes(32),
        (l, r) => hashChildren(l, r, sha),
      );
      assert.deepEqual(
        verifyConsistency(m, n, heads.old, heads.new, proof, sha),
        { ok: true },
        `${m} → ${n}`,
      );
      for (let e = 0; e < length; e++) {
        assert.equal(verifyConsistency(m, n, heads.old, heads.new, flipped(proof, e, e), sha).ok, false);
      }
      if (n === 2n ** 64n - 1n) {
        const r = verifyConsistency(m, n + 1n, heads.old, heads.new, proof, sha);
        assert.equal(reasonOf(r), `new size ${2n ** 64n} does not fit in 64 bits`);
      }
    }
    assert.equal(lengths[0], 65);
  });
});

describe('RFC 6962 / Certificate Transparency known answers', () => {
  // The 8-leaf Certificate Transparency test tree (leaves and roots from test/vectors/merkle/rfc6962.json).
  // Consistency proofs copied from transparency-dev/merkle proof/verify_test.go (`consistencyProofs`, commit
  // 02194e9afb6c1d95b5381350007963aa70fff472); all but 6 → 7 are also google/certificate-transparency
  // cpp/merkletree/merkle_tree_test.cc (`kSHA256Proofs`).
  const published: Array<{ m: number; n: number; proof: string[] }> = [
    { m: 1, n: 1, proof: [] },
    {
      m: 1,
      n: 8,
      proof: [
        '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
        '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
        '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
      ],
    },
    {
      m: 6,
      n: 8,
      proof: [
        '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
        'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
        'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
      ],
    },
    {
      m: 2,
      n: 5,
      proof: [
        '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
        'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      ],
    },
    {
      m: 6,
      n: 7,
      proof: [
        '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
        'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
        'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
      ],
    },
  ];
  const ctLeaves = [
    '',
    '00',
    '10',
    '2021',
    '3031',
    '40414243',
    '5051525354555657',
    '606162636465666768696a6b6c6d6e6f',
  ];
  const v = loadMerkleVectors().find((f) => f.leaves.map(toHex).join() === ctLeaves.join());

  test('the vector files hold the CT tree and its eight roots', () => {
    assert.ok(v, 'no vector file with the Certificate Transparency leaves');
    assert.deepEqual(
      v.roots.map((r) => r.treeSize),
      [1, 2, 3, 4, 5, 6, 7, 8],
    );
  });

  for (const { m, n, proof: hex } of published) {
    test(`PROOF(${m}, D[${n}])`, () => {
      assert.ok(v);
      const rootOfSize = (size: number): Uint8Array => {
        const root = v.roots.find((r) => r.treeSize === size)?.root;
        assert.ok(root, `no published root for size ${size}`);
        return root;
      };
      const proof = hex.map((h) => fromHex(h) ?? assert.fail(`bad hex ${h}`));
      const levels = buildLevels(concatBytes(...v.leaves.slice(0, n).map((e) => hashLeaf(e))));
      assert.deepEqual(consistencyProof(m, n, levelReader(levels)).map(toHex), hex);
      assert.deepEqual(referenceLog(v.leaves).consistency(m, n).map(toHex), hex);
      const [oldRoot, newRoot] = [rootOfSize(m), rootOfSize(n)];
      assert.deepEqual(verifyConsistency(BigInt(m), BigInt(n), oldRoot, newRoot, proof), { ok: true });
      if (m === n) return;
      for (let e = 0; e < proof.length; e++) {
        assert.equal(
          verifyConsistency(BigInt(m), BigInt(n), oldRoot, newRoot, flipped(proof, e, 4)).ok,
          false,
        );
      }
      assert.equal(verifyConsistency(BigInt(m), BigInt(n), newRoot, oldRoot, proof).ok, false);
      assert.equal(verifyConsistency(BigInt(m), BigInt(n), oldRoot, newRoot, proof.slice(0, -1)).ok, false);
      assert.equal(verifyConsistency(BigInt(m), BigInt(n), oldRoot, newRoot, [...proof, newRoot]).ok, false);
    });
  }
});
