// A seeded PRNG (mulberry32) so that "random" test inputs are the same on every run.

/** A deterministic source of test randomness. */
export interface Prng {
  /** Uniform 32-bit unsigned integer. */
  u32(): number;
  /** Uniform integer in [0, n). */
  below(n: number): number;
  /** `length` random bytes. */
  bytes(length: number): Uint8Array;
}

/** Creates a PRNG from a 32-bit seed: small and fast, good enough for test inputs, not for secrets. */
export function createPrng(seed: number): Prng {
  let s = seed >>> 0;
  const u32 = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  return {
    u32,
    below: (n) => Math.floor((u32() / 2 ** 32) * n),
    bytes(length) {
      const out = new Uint8Array(length);
      for (let i = 0; i < length; i++) out[i] = u32() & 0xff;
      return out;
    },
  };
}
