// The settings that turn `spark serve`'s Arweave publisher on against the gateway test double, with a new wallet
// written as a 0600 secret file in `dir` (shared by the Arweave end-to-end tests).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Arweave from 'arweave';
import type { JWKInterface } from 'arweave/node/lib/wallet.js';

/** A fresh wallet and the environment for a server that publishes to `gatewayUrl` with it (2 confirmations). */
export async function arweaveServerEnv(
  dir: string,
  gatewayUrl: string,
): Promise<{ wallet: JWKInterface; env: Record<string, string> }> {
  const wallet = await Arweave.init({}).wallets.generate();
  const walletFile = join(dir, 'arweave-wallet.json');
  writeFileSync(walletFile, JSON.stringify(wallet), { mode: 0o600 });
  return {
    wallet,
    env: {
      SPARK_ARWEAVE_URL: gatewayUrl,
      SPARK_ARWEAVE_WALLET_FILE: walletFile,
      SPARK_ARWEAVE_CONFIRMATIONS: '2',
      SPARK_IPFS_POLL_INTERVAL_MS: '100',
      SPARK_IPFS_RETRY_BASE_MS: '50',
    },
  };
}
