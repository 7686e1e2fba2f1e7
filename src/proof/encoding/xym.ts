// Amounts of XYM: µXYM (the chain's unit, divisibility 6) written as XYM. Pure.

/** µXYM as XYM with six decimals, trailing zeros dropped (1500000n → "1.5"). */
export function xym(micro: bigint): string {
  const sign = micro < 0n ? '-' : '';
  const m = micro < 0n ? -micro : micro;
  const frac = (m % 1_000_000n).toString().padStart(6, '0').replace(/0+$/, '');
  return `${sign}${m / 1_000_000n}${frac === '' ? '' : `.${frac}`}`;
}
