// Other-chain settings (README.md §Configuration, docs/operations.md §Other-chain references): the JSON-RPC
// endpoints on which Ethereum, Polygon and Bitcoin source references are checked, JPYC contracts and confirmations.
import type { SettingDoc, SettingsTable } from './table.ts';

const NAMES = [
  'SPARK_ETHEREUM_RPC_URL',
  'SPARK_POLYGON_RPC_URL',
  'SPARK_BITCOIN_RPC_URL',
  'SPARK_BITCOIN_RPC_AUTH_FILE',
  'SPARK_JPYC_CONTRACTS',
  'SPARK_CHAIN_RPC_TIMEOUT_MS',
  'SPARK_CHAIN_MIN_CONFIRMATIONS',
] as const;

const ROWS: readonly SettingDoc<(typeof NAMES)[number]>[] = [
  {
    settings: ['SPARK_ETHEREUM_RPC_URL', 'SPARK_POLYGON_RPC_URL'],
    variable: '`SPARK_ETHEREUM_RPC_URL`, `SPARK_POLYGON_RPC_URL`',
    default: 'unset',
    meaning:
      'JSON-RPC endpoints on which Ethereum/Polygon source references (transactions, JPYC transfers) are checked before a submission is accepted (`eth_getTransactionReceipt`), their block recorded in the leaf; unset: references on that chain are bound in form only. No credentials in the URL; logged as scheme and host only (docs/operations.md, "Other-chain references")',
  },
  {
    settings: ['SPARK_BITCOIN_RPC_URL', 'SPARK_BITCOIN_RPC_AUTH_FILE'],
    variable: '`SPARK_BITCOIN_RPC_URL`, `SPARK_BITCOIN_RPC_AUTH_FILE`',
    default: 'unset',
    meaning:
      "Bitcoin Core's JSON-RPC endpoint (`getrawtransaction`, needs `txindex=1` for transactions outside its wallet and mempool) and the file (0400/0600) holding its `user:password` for basic auth, never logged",
  },
  {
    settings: ['SPARK_JPYC_CONTRACTS'],
    variable: '`SPARK_JPYC_CONTRACTS`',
    default: 'unset',
    meaning:
      'the JPYC token contract per chain, `ethereum:0x…,polygon:0x…`: a JPYC transfer reference must name an ERC-20 `Transfer` log emitted by it; without one for a chain whose endpoint is set, JPYC references on that chain are refused (FAILED_PRECONDITION)',
  },
  {
    settings: ['SPARK_CHAIN_RPC_TIMEOUT_MS'],
    variable: '`SPARK_CHAIN_RPC_TIMEOUT_MS`',
    default: '5000',
    meaning:
      'bound on each JSON-RPC call to a chain endpoint (100–120000); no answer in time refuses the submission with UNAVAILABLE, nothing stored',
  },
  {
    settings: ['SPARK_CHAIN_MIN_CONFIRMATIONS'],
    variable: '`SPARK_CHAIN_MIN_CONFIRMATIONS`',
    default: '`bitcoin:1,ethereum:1,polygon:1`',
    meaning:
      'confirmations a referenced transaction needs per chain, `CHAIN:N` (1–10000, its own block counts as 1), e.g. `bitcoin:6,ethereum:64`; a shallower one is refused with FAILED_PRECONDITION naming `source.tx_hash`, and the client retries later (docs/operations.md, "Other-chain references")',
  },
];

/** The other-chains part of the Config. */
export interface ChainsPart {
  /** Other-chain JSON-RPC endpoints for checking source references (docs/operations.md §Other-chain references); undefined: form only. */
  readonly chains: {
    readonly ethereumUrl: string | undefined;
    readonly polygonUrl: string | undefined;
    readonly bitcoinUrl: string | undefined;
    /** File holding Bitcoin Core's "user:password" (read at start, never logged). */
    readonly bitcoinAuthFile: string | undefined;
    /** JPYC token contract per chain, lower-case 0x addresses. */
    readonly jpycContracts: { readonly ethereum?: string; readonly polygon?: string };
    readonly timeoutMs: number;
    /** Confirmations a referenced transaction needs per chain (1: in any block). */
    readonly minConfirmations: {
      readonly bitcoin: number;
      readonly ethereum: number;
      readonly polygon: number;
    };
  };
}

/** The other-chain settings. */
export const CHAINS_SETTINGS: SettingsTable<typeof NAMES, ChainsPart> = {
  names: NAMES,
  rows: ROWS,
  parse(raw, { issues, int, httpUrl }) {
    /** A chain's JSON-RPC endpoint: credentials never in the URL (it is logged at start, path masked). */
    const rpcUrl = (name: (typeof NAMES)[number]): string | undefined => {
      const v = httpUrl(name);
      if (v !== undefined && /^https?:\/\/[^/]*@/.test(v)) {
        issues.push({
          setting: name,
          problem:
            "holds credentials (user@ or user:password@); Bitcoin Core's go in SPARK_BITCOIN_RPC_AUTH_FILE",
        });
        return undefined;
      }
      return v;
    };
    const bitcoinUrl = rpcUrl('SPARK_BITCOIN_RPC_URL');
    if (raw.SPARK_BITCOIN_RPC_AUTH_FILE !== undefined && raw.SPARK_BITCOIN_RPC_URL === undefined) {
      issues.push({
        setting: 'SPARK_BITCOIN_RPC_AUTH_FILE',
        problem: 'set without SPARK_BITCOIN_RPC_URL, the endpoint it authenticates to',
      });
    }
    const jpycContracts: { ethereum?: string; polygon?: string } = {};
    for (const part of (raw.SPARK_JPYC_CONTRACTS ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '')) {
      const m = /^(ethereum|polygon):(0x[0-9a-fA-F]{40})$/.exec(part);
      if (m === null) {
        issues.push({
          setting: 'SPARK_JPYC_CONTRACTS',
          problem: `"${part}" is not CHAIN:0xADDRESS (chain ethereum or polygon)`,
        });
      } else jpycContracts[m[1] as 'ethereum' | 'polygon'] = (m[2] as string).toLowerCase();
    }
    const minConfirmations = { bitcoin: 1, ethereum: 1, polygon: 1 };
    for (const part of (raw.SPARK_CHAIN_MIN_CONFIRMATIONS ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '')) {
      const m = /^(bitcoin|ethereum|polygon):([0-9]{1,5})$/.exec(part);
      const n = Number(m?.[2]);
      if (m === null || n < 1 || n > 10_000) {
        issues.push({
          setting: 'SPARK_CHAIN_MIN_CONFIRMATIONS',
          problem: `"${part}" is not CHAIN:N (chain bitcoin, ethereum or polygon; N from 1 to 10000)`,
        });
      } else minConfirmations[m[1] as keyof typeof minConfirmations] = n;
    }
    return {
      chains: {
        ethereumUrl: rpcUrl('SPARK_ETHEREUM_RPC_URL'),
        polygonUrl: rpcUrl('SPARK_POLYGON_RPC_URL'),
        bitcoinUrl,
        bitcoinAuthFile: raw.SPARK_BITCOIN_RPC_AUTH_FILE,
        jpycContracts,
        timeoutMs: int('SPARK_CHAIN_RPC_TIMEOUT_MS', 5_000, 100, 120_000),
        minConfirmations,
      },
    };
  },
};
