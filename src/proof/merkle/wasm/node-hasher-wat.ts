// Generates the WebAssembly text of the Merkle node hasher: SHA-256 of RFC 9162's 65-byte interior-node message
// 0x01 ‖ left ‖ right for four nodes at once (one per i32x4 lane), unrolled. build.ts compiles it; this file is
// its only source. The second block (input[63] ‖ 0x80 ‖ 0… ‖ length) depends on one input byte, so its message
// schedule plus round constants are a 256-entry table in the module's data: no schedule computed for it.

/** SHA-256 round constants (FIPS 180-4 §4.2.2). */
const K = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
];

/** SHA-256 initial hash value (FIPS 180-4 §5.3.3). */
const IV = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

/** Bytes of one node's input (left ‖ right) and of its digest. */
export const NODE_INPUT_BYTES = 64;
export const NODE_OUTPUT_BYTES = 32;
/** Nodes hashed together, one per lane. */
export const LANES = 4;
/** Where inputs and outputs may go: the second block's table fills the start of the first page. */
export const HEAP_START = 65536;
/** Words per table entry: W_t + K_t of the second block for t = 0 and t = 16..63 (t = 1..15 are constants). */
const ENTRY_WORDS = 49;

const splat = (value: number): string => `(v128.const i32x4 ${value} ${value} ${value} ${value})`;
/** Reverses the bytes of each 32-bit lane: little-endian loads to SHA-256's big-endian words and back. */
const bswap = (x: string): string => `(i8x16.shuffle 3 2 1 0 7 6 5 4 11 10 9 8 15 14 13 12 ${x} ${x})`;
const add = (...xs: string[]): string => xs.reduce((acc, x) => `(i32x4.add ${acc} ${x})`);
const xor = (...xs: string[]): string => xs.reduce((acc, x) => `(v128.xor ${acc} ${x})`);
const rotr = (x: string, n: number): string =>
  `(v128.or (i32x4.shr_u ${x} (i32.const ${n})) (i32x4.shl ${x} (i32.const ${32 - n})))`;
const shr = (x: string, n: number): string => `(i32x4.shr_u ${x} (i32.const ${n}))`;
const get = (name: string): string => `(local.get $${name})`;
const set = (name: string, value: string): string => `(local.set $${name} ${value})`;

/** One lane-gathered word: the 32-bit little-endian value at `offset` of each of the four nodes. */
function gather(offset: number): string {
  let v = splat(0);
  for (let lane = 0; lane < LANES; lane++)
    v = `(v128.load32_lane offset=${lane * NODE_INPUT_BYTES + offset} ${lane} (local.get $in) ${v})`;
  return v;
}

/** The 16 message words of block 1: 0x01 ‖ input[0..62]. */
function block1Words(): string[] {
  // Word 0 is 0x01 ‖ input[0..2]; word t ≥ 1 is input[4t-1 .. 4t+2].
  const first = `(v128.or ${shr(bswap(gather(0)), 8)} ${splat(0x01000000)})`;
  return [first, ...Array.from({ length: 15 }, (_, i) => bswap(gather(4 * (i + 1) - 1)))];
}

const rotr32 = (x: number, n: number): number => ((x >>> n) | (x << (32 - n))) >>> 0;
const smallSigma0 = (x: number): number => (rotr32(x, 7) ^ rotr32(x, 18) ^ (x >>> 3)) >>> 0;
const smallSigma1 = (x: number): number => (rotr32(x, 17) ^ rotr32(x, 19) ^ (x >>> 10)) >>> 0;

/** Block 2's W_t + K_t for every t when the node's last input byte is `b`: W_0 = b ‖ 0x80 ‖ 0 ‖ 0, W_15 = 520. */
function block2KeyedWords(b: number): number[] {
  const w = [((b << 24) | 0x00800000) >>> 0, ...Array.from({ length: 14 }, () => 0), 520];
  for (let t = 16; t < 64; t++) {
    const next =
      smallSigma1(w[t - 2] as number) +
      (w[t - 7] as number) +
      smallSigma0(w[t - 15] as number) +
      (w[t - 16] as number);
    w.push(next >>> 0);
  }
  return w.map((word, t) => (word + (K[t] as number)) >>> 0);
}

/** The table as a data string: for b = 0..255, W_t + K_t for t = 0, 16..63, little-endian words. */
function block2Table(): string {
  let data = '';
  for (let b = 0; b < 256; b++) {
    const kw = block2KeyedWords(b);
    for (const word of [kw[0] as number, ...kw.slice(16)])
      for (let k = 0; k < 4; k++) data += `\\${((word >>> (8 * k)) & 0xff).toString(16).padStart(2, '0')}`;
  }
  return data;
}

/** Block 2's W_t + K_t for the four nodes: a table word gathered from each node's entry (locals e0..e3). */
function block2KeyedWord(t: number): string {
  // Rounds 1..15 see constant words: 0, and the length 520 in round 15.
  if (t >= 1 && t <= 15) return splat(((K[t] as number) + (t === 15 ? 520 : 0)) >>> 0);
  const slot = t === 0 ? 0 : t - 15;
  let v = splat(0);
  for (let lane = 0; lane < LANES; lane++)
    v = `(v128.load32_lane offset=${slot * 4} ${lane} (local.get $e${lane}) ${v})`;
  return v;
}

