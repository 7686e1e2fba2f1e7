// Assembles the signer daemon: policy, TLS material, its own key provider, the service and the TLS server.
import { createKeyProvider } from '../../providers/create-provider.ts';
import type { KeyProvider } from '../../providers/key-provider.ts';
import type { SignerConfig } from '../config/signer-config.ts';
import type { Logger } from '../log/logger.ts';
import { loadPolicy, type SignerPolicy } from './policy.ts';
import { MAX_SIGNER_MESSAGE_BYTES } from './request-checks.ts';
import { signerRoutes } from './signer-service.ts';
import { loadTlsMaterial } from './tls-material.ts';
import { startSignerServer } from './tls-server.ts';

/** Room for the other request fields and framing around the largest message. */
const REQUEST_OVERHEAD_BYTES = 64 * 1024;

/**
 * Opens one key of each granted purpose before listening, so a missing secret or token fails the start, not the
 * first call of a sidecar (the docker-secret provider reads its seed files here).
 */
async function warmUp(provider: KeyProvider, policy: SignerPolicy): Promise<void> {
  if (policy.granted.purposes.has('symbol-account')) await provider.openSymbolAccount();
  const [first] = policy.granted.algorithmIds;
  if (first === undefined) return;
  for (const purpose of ['batch-signing', 'witness-cosigning'] as const) {
    if (policy.granted.purposes.has(purpose)) await provider.open(purpose, first, 0);
  }
}

/** A running signer. */
export interface RunningSigner {
  readonly address: { readonly host: string; readonly port: number };
  /** Drains calls (up to the configured grace), then wipes the keys. */
  close(): Promise<void>;
}

/**
 * Starts the signer. Configuration problems (policy, TLS files) throw ConfigError and unusable keys KeyError,
 * before anything listens; the key provider is closed again if the signer cannot start.
 */
export async function startSigner(config: SignerConfig, log: Logger): Promise<RunningSigner> {
  const policy = loadPolicy(config.policyFile);
  const tls = loadTlsMaterial(config);
  const provider = await createKeyProvider(config.provider);
  let server: Awaited<ReturnType<typeof startSignerServer>>;
  try {
    await warmUp(provider, policy);
    log.info({ provider: provider.kind, clients: policy.clients }, 'signer configured');
    server = await startSignerServer({
      host: config.listen.host,
      port: config.listen.port,
      tls,
      routes: signerRoutes({ provider, policy, log }),
      readMaxBytes: MAX_SIGNER_MESSAGE_BYTES + REQUEST_OVERHEAD_BYTES,
      log,
    });
  } catch (err) {
    await provider.close();
    throw err;
  }
  return {
    address: server.address,
    async close() {
      try {
        await server.close(config.shutdownGraceMs);
      } finally {
        await provider.close();
      }
    },
  };
}
