// Other chains as one feature (docs/operations.md §Other-chain references): the source-reference checker over the
// configured Bitcoin, Ethereum and Polygon endpoints (SPARK_*_RPC_URL); the Bitcoin RPC credentials are read here,
// once, from their secret file and kept in memory only.
import { createJsonRpc } from '../chains/json-rpc.ts';
import { createSourceChecker, type SourceChecker } from '../chains/source-checker.ts';
import type { Config } from '../config/config.ts';
import { ConfigError } from '../config/config-error.ts';
import { firstLineOf, readSecretFile } from '../config/secret-file.ts';

/** The source-reference checker over the configured chain endpoints (SPARK_*_RPC_URL). */
export function createChainChecker(config: Config): SourceChecker {
  const c = config.chains;
  const rpc = (url: string | undefined, basicAuth?: string, version?: '1.0' | '2.0') =>
    url === undefined
      ? undefined
      : createJsonRpc({
          url,
          basicAuth,
          timeoutMs: c.timeoutMs,
          ...(version === undefined ? {} : { version }),
        });
  let bitcoinAuth: string | undefined;
  if (c.bitcoinAuthFile !== undefined) {
    bitcoinAuth = firstLineOf(readSecretFile('SPARK_BITCOIN_RPC_AUTH_FILE', c.bitcoinAuthFile));
    if (!/^[^:\s]+:\S+$/.test(bitcoinAuth)) {
      throw new ConfigError([
        {
          setting: 'SPARK_BITCOIN_RPC_AUTH_FILE',
          problem: `${c.bitcoinAuthFile} does not hold user:password on its first line`,
        },
      ]);
    }
  }
  const ethereum = rpc(c.ethereumUrl);
  const polygon = rpc(c.polygonUrl);
  return createSourceChecker({
    evm: { ...(ethereum === undefined ? {} : { ethereum }), ...(polygon === undefined ? {} : { polygon }) },
    bitcoin: rpc(c.bitcoinUrl, bitcoinAuth, '1.0'),
    jpycContracts: c.jpycContracts,
    minConfirmations: c.minConfirmations,
  });
}
