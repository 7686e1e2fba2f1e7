// TEST DOUBLE of a Symbol node — network constants the double announces (values from /work/shared/SYMBOL.md, "Networks").

/** Networks the test node can pretend to be. */
export type SymbolTestNetworkName = 'testnet' | 'mainnet';

export interface SymbolNetworkPreset {
  readonly name: SymbolTestNetworkName;
  /** Network type byte: first byte of every address, `network` field of every transaction. */
  readonly identifier: number;
  readonly generationHashSeed: string;
  /** Seconds from the Unix epoch to the network epoch; network time = Unix ms − this × 1000. */
  readonly epochAdjustmentSeconds: number;
  /** Height of the real network's `uniqueAggregateTransactionHash` fork (aggregate v3 required from here). */
  readonly realUniqueAggregateTransactionHashHeight: bigint;
  /** The network currency (XYM) mosaic id; balances are kept in it. */
  readonly currencyMosaicId: bigint;
}

/** The `symbol.xym` namespace id, the alias of the currency mosaic on both networks (transfers may name either). */
export const CURRENCY_ALIAS_NAMESPACE_ID = 0xe74b_99ba_41f4_afeen;

export const SYMBOL_NETWORK_PRESETS: Readonly<Record<SymbolTestNetworkName, SymbolNetworkPreset>> = {
  testnet: {
    name: 'testnet',
    identifier: 0x98,
    generationHashSeed: '49D6E1CE276A85B70EAFE52349AACCA389302E7A9754BCF1221E79494FC665A4',
    epochAdjustmentSeconds: 1667250467,
    realUniqueAggregateTransactionHashHeight: 2_742_000n,
    currencyMosaicId: 0x72c0_212e_67a0_8bcen,
  },
  mainnet: {
    name: 'mainnet',
    identifier: 0x68,
    generationHashSeed: '57F7DA205008026C776CB6AED843393F04CD458E0AA2D9F1D5F31A402072B2D6',
    epochAdjustmentSeconds: 1615853185,
    realUniqueAggregateTransactionHashHeight: 4_759_100n,
    currencyMosaicId: 0x6bed_913f_a202_23f8n,
  },
};
