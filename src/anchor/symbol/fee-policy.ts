// Chooses the fee multiplier for an anchor (docs/anchoring.md §7): the node's median, never below its minimum, capped by configuration.

/** The multiplier to use, or a reason why no acceptable one exists. */
export type FeeChoice =
  | { readonly ok: true; readonly multiplier: number }
  | { readonly ok: false; readonly reason: string };

/** median, raised to the node's minimum, capped by `maxMultiplier` (SYMBOL_MAX_FEE_MULTIPLIER). */
export function chooseFeeMultiplier(median: number, minimum: number, maxMultiplier: number): FeeChoice {
  if (minimum > maxMultiplier) {
    return {
      ok: false,
      reason: `the node's minimum fee multiplier ${minimum} exceeds SYMBOL_MAX_FEE_MULTIPLIER ${maxMultiplier}`,
    };
  }
  return { ok: true, multiplier: Math.min(Math.max(median, minimum), maxMultiplier) };
}
