// Amounts of XYM: µXYM (the chain's unit, divisibility 6) written as XYM and read back. Pure.

/** µXYM as XYM with six decimals, trailing zeros dropped (1500000n → "1.5"). */
export function xym(micro: bigint): string {
  const sign = micro < 0n ? '-' : '';
  const m = micro < 0n ? -micro : micro;
  const frac = (m % 1_000_000n).toString().padStart(6, '0').replace(/0+$/, '');
  return `${sign}${m / 1_000_000n}${frac === '' ? '' : `.${frac}`}`;
}

/** An amount written as XYM ("25", "12.5", at most 12 digits and 6 decimals) in µXYM, or undefined. */
export function parseXym(text: string): bigint | undefined {
  const m = /^(\d{1,12})(?:\.(\d{1,6}))?$/.exec(text);
  if (m === null) return undefined;
  return BigInt(m[1] as string) * 1_000_000n + BigInt((m[2] ?? '').padEnd(6, '0'));
}