/**
 * One SHA-256 compression of the state held in locals s0..s7. `keyedWord(t)` is W_t + K_t; for block 1 the
 * schedule is computed in w0..w15 from its message words, for block 2 it comes from the table.
 */
function compress(keyedWord: (t: number) => string, out: string[]): void {
  // Register renaming instead of moving the eight working variables every round.
  let [a, b, c, d, e, f, g, h] = ['s0', 's1', 's2', 's3', 's4', 's5', 's6', 's7'] as string[];
  for (let t = 0; t < 64; t++) {
    // First: block 1's schedule step for round t, if any, goes out before the round.
    const kw = keyedWord(t);
    const E = get(e as string);
    const A = get(a as string);
    const bigSigma1 = xor(rotr(E, 6), rotr(E, 11), rotr(E, 25));
    const ch = `(v128.bitselect ${get(f as string)} ${get(g as string)} ${E})`;
    out.push(set('t1', add(get(h as string), kw, ch, bigSigma1)));
    const bigSigma0 = xor(rotr(A, 2), rotr(A, 13), rotr(A, 22));
    // Maj(a, b, c): where a and b differ, c decides.
    const maj = `(v128.bitselect ${get(c as string)} ${A} (v128.xor ${A} ${get(b as string)}))`;
    out.push(set(d as string, add(get(d as string), get('t1'))));
    out.push(set(h as string, add(get('t1'), bigSigma0, maj)));
    [a, b, c, d, e, f, g, h] = [h, a, b, c, d, e, f, g];
  }
  // After 64 rounds the renaming has turned full circle: s0..s7 hold a..h again.
}

/** Block 1's W_t + K_t, computing the message schedule in w0..w15 as the rounds need it. */
function block1KeyedWord(out: string[]): (t: number) => string {
  block1Words().forEach((w, t) => {
    out.push(set(`w${t}`, w));
  });
  return (t) => {
    const wt = `w${t % 16}`;
    if (t >= 16) {
      const w2 = get(`w${(t - 2) % 16}`);
      const w15 = get(`w${(t - 15) % 16}`);
      const sigma1 = xor(rotr(w2, 17), rotr(w2, 19), shr(w2, 10));
      const sigma0 = xor(rotr(w15, 7), rotr(w15, 18), shr(w15, 3));
      out.push(set(wt, add(sigma1, get(`w${(t - 7) % 16}`), sigma0, get(wt))));
    }
    return add(splat(K[t] as number), get(wt));
  };
}

/** The module: memory holding the table, and hash_groups(in, groups, out) hashing 4 × groups consecutive node inputs. */
export function nodeHasherWat(): string {
  const state = Array.from({ length: 8 }, (_, i) => `s${i}`);
  const chain = Array.from({ length: 8 }, (_, i) => `c${i}`);
  const body: string[] = [];
  state.forEach((s, i) => {
    body.push(set(s, splat(IV[i] as number)));
  });
  compress(block1KeyedWord(body), body);
  state.forEach((s, i) => {
    body.push(set(chain[i] as string, add(get(s), splat(IV[i] as number))));
    body.push(set(s, get(chain[i] as string)));
  });
  // Each node's table entry, chosen by its last input byte.
  for (let lane = 0; lane < LANES; lane++)
    body.push(
      set(
        `e${lane}`,
        `(i32.mul (i32.load8_u offset=${lane * NODE_INPUT_BYTES + NODE_INPUT_BYTES - 1} (local.get $in)) (i32.const ${ENTRY_WORDS * 4}))`,
      ),
    );
  compress(block2KeyedWord, body);
  state.forEach((s, i) => {
    const word = bswap(add(get(s), get(chain[i] as string)));
    body.push(set('t1', word));
    for (let lane = 0; lane < LANES; lane++)
      body.push(
        `(v128.store32_lane offset=${lane * NODE_OUTPUT_BYTES + i * 4} ${lane} (local.get $out) (local.get $t1))`,
      );
  });
  const locals = [
    ...[...state, ...chain, ...Array.from({ length: 16 }, (_, i) => `w${i}`), 't1'].map(
      (n) => `(local $${n} v128)`,
    ),
    ...Array.from({ length: LANES }, (_, lane) => `(local $e${lane} i32)`),
  ];
  return `(module
  (memory (export "memory") ${HEAP_START / 65536})
  (data (i32.const 0) "${block2Table()}")
  (func $group (param $in i32) (param $out i32)
    ${locals.join(' ')}
    ${body.join('\n    ')})
  (func (export "hash_groups") (param $in i32) (param $groups i32) (param $out i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $groups)))
        (call $group (local.get $in) (local.get $out))
        (local.set $in (i32.add (local.get $in) (i32.const ${LANES * NODE_INPUT_BYTES})))
        (local.set $out (i32.add (local.get $out) (i32.const ${LANES * NODE_OUTPUT_BYTES})))
        (local.set $groups (i32.sub (local.get $groups) (i32.const 1)))
        (br $next)))))
`;
}
